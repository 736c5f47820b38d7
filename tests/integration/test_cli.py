#!/usr/bin/python3
"""ember-cli: one-shot and batch modes (output and exit status, against
redis-cli's formatting), RESP3, the REPL in a real pseudo-terminal
(completion, hints, highlighting, history, help, reconnection), and the
benchmark's output."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402
from cli_pty import PtyProcess, strip_ansi  # noqa: E402

REDIS_CLI = shutil.which("redis-cli") or ("/usr/bin/redis-cli" if os.path.exists("/usr/bin/redis-cli") else None)


def ember_cli_binary():
    """$EMBER_CLI, else ember-cli next to $EMBER_SERVER (ctest builds both into one bin/), else build/bin."""
    if os.environ.get("EMBER_CLI"):
        return os.environ["EMBER_CLI"]
    if os.environ.get("EMBER_SERVER"):
        return os.path.join(os.path.dirname(os.environ["EMBER_SERVER"]), "ember-cli")
    return os.path.join(os.path.dirname(harness.DEFAULT_EMBER), "ember-cli")


EMBER_CLI = ember_cli_binary()


class CliTestCase(ServerTestCase):

    def run_cli(self, *args, stdin=None, port=None):
        port = self.server.port if port is None else port
        proc = subprocess.run([EMBER_CLI, "-p", str(port)] + list(args), input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")

    def cli(self, *args, stdin=None, expect_rc=0):
        rc, out, err = self.run_cli(*args, stdin=stdin)
        self.assertEqual(rc, expect_rc, "ember-cli %s: rc=%d\n%s%s" % (" ".join(args), rc, out, err))
        return out


class TestOneShot(CliTestCase):

    def test_raw_when_piped(self):
        self.assertEqual(self.cli("SET", "hello", "world"), "OK\n")
        self.assertEqual(self.cli("GET", "hello"), "world\n")
        self.assertEqual(self.cli("GET", "nokey"), "\n")
        self.assertEqual(self.cli("INCR", "n"), "1\n")
        self.assertEqual(self.cli("MGET", "hello", "nokey", "n"), "world\n\n1\n")
        self.assertEqual(self.r.get("hello"), b"world")

    def test_formatted_with_no_raw(self):
        self.r.set("s", 'a "quoted"\nline\x01')
        self.assertEqual(self.cli("--no-raw", "GET", "s"), '"a \\"quoted\\"\\nline\\x01"\n')
        self.assertEqual(self.cli("--no-raw", "GET", "nokey"), "(nil)\n")
        self.assertEqual(self.cli("--no-raw", "INCR", "n"), "(integer) 1\n")
        self.assertEqual(self.cli("--no-raw", "LRANGE", "nolist", "0", "-1"), "(empty array)\n")
        self.r.rpush("l", *["v%d" % i for i in range(12)])
        out = self.cli("--no-raw", "LRANGE", "l", "0", "-1")
        self.assertTrue(out.startswith(' 1) "v0"\n 2) "v1"\n'), out)
        self.assertTrue(out.endswith('12) "v11"\n'), out)

    def test_error_reply_exits_nonzero(self):
        rc, out, _ = self.run_cli("GET")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "ERR wrong number of arguments for 'get' command\n")
        rc, out, _ = self.run_cli("--no-raw", "NOSUCHCMD", "x")
        self.assertEqual(rc, 1)
        self.assertTrue(out.startswith("(error) ERR unknown command 'NOSUCHCMD'"), out)
        self.r.set("str", "x")
        rc, out, _ = self.run_cli("LPUSH", "str", "a")
        self.assertEqual(rc, 1)
        self.assertIn("WRONGTYPE", out)

    def test_repeat_and_interval(self):
        self.assertEqual(self.cli("-r", "3", "INCR", "n"), "1\n2\n3\n")
        self.assertEqual(self.cli("-r", "2", "-i", "0.05", "--no-raw", "INCR", "n"), "(integer) 4\n(integer) 5\n")
        rc, out, _ = self.run_cli("-r", "2", "HSET")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "ERR wrong number of arguments for 'hset' command\n" * 2)
        for bad in ("0", "-2"):
            rc, out, err = self.run_cli("-r", bad, "PING")
            self.assertEqual((rc, out), (1, ""), "-r %s" % bad)
            self.assertIn("-r takes a positive count", err)
        rc, _, err = self.run_cli("-i", "-1", "PING")
        self.assertNotEqual(rc, 0)
        self.assertEqual(self.r.get("n"), b"5")

    def test_last_argument_from_stdin(self):
        payload = b"line one\nline two\x00 and binary \xff\r\n"
        self.assertEqual(self.cli("-x", "SET", "blob", stdin=payload), "OK\n")
        self.assertEqual(self.r.get("blob"), payload)
        self.assertEqual(self.cli("-x", "RPUSH", "l", "first", stdin=b"second"), "2\n")
        self.assertEqual(self.r.lrange("l", 0, -1), [b"first", b"second"])
        rc, out, err = self.run_cli("-x", stdin=b"x")
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("-x needs a command", err)

    def test_arguments_that_look_like_flags(self):
        self.assertEqual(self.cli("SET", "k", "-p"), "OK\n")
        self.assertEqual(self.cli("INCRBY", "n", "-5"), "-5\n")
        self.assertEqual(self.r.get("k"), b"-p")

    def test_cannot_connect(self):
        port = harness.free_port()
        rc, out, err = self.run_cli("PING", port=port)
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertIn("Could not connect to Redis at 127.0.0.1:%d: Connection refused" % port, err)

    @unittest.skipUnless(REDIS_CLI, "redis-cli not installed")
    def test_same_output_as_redis_cli(self):
        self.r.hset("h", mapping={"f1": "v1", "f2": "v\x002"})
        self.r.zadd("z", {"a": 1.5, "b": 2})
        self.r.sadd("s", "m")
        self.r.rpush("l", "x", "y")
        commands = [["HGETALL", "h"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["SMEMBERS", "s"],
                    ["COMMAND", "INFO", "get", "set"], ["CONFIG", "GET", "maxclients"], ["TYPE", "z"],
                    ["ZSCORE", "z", "a"], ["GET", "nokey"], ["PING"], ["LPOS", "l", "y"],
                    ["EXISTS", "h", "s", "nokey"], ["SCAN", "0", "COUNT", "100"]]
        for protocol in ([], ["-3"]):
            for mode in ("--raw", "--no-raw"):
                for command in commands:
                    args = protocol + [mode] + command
                    expected = subprocess.run([REDIS_CLI, "-p", str(self.server.port)] + args,
                                              stdout=subprocess.PIPE, timeout=30).stdout.decode(errors="replace")
                    self.assertEqual(self.cli(*args), expected, "ember-cli %s" % " ".join(args))


class TestBatch(CliTestCase):

    def test_commands_from_stdin_with_quoting(self):
        script = (b'SET greeting "hello world"\n'
                  b"SET single 'it\\'s'\n"
                  b'\n'
                  b'SET bin "a\\x00b\\n"\n'
                  b'GET greeting\n'
                  b'RPUSH l one "two three"\n'
                  b'LRANGE l 0 -1\n')
        self.assertEqual(self.cli(stdin=script), "OK\nOK\nOK\nhello world\n2\none\ntwo three\n")
        self.assertEqual(self.r.get("single"), b"it's")
        self.assertEqual(self.r.get("bin"), b"a\x00b\n")

    def test_formatted_batch(self):
        out = self.cli("--no-raw", stdin=b"INCR c\nINCR c\nGET c\n")
        self.assertEqual(out, '(integer) 1\n(integer) 2\n"2"\n')

    def test_error_line_sets_exit_status_and_batch_goes_on(self):
        rc, out, err = self.run_cli(stdin=b"SET a 1\nINCR\nGET a\n")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "OK\nERR wrong number of arguments for 'incr' command\n1\n")

    def test_unbalanced_quote(self):
        rc, out, err = self.run_cli(stdin=b'SET a "open\nSET b 2\n')
        self.assertEqual(rc, 1)
        self.assertIn("Invalid argument", err)
        self.assertEqual(out, "OK\n")
        self.assertIsNone(self.r.get("a"))
        self.assertEqual(self.r.get("b"), b"2")


class TestResp3(CliTestCase):

    def test_map_double_and_nil(self):
        self.r.hset("h", "f", "v")
        self.r.zadd("z", {"m": 2.5})
        self.assertEqual(self.cli("-3", "--no-raw", "HGETALL", "h"), '1# "f" => "v"\n')
        self.assertEqual(self.cli("-3", "HGETALL", "h"), "f v\n")
        self.assertEqual(self.cli("-3", "--no-raw", "ZSCORE", "z", "m"), "(double) 2.5\n")
        self.assertEqual(self.cli("-3", "--no-raw", "GET", "nokey"), "(nil)\n")
        self.assertEqual(self.cli("-3", "--no-raw", "HGETALL", "nokey"), "(empty hash)\n")
        out = self.cli("-3", "--no-raw", "HELLO", "3")
        self.assertIn('"proto" => (integer) 3', out)

    def test_push_messages(self):
        proc = subprocess.Popen([EMBER_CLI, "-p", str(self.server.port), "-3", "--no-raw", "SUBSCRIBE", "ch"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, b"")))
        reader.start()
        try:
            deadline = time.time() + 10
            while self.r.execute_command("PUBSUB", "NUMSUB", "ch")[1] == 0:
                self.assertLess(time.time(), deadline, "ember-cli did not subscribe")
                time.sleep(0.02)
            self.r.publish("ch", "hello")
            while b'3) "hello"\n' not in lines:
                self.assertLess(time.time(), deadline, "no message in %r" % lines)
                time.sleep(0.02)
        finally:
            proc.kill()
            proc.wait()
            reader.join()
        self.assertEqual(b"".join(lines), b'Reading messages... (press Ctrl-C to quit)\n'
                                          b'1) "subscribe"\n2) "ch"\n3) (integer) 1\n'
                                          b'1) "message"\n2) "ch"\n3) "hello"\n')


class TestRepl(CliTestCase):

    def setUp(self):
        super().setUp()
        self.home = tempfile.mkdtemp(prefix="ember-cli-home-")
        self.ptys = []

    def tearDown(self):
        for p in self.ptys:
            p.close()
        shutil.rmtree(self.home, ignore_errors=True)
        super().tearDown()

    def repl(self, port=None, *args):
        port = self.server.port if port is None else port
        env = {"HOME": self.home, "TERM": "xterm", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "LANG": "C.UTF-8"}
        p = PtyProcess([EMBER_CLI, "-p", str(port)] + list(args), env=env)
        self.ptys.append(p)
        self.prompt = b"127.0.0.1:%d> " % port
        p.expect(self.prompt)
        return p

    def command(self, p, line):
        """Types `line` and Enter; returns what was printed before the next prompt, without colours."""
        p.send(line + "\r")
        return strip_ansi(p.expect(self.prompt)).decode(errors="replace")

    def test_command_and_reply(self):
        p = self.repl()
        out = self.command(p, "set greeting hello")
        self.assertIn("\r\nOK\r\n", out)
        self.assertIn('\r\n"hello"\r\n', self.command(p, "get greeting"))
        self.assertIn("(integer) 1", self.command(p, "incr n"))
        self.assertIn("(error) ERR wrong number of arguments", self.command(p, "get"))
        p.send("quit\r")
        self.assertEqual(p.wait(), 0)

    def test_completes_command_names(self):
        p = self.repl()
        p.send("incrbyf\t")  # unique: INCRBYFLOAT
        p.send("f 1.5\r")
        p.expect(self.prompt)
        self.assertEqual(self.r.get("f"), b"1.5")
        p.send("GETD\t")  # upper case stays upper case
        p.expect(b"\x1b[1;32mGETDEL\x1b[0m")
        self.command(p, "f")
        self.assertIsNone(self.r.get("f"))

    def test_lists_ambiguous_completions(self):
        p = self.repl()
        p.send("getr\t")
        p.expect(b"\x1b[1;32mgetrange\x1b[0m")
        p.send("\x15")  # Ctrl-U: clear the line
        p.send("incrb\t")  # incrby, incrbyfloat: first the common prefix
        p.expect(b"\x1b[1;32mincrby\x1b[0m")
        p.send("\t")  # then the list
        listing = strip_ansi(p.expect(b"incrbyfloat"))
        self.assertRegex(listing, rb"\r?\nincrby +incrbyfloat")

    def test_completes_subcommands(self):
        p = self.repl()
        p.send("config g\t")
        p.expect(b"parameter [parameter ...]")
        out = self.command(p, "maxclients")
        self.assertIn('"maxclients"', out)

    def test_hints_arguments(self):
        p = self.repl()
        p.send("set")
        p.expect(b" key value [NX|XX]")
        p.send(" k ")
        p.expect(b"\x1b[90mvalue [NX|XX]")
        p.send("\x15hset")
        p.expect(b" key field value [field value ...]")
        p.send("\x15config ")
        p.expect(re.compile(rb"\x1b\[90m[A-Z|]*GET\|"))
        p.send("get ")
        p.expect(b"parameter [parameter ...]")

    def test_leading_count_repeats(self):
        p = self.repl()
        out = self.command(p, "3 incr n")
        self.assertEqual(re.findall(r"\(integer\) (\d+)", out), ["1", "2", "3"])
        self.assertIn("Invalid ember-cli repeat command option value.", self.command(p, "0 incr n"))
        self.assertIn("(integer) 4", self.command(p, "incr n"))
        self.assertEqual(self.r.get("n"), b"4")

    def test_highlights_command_word(self):
        p = self.repl()
        p.send("get")
        p.expect(b"\x1b[1;32mget\x1b[0m")
        p.send("\x15nosuchcommand x")
        p.expect(b"x")
        p.send("\r")
        text = p.expect(self.prompt)
        self.assertNotIn(b"\x1b[1;32mnosuchcommand", text)

    def test_history_saved_without_auth(self):
        p = self.repl()
        self.command(p, "set a 1")
        self.command(p, "auth secretpass")
        self.command(p, "hello 3 auth default secretpass")
        self.command(p, "get a")
        p.send("quit\r")
        self.assertEqual(p.wait(), 0)
        with open(os.path.join(self.home, ".ember_history"), "rb") as f:
            saved = f.read()
        self.assertNotIn(b"secretpass", saved)
        self.assertIn(b"set", saved)
        self.assertIn(b"get", saved)
        # A new session recalls the line before "quit" with Ctrl-P twice (previous history).
        p = self.repl()
        p.send("\x10\x10\r")
        out = strip_ansi(p.expect(self.prompt))
        self.assertIn(b'"1"', out)

    def test_help(self):
        p = self.repl()
        out = self.command(p, "help set")
        self.assertIn("SET key value [NX|XX]", out)
        self.assertIn("summary: ", out)
        self.assertIn("group: string", out)
        out = self.command(p, "help config")
        self.assertIn("CONFIG GET parameter [parameter ...]", out)
        self.assertIn("CONFIG SET", out)
        out = self.command(p, "help")
        self.assertIn("help <command>", out)
        p.send("clear\r")
        p.expect(b"\x1b[H\x1b[2J")

    def test_reconnects_after_server_restart(self):
        srv = harness.start_server()
        try:
            port = srv.port
            p = self.repl(port)
            self.assertIn("OK", self.command(p, "set before restart"))
            srv.stop()
            p.send("get before\r")
            p.expect(b"Could not connect to Redis at 127.0.0.1:%d: Connection refused" % port)
            p.expect(b"not connected> ")
            srv = start_server_on(port)
            out = self.command(p, "ping")
            self.assertIn("PONG", out)
            self.assertIn("(nil)", self.command(p, "get before"))
            # The server restarts while the client is idle: the next command goes through.
            srv.stop()
            srv = start_server_on(port)
            self.assertIn("(integer) 1", self.command(p, "incr after"))
        finally:
            srv.stop()


def start_server_on(port):
    """A server on a given port (the one a REPL is pointed at)."""
    pick = harness.free_port
    harness.free_port = lambda: port
    try:
        return harness.start_server()
    finally:
        harness.free_port = pick


class TestBenchmark(CliTestCase):

    def test_quiet_runs_every_test(self):
        out = self.cli("benchmark", "-n", "2000", "-c", "4", "-P", "4", "--threads", "2", "-q", "-d", "16",
                       "-t", "set,get,incr,lpush,sadd,zadd,hset,hget,multi", "--keyspace", "100")
        names = ["SET", "GET", "INCR", "LPUSH", "SADD", "ZADD", "HSET", "HGET", "MULTI"]
        lines = out.splitlines()
        self.assertEqual([l.split(":")[0] for l in lines], names, out)
        for line in lines:
            self.assertRegex(line, r"^[A-Z]+: \d+\.\d\d requests per second, p50=\d+\.\d{3} p99=\d+\.\d{3} "
                                   r"p99\.9=\d+\.\d{3} max=\d+\.\d{3} msec$")
        # Exactly n requests of each test reached the server.
        self.assertEqual(self.r.llen("mylist"), 2000)
        key = next(self.r.scan_iter("key:*"))
        self.assertRegex(key, rb"^key:\d{12}$")
        self.assertEqual(self.r.get(key), b"x" * 16)
        counters = sum(int(self.r.get(k)) for k in self.r.scan_iter("counter:*"))
        self.assertEqual(counters, 4000)  # INCR, and the INCR inside each MULTI
        self.assertLessEqual(self.r.scard("myset"), 100)
        self.assertLessEqual(self.r.zcard("myzset"), 100)

    def test_csv_and_full_report(self):
        out = self.cli("benchmark", "-n", "500", "-c", "2", "-t", "set,get", "--csv")
        lines = out.splitlines()
        self.assertEqual(lines[0], '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",'
                                   '"p99_latency_ms","p99.9_latency_ms","max_latency_ms"')
        self.assertEqual(len(lines), 3)
        for line, name in zip(lines[1:], ("SET", "GET")):
            fields = line.split(",")
            self.assertEqual(fields[0], '"%s"' % name)
            values = [float(f.strip('"')) for f in fields[1:]]
            self.assertGreater(values[0], 0)
            avg, mn, p50, p99, p999, mx = values[1:]
            self.assertTrue(mn <= p50 <= p99 <= p999 <= mx, line)
            self.assertTrue(mn <= avg <= mx, line)
        out = self.cli("benchmark", "-n", "300", "-c", "3", "-P", "2", "-t", "ping")
        self.assertIn("====== PING ======", out)
        self.assertIn("300 requests completed in", out)
        self.assertIn("3 parallel clients, pipeline 2", out)

    def test_errors_and_bad_tests(self):
        rc, out, err = self.run_cli("benchmark", "-n", "10", "-t", "nosuchtest")
        self.assertEqual(rc, 1)
        self.assertIn("Unknown test 'nosuchtest'", err)
        self.r.set("mylist", "not a list")
        rc, out, err = self.run_cli("benchmark", "-n", "20", "-c", "2", "-t", "lpush", "-q")
        self.assertEqual(rc, 1)
        self.assertIn("LPUSH: 20 error replies, the first: WRONGTYPE", err)
        rc, out, err = self.run_cli("benchmark", "-n", "10", "-t", "ping", port=harness.free_port())
        self.assertEqual(rc, 1)
        self.assertIn("Could not connect", err)


if __name__ == "__main__":
    main()
