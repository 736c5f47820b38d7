"""Redis 7.0's security defaults: ACL categories as Redis's (ACL CAT diffed
against a redis-server started alongside), enable-debug-command /
enable-module-command / enable-protected-configs, DEBUG SLEEP ended by
SIGTERM, POST / Host: (cross-protocol scripting) closing the connection, the
limits on a client that has not authenticated yet, CONFIG SET save's
validation, and MONITOR's own rules."""

import os
import re
import signal
import socket
import subprocess
import time
import unittest

import harness
from harness import RawClient, RespError, ServerTestCase, start_server

DEBUG_REFUSED = ('ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run '
                 'it from a local connection, otherwise you need to set this option in the configuration file, and '
                 'then restart the server.')
MODULE_REFUSED = ('ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can '
                  'run it from a local connection, otherwise you need to set this option in the configuration file, '
                  'and then restart the server.')


def protected_config(name):
    return "ERR CONFIG SET failed (possibly related to argument '%s') - can't set protected config" % name


INVALID_SAVE = "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def command_names(client):
    """Every command and subcommand name COMMAND lists."""
    names = set()

    def walk(entry):
        names.add(text(entry[0]))
        for sub in entry[9]:
            walk(sub)

    for entry in client.execute("COMMAND"):
        walk(entry)
    return names


def non_loopback_address():
    """An IPv4 address of this machine that is not on the loopback interface, or None."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr", "show"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=5).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        words = line.split()
        if "inet" in words:
            addr = words[words.index("inet") + 1].split("/")[0]
            if not addr.startswith("127."):
                return addr
    return None


@unittest.skipUnless(os.path.exists(harness.REDIS_SERVER), "needs redis-server 7.0 as the reference")
class AclCategoriesTest(ServerTestCase):
    shards = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ref = harness.ReferenceRedis()

    @classmethod
    def tearDownClass(cls):
        cls.ref.stop()
        super().tearDownClass()

    def test_acl_cat_matches_redis_for_every_category(self):
        with RawClient("127.0.0.1", self.ref.port) as ref:
            categories = [text(c) for c in ref.execute("ACL", "CAT")]
            self.assertEqual([text(c) for c in self.cmd("ACL", "CAT")], categories)
            ours, theirs = command_names(self.c), command_names(ref)
            both = ours & theirs
            # Commands redis-server has and the target lacks are left out of the comparison.
            missing = sorted(theirs - ours)
            if missing:
                print("\n  commands the target lacks (not compared): %d: %s" % (len(missing), " ".join(missing)))
            diffs = []
            for cat in categories:
                want = {text(n) for n in ref.execute("ACL", "CAT", cat)} & both
                got = {text(n) for n in self.cmd("ACL", "CAT", cat)} & both
                if want != got:
                    diffs.append("@%s: missing %s, extra %s" % (cat, sorted(want - got), sorted(got - want)))
            self.assertEqual(diffs, [])

    def test_command_info_categories_in_redis_order(self):
        with RawClient("127.0.0.1", self.ref.port) as ref:
            for name in ("flushall", "flushdb", "keys", "info", "restore", "lastsave", "get", "config", "debug"):
                want = ref.execute("COMMAND", "INFO", name)[0][6]
                self.assertEqual(self.cmd("COMMAND", "INFO", name)[0][6], want, name)

    def test_denied_dangerous_cannot_flush_or_list_keys(self):
        self.assertCmdOk("ACL", "SETUSER", "careful", "on", ">pw", "~*", "&*", "+@all", "-@dangerous")
        try:
            self.r.set("k", "v")
            with RawClient("127.0.0.1", self.s.port) as c:
                self.assertEqual(c.execute("AUTH", "careful", "pw"), "OK")
                for args in (("FLUSHALL",), ("FLUSHDB",), ("KEYS", "*"), ("INFO",), ("LASTSAVE",),
                             ("RESTORE", "x", "0", "payload")):
                    self.assertEqual(c.execute(*args), RespError(
                        "NOPERM this user has no permissions to run the '%s' command" % args[0].lower()))
                self.assertEqual(c.execute("GET", "k"), b"v")
        finally:
            self.cmd("ACL", "DELUSER", "careful")


class ProtectedDefaultsTest(ServerTestCase):
    """Redis's defaults: enable-debug-command, enable-module-command and enable-protected-configs are no."""

    def test_defaults(self):
        for name in ("enable-debug-command", "enable-module-command", "enable-protected-configs"):
            self.assertEqual(self.r.config_get(name), {name: "no"})

    def test_debug_refused(self):
        self.assertCmdError(DEBUG_REFUSED, "DEBUG", "SLEEP", "0")
        self.assertCmdError(DEBUG_REFUSED, "DEBUG", "HELP")

    def test_debug_refused_inside_multi_aborts_exec(self):
        self.assertCmdOk("MULTI")
        self.assertCmdError(DEBUG_REFUSED, "DEBUG", "SLEEP", "0")
        self.assertCmdError("EXECABORT Transaction discarded because of previous errors.", "EXEC")

    def test_module_load_and_unload_refused_list_allowed(self):
        self.assertCmdError(MODULE_REFUSED, "MODULE", "LOAD", "/nonexistent/x.so")
        self.assertCmdError(MODULE_REFUSED, "MODULE", "LOADEX", "/nonexistent/x.so")
        self.assertCmdError(MODULE_REFUSED, "MODULE", "UNLOAD", "x")
        self.assertEqual(self.cmd("MODULE", "LIST"), [])

    def test_protected_configs_refused(self):
        for name, value in (("dir", "/tmp"), ("dbfilename", "other.rdb")):
            self.assertCmdError(protected_config(name), "CONFIG", "SET", name, value)
        # All or nothing: the other pair is not applied either.
        self.assertCmdError(protected_config("dir"), "CONFIG", "SET", "maxmemory-samples", "7", "dir", "/tmp")
        self.assertEqual(self.r.config_get("maxmemory-samples"), {"maxmemory-samples": "5"})
        self.assertEqual(self.r.config_get("dbfilename"), {"dbfilename": "dump.rdb"})

    def test_the_directives_are_immutable(self):
        for name in ("enable-debug-command", "enable-module-command", "enable-protected-configs"):
            self.assertCmdError("ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable "
                                "config" % name, "CONFIG", "SET", name, "yes")


