"""INFO's Commandstats, Errorstats and Latencystats (merged over shards),
SLOWLOG with Redis's six-field entries and truncation, LATENCY and MONITOR."""

import re
import socket
import time
import unittest

import harness
from harness import ServerTestCase, RespError


def info_text(tc, *sections):
    # Straight from the wire: redis-py would parse INFO into its own dict.
    text = tc.cmd("INFO", *sections)
    return text.decode() if isinstance(text, bytes) else text


def info_fields(tc, section):
    text = info_text(tc, section)
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            out[k] = v
    return out


def stat_fields(value):
    return dict(part.split("=", 1) for part in value.split(","))


class TestInfoCommandSections(ServerTestCase):
    shards = 2

    def setUp(self):
        super().setUp()
        self.r.config_resetstat()

    def test_commandstats_counts_every_shard(self):
        # Keys on both shards: each shard counts its own calls.
        for i in range(20):
            self.r.set("key:%d" % i, "v")
        for i in range(10):
            self.r.get("key:%d" % i)
        fields = info_fields(self, "commandstats")
        self.assertIn("cmdstat_set", fields)
        st = stat_fields(fields["cmdstat_set"])
        self.assertEqual(sorted(st), ["calls", "failed_calls", "rejected_calls", "usec", "usec_per_call"])
        self.assertEqual(st["calls"], "20")
        self.assertEqual(stat_fields(fields["cmdstat_get"])["calls"], "10")
        self.assertRegex(st["usec_per_call"], r"^\d+\.\d\d$")
        self.assertNotIn("cmdstat_commandstats", fields)

    def test_failed_and_rejected_calls_and_errorstats(self):
        self.r.set("s", "text")
        with self.assertRaises(harness.redis.ResponseError):
            self.r.execute_command("INCR", "s")  # runs, answers an error: failed
        with self.assertRaises(harness.redis.ResponseError):
            self.r.execute_command("GET")  # wrong arity: rejected
        with self.assertRaises(harness.redis.ResponseError):
            self.r.lpush("s", "x")  # WRONGTYPE
        cmd = info_fields(self, "commandstats")
        self.assertEqual(stat_fields(cmd["cmdstat_incr"])["failed_calls"], "1")
        self.assertEqual(stat_fields(cmd["cmdstat_get"])["rejected_calls"], "1")
        errs = info_fields(self, "errorstats")
        self.assertEqual(errs["errorstat_ERR"], "count=2")
        self.assertEqual(errs["errorstat_WRONGTYPE"], "count=1")
        self.assertEqual(info_fields(self, "stats")["total_error_replies"], "3")

    def test_subcommands_have_their_own_lines(self):
        self.r.config_get("maxclients")
        self.assertIn("cmdstat_config|get", info_fields(self, "commandstats"))

    def test_latencystats_percentiles(self):
        for i in range(5):
            self.r.set("k%d" % i, "v")
        fields = info_fields(self, "latencystats")
        line = fields["latency_percentiles_usec_set"]
        self.assertRegex(line, r"^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$")
        p = stat_fields(line)
        self.assertLessEqual(float(p["p50"]), float(p["p99"]))
        self.assertLessEqual(float(p["p99"]), float(p["p99.9"]))

    def test_default_info_has_errorstats_not_commandstats(self):
        text = info_text(self)
        self.assertIn("# Errorstats", text)
        self.assertNotIn("# Commandstats", text)
        everything = info_text(self, "everything")
        for section in ("# Server", "# Clients", "# Stats", "# Replication", "# CPU", "# Commandstats",
                        "# Errorstats", "# Latencystats", "# Keyspace"):
            self.assertIn(section, everything)

    def test_resetstat_clears(self):
        self.r.set("a", "1")
        self.r.config_resetstat()
        self.assertNotIn("cmdstat_set", info_fields(self, "commandstats"))


