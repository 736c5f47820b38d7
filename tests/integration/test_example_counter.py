"""The example module (examples/counter/counter.c), tested as its author
would: every CTR.* command, its errors, its data type under the generic key
commands, its config parameter, INFO, and CTR.MERGE over keys on several
shards."""

import unittest

from harness import (RESP3_NULL, RespError, RespMap, ServerTestCase, WRONGTYPE, arity, ember_only, main,
                     module_path, run_server_to_exit)
from modutil import info_dict, keys_on_distinct_shards

COUNTER = module_path("counter")
NOT_INT = "ERR value is not an integer or out of range"
TOO_BIG = "ERR increment is larger than counter.max-step"
LLONG_MAX = 2**63 - 1


@ember_only
class CounterTest(ServerTestCase):
    shards = 4
    server_args = ["--loadmodule", COUNTER]

    def tearDown(self):
        self.cmd("CONFIG", "SET", "counter.max-step", "1000000")
        super().tearDown()

    def test_incrby_get(self):
        self.assertEqual(self.cmd("CTR.GET", "c"), None)
        self.assertEqual(self.cmd("CTR.INCRBY", "c", "5"), 5)
        self.assertEqual(self.cmd("CTR.INCRBY", "c", "-7"), -2)
        self.assertEqual(self.cmd("ctr.incrby", "c", "0"), -2)
        self.assertEqual(self.cmd("CTR.GET", "c"), -2)
        self.assertEqual(self.r.type("c"), b"counter")

    def test_stats_resp2_and_resp3(self):
        self.assertEqual(self.cmd("CTR.STATS", "c"), None)
        self.cmd("CTR.INCRBY", "c", "3")
        self.cmd("CTR.INCRBY", "c", "4")
        self.assertEqual(self.cmd("CTR.STATS", "c"), [b"value", 7, b"increments", 2])
        c3 = self.s.raw(protocol=3)
        try:
            stats = c3.execute("CTR.STATS", "c")
            self.assertIsInstance(stats, RespMap)
            self.assertEqual(stats.pairs, [(b"value", 7), (b"increments", 2)])
            self.assertIs(c3.execute("CTR.STATS", "nosuch"), RESP3_NULL)
            self.assertIs(c3.execute("CTR.GET", "nosuch"), RESP3_NULL)
        finally:
            c3.close()

    def test_errors(self):
        self.assertCmdError(NOT_INT, "CTR.INCRBY", "c", "x")
        self.assertCmdError(NOT_INT, "CTR.INCRBY", "c", "")
        self.assertCmdError(NOT_INT, "CTR.INCRBY", "c", "1.5")
        self.assertCmdError(NOT_INT, "CTR.INCRBY", "c", "99999999999999999999")
        self.assertCmdError(TOO_BIG, "CTR.INCRBY", "c", "1000001")
        self.assertCmdError(TOO_BIG, "CTR.INCRBY", "c", "-1000001")
        self.assertEqual(self.r.exists("c"), 0)  # nothing was created
        self.assertCmdError(arity("ctr.incrby"), "CTR.INCRBY", "c")
        self.assertCmdError(arity("ctr.get"), "CTR.GET")
        self.assertCmdError(arity("ctr.get"), "CTR.GET", "a", "b")
        self.assertCmdError(arity("ctr.stats"), "CTR.STATS")
        self.assertCmdError(arity("ctr.merge"), "CTR.MERGE", "a")

    def test_wrongtype(self):
        self.r.set("s", "v")
        self.r.rpush("l", "a")
        for key in ("s", "l"):
            self.assertCmdError(WRONGTYPE, "CTR.INCRBY", key, "1")
            self.assertCmdError(WRONGTYPE, "CTR.GET", key)
            self.assertCmdError(WRONGTYPE, "CTR.STATS", key)
            self.assertCmdError(WRONGTYPE, "CTR.MERGE", key, "x")
        self.cmd("CTR.INCRBY", "c", "1")
        self.assertCmdError(WRONGTYPE, "GET", "c")
        self.assertCmdError(WRONGTYPE, "LPUSH", "c", "x")
        # A bad source: nothing changes.
        self.assertCmdError(WRONGTYPE, "CTR.MERGE", "c", "s")
        self.assertEqual(self.cmd("CTR.STATS", "c"), [b"value", 1, b"increments", 1])

    def test_generic_key_commands(self):
        self.cmd("CTR.INCRBY", "c", "42")
        self.assertEqual(self.r.type("c"), b"counter")
        self.assertEqual(self.r.object("encoding", "c"), b"raw")
        self.assertGreater(self.r.memory_usage("c"), 16)
        self.assertTrue(self.r.expire("c", 100))
        self.assertGreater(self.r.ttl("c"), 0)
        keys = keys_on_distinct_shards(4, "cp")
        for k in keys.values():
            self.assertEqual(self.r.copy("c", k), True)
            self.assertEqual(self.cmd("CTR.GET", k), 42)
        self.cmd("CTR.INCRBY", keys[0], "1")
        self.assertEqual(self.cmd("CTR.GET", "c"), 42)  # a copy, not a shared value
        self.assertEqual(self.r.delete("c", *keys.values()), 5)
        self.assertEqual(self.cmd("CTR.GET", "c"), None)

    def test_dump_restore(self):
        self.cmd("CTR.INCRBY", "c", "-12")
        self.cmd("CTR.INCRBY", "c", "2")
        dump = self.r.dump("c")
        keys = keys_on_distinct_shards(4, "rs")
        for k in keys.values():
            self.assertEqual(self.cmd("RESTORE", k, "0", dump), "OK")
            self.assertEqual(self.cmd("CTR.STATS", k), [b"value", -10, b"increments", 2])
        self.assertCmdError("BUSYKEY Target key name already exists.", "RESTORE", keys[0], "0", dump)
        self.assertEqual(self.cmd("RESTORE", keys[0], "0", dump, "REPLACE"), "OK")

    def test_merge_across_shards(self):
        keys = keys_on_distinct_shards(4, "m")
        for s, k in keys.items():
            self.cmd("CTR.INCRBY", k, str(s + 1))  # 1, 2, 3, 4
        self.assertEqual(self.cmd("CTR.MERGE", keys[0], keys[1], keys[2], keys[3], "missing"), 1 + 2 + 3 + 4)
        self.assertEqual(self.cmd("CTR.STATS", keys[0]), [b"value", 10, b"increments", 2])
        self.assertEqual(self.cmd("CTR.GET", keys[3]), 4)  # sources unchanged
        self.assertEqual(self.cmd("CTR.MERGE", "new", keys[1]), 2)  # creates dst
        self.assertEqual(self.cmd("CTR.MERGE", "{t}a", "{t}b"), 0)  # hash-tagged, all missing
        self.assertEqual(self.cmd("CTR.GET", "{t}a"), 0)

    def test_command_info(self):
        info = self.cmd("COMMAND", "INFO", "ctr.incrby", "ctr.merge")
        self.assertEqual(info[0][:2], [b"ctr.incrby", 3])
        self.assertEqual(set(info[0][2]), {"write", "denyoom", "fast", "module"})
        self.assertIn("@counter", info[0][6])
        self.assertEqual(info[1][3:6], [1, -1, 1])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "CTR.MERGE", "a", "b", "c"), [b"a", b"b", b"c"])

    def test_max_step_config(self):
        self.assertEqual(self.cmd("CONFIG", "GET", "counter.max-step"), [b"counter.max-step", b"1000000"])
        self.assertEqual(self.cmd("CONFIG", "SET", "counter.max-step", "10"), "OK")
        self.assertEqual(self.cmd("CONFIG", "GET", "counter.max-step"), [b"counter.max-step", b"10"])
        self.assertEqual(self.cmd("CTR.INCRBY", "c", "10"), 10)
        self.assertCmdError(TOO_BIG, "CTR.INCRBY", "c", "11")
        self.assertIsInstance(self.cmd("CONFIG", "SET", "counter.max-step", "0"), RespError)
        self.assertIsInstance(self.cmd("CONFIG", "SET", "counter.max-step", "x"), RespError)
        self.assertEqual(self.cmd("CONFIG", "GET", "counter.max-step"), [b"counter.max-step", b"10"])
        info = info_dict(self.cmd("INFO", "counter"))
        self.assertEqual(info["max_step"], "10")

    def test_keyspace_event(self):
        try:
            self.assertEqual(self.cmd("CONFIG", "SET", "notify-keyspace-events", "Kd"), "OK")
            sub = self.s.raw()
            try:
                sub.send("SUBSCRIBE", "__keyspace@0__:c")
                sub.read()
                self.cmd("CTR.INCRBY", "c", "1")
                self.assertEqual(sub.read(), [b"message", b"__keyspace@0__:c", b"ctr.incrby"])
            finally:
                sub.close()
        finally:
            self.cmd("CONFIG", "SET", "notify-keyspace-events", "")

    def test_module_list(self):
        mods = self.cmd("MODULE", "LIST")
        self.assertEqual(len(mods), 1)
        self.assertEqual(dict(zip(mods[0][0::2], mods[0][1::2])),
                         {b"name": b"counter", b"ver": 1, b"path": COUNTER.encode(), b"args": []})