class ProtectedLocalTest(ServerTestCase):
    """local: allowed from 127.0.0.1, refused from another address."""

    address = non_loopback_address()
    server_args = ["--enable-debug-command", "local", "--enable-module-command", "local",
                   "--enable-protected-configs", "local", "--protected-mode", "no"] + (
        ["--bind", "127.0.0.1 " + address] if address else [])

    def test_local_client_allowed(self):
        self.assertCmdOk("DEBUG", "SLEEP", "0")
        self.assertCmdOk("CONFIG", "SET", "dbfilename", "local.rdb")
        self.assertEqual(self.r.config_get("dbfilename"), {"dbfilename": "local.rdb"})
        reply = self.cmd("MODULE", "LOAD", "/nonexistent/x.so")
        self.assertIsInstance(reply, RespError)
        self.assertNotEqual(reply.message, MODULE_REFUSED)

    def test_remote_client_refused(self):
        if not self.address:
            self.skipTest("no non-loopback IPv4 address")
        with RawClient(self.address, self.s.port) as c:
            self.assertEqual(c.execute("DEBUG", "SLEEP", "0"), RespError(DEBUG_REFUSED))
            self.assertEqual(c.execute("MODULE", "UNLOAD", "x"), RespError(MODULE_REFUSED))
            self.assertEqual(c.execute("CONFIG", "SET", "dir", "/tmp"), RespError(protected_config("dir")))
            self.assertEqual(c.execute("PING"), "PONG")


class ProtectedYesTest(ServerTestCase):
    server_args = ["--enable-debug-command", "yes", "--enable-protected-configs", "yes"]

    def test_allowed(self):
        self.assertCmdOk("DEBUG", "SLEEP", "0")
        self.assertCmdOk("CONFIG", "SET", "dbfilename", "yes.rdb")


class ProtectedBeforeAuthTest(ServerTestCase):
    """Redis refuses a protected command before it asks for a password."""
    server_args = ["--requirepass", "secret"]

    def setUp(self):
        self.s = self.server
        self._raw = None
        self.r = self.server.client(password="secret")

    def test_debug_refused_before_noauth(self):
        self.assertCmdError(DEBUG_REFUSED, "DEBUG", "SLEEP", "0")
        self.assertCmdError("NOAUTH Authentication required.", "GET", "k")