class TestSlowlog(ServerTestCase):
    shards = 2
    server_args = ("--slowlog-log-slower-than", "0", "--slowlog-max-len", "128")

    def setUp(self):
        super().setUp()
        self.r.config_set("slowlog-log-slower-than", "0")
        self.r.config_set("slowlog-max-len", "128")
        self.r.execute_command("SLOWLOG", "RESET")

    def test_entry_has_six_fields(self):
        self.r.client_setname("slowpoke")
        self.r.set("key", "value")
        entries = self.r.execute_command("SLOWLOG", "GET", "5")
        entry = next(e for e in entries if e[3][:1] == [b"SET"])
        self.assertEqual(len(entry), 6)
        ident, when, duration, args, addr, name = entry
        self.assertIsInstance(ident, int)
        self.assertLessEqual(abs(when - time.time()), 60)
        self.assertGreaterEqual(duration, 0)
        self.assertEqual(args, [b"SET", b"key", b"value"])
        self.assertRegex(addr.decode(), r"^127\.0\.0\.1:\d+$")
        self.assertEqual(name, b"slowpoke")

    def test_entry_names_the_client_whichever_shard_ran_it(self):
        self.r.client_setname("slowpoke")
        for i in range(16):
            self.r.set("key:%d" % i, "v")
        entries = self.r.execute_command("SLOWLOG", "GET", "-1")
        sets = [e for e in entries if e[3][:1] == [b"SET"]]
        self.assertEqual(len(sets), 16)
        self.assertEqual({e[5] for e in sets}, {b"slowpoke"})

    def test_commands_appear_as_sent_not_as_rewritten(self):
        # The AOF gets SET ... PXAT and PEXPIREAT; SLOWLOG shows what the
        # client typed.
        self.r.execute_command("SET", "k", "v", "EX", "100")
        self.r.execute_command("GETEX", "k", "EX", "50")
        entries = self.r.execute_command("SLOWLOG", "GET", "-1")
        args = [e[3] for e in entries]
        self.assertIn([b"SET", b"k", b"v", b"EX", b"100"], args)
        self.assertIn([b"GETEX", b"k", b"EX", b"50"], args)

    def test_truncation_rules(self):
        self.r.execute_command("RPUSH", "list", *["e%d" % i for i in range(40)])
        self.r.set("big", "x" * 200)
        entries = self.r.execute_command("SLOWLOG", "GET", "-1")
        rpush = next(e for e in entries if e[3][0] == b"RPUSH")
        self.assertEqual(len(rpush[3]), 32)
        # 42 arguments: 31 kept, the last slot counts the 11 left out.
        self.assertEqual(rpush[3][-1], b"... (11 more arguments)")
        big = next(e for e in entries if e[3][:2] == [b"SET", b"big"])
        self.assertEqual(big[3][2], b"x" * 128 + b"... (72 more bytes)")

    def test_len_reset_and_newest_first(self):
        for i in range(5):
            self.r.set("k%d" % i, i)
        self.assertGreaterEqual(self.r.execute_command("SLOWLOG", "LEN"), 5)
        entries = self.r.execute_command("SLOWLOG", "GET", "2")
        self.assertEqual(len(entries), 2)
        self.assertGreater(entries[0][0], entries[1][0])
        self.assertEqual(self.r.execute_command("SLOWLOG", "RESET"), b"OK")
        self.assertLessEqual(self.r.execute_command("SLOWLOG", "LEN"), 1)

    def test_max_len_and_off(self):
        self.r.config_set("slowlog-max-len", "3")
        for i in range(10):
            self.r.set("k%d" % i, i)
        self.assertEqual(self.r.execute_command("SLOWLOG", "LEN"), 3)
        self.r.config_set("slowlog-log-slower-than", "-1")
        self.r.execute_command("SLOWLOG", "RESET")
        self.r.set("a", "b")
        self.assertEqual(self.r.execute_command("SLOWLOG", "LEN"), 0)

    def test_threshold_keeps_fast_commands_out(self):
        self.r.config_set("slowlog-log-slower-than", "10000000")
        self.r.execute_command("SLOWLOG", "RESET")
        for i in range(10):
            self.r.set("k%d" % i, i)
        self.assertEqual(self.r.execute_command("SLOWLOG", "LEN"), 0)

    def test_secrets_are_redacted(self):
        self.r.execute_command("ACL", "SETUSER", "zz", "on", ">secret")
        self.r.execute_command("ACL", "DELUSER", "zz")
        self.r.config_set("requirepass", "")
        self.cmd("HELLO", "2", "AUTH", "default", "guess")
        args = [e[3] for e in self.r.execute_command("SLOWLOG", "GET", "-1")]
        self.assertIn([b"ACL", b"SETUSER", b"(redacted)", b"(redacted)", b"(redacted)"], args)
        self.assertIn([b"CONFIG", b"SET", b"requirepass", b"(redacted)"], args)
        self.assertIn([b"HELLO", b"2", b"AUTH", b"(redacted)", b"(redacted)"], args)
        self.assertNotIn(b"secret", repr(args).encode())

    def test_help_and_errors(self):
        lines = self.r.execute_command("SLOWLOG", "HELP")
        self.assertEqual(lines[0], b"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        self.assertIn(b"    Reset the slowlog.", lines)
        self.assertEqual(self.cmd("SLOWLOG", "GET", "-2"),
                         RespError("ERR count should be greater than or equal to -1"))
        self.assertEqual(self.cmd("SLOWLOG", "NOPE"),
                         RespError("ERR unknown subcommand 'NOPE'. Try SLOWLOG HELP."))


class TestLatency(ServerTestCase):
    server_args = ("--enable-debug-command", "yes")

    def setUp(self):
        super().setUp()
        self.r.execute_command("LATENCY", "RESET")

    def test_spike_over_threshold_is_recorded(self):
        self.r.config_set("latency-monitor-threshold", "5")
        self.r.execute_command("DEBUG", "SLEEP", "0.02")
        latest = self.r.execute_command("LATENCY", "LATEST")
        self.assertEqual(len(latest), 1)
        event, when, last_ms, max_ms = latest[0]
        self.assertEqual(event, b"command")
        self.assertGreaterEqual(last_ms, 5)
        self.assertGreaterEqual(max_ms, last_ms)
        self.assertLessEqual(abs(when - time.time()), 60)
        history = self.r.execute_command("LATENCY", "HISTORY", "command")
        self.assertEqual(len(history), 1)
        self.assertEqual(history[0][1], last_ms)
        self.assertEqual(self.r.execute_command("LATENCY", "RESET", "command"), 1)
        self.assertEqual(self.r.execute_command("LATENCY", "LATEST"), [])

    def test_off_by_default(self):
        self.r.config_set("latency-monitor-threshold", "0")
        self.r.execute_command("DEBUG", "SLEEP", "0.01")
        self.assertEqual(self.r.execute_command("LATENCY", "LATEST"), [])
        self.assertEqual(self.r.execute_command("LATENCY", "HISTORY", "command"), [])

    def test_help_and_doctor(self):
        lines = self.r.execute_command("LATENCY", "HELP")
        self.assertEqual(lines[0], b"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        self.assertIn(b"    Return the latest latency samples for all events.", lines)
        self.assertIsInstance(self.r.execute_command("LATENCY", "DOCTOR"), bytes)


class TestMonitor(ServerTestCase):
    shards = 2

    def test_lines_in_redis_format(self):
        mon = self.s.raw()
        self.assertEqual(mon.execute("MONITOR"), "OK")
        self.r.set("key", 'va"l\n')
        self.r.get("key")
        got = []
        deadline = time.time() + 10
        while len(got) < 2 and time.time() < deadline:
            line = mon.read()
            if "FLUSHALL" not in line.upper():
                got.append(line)
        mon.close()
        pattern = r'^\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] '
        self.assertRegex(got[0], pattern + r'"SET" "key" "va\\"l\\n"$')
        self.assertRegex(got[1], pattern + r'"GET" "key"$')

    def read_lines(self, mon, n):
        got = []
        deadline = time.time() + 10
        while len(got) < n and time.time() < deadline:
            line = mon.read()
            if "FLUSHALL" not in line.upper():
                got.append(line.split("] ", 1)[1])
        return got

    def test_commands_appear_as_sent_and_transactions_in_execution_order(self):
        mon = self.s.raw()
        self.assertEqual(mon.execute("MONITOR"), "OK")
        c = self.s.raw()
        c.execute("SET", "a", "1", "EX", "100")
        self.assertEqual(c.execute("MULTI"), "OK")
        self.assertEqual(c.execute("SET", "b", "2", "EX", "100"), "QUEUED")
        self.assertEqual(c.execute("INCR", "a"), "QUEUED")
        c.execute("EXEC")
        c.execute("GET", "b")
        got = self.read_lines(mon, 6)
        mon.close()
        c.close()
        # Redis shows a queued command when EXEC runs it, and EXEC after them.
        self.assertEqual(got, ['"SET" "a" "1" "EX" "100"', '"MULTI"', '"SET" "b" "2" "EX" "100"', '"INCR" "a"',
                               '"EXEC"', '"GET" "b"'])

    def test_hello_auth_is_redacted(self):
        mon = self.s.raw()
        mon.execute("MONITOR")
        self.cmd("HELLO", "2", "AUTH", "default", "guess")
        line = mon.read()
        while "FLUSHALL" in line.upper():
            line = mon.read()
        mon.close()
        self.assertTrue(line.endswith('"HELLO" "2" "AUTH" "(redacted)" "(redacted)"'), line)

    def test_monitor_survives_its_client_closing(self):
        mon = self.s.raw()
        mon.execute("MONITOR")
        mon.close()
        self.r.set("a", "b")
        self.assertEqual(self.r.get("a"), b"b")


if __name__ == "__main__":
    unittest.main(verbosity=2)
