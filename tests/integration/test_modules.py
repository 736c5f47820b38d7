"""Modules: loading (ember.conf, --loadmodule, MODULE LOAD/LOADEX/UNLOAD), every
failure to load, and every entry of the module ABI through the hooks test
module (tests/modules/hooks.c): replies, keys, data types, configs, INFO,
metrics, routing, and the infrastructure hooks (transport, command filter,
write listener, timers, fd events, run_on_shard).

The persistence codec is tested in-process (tests/unit/test_module_host.cc).
"""

import os
import re
import shutil
import tempfile
import time
import unittest

from harness import (RESP3_NULL, RespDouble, RespError, RespMap, RespSet, RespVerbatim, ServerTestCase,
                     ember_only, free_port, is_redis, main, module_path, run_server_to_exit, start_server)
from modutil import info_dict, key_slot, keys_on_distinct_shards, module_list, shard_of, wait_until, xor_client

HOOKS = module_path("hooks")
COUNTER = module_path("counter")
ABI_V1 = module_path("abi_v1")
NEWER_ABI = module_path("newer_abi")
NO_INFO = module_path("no_info")
NO_INIT = module_path("no_init")
INIT_FAILS = module_path("init_fails")
MISSING = "/nonexistent/dir/missing.so"

LOAD_ERR = "ERR Error loading the extension: "
HOOKS_UNLOAD_REFUSED = ("ERR Error unloading module: the module hooks into the server "
                        "(transport, codec, command filter or write listener)")
MODULE_CMD = ["--enable-module-command", "yes"]


def not_a_module_file(tmpdir):
    """A file named .so that is not a shared library at all."""
    path = os.path.join(tmpdir, "not_a_module.so")
    with open(path, "w") as f:
        f.write("this is not an ELF file\n" * 10)
    return path


# The start-up failures and run-time MODULE LOAD errors: (fixture, reason).
def load_failures(tmpdir):
    return [
        (MISSING, "cannot load module '%s': " % MISSING),
        (not_a_module_file(tmpdir), "cannot load module '%s': " % os.path.join(tmpdir, "not_a_module.so")),
        (NO_INFO, "'%s' is not an ember module: it does not define ember_module_info" % NO_INFO),
        (NEWER_ABI, "module 'newerabi' (%s) needs module ABI v" % NEWER_ABI),
        (INIT_FAILS, "module 'initfails' failed to initialize: init_fails refuses to initialize, as designed"),
        (NO_INIT, "'%s' does not export ember_module_init" % NO_INIT),
    ]


# ---------------------------------------------------------------------------
# MODULE's reply shapes (also valid against redis-server)
# ---------------------------------------------------------------------------

class ModuleCommandShapeTest(ServerTestCase):
    server_args = MODULE_CMD

    def test_module_list_empty(self):
        self.assertEqual(self.cmd("MODULE", "LIST"), [])

    def test_unload_unknown(self):
        self.assertCmdError("ERR Error unloading module: no such module with that name", "MODULE", "UNLOAD", "nosuch")

    def test_load_missing_file(self):
        reply = self.cmd("MODULE", "LOAD", MISSING)
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR Error loading the extension"), reply)
        self.assertEqual(self.cmd("PING"), "PONG")

    @ember_only
    def test_load_missing_file_says_why(self):
        # Redis: "ERR Error loading the extension. Please check the server logs."
        reply = self.cmd("MODULE", "LOAD", MISSING)
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith(LOAD_ERR + "cannot load module '%s': " % MISSING), reply)
        self.assertIn("No such file or directory", reply.message)

    def test_module_arity(self):
        self.assertCmdError("ERR wrong number of arguments for 'module' command", "MODULE")
        reply = self.cmd("MODULE", "UNLOAD")
        self.assertIsInstance(reply, RespError)
        reply = self.cmd("MODULE", "NOSUCH")
        self.assertIsInstance(reply, RespError)
        self.assertIn("MODULE HELP", reply.message)
        help_lines = self.cmd("MODULE", "HELP")
        self.assertTrue(help_lines[0].startswith("MODULE <subcommand>"))
        for line in ("LIST", "LOAD <path> [<arg> ...]", "UNLOAD <name>"):
            self.assertIn(line, help_lines)


# ---------------------------------------------------------------------------
# Start-up: every failure exits non-zero with a log line naming the reason
# ---------------------------------------------------------------------------

@ember_only
class StartupFailureTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ember-mod-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertFailsToStart(self, args, reason):
        code, log = run_server_to_exit(args)
        self.assertIsNotNone(code, "the server kept running with %r\n%s" % (args, log))
        self.assertNotEqual(code, 0, "exit code 0 with %r\n%s" % (args, log))
        lines = [l for l in log.splitlines() if reason in l]
        self.assertTrue(lines, "no log line with %r for %r:\n%s" % (reason, args, log))
        self.assertNotIn("ready on port", log)
        return lines[0]

    def test_each_load_failure_by_flag(self):
        for path, reason in load_failures(self.tmp):
            with self.subTest(path=path):
                self.assertFailsToStart(["--loadmodule", path], reason)

    def test_each_load_failure_by_config_file(self):
        for i, (path, reason) in enumerate(load_failures(self.tmp)):
            with self.subTest(path=path):
                conf = os.path.join(self.tmp, "fail%d.conf" % i)
                with open(conf, "w") as f:
                    f.write("loadmodule = %s\n" % COUNTER)
                    f.write("loadmodule = %s some args\n" % path)
                self.assertFailsToStart(["--config", conf], reason)

    def test_missing_file_names_the_system_error(self):
        line = self.assertFailsToStart(["--loadmodule", MISSING], "cannot load module")
        self.assertIn("No such file or directory", line)

    def test_newer_abi_names_both_versions(self):
        line = self.assertFailsToStart(["--loadmodule", NEWER_ABI], "needs module ABI")
        m = re.search(r"needs module ABI v(\d+), this server implements v(\d+)", line)
        self.assertIsNotNone(m, line)
        self.assertEqual(int(m.group(1)), int(m.group(2)) + 1)

    def test_init_argument_refused(self):
        self.assertFailsToStart(["--loadmodule", HOOKS, "bogus"],
                                "module 'hooks' failed to initialize: unknown argument 'bogus'")

    def test_same_module_twice(self):
        self.assertFailsToStart(["--loadmodule", COUNTER, "--loadmodule", COUNTER],
                                "a module named 'counter' is already loaded")

    def test_empty_loadmodule_line(self):
        conf = os.path.join(self.tmp, "empty.conf")
        with open(conf, "w") as f:
            f.write("loadmodule = \n")
        code, log = run_server_to_exit(["--config", conf])
        self.assertNotEqual(code, 0, log)
        self.assertIsNotNone(code, log)

    def test_unknown_directive_in_config_file_still_fails(self):
        conf = os.path.join(self.tmp, "unknown.conf")
        with open(conf, "w") as f:
            f.write("loadmodule = %s\n" % COUNTER)
            f.write("nosuch-directive = 1\n")
        self.assertFailsToStart(["--config", conf], "unknown directive 'nosuch-directive'")

    def test_unknown_flag_still_fails(self):
        self.assertFailsToStart(["--loadmodule", COUNTER, "--nosuch.param", "1"], "unknown directive 'nosuch.param'")

    def test_module_param_without_its_module(self):
        self.assertFailsToStart(["--counter.max-step", "5"], "unknown directive 'counter.max-step'")

    def test_module_param_refused_by_on_set(self):
        self.assertFailsToStart(["--loadmodule", HOOKS, "--hooks.limit", "13"], "13 is unlucky")

    def test_module_param_out_of_range(self):
        self.assertFailsToStart(["--loadmodule", HOOKS, "--hooks.limit", "2000000"],
                                "argument must be between 0 and 1000000 inclusive")

    def test_module_param_bad_enum_in_config_file(self):
        conf = os.path.join(self.tmp, "enum.conf")
        with open(conf, "w") as f:
            f.write("loadmodule = %s\nhooks.mode = turbo\n" % HOOKS)
        self.assertFailsToStart(["--config", conf], "hooks.mode")