class DebugSleepShutdownTest(unittest.TestCase):
    def test_sigterm_ends_a_long_debug_sleep(self):
        srv = start_server(["--enable-debug-command", "yes"], shards=2)
        try:
            sleeper = srv.raw()
            sleeper.send("DEBUG", "SLEEP", "1000")
            # The sleep has begun once another client gets no answer.
            with srv.raw(timeout=0.5) as probe:
                probe.send("PING")
                deadline = time.time() + 10
                while True:
                    try:
                        probe.read()
                        self.assertLess(time.time(), deadline, "DEBUG SLEEP never stopped the server")
                        probe.send("PING")
                    except socket.timeout:
                        break
            srv.proc.send_signal(signal.SIGTERM)
            try:
                srv.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.fail("the server did not stop within 10 s of SIGTERM during DEBUG SLEEP 1000")
            sleeper.close()
        finally:
            srv.stop()


class CrossProtocolTest(ServerTestCase):
    def test_http_post_closes_the_connection(self):
        request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 27\r\n\r\n"
                   b"SET pwned 1\r\nFLUSHALL\r\n")
        self.r.set("keep", "1")
        with RawClient("127.0.0.1", self.s.port) as c:
            c.send_raw(request)
            self.assertEqual(c.read_raw_until_closed(), b"")
        self.assertIsNone(self.r.get("pwned"))
        self.assertEqual(self.r.get("keep"), b"1")
        self.assertIn("Possible SECURITY ATTACK detected", self.s.log_tail(20000))

    def test_host_line_closes_at_once(self):
        with RawClient("127.0.0.1", self.s.port) as c:
            # As Redis's freeClientAsync: a reply of the same read not yet written is dropped.
            c.send_raw(b"PING\r\nHost: evil.example\r\nSET pwned 1\r\n")
            self.assertEqual(c.read_raw_until_closed(), b"")
        self.assertIsNone(self.r.get("pwned"))

    def test_as_a_multibulk_too(self):
        with RawClient("127.0.0.1", self.s.port) as c:
            c.send_raw(RawClient.encode("post", "x") + RawClient.encode("SET", "pwned", "1"))
            self.assertEqual(c.read_raw_until_closed(), b"")
        self.assertIsNone(self.r.get("pwned"))


class UnauthenticatedLimitsTest(ServerTestCase):
    server_args = ["--requirepass", "secret"]

    def setUp(self):
        self.s = self.server
        self._raw = None
        self.r = self.server.client(password="secret")

    def refused(self, data, error):
        with RawClient("127.0.0.1", self.s.port) as c:
            c.send_raw(data)
            self.assertEqual(c.read_raw_until_closed(), b"-" + error.encode() + b"\r\n")

    def test_more_than_ten_arguments(self):
        self.refused(b"*11\r\n", "ERR Protocol error: unauthenticated multibulk length")

    def test_bulk_over_16k(self):
        self.refused(b"*2\r\n$4\r\nECHO\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length")

    def test_bulk_over_proto_max_bulk_len_is_invalid(self):
        self.refused(b"*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length")

    def test_within_the_limits_noauth(self):
        with RawClient("127.0.0.1", self.s.port) as c:
            self.assertEqual(c.execute("DEL", *(["k"] * 9)), RespError("NOAUTH Authentication required."))
            self.assertEqual(c.execute("ECHO", "x" * 16384), RespError("NOAUTH Authentication required."))
            self.assertFalse(c.is_closed(0.2))

    def test_lifted_by_auth_in_the_same_packet(self):
        with RawClient("127.0.0.1", self.s.port) as c:
            c.send_raw(RawClient.encode("AUTH", "secret") + RawClient.encode("SET", "big", "v" * 100000) +
                       RawClient.encode("MSET", *(["k", "v"] * 10)))
            self.assertEqual(c.read(), "OK")
            self.assertEqual(c.read(), "OK")
            self.assertEqual(c.read(), "OK")
        self.assertEqual(self.r.strlen("big"), 100000)