@ember_only
class CounterArithmeticLimitsTest(ServerTestCase):
    """Inputs at the edge of int64 (on their own server: undefined behaviour
    in the module may take the server down under the sanitizers)."""
    server_args = ["--loadmodule", COUNTER]

    def test_smallest_increment_is_refused_not_undefined(self):
        # llabs(LLONG_MIN) is undefined behaviour in C: the module must
        # refuse it like any other step above counter.max-step.
        self.assertCmdError(TOO_BIG, "CTR.INCRBY", "c", str(-2**63))
        self.assertEqual(self.cmd("PING"), "PONG")

    def test_overflow_is_refused(self):
        # Like INCRBY: "ERR increment or decrement would overflow", and the
        # value unchanged (signed overflow is undefined behaviour in C).
        self.cmd("CONFIG", "SET", "counter.max-step", "1000000000000")
        self.cmd("CTR.INCRBY", "c", "1000000000000")
        for _ in range(8):  # c = c * 21 each time, until it would overflow
            before = self.cmd("CTR.GET", "c")
            reply = self.cmd("CTR.MERGE", "c", *(["c"] * 20))
            if isinstance(reply, RespError):
                self.assertEqual(reply.message, "ERR increment or decrement would overflow")
                self.assertEqual(self.cmd("CTR.GET", "c"), before)
                return
            self.assertLessEqual(before * 21, LLONG_MAX, "CTR.MERGE overflowed silently: %d" % reply)
            self.assertEqual(reply, before * 21)
        self.fail("no overflow reached")


@ember_only
class CounterLoadFailureTest(unittest.TestCase):
    def test_fail_argument_refuses_to_load(self):
        code, log = run_server_to_exit(["--loadmodule", COUNTER, "fail"])
        self.assertIsNotNone(code, log)
        self.assertNotEqual(code, 0, log)
        self.assertIn("module 'counter' failed to initialize: asked to fail by its arguments", log)


if __name__ == "__main__":
    main()