# ---------------------------------------------------------------------------
# Loading through ember.conf and --loadmodule, in order, with args and params
# ---------------------------------------------------------------------------

@ember_only
class ConfigFileAndFlagsTest(unittest.TestCase):
    XOR = 33

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ember-mod-")
        cls.xor_port = free_port()
        cls.conf = os.path.join(cls.tmp, "ember.conf")
        with open(cls.conf, "w") as f:
            f.write("# modules load in this order, then the --loadmodule flags\n")
            f.write("loadmodule = %s\n" % COUNTER)
            f.write("hooks.limit = 20\n")           # before its module's line
            f.write("hooks.mode = slow\n")
            f.write("hooks.boot-only = 7\n")
            f.write("loadmodule = %s xor %d port %d\n" % (HOOKS, cls.XOR, cls.xor_port))
            f.write("counter.max-step = 50\n")
        cls.server = start_server(["--config", cls.conf,
                                   "--loadmodule", ABI_V1, "alpha", "beta",
                                   "--hooks.limit", "30",           # a flag beats the file
                                   "--hooks.moved-slots", "100-200",
                                   "--abiv1.level", "9"], shards=2)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.c = self.server.raw()

    def tearDown(self):
        self.c.close()

    def test_module_list_order_and_args(self):
        mods = module_list(self.c)
        self.assertEqual([m[b"name"] for m in mods], [b"counter", b"hooks", b"abiv1"])
        self.assertEqual([m[b"path"] for m in mods], [COUNTER.encode(), HOOKS.encode(), ABI_V1.encode()])
        self.assertEqual([m[b"ver"] for m in mods], [1, 3, 1])
        self.assertEqual(mods[0][b"args"], [])
        self.assertEqual(mods[1][b"args"], [b"xor", str(self.XOR).encode(), b"port", str(self.xor_port).encode()])
        self.assertEqual(mods[2][b"args"], [b"alpha", b"beta"])

    def test_params_from_file_and_flags(self):
        self.assertEqual(self.c.execute("CONFIG", "GET", "hooks.limit"), [b"hooks.limit", b"30"])
        self.assertEqual(self.c.execute("CONFIG", "GET", "hooks.mode"), [b"hooks.mode", b"slow"])
        self.assertEqual(self.c.execute("CONFIG", "GET", "hooks.moved-slots"), [b"hooks.moved-slots", b"100-200"])
        self.assertEqual(self.c.execute("CONFIG", "GET", "counter.max-step"), [b"counter.max-step", b"50"])
        self.assertEqual(self.c.execute("CONFIG", "GET", "abiv1.level"), [b"abiv1.level", b"9"])
        # The module saw them through on_set.
        view = dict(zip(*[iter(self.c.execute("HOOKS.CONFIG"))] * 2))
        self.assertEqual(view[b"limit"], 30)
        self.assertEqual(view[b"mode"], b"slow")
        self.assertEqual(view[b"moved-slots"], b"100-200")
        self.assertEqual(view[b"boot-only"], 7)
        reply = self.c.execute("CTR.INCRBY", "k", "51")
        self.assertEqual(reply, RespError("ERR increment is larger than counter.max-step"))

    def test_immutable_param_set_at_startup_only(self):
        self.assertEqual(self.c.execute("CONFIG", "GET", "hooks.boot-only"), [b"hooks.boot-only", b"7"])
        reply = self.c.execute("CONFIG", "SET", "hooks.boot-only", "8")
        self.assertIsInstance(reply, RespError)
        self.assertIn("can't set immutable config", reply.message)
        self.assertEqual(self.c.execute("CONFIG", "GET", "hooks.boot-only"), [b"hooks.boot-only", b"7"])

    def test_every_module_works(self):
        self.assertEqual(self.c.execute("CTR.INCRBY", "c", "5"), 5)
        self.assertEqual(self.c.execute("V1.PING"), "PONG v1")
        self.assertEqual(self.c.execute("HOOKS.REPLY", "integer"), -42)

    def test_transport_port_from_config_file(self):
        with xor_client(self.xor_port, self.XOR) as x:
            self.assertEqual(x.execute("PING"), "PONG")
            self.assertEqual(x.execute("SET", "via-xor", "1"), "OK")
        self.assertEqual(self.c.execute("GET", "via-xor"), b"1")


# ---------------------------------------------------------------------------
# MODULE LOAD / LOADEX / UNLOAD at run time
# ---------------------------------------------------------------------------