class SaveParamsTest(ServerTestCase):
    def test_invalid_refused(self):
        for value in ("0 0", "a b", "-1 -1", "1", "10 20 30", "1  2", " 5 6", "0x10 1", "1x 2", "  "):
            self.assertCmdError(INVALID_SAVE, "CONFIG", "SET", "save", value)
        self.assertEqual(self.r.config_get("save"), {"save": ""})

    def test_valid_accepted_as_redis_lists_them(self):
        for value, shown in (("100 0", "100 0"), ("3600 1 300 100", "3600 1 300 100"), ("07 +3", "7 3"),
                             ("100 ", "100 0"), ("5 -0", "5 0"), ("", "")):
            self.assertCmdOk("CONFIG", "SET", "save", value)
            self.assertEqual(self.r.config_get("save"), {"save": shown}, value)


MONITOR_LINE = re.compile(r"^\d+\.\d+ \[0 ")


def reply_of(monitor):
    """A monitoring client's next reply, past the lines of its own commands (which Redis writes after the
    reply and ember before it)."""
    while True:
        reply = monitor.read()
        if not (isinstance(reply, str) and MONITOR_LINE.match(reply)):
            return reply


class ConfigSetSeveralTest(ServerTestCase):
    def test_all_or_nothing(self):
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed "
                            "into an integer", "CONFIG", "SET", "maxmemory-samples", "6", "hz", "abc")
        self.assertCmdError(INVALID_SAVE, "CONFIG", "SET", "maxmemory-samples", "6", "save", "0 0")
        self.assertEqual(self.r.config_get("maxmemory-samples"), {"maxmemory-samples": "5"})
        self.assertCmdOk("CONFIG", "SET", "maxmemory-samples", "6", "save", "100 1")
        self.assertEqual(self.r.config_get("maxmemory-samples"), {"maxmemory-samples": "6"})
        self.assertCmdOk("CONFIG", "SET", "maxmemory-samples", "5", "save", "")

    def test_errors(self):
        self.assertCmdError("ERR syntax error", "CONFIG", "SET", "maxmemory-samples", "5", "hz")
        self.assertCmdError("ERR wrong number of arguments for 'config|set' command", "CONFIG", "SET", "hz")
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - duplicate "
                            "parameter", "CONFIG", "SET", "MAXMEMORY-SAMPLES", "9", "maxmemory-samples", "8")
        self.assertCmdError("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'", "CONFIG", "SET",
                            "hz", "10", "nosuch", "1")


class MonitorTest(ServerTestCase):
    def test_monitor_inside_multi(self):
        self.assertCmdOk("MULTI")
        self.assertEqual(self.cmd("MONITOR"), "QUEUED")
        self.assertEqual(self.cmd("SET", "a", "1"), "QUEUED")
        self.assertEqual(self.cmd("EXEC"), [RespError("ERR MONITOR isn't allowed for DENY BLOCKING client"), "OK"])
        self.assertEqual(self.cmd("PING"), "PONG")

    def test_a_monitor_may_not_touch_the_keyspace(self):
        self.r.set("a", "1")
        with RawClient("127.0.0.1", self.s.port) as m:
            self.assertEqual(m.execute("MONITOR"), "OK")
            for args in (("SET", "a", "2"), ("GET", "a"), ("DBSIZE",)):
                m.send(*args)
                self.assertEqual(m.read(), RespError("ERR Replica can't interact with the keyspace"))
            m.send("RESET")
            self.assertEqual(reply_of(m), "RESET")
            self.assertEqual(m.execute("GET", "a"), b"1")
        self.assertEqual(self.r.get("a"), b"1")

    def test_second_monitor_is_not_answered(self):
        with RawClient("127.0.0.1", self.s.port) as m:
            self.assertEqual(m.execute("MONITOR"), "OK")
            m.send("MONITOR")
            m.send("PING")
            # The next reply is PING's; a monitor also sees its own command's line.
            replies = [m.read(), m.read()]
            self.assertIn("PONG", replies)
            self.assertNotIn("OK", replies)

    def test_monitor_while_subscribed(self):
        with RawClient("127.0.0.1", self.s.port) as c:
            c.execute("SUBSCRIBE", "x")
            self.assertEqual(c.execute("MONITOR"), RespError(
                "ERR Can't execute 'monitor': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                "allowed in this context"))
            self.assertEqual(c.execute("CLIENT", "ID"), RespError(
                "ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                "allowed in this context"))


if __name__ == "__main__":
    harness.main()
