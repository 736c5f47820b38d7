"""ABI v1 fixture: tests/modules/abi_v1_module.c is built against the frozen
v1 header (tests/modules/abi_v1/ember_module.h). Whatever the live ABI has
grown to, this module must keep loading and behaving the same."""

import unittest

from harness import (RESP3_NULL, RespDouble, RespError, RespMap, RespSet, RespVerbatim, ServerTestCase,
                     ember_only, main, module_path, start_server)
from modutil import info_dict, keys_on_distinct_shards, module_list

ABI_V1 = module_path("abi_v1")


@ember_only
class AbiV1Test(ServerTestCase):
    shards = 2
    server_args = ["--enable-module-command", "yes", "--loadmodule", ABI_V1, "first-arg"]

    def tearDown(self):
        self.cmd("V1.TIMER-DEL")
        super().tearDown()

    def test_loaded_and_listed(self):
        mods = module_list(self.c)
        self.assertEqual(mods, [{b"name": b"abiv1", b"ver": 1, b"path": ABI_V1.encode(), b"args": [b"first-arg"]}])
        self.assertIn(b"module:name=abiv1,ver=1,api=1,", self.cmd("INFO", "modules"))

    def test_table_has_every_v1_entry(self):
        self.assertEqual(self.cmd("V1.API"), [1, 1, 1])
        self.assertEqual(self.cmd("V1.PING"), "PONG v1")

    def test_replies_resp2(self):
        self.assertEqual(self.cmd("V1.REPLIES"),
                         ["ok", 7, b"1.5", 1, b"bulk", None, b"verbatim", [b"level", 3], [b"member"], [1, 2]])
        self.assertEqual(self.cmd("V1.ERROR"), RespError("ABIERR an error from a v1 module"))

    def test_replies_resp3(self):
        c = self.s.raw(protocol=3)
        try:
            r = c.execute("V1.REPLIES")
            self.assertEqual(r[:2], ["ok", 7])
            self.assertIsInstance(r[2], RespDouble)
            self.assertIs(r[3], True)
            self.assertEqual(r[4], b"bulk")
            self.assertIs(r[5], RESP3_NULL)
            self.assertIsInstance(r[6], RespVerbatim)
            self.assertIsInstance(r[7], RespMap)
            self.assertEqual(r[7].pairs, [(b"level", 3)])
            self.assertIsInstance(r[8], RespSet)
            self.assertEqual(r[9], [1, 2])
        finally:
            c.close()

    def test_data_type(self):
        keys = keys_on_distinct_shards(2, "box")
        for s, k in keys.items():
            self.assertEqual(self.cmd("V1.SET", k, str(100 + s)), "OK")
            self.assertEqual(self.cmd("V1.GET", k), 100 + s)
            self.assertEqual(self.r.type(k), b"v1box")
        self.assertEqual(self.cmd("V1.GET", "nosuch"), None)
        self.r.set("s", "x")
        self.assertEqual(self.cmd("V1.GET", "s"),
                         RespError("WRONGTYPE Operation against a key holding the wrong kind of value"))
        dump = self.r.dump(keys[0])
        self.assertEqual(self.cmd("RESTORE", "restored", "0", dump), "OK")
        self.assertEqual(self.cmd("V1.GET", "restored"), 100)
        self.assertTrue(self.r.copy(keys[1], "copied"))
        self.assertEqual(self.cmd("V1.GET", "copied"), 101)
        self.assertGreater(self.r.memory_usage("copied"), 8)

    def test_config_and_info(self):
        self.assertEqual(self.cmd("CONFIG", "SET", "abiv1.level", "5"), "OK")
        self.assertEqual(self.cmd("V1.REPLIES")[7], [b"level", 5])
        self.assertIsInstance(self.cmd("CONFIG", "SET", "abiv1.level", "11"), RespError)
        self.assertEqual(info_dict(self.cmd("INFO", "abiv1"))["level"], "5")
        self.cmd("CONFIG", "SET", "abiv1.level", "3")

    def test_unload_refused_while_timer_pending_then_reload(self):
        self.assertEqual(self.cmd("V1.TIMER", "3600000"), 1)  # an hour: it will not fire here
        self.assertEqual(info_dict(self.cmd("INFO", "abiv1"))["timer_pending"], "yes")
        reply = self.cmd("MODULE", "UNLOAD", "abiv1")
        self.assertIsInstance(reply, RespError)
        self.assertIn("timer", reply.message)
        self.assertEqual(self.cmd("V1.TIMER-DEL"), 1)
        self.cmd("V1.SET", "box", "1")
        reply = self.cmd("MODULE", "UNLOAD", "abiv1")
        self.assertEqual(reply, RespError("ERR Error unloading module: the module's data type 'v1box' holds keys; "
                                          "delete them first"))
        self.r.delete("box")
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "abiv1"), "OK")
        self.assertTrue(self.cmd("V1.PING").message.startswith("ERR unknown command"))
        self.assertEqual(self.cmd("MODULE", "LOAD", ABI_V1, "again"), "OK")
        self.assertEqual(self.cmd("V1.PING"), "PONG v1")
        self.assertIn("abiv1 deinit", self.s.log_tail(100000))


@ember_only
class AbiV1ShutdownTest(unittest.TestCase):
    def test_shutdown_with_a_pending_timer(self):
        # The timer is dropped at shutdown; the server still exits 0 (stop()
        # asserts it) and calls the module's deinit.
        srv = start_server(["--loadmodule", ABI_V1])
        try:
            c = srv.raw()
            self.assertEqual(c.execute("V1.TIMER", "3600000"), 1)
            c.close()
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