@ember_only
class RuntimeLoadTest(ServerTestCase):
    server_args = MODULE_CMD
    shards = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="ember-mod-")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tearDown(self):
        for m in module_list(self.c):
            self.r.flushall()
            self.cmd("MODULE", "UNLOAD", m[b"name"])
        super().tearDown()

    def test_each_load_failure_answers_an_error(self):
        for path, reason in load_failures(self.tmp):
            with self.subTest(path=path):
                reply = self.cmd("MODULE", "LOAD", path, "arg")
                self.assertIsInstance(reply, RespError)
                self.assertTrue(reply.message.startswith(LOAD_ERR + reason), reply.message)
                self.assertEqual(self.cmd("PING"), "PONG")
                self.assertEqual(self.cmd("MODULE", "LIST"), [])
        self.assertTrue(self.s.is_alive())

    def test_failed_init_leaves_nothing_behind(self):
        # init_fails registered a command, a type and a parameter first.
        for _ in range(2):  # the second attempt fails the same way, not with "exists"
            reply = self.cmd("MODULE", "LOAD", INIT_FAILS)
            self.assertEqual(reply, RespError(LOAD_ERR + "module 'initfails' failed to initialize: "
                                              "init_fails refuses to initialize, as designed"))
        reply = self.cmd("INITFAILS.CMD")
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR unknown command"), reply)
        self.assertEqual(self.cmd("CONFIG", "GET", "initfails.param"), [])
        self.assertEqual(self.cmd("COMMAND", "INFO", "initfails.cmd"), [None])

    def test_init_argument_refused(self):
        reply = self.cmd("MODULE", "LOAD", HOOKS, "bogus")
        self.assertEqual(reply, RespError(LOAD_ERR + "module 'hooks' failed to initialize: unknown argument 'bogus'"))
        self.assertEqual(self.cmd("MODULE", "LIST"), [])

    def test_load_list_unload(self):
        self.assertEqual(self.cmd("MODULE", "LOAD", COUNTER, "a", "b"), "OK")
        self.assertEqual(module_list(self.c), [{b"name": b"counter", b"ver": 1, b"path": COUNTER.encode(),
                                                 b"args": [b"a", b"b"]}])
        self.assertEqual(self.cmd("MODULE", "LOAD", COUNTER),
                         RespError(LOAD_ERR + "a module named 'counter' is already loaded"))
        self.assertEqual(self.cmd("CTR.INCRBY", "c", "2"), 2)
        self.assertEqual(self.cmd("CONFIG", "GET", "counter.max-step"), [b"counter.max-step", b"1000000"])
        self.assertEqual(self.cmd("DEL", "c"), 1)
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "COUNTER"), "OK")  # names are case-insensitive
        self.assertEqual(self.cmd("MODULE", "LIST"), [])
        for cmd in (["CTR.INCRBY", "c", "1"], ["CTR.GET", "c"], ["CTR.MERGE", "a", "b"], ["CTR.STATS", "c"]):
            reply = self.cmd(*cmd)
            self.assertIsInstance(reply, RespError, cmd)
            self.assertTrue(reply.message.startswith("ERR unknown command '%s'" % cmd[0]), reply)
        self.assertEqual(self.cmd("COMMAND", "INFO", "ctr.get"), [None])
        self.assertEqual(self.cmd("CONFIG", "GET", "counter.max-step"), [])
        self.assertNotIn(b"counter", self.cmd("INFO", "modules"))
        # And it loads again.
        self.assertEqual(self.cmd("MODULE", "LOAD", COUNTER), "OK")
        self.assertEqual(self.cmd("CTR.GET", "c"), None)

    def test_unload_refused_while_type_holds_keys(self):
        self.assertEqual(self.cmd("MODULE", "LOAD", COUNTER), "OK")
        keys = keys_on_distinct_shards(2, "ctr")
        for k in keys.values():
            self.assertEqual(self.cmd("CTR.INCRBY", k, "1"), 1)
        refused = RespError("ERR Error unloading module: the module's data type 'counter' holds keys; "
                            "delete them first")
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "counter"), refused)
        self.assertEqual(self.cmd("DEL", keys[0]), 1)
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "counter"), refused)  # one left, on the other shard
        self.assertEqual(self.cmd("CTR.GET", keys[1]), 1)
        self.assertEqual(self.cmd("DEL", keys[1]), 1)
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "counter"), "OK")

    def test_unload_allowed_after_flushall(self):
        self.assertEqual(self.cmd("MODULE", "LOAD", COUNTER), "OK")
        for i in range(10):
            self.cmd("CTR.INCRBY", "k%d" % i, "1")
        self.assertIsInstance(self.cmd("MODULE", "UNLOAD", "counter"), RespError)
        self.assertEqual(self.cmd("FLUSHALL"), "OK")
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "counter"), "OK")

    def test_run_time_module_routes_across_shards(self):
        self.assertEqual(self.cmd("MODULE", "LOAD", COUNTER), "OK")
        keys = keys_on_distinct_shards(2, "m")
        self.assertEqual(self.cmd("CTR.INCRBY", keys[0], "3"), 3)
        self.assertEqual(self.cmd("CTR.INCRBY", keys[1], "4"), 4)
        self.assertEqual(self.cmd("CTR.MERGE", keys[0], keys[1]), 7)
        self.assertEqual(self.cmd("CTR.GET", keys[0]), 7)

    def test_loadex_config_and_args(self):
        self.assertEqual(self.cmd("MODULE", "LOADEX", COUNTER, "CONFIG", "counter.max-step", "7", "ARGS", "x", "y"),
                         "OK")
        self.assertEqual(self.cmd("CONFIG", "GET", "counter.max-step"), [b"counter.max-step", b"7"])
        self.assertEqual(module_list(self.c)[0][b"args"], [b"x", b"y"])
        self.assertEqual(self.cmd("CTR.INCRBY", "k", "8"), RespError("ERR increment is larger than counter.max-step"))

    def test_loadex_refused_config_unloads(self):
        reply = self.cmd("MODULE", "LOADEX", COUNTER, "CONFIG", "counter.max-step", "0")
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith(LOAD_ERR), reply)
        self.assertIn("CONFIG counter.max-step: ", reply.message)
        self.assertEqual(self.cmd("MODULE", "LIST"), [])
        self.assertTrue(self.cmd("CTR.GET", "k").message.startswith("ERR unknown command"))
        reply = self.cmd("MODULE", "LOADEX", COUNTER, "CONFIG", "counter.nosuch", "1")
        self.assertEqual(reply, RespError(LOAD_ERR + "module 'counter' failed to initialize: CONFIG counter.nosuch: no such parameter"))
        self.assertEqual(self.cmd("MODULE", "LIST"), [])


@ember_only
class HookModuleAtRunTimeTest(ServerTestCase):
    """A module with hooks may be loaded at run time, but not unloaded."""
    server_args = MODULE_CMD

    def test_loadex_refused_config_of_a_hook_module(self):
        # The config is refused after init hooked in: the module must not
        # stay half-loaded (LOADEX answered an error, so it is not loaded).
        reply = self.cmd("MODULE", "LOADEX", HOOKS, "CONFIG", "hooks.limit", "13")
        self.assertIsInstance(reply, RespError)
        self.assertIn("13 is unlucky", reply.message)
        self.assertEqual(self.cmd("MODULE", "LIST"), [], "MODULE LOADEX answered an error but the module stayed")

    def test_unload_refused(self):
        if not any(m[b"name"] == b"hooks" for m in module_list(self.c)):
            self.assertEqual(self.cmd("MODULE", "LOAD", HOOKS), "OK")
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "hooks"), RespError(HOOKS_UNLOAD_REFUSED))
        self.assertEqual(self.cmd("HOOKS.REPLY", "integer"), -42)
        self.assertEqual(self.cmd("SET", "k", "v"), "OK")  # its filter and listener run
        self.assertEqual(self.cmd("HOOKS.WRITES")[1], b"SET k v")


# ---------------------------------------------------------------------------
# Every hook, through the hooks module, on 4 shards
# ---------------------------------------------------------------------------

XOR_PORT = free_port()
XOR_KEY = 77


@ember_only
class HooksTest(ServerTestCase):
    shards = 4
    server_args = MODULE_CMD + ["--enable-debug-command", "yes", "--loadmodule", HOOKS, "port", str(XOR_PORT), "xor",
                                str(XOR_KEY)]

    def hooks_config_view(self):
        return dict(zip(*[iter(self.cmd("HOOKS.CONFIG"))] * 2))

    # -- replies --------------------------------------------------------
    def test_replies_resp2(self):
        expect = {
            "simple": "hello  world",
            "error": RespError("ERR something went wrong"),
            "errcode": RespError("MYCODE custom failure"),
            "errlines": RespError("BADLINE one  two"),
            "integer": -42,
            "double": b"3.25",
            "true": 1,
            "false": 0,
            "bulk": b"a\x00b\r\n",
            "null": None,
            "verbatim": b"some text",
            "array": [1, b"two", [3, None]],
            "map": [b"a", 1, b"b", b"2.5"],
            "set": [b"x", b"y", b"z"],
            "deferred": [0, 1, 2, 3, 4],
            "deferred-empty": [],
            "deferred-nested": [b"first", [i * 1000 for i in range(12)], [b"k", 1]],
            "nosuch": RespError("ERR unknown reply kind"),
        }
        for kind, want in expect.items():
            with self.subTest(kind=kind):
                got = self.cmd("HOOKS.REPLY", kind)
                self.assertEqual(got, want)
                self.assertEqual(type(got), type(want))
        self.assertEqual(self.cmd("PING"), "PONG")  # the stream is in sync

    def test_replies_resp3(self):
        c = self.s.raw(protocol=3)
        try:
            def r(kind):
                return c.execute("HOOKS.REPLY", kind)
            self.assertEqual(r("simple"), "hello  world")
            self.assertEqual(r("errcode"), RespError("MYCODE custom failure"))
            self.assertEqual(r("integer"), -42)
            self.assertIsInstance(r("double"), RespDouble)
            self.assertEqual(r("double"), 3.25)
            self.assertIs(r("true"), True)
            self.assertIs(r("false"), False)
            self.assertEqual(r("bulk"), b"a\x00b\r\n")
            self.assertIs(r("null"), RESP3_NULL)
            v = r("verbatim")
            self.assertIsInstance(v, RespVerbatim)
            self.assertEqual((v.format, bytes(v)), (b"txt", b"some text"))
            self.assertEqual(r("array"), [1, b"two", [3, RESP3_NULL]])
            m = r("map")
            self.assertIsInstance(m, RespMap)
            self.assertEqual(m.pairs, [(b"a", 1), (b"b", 2.5)])
            self.assertIsInstance(m[b"b"], RespDouble)
            s = r("set")
            self.assertIsInstance(s, RespSet)
            self.assertEqual(list(s), [b"x", b"y", b"z"])
            self.assertEqual(r("deferred"), [0, 1, 2, 3, 4])
            self.assertEqual(r("deferred-empty"), [])
            nested = r("deferred-nested")
            self.assertEqual(nested[:2], [b"first", [i * 1000 for i in range(12)]])
            self.assertEqual(nested[2].pairs, [(b"k", True)])
            self.assertEqual(c.execute("PING"), "PONG")
        finally:
            c.close()

    def test_handler_that_does_not_reply(self):
        self.assertEqual(self.cmd("HOOKS.NOREPLY"), RespError("ERR module command 'hooks.noreply' did not reply"))
        self.assertEqual(self.cmd("PING"), "PONG")

    def test_ctx(self):
        resp, client_id, shard = self.cmd("HOOKS.CTX")
        self.assertEqual(resp, 2)
        self.assertEqual(client_id, self.cmd("CLIENT", "ID"))
        self.assertIn(shard, range(4))
        c = self.s.raw(protocol=3)
        try:
            resp, client_id, _ = c.execute("HOOKS.CTX")
            self.assertEqual(resp, 3)
            self.assertEqual(client_id, c.execute("CLIENT", "ID"))
        finally:
            c.close()
        # With a key it runs on the key's shard, for a client of another
        # shard too, and still knows the client.
        my_id = self.cmd("CLIENT", "ID")
        for key in ("k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"):
            _, client_id, shard = self.cmd("HOOKS.CTX", key)
            self.assertEqual(shard, shard_of(key, 4), key)
            self.assertEqual(client_id, my_id, key)

    # -- keys -----------------------------------------------------------
    def test_key_type_of_every_type(self):
        self.r.set("s", "v")
        self.r.rpush("l", "a")
        self.r.hset("h", "f", "v")
        self.r.sadd("st", "m")
        self.r.zadd("z", {"m": 1})
        self.cmd("HOOKS.TSET", "mod", "1", "2", "3", "4", "five")
        got = [self.cmd("HOOKS.KEYTYPE", k) for k in ("nosuch", "s", "l", "h", "st", "z", "mod")]
        self.assertEqual(got, [0, 1, 2, 3, 4, 5, 6])

    def test_key_delete(self):
        self.r.set("d", "v")
        self.assertEqual(self.cmd("HOOKS.DEL", "d", "READ"), 0)  # opened for reading: refused
        self.assertEqual(self.r.exists("d"), 1)
        self.assertEqual(self.cmd("HOOKS.DEL", "d"), 1)
        self.assertEqual(self.r.exists("d"), 0)
        self.assertEqual(self.cmd("HOOKS.DEL", "d"), 0)

    def test_key_expire(self):
        self.r.set("e", "v")
        self.assertEqual(self.cmd("HOOKS.PEXPIRETIME", "e"), -1)
        at = int(time.time() * 1000) + 100000
        self.assertEqual(self.cmd("HOOKS.PEXPIREAT", "e", at), 1)
        self.assertEqual(self.cmd("HOOKS.PEXPIRETIME", "e"), at)
        self.assertEqual(self.cmd("PEXPIRETIME", "e"), at)
        self.assertGreater(self.r.pttl("e"), 0)
        self.assertEqual(self.cmd("HOOKS.PEXPIREAT", "e", -1), 1)  # EMBER_NO_EXPIRE: persist
        self.assertEqual(self.r.ttl("e"), -1)
        self.assertEqual(self.cmd("HOOKS.PEXPIREAT", "nosuch", at), 0)
        self.assertEqual(self.cmd("HOOKS.PEXPIRETIME", "nosuch"), -1)
        self.assertEqual(self.cmd("HOOKS.PEXPIREAT", "e", 1000), 1)  # in the past: gone
        self.assertEqual(self.r.exists("e"), 0)

    def test_key_strings(self):
        self.r.set("n", "12345")
        self.assertEqual(self.r.object("encoding", "n"), b"int")
        self.assertEqual(self.cmd("HOOKS.GET", "n"), b"12345")  # an int-encoded string
        self.r.set("n", "-9223372036854775808")
        self.assertEqual(self.cmd("HOOKS.GET", "n"), b"-9223372036854775808")
        self.assertEqual(self.cmd("HOOKS.GET", "nosuch"), None)
        self.r.set("t", "old", ex=1000)
        self.assertEqual(self.cmd("HOOKS.SET", "t", "new\x00bytes"), "OK")
        self.assertEqual(self.r.get("t"), b"new\x00bytes")
        self.assertGreater(self.r.ttl("t"), 0)  # the expiry stays
        self.assertEqual(self.cmd("HOOKS.SET", "fresh", "777"), "OK")
        self.assertEqual(self.r.incr("fresh"), 778)
        self.r.rpush("l", "a")
        self.assertEqual(self.cmd("HOOKS.GET", "l"), RespError("WRONGTYPE Operation against a key holding the "
                                                               "wrong kind of value"))
        self.assertEqual(self.cmd("HOOKS.SET", "l", "now a string"), "OK")
        self.assertEqual(self.r.type("l"), b"string")

    def test_closed_key(self):
        self.r.set("c", "v")
        self.assertEqual(self.cmd("HOOKS.CLOSED", "c"), [0, 0, 0])

    def test_open_key_of_another_shard_is_refused(self):
        shard = self.cmd("HOOKS.CTX")[2]  # a command without keys runs on the client's shard
        keys = keys_on_distinct_shards(4, "oa")
        for s, k in keys.items():
            self.r.set(k, "v")
            self.assertEqual(self.cmd("HOOKS.OPENANY", k), 1 if s == shard else 0, (s, shard))

    # -- data types ---------------------------------------------------------
    def test_module_type_values(self):
        self.assertEqual(self.cmd("HOOKS.TSET", "m", "-5", "18446744073709551", "2.5", "0.25", "str\x00ing"), "OK")
        self.assertEqual(self.cmd("HOOKS.TGET", "m"), [-5, 18446744073709551, b"2.5", b"0.25", b"str\x00ing"])
        self.assertEqual(self.r.type("m"), b"hooktype")
        self.assertEqual(self.r.object("encoding", "m"), b"raw")
        self.assertEqual(self.cmd("HOOKS.GET", "m"), RespError("WRONGTYPE Operation against a key holding the "
                                                               "wrong kind of value"))
        self.r.set("s", "v")
        self.assertEqual(self.cmd("HOOKS.TGET", "s"), RespError("WRONGTYPE Operation against a key holding the "
                                                                "wrong kind of value"))
        self.assertEqual(self.cmd("HOOKS.TGET", "nosuch"), None)
        self.assertEqual(self.cmd("GET", "m"), RespError("WRONGTYPE Operation against a key holding the wrong kind of value"))

    def test_free_replace_and_live_count(self):
        self.assertEqual(self.cmd("HOOKS.LIVE"), 0)
        self.cmd("HOOKS.TSET", "a", "1", "1", "1", "1", "x")
        self.cmd("HOOKS.TSET", "a", "2", "2", "2", "2", "y")  # the old value is freed
        self.assertEqual(self.cmd("HOOKS.LIVE"), 1)
        self.assertEqual(self.cmd("HOOKS.TGET", "a")[0], 2)
        self.cmd("HOOKS.TSET", "b", "1", "1", "1", "1", "x")
        self.assertEqual(self.cmd("HOOKS.LIVE"), 2)
        self.assertEqual(self.r.delete("a"), 1)
        self.assertEqual(self.cmd("HOOKS.LIVE"), 1)
        self.r.set("b", "a string now")  # SET over a module value frees it
        self.assertEqual(self.cmd("HOOKS.LIVE"), 0)
        for i in range(20):
            self.cmd("HOOKS.TSET", "k%d" % i, "1", "1", "1", "1", "x")
        self.assertEqual(self.cmd("HOOKS.LIVE"), 20)
        self.r.flushall()
        self.assertEqual(self.cmd("HOOKS.LIVE"), 0)

    def test_set_module_value_keeps_expiry(self):
        self.r.set("s", "v", ex=1000)
        self.assertEqual(self.cmd("HOOKS.TSET", "s", "1", "2", "3", "4", "x"), "OK")
        self.assertEqual(self.r.type("s"), b"hooktype")
        self.assertGreater(self.r.ttl("s"), 0)

    def test_expire_persist_rename(self):
        self.cmd("HOOKS.TSET", "m", "1", "2", "3", "4", "x")
        self.assertTrue(self.r.expire("m", 100))
        self.assertGreater(self.r.ttl("m"), 0)
        self.assertTrue(self.r.persist("m"))
        self.assertEqual(self.r.ttl("m"), -1)
        keys = keys_on_distinct_shards(4, "rn")
        self.r.rename("m", keys[0])
        self.r.rename(keys[0], keys[3])  # across shards
        self.assertEqual(self.cmd("HOOKS.TGET", keys[3])[0], 1)
        self.cmd("PEXPIRE", keys[3], "1")
        wait_until(lambda: self.r.exists(keys[3]) == 0, "the module key to expire")
        self.assertEqual(self.cmd("HOOKS.LIVE"), 0)

    def test_copy(self):
        self.cmd("HOOKS.TSET", "src", "1", "2", "3", "4", "x")
        keys = keys_on_distinct_shards(4, "cp")
        for dst in keys.values():
            self.assertEqual(self.r.copy("src", dst), True)
            self.assertEqual(self.cmd("HOOKS.TGET", dst), self.cmd("HOOKS.TGET", "src"))
        self.assertEqual(self.cmd("HOOKS.LIVE"), 5)
        self.cmd("HOOKS.TINCR", "src")  # a deep copy: the copies do not change
        self.assertEqual(self.cmd("HOOKS.TGET", keys[0])[0], 1)
        self.assertEqual(self.cmd("HOOKS.TGET", "src")[0], 2)

    def test_type_without_copy_or_serialize(self):
        self.assertEqual(self.cmd("HOOKS.BARE", "b"), "OK")
        self.assertEqual(self.r.type("b"), b"hookbare")
        self.assertEqual(self.cmd("COPY", "b", "b2"),
                         RespError("ERR not possible to copy a value of type 'hookbare'"))
        self.assertIsInstance(self.cmd("DUMP", "b"), RespError)
        self.assertIsInstance(self.r.memory_usage("b"), int)
        self.assertEqual(self.r.delete("b"), 1)

    def test_dump_restore(self):
        self.cmd("HOOKS.TSET", "m", "-7", "99", "1.125", "-0.5", "payload\r\n")
        want = self.cmd("HOOKS.TGET", "m")
        dump = self.r.dump("m")
        keys = keys_on_distinct_shards(4, "rs")
        for k in keys.values():
            self.assertEqual(self.cmd("RESTORE", k, "0", dump), "OK")
            self.assertEqual(self.cmd("HOOKS.TGET", k), want)
            self.assertEqual(self.r.type(k), b"hooktype")
        self.assertEqual(self.cmd("RESTORE", keys[0], "0", dump),
                         RespError("BUSYKEY Target key name already exists."))
        self.assertEqual(self.cmd("RESTORE", keys[0], "100000", dump, "REPLACE"), "OK")
        self.assertGreater(self.r.pttl(keys[0]), 0)
        self.assertEqual(self.cmd("HOOKS.LIVE"), 5)
        bad = dump[:-1] + bytes([dump[-1] ^ 1])
        self.assertEqual(self.cmd("RESTORE", "bad", "0", bad),
                         RespError("ERR DUMP payload version or checksum are wrong"))
        self.assertEqual(self.cmd("HOOKS.LIVE"), 5)

    def test_digest(self):
        # hooktype's digest feeds i, u and s, not d and f: equal digests for
        # values that differ only there prove the callback was used.
        self.cmd("HOOKS.TSET", "d1", "1", "2", "3.5", "4", "same")
        self.cmd("HOOKS.TSET", "d2", "1", "2", "-9", "0", "same")
        self.cmd("HOOKS.TSET", "d3", "7", "2", "3.5", "4", "same")
        self.cmd("HOOKS.BARE", "d4")
        d1, d2, d3, d4, missing = self.cmd("DEBUG", "DIGEST-VALUE", "d1", "d2", "d3", "d4", "nosuch")
        self.assertEqual(d1, d2)
        self.assertNotEqual(d1, d3)
        self.assertEqual(len(d4), 32)  # no digest callback: still a fingerprint
        self.assertEqual(missing, "0" * 32)
        self.cmd("HOOKS.TINCR", "d3")
        self.assertNotEqual(self.cmd("DEBUG", "DIGEST-VALUE", "d3")[0], d3)

    def test_memory_usage(self):
        self.cmd("HOOKS.TSET", "m1", "1", "1", "1", "1", "x" * 10)  # same key length: same entry size
        self.cmd("HOOKS.TSET", "m2", "1", "1", "1", "1", "x" * 1010)
        small = self.r.memory_usage("m1")
        big = self.r.memory_usage("m2")
        self.assertGreaterEqual(small, 10000 + 10)  # what mem_usage reports is counted
        self.assertGreaterEqual(big - small, 1000)

    # -- routing ----------------------------------------------------------
    def test_keys_spread_over_shards(self):
        shards = set()
        for i in range(40):
            k = "spread%d" % i
            self.assertEqual(self.cmd("HOOKS.SET", k, "v%d" % i), "OK")
            shard, slot, count = self.cmd("HOOKS.KEYINFO", k)
            self.assertEqual(slot, key_slot(k))
            self.assertEqual(count, 4)
            self.assertEqual(shard, slot % 4)
            shards.add(shard)
        self.assertEqual(shards, {0, 1, 2, 3})
        self.assertEqual(self.r.dbsize(), 40)
        for i in range(40):
            self.assertEqual(self.r.get("spread%d" % i), b"v%d" % i)
            self.assertEqual(self.cmd("HOOKS.GET", "spread%d" % i), b"v%d" % i)

    def test_multi_key_module_commands_across_shards(self):
        args = []
        for i in range(10):
            args += ["mk%d" % i, "val%d" % i]
        self.assertEqual(self.cmd("HOOKS.MSET2", *args), "OK")
        self.assertEqual(self.r.mget(["mk%d" % i for i in range(10)]), [b"val%d" % i for i in range(10)])
        # 20 keys: more than the server's first guess (16) for get_keys.
        keys = ["mk%d" % i for i in range(20)]
        want = [b"val%d" % i for i in range(10)] + [None] * 10
        self.assertEqual(self.cmd("HOOKS.MGET2", "any", "KEYS", len(keys), *keys), want)
        self.assertEqual(self.cmd("HOOKS.MGET2", "any", "nokeys", "here"), RespError("ERR syntax error"))

    def test_hash_tagged_pair(self):
        self.assertEqual(self.cmd("HOOKS.MSET2", "{user1}a", "1", "{user1}b", "2"), "OK")
        self.assertEqual(self.cmd("HOOKS.KEYINFO", "{user1}a")[:2], self.cmd("HOOKS.KEYINFO", "{user1}b")[:2])
        self.assertEqual(self.cmd("HOOKS.MGET2", "x", "KEYS", "2", "{user1}a", "{user1}b"), [b"1", b"2"])

    # -- COMMAND -------------------------------------------------------------
    def test_command_info(self):
        info = self.cmd("COMMAND", "INFO", "hooks.mget2", "hooks.mset2", "hooks.reply")
        mget2, mset2, reply = info
        self.assertEqual(mget2[:2], [b"hooks.mget2", -4])
        self.assertEqual(set(mget2[2]), {"readonly", "movablekeys", "module"})
        self.assertIn("@hooks", mget2[6])
        self.assertIn("@keyword", mget2[6])
        self.assertEqual(mset2[:2], [b"hooks.mset2", -3])
        self.assertEqual(set(mset2[2]), {"write", "denyoom", "module"})
        self.assertEqual(mset2[3:6], [1, -1, 2])
        self.assertEqual(set(reply[2]), {"readonly", "fast", "module"})
        self.assertEqual(reply[3:6], [0, 0, 0])
        self.assertIn(b"hooks.reply", self.cmd("COMMAND", "LIST"))
        # acl_categories: ACL categories like a built-in command's
        self.assertEqual(self.cmd("COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyword"), [b"hooks.mget2"])

    def test_command_list_filterby_module(self):
        names = self.cmd("COMMAND", "LIST", "FILTERBY", "MODULE", "hooks")
        self.assertIn(b"hooks.reply", names)
        self.assertNotIn(b"get", names)

    def test_command_docs(self):
        docs = self.cmd("COMMAND", "DOCS", "hooks.reply")
        self.assertEqual(docs[0], b"hooks.reply")
        fields = dict(zip(docs[1][0::2], docs[1][1::2]))
        self.assertEqual(fields[b"summary"], b"Replies with a value of the kind named.")
        self.assertEqual(fields[b"group"], b"module")
        self.assertEqual(fields[b"since"], b"3")

    def test_command_getkeys(self):
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "hooks.mget2", "x", "KEYS", "3", "a", "b", "c"),
                         [b"a", b"b", b"c"])
        many = ["g%d" % i for i in range(25)]
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "hooks.mget2", "x", "KEYS", "25", *many),
                         [k.encode() for k in many])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "hooks.mset2", "a", "1", "b", "2"), [b"a", b"b"])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "hooks.get", "k"), [b"k"])

    # -- configs ---------------------------------------------------------------
    def test_config_round_trip(self):
        try:
            self.assertEqual(self.cmd("CONFIG", "SET", "hooks.limit", "1kb"), "OK")  # Redis: 1k is 1000
            self.assertEqual(self.cmd("CONFIG", "GET", "hooks.limit"), [b"hooks.limit", b"1024"])
            self.assertEqual(self.hooks_config_view()[b"limit"], 1024)  # on_set saw the canonical value
            reply = self.cmd("CONFIG", "SET", "hooks.limit", "13")
            self.assertIsInstance(reply, RespError)
            self.assertIn("13 is unlucky", reply.message)
            self.assertEqual(self.cmd("CONFIG", "GET", "hooks.limit"), [b"hooks.limit", b"1024"])
            self.assertEqual(self.hooks_config_view()[b"limit"], 1024)
            reply = self.cmd("CONFIG", "SET", "hooks.limit", "1000001")
            self.assertIsInstance(reply, RespError)
            self.assertIn("argument must be between 0 and 1000000 inclusive", reply.message)
            self.assertEqual(self.cmd("CONFIG", "SET", "hooks.mode", "SAFE"), "OK")
            self.assertEqual(self.cmd("CONFIG", "GET", "hooks.mode"), [b"hooks.mode", b"safe"])
            self.assertEqual(self.hooks_config_view()[b"mode"], b"safe")
            self.assertIsInstance(self.cmd("CONFIG", "SET", "hooks.mode", "turbo"), RespError)
            self.assertEqual(self.cmd("CONFIG", "SET", "hooks.refuse-crossslot", "yes"), "OK")
            self.assertEqual(self.hooks_config_view()[b"refuse-crossslot"], 1)
            self.assertIsInstance(self.cmd("CONFIG", "SET", "hooks.refuse-crossslot", "maybe"), RespError)
            reply = self.cmd("CONFIG", "SET", "hooks.moved-slots", "9-1")
            self.assertIsInstance(reply, RespError)
            self.assertIn("hooks.moved-slots must be empty or FROM-TO within 0-16383", reply.message)
            self.assertIsInstance(self.cmd("CONFIG", "SET", "hooks.boot-only", "2"), RespError)
            names = self.cmd("CONFIG", "GET", "hooks.*")[0::2]
            self.assertEqual(sorted(names), [b"hooks.boot-only", b"hooks.codec-fail", b"hooks.limit", b"hooks.mode",
                                             b"hooks.moved-slots", b"hooks.refuse-crossslot"])
        finally:
            for name, value in (("hooks.limit", "10"), ("hooks.mode", "fast"), ("hooks.refuse-crossslot", "no")):
                self.cmd("CONFIG", "SET", name, value)

    # -- INFO and metrics ----------------------------------------------------
    def test_info_sections_and_metrics(self):
        self.cmd("HOOKS.TSET", "m", "1", "1", "1", "1", "x")
        text = self.cmd("INFO", "hooks").decode()
        self.assertIn("# hooks_stats\r\n", text)
        self.assertIn("# hooks_extra\r\n", text)
        self.assertIn("# hooks_metrics\r\n", text)
        fields = info_dict(text)
        self.assertEqual(fields["greeting"], "hello  world")
        self.assertEqual(fields["limit"], "10")
        self.assertEqual(fields["ratio"], "0.5")
        self.assertEqual(fields["live_values"], "1")
        self.assertEqual(fields["hooks_live_values"], "1")
        self.assertIn("hooks_writes_total", fields)
        only = self.cmd("INFO", "hooks_extra").decode()
        self.assertIn("# hooks_extra\r\n", only)
        self.assertNotIn("hooks_stats", only)
        self.assertIn("# hooks_stats", self.cmd("INFO", "everything").decode())
        self.assertNotIn("# hooks_stats", self.cmd("INFO").decode())
        modules = self.cmd("INFO", "modules").decode()
        self.assertIn("module:name=hooks,ver=3,api=1,filters=1,", modules)

    # -- command filter --------------------------------------------------------
    def test_filter_moved(self):
        slot = key_slot("foo")
        try:
            self.assertEqual(self.cmd("CONFIG", "SET", "hooks.moved-slots", "%d-%d" % (slot, slot)), "OK")
            moved = RespError("MOVED %d 127.0.0.1:1" % slot)
            self.assertEqual(self.cmd("GET", "foo"), moved)
            self.assertEqual(self.cmd("SET", "foo", "1"), moved)
            self.assertEqual(self.cmd("HOOKS.GET", "foo"), moved)
            self.assertEqual(self.cmd("GET", "bar"), None)  # another slot
            self.assertEqual(self.cmd("PING"), "PONG")
            # In a transaction the refusal dooms it.
            self.assertEqual(self.cmd("MULTI"), "OK")
            self.assertEqual(self.cmd("SET", "bar", "1"), "QUEUED")
            self.assertEqual(self.cmd("SET", "foo", "1"), moved)
            self.assertEqual(self.cmd("EXEC"),
                             RespError("EXECABORT Transaction discarded because of previous errors."))
            self.assertEqual(self.r.exists("bar", "foo"), 0)
        finally:
            self.cmd("CONFIG", "SET", "hooks.moved-slots", "")
        self.assertEqual(self.cmd("SET", "foo", "1"), "OK")

    def test_filter_sees_slot_and_flags(self):
        calls = self.cmd("HOOKS.FILTERSTATS")[0]
        self.cmd("PING")
        self.cmd("HOOKS.REPLY", "integer")
        self.assertEqual(self.cmd("HOOKS.FILTERSTATS")[0], calls)  # no keys: not filtered
        self.cmd("get", "{x}a")
        n, slot, flags, name = self.cmd("HOOKS.FILTERSTATS")
        self.assertEqual((n, slot, name), (calls + 1, key_slot("{x}a"), b"get"))
        self.assertTrue(flags & 2)  # EMBER_CMD_READONLY
        self.cmd("SET", "{x}a", "1")
        self.assertTrue(self.cmd("HOOKS.FILTERSTATS")[2] & 1)  # EMBER_CMD_WRITE
        self.cmd("MSET", "{x}a", "1", "{x}b", "2")
        self.assertEqual(self.cmd("HOOKS.FILTERSTATS")[1], key_slot("{x}a"))
        self.assertEqual(self.cmd("MSET", "a", "1", "b", "2"), "OK")
        self.assertEqual(self.cmd("HOOKS.FILTERSTATS")[1], -1)
        self.cmd("HOOKS.MGET2", "a", "KEYS", "2", "{x}a", "{x}b")
        self.assertEqual(self.cmd("HOOKS.FILTERSTATS")[1], key_slot("{x}a"))

    def test_filter_cross_slot(self):
        crossslot = RespError("CROSSSLOT Keys in request don't hash to the same slot")
        try:
            self.assertEqual(self.cmd("CONFIG", "SET", "hooks.refuse-crossslot", "yes"), "OK")
            self.assertEqual(self.cmd("MSET", "a", "1", "b", "2"), crossslot)
            self.assertEqual(self.cmd("HOOKS.MSET2", "a", "1", "b", "2"), crossslot)
            self.assertEqual(self.cmd("HOOKS.MGET2", "a", "KEYS", "2", "a", "b"), crossslot)
            self.assertEqual(self.cmd("MSET", "{t}a", "1", "{t}b", "2"), "OK")
        finally:
            self.cmd("CONFIG", "SET", "hooks.refuse-crossslot", "no")
        self.assertEqual(self.r.exists("a", "b"), 0)
        self.assertEqual(self.cmd("MSET", "a", "1", "b", "2"), "OK")

    def test_filter_refusing_without_a_reply(self):
        self.assertEqual(self.cmd("GET", "refuse-silently-1"), RespError("ERR command refused by module hooks"))
        self.assertEqual(self.cmd("PING"), "PONG")

    # -- write listener ------------------------------------------------------
    def writelog(self):
        return [l.decode() for l in self.cmd("HOOKS.WRITELOG")]

    def test_write_listener_sees_successful_writes(self):
        self.cmd("HOOKS.WRITERESET")
        self.cmd("SET", "a", "1")
        self.cmd("GET", "a")                     # a read
        self.cmd("INCR", "a")
        self.cmd("SET", "b", "x")
        self.assertIsInstance(self.cmd("INCR", "b"), RespError)    # failed
        self.assertIsInstance(self.cmd("SET", "b"), RespError)     # arity
        self.assertIsInstance(self.cmd("LPUSH", "b", "x"), RespError)  # WRONGTYPE
        self.cmd("hooks.set", "c", "v")         # a module's write command
        self.cmd("EXPIRE", "a", "100")
        # A relative expire reaches listeners as the absolute time it set.
        log = self.writelog()
        self.assertEqual(log[:4], ["SET a 1", "INCR a", "SET b x", "hooks.set c v"])
        verb, key, when = log[4].split()
        self.assertEqual((verb, key), ("PEXPIREAT", "a"))
        self.assertAlmostEqual(int(when) / 1000.0, time.time() + 100, delta=30)
        count, last, bad_shard = self.cmd("HOOKS.WRITES")
        self.assertEqual((count, last.decode(), bad_shard), (5, log[4], 0))
        metrics = info_dict(self.cmd("INFO", "hooks_metrics"))
        self.assertEqual(metrics["hooks_writes_total"], "5")

    def test_write_listener_on_every_shard(self):
        self.cmd("HOOKS.WRITERESET")
        keys = keys_on_distinct_shards(4, "w")
        for k in keys.values():
            self.cmd("SET", k, "1")
        self.assertEqual(self.cmd("MSET", keys[0], "2", keys[1], "2", keys[2], "2"), "OK")  # held: once
        log = self.writelog()
        self.assertEqual(log[:4], ["SET %s 1" % k for k in keys.values()])
        self.assertEqual(log[4:], ["MSET %s 2 %s 2 %s 2" % (keys[0], keys[1], keys[2])])
        self.assertEqual(self.cmd("HOOKS.WRITES")[2], 0)

    def test_write_listener_sees_a_transaction(self):
        self.cmd("HOOKS.WRITERESET")
        self.assertEqual(self.cmd("MULTI"), "OK")
        self.cmd("SET", "x", "1")
        self.cmd("GET", "x")
        self.cmd("INCR", "y")
        self.assertEqual(self.cmd("EXEC"), ["OK", b"1", 1])
        # The header: "A transaction arrives as MULTI, its writes, EXEC."
        self.assertEqual(self.writelog(), ["MULTI", "SET x 1", "INCR y", "EXEC"])

    def test_write_listener_sees_a_blocked_pop(self):
        self.cmd("HOOKS.WRITERESET")
        blocked = self.s.raw()
        try:
            blocked.send("BLPOP", "q", "0")
            wait_until(lambda: b"cmd=blpop" in self.cmd("CLIENT", "LIST"), "the client to block")
            self.assertEqual(self.cmd("LPUSH", "q", "item"), 1)
            self.assertEqual(blocked.read(), [b"q", b"item"])
        finally:
            blocked.close()
        log = self.writelog()
        self.assertEqual(log[0], "LPUSH q item")
        # The served BLPOP removed the element: a replica fed by this stream
        # must remove it too.
        self.assertEqual(len(log), 2, "the write stream has no trace of the pop served to the blocked client: %r"
                         % log)
        self.assertIn("POP Q", log[1].upper())

    # -- keyspace notifications and key_touched ------------------------------------
    def subscriber(self, *channels):
        sub = self.s.raw()
        sub.send("SUBSCRIBE", *channels)
        for _ in channels:
            sub.read()
        return sub

    def test_key_touched_notifies_class_d(self):
        try:
            self.assertEqual(self.cmd("CONFIG", "SET", "notify-keyspace-events", "KEd"), "OK")
            sub = self.subscriber("__keyspace@0__:nk", "__keyevent@0__:hooks.tincr")
            try:
                self.assertEqual(self.cmd("HOOKS.TINCR", "nk"), 1)
                msgs = [sub.read(), sub.read()]
                self.assertIn([b"message", b"__keyspace@0__:nk", b"hooks.tincr"], msgs)
                self.assertIn([b"message", b"__keyevent@0__:hooks.tincr", b"nk"], msgs)
                # From a shard task (a timer): the same event path.
                self.assertEqual(self.cmd("HOOKS.TIMER-TOUCH", "nk", "1"), "OK")
                self.assertEqual(sub.read(), [b"message", b"__keyspace@0__:nk", b"hooks.timer"])
            finally:
                sub.close()
            # Without class d, nothing: the next message is DEL's (class g).
            self.assertEqual(self.cmd("CONFIG", "SET", "notify-keyspace-events", "Kg"), "OK")
            sub = self.subscriber("__keyspace@0__:nk")
            try:
                self.assertEqual(self.cmd("HOOKS.TINCR", "nk"), 3)
                self.assertEqual(self.r.delete("nk"), 1)
                self.assertEqual(sub.read(), [b"message", b"__keyspace@0__:nk", b"del"])
            finally:
                sub.close()
        finally:
            self.cmd("CONFIG", "SET", "notify-keyspace-events", "")

    def test_key_touched_fires_watch(self):
        for touch in ("HOOKS.TINCR", "HOOKS.TOUCH"):
            with self.subTest(touch=touch):
                self.cmd("HOOKS.TSET", "w", "1", "1", "1", "1", "x")
                self.assertEqual(self.cmd("WATCH", "w"), "OK")
                other = self.s.raw()
                try:
                    self.assertEqual(other.execute(touch, "w") in (2, "OK"), True)
                finally:
                    other.close()
                self.assertEqual(self.cmd("MULTI"), "OK")
                self.assertEqual(self.cmd("HOOKS.TGET", "w"), "QUEUED")
                self.assertEqual(self.cmd("EXEC"), None)

    # -- timers, fd events, run_on_shard ------------------------------------------
    def expect_task_value(self, key, value):
        shard = self.cmd("HOOKS.KEYINFO", key)[0]
        want = b"%s|%d|0" % (value.encode(), shard)  # ran on the key's shard, with no client
        wait_until(lambda: self.r.get(key) is not None, "the task to set %s" % key)
        self.assertEqual(self.r.get(key), want)

    def test_timers(self):
        keys = keys_on_distinct_shards(4, "tm")
        for k in keys.values():
            self.assertEqual(self.cmd("HOOKS.TIMER", k, "2", "fired"), "OK")
        for k in keys.values():
            self.expect_task_value(k, "fired")

    def test_timer_from_a_module_thread(self):
        keys = keys_on_distinct_shards(4, "tt")
        for k in keys.values():
            self.assertEqual(self.cmd("HOOKS.SPAWN", k, "bytimer", "TIMER"), "OK")
        for k in keys.values():
            self.expect_task_value(k, "bytimer")

    def test_timer_deleted_before_it_fires(self):
        # Both on one shard; the deleted one was due first.
        self.assertEqual(self.cmd("HOOKS.TIMER-CANCEL", "{c}cancelled", "1", "v"), 1)
        self.assertEqual(self.cmd("HOOKS.TIMER", "{c}sentinel", "30", "v"), "OK")
        self.expect_task_value("{c}sentinel", "v")
        self.assertEqual(self.r.exists("{c}cancelled"), 0)
        # Deleting a timer that fired is refused.
        self.assertEqual(self.cmd("HOOKS.TIMER-DELETE-FIRED"), -1)

    def test_run_on_shard_from_a_module_thread(self):
        keys = keys_on_distinct_shards(4, "ros")
        for k in keys.values():
            self.assertEqual(self.cmd("HOOKS.SPAWN", k, "spawned"), "OK")
        for k in keys.values():
            self.expect_task_value(k, "spawned")

    def test_fd_events(self):
        keys = keys_on_distinct_shards(4, "fd")
        for k in keys.values():
            self.assertEqual(self.cmd("HOOKS.FDREAD", k, "through a pipe " + k), "OK")
            self.assertEqual(self.cmd("HOOKS.FDWRITE", "{%s}w" % k), "OK")
        for k in keys.values():
            wait_until(lambda: self.r.get(k) is not None, "the fd event to set %s" % k)
            self.assertEqual(self.r.get(k), ("through a pipe " + k).encode())
            wait_until(lambda: self.r.get("{%s}w" % k) is not None, "the writable event")
            self.assertEqual(self.r.get("{%s}w" % k), b"writable")

    def test_bad_arguments_are_refused(self):
        # run_on_shard(n), timer_create(n) == NULL, fd_watch(-1) == NULL,
        # fd_watch(no events) == NULL, timer_delete(NULL)
        self.assertEqual(self.cmd("HOOKS.BADARGS"), [-1, 1, 1, 1, -1])

    # -- misc -----------------------------------------------------------------
    def test_log(self):
        self.assertEqual(self.cmd("HOOKS.LOG", "3", "warning-marker-4711"), "OK")
        self.assertEqual(self.cmd("HOOKS.LOG", "2", "notice-marker-4711"), "OK")
        self.assertEqual(self.cmd("HOOKS.LOG", "0", "debug-marker-4711"), "OK")
        wait_until(lambda: "notice-marker-4711" in self.s.log_tail(100000), "the log lines")
        log = self.s.log_tail(100000)
        self.assertIn("<hooks> warning-marker-4711", log)
        self.assertIn("<hooks> notice-marker-4711", log)
        self.assertNotIn("debug-marker-4711", log)  # loglevel notice
        self.assertIn("<hooks> hooks module initialized", log)

    def test_milliseconds(self):
        now = self.cmd("HOOKS.NOW")
        self.assertLess(abs(now - time.time() * 1000), 60000)

    def test_allocator(self):
        self.assertEqual(self.cmd("HOOKS.ALLOC", "100000"), 200000)

    def test_registration_after_init_is_refused(self):
        self.assertEqual(self.cmd("HOOKS.LATEREGISTER"), [-1] * 9)
        self.assertTrue(self.cmd("HOOKS.LATE").message.startswith("ERR unknown command"))
        self.assertEqual(self.cmd("CONFIG", "GET", "hooks.late"), [])

    def test_unload_refused(self):
        self.assertEqual(self.cmd("MODULE", "UNLOAD", "hooks"), RespError(HOOKS_UNLOAD_REFUSED))

    # -- transport --------------------------------------------------------------
    def test_transport_speaks_resp(self):
        with xor_client(XOR_PORT, XOR_KEY) as x:
            self.assertEqual(x.execute("PING"), "PONG")
            self.assertEqual(x.execute("SET", "tk", "over xor"), "OK")
            self.assertEqual(self.r.get("tk"), b"over xor")
            big = os.urandom(300000)
            self.assertEqual(x.execute("SET", "big", big), "OK")
            self.assertEqual(x.execute("GET", "big"), big)
            # pipelined
            x.send_raw(b"".join(x.encode("INCR", "ctr") for _ in range(100)))
            self.assertEqual([x.read() for _ in range(100)], list(range(1, 101)))
            self.assertEqual(x.hello3()[b"proto"], 3)
            self.assertEqual(x.execute("HOOKS.REPLY", "map").pairs, [(b"a", 1), (b"b", 2.5)])

    def test_transport_client_list(self):
        with xor_client(XOR_PORT, XOR_KEY) as x:
            x.execute("CLIENT", "SETNAME", "xorclient")
            mine = x.execute("CLIENT", "INFO")
            self.assertIn(b" transport=xor xor-key=%d xor-rx=" % XOR_KEY, mine)
            listing = self.cmd("CLIENT", "LIST").decode().splitlines()
            xor_line = [l for l in listing if "name=xorclient" in l]
            self.assertEqual(len(xor_line), 1, listing)
            self.assertIn(" transport=xor xor-key=%d xor-rx=" % XOR_KEY, xor_line[0])
            self.assertTrue(all("transport=" not in l for l in listing if "name=xorclient" not in l))

    def test_transport_accept_and_close(self):
        accepted, closed = self.cmd("HOOKS.TRANSPORTSTATS")
        wait_until(lambda: self.cmd("HOOKS.TRANSPORTSTATS")[1] == accepted, "earlier transport clients to close")
        x = xor_client(XOR_PORT, XOR_KEY)
        self.assertEqual(x.execute("PING"), "PONG")
        self.assertEqual(self.cmd("HOOKS.TRANSPORTSTATS"), [accepted + 1, accepted])
        x.close()
        wait_until(lambda: self.cmd("HOOKS.TRANSPORTSTATS") == [accepted + 1, accepted + 1], "close to be called")

    def test_listen_after_init(self):
        port = free_port()
        self.assertEqual(self.cmd("HOOKS.LISTEN", port), "OK")
        with xor_client(port, XOR_KEY) as x:
            self.assertEqual(x.execute("PING"), "PONG")
            self.assertEqual(x.execute("HOOKS.CTX")[0], 2)
        self.assertEqual(self.cmd("HOOKS.LISTEN", port), RespError("ERR listen failed"))  # taken
        self.assertEqual(self.cmd("PING"), "PONG")


if __name__ == "__main__":
    main()
