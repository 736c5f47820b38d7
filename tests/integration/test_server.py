#!/usr/bin/python3
"""Connection and server commands: PING ECHO HELLO QUIT RESET SELECT INFO FLUSH* TIME COMMAND CONFIG CLIENT."""

import fnmatch
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, RespError, RespMap, ember_only, main  # noqa: E402
from harness import SYNTAX, NOT_INT, arity  # noqa: E402

BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
HELLO_FIELDS = [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]


def parse_info(text):
    if isinstance(text, bytes):
        text = text.decode()
    fields = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            fields[k] = v
    return fields


def parse_client_line(line):
    if isinstance(line, bytes):
        line = line.decode()
    out = {}
    for part in line.strip().split(" "):
        k, _, v = part.partition("=")
        out[k] = v
    return out


class TestConnection(ServerTestCase):

    def test_ping(self):
        self.assertEqual(self.cmd("PING"), "PONG")
        self.assertEqual(self.cmd("PING", "hello"), b"hello")
        self.assertEqual(self.cmd("PING", ""), b"")
        self.assertCmdError(arity("ping"), "PING", "a", "b")

    def test_echo(self):
        self.assertEqual(self.cmd("ECHO", "hi there"), b"hi there")
        self.assertEqual(self.cmd("ECHO", b"\x00\xff"), b"\x00\xff")
        self.assertCmdError(arity("echo"), "ECHO")
        self.assertCmdError(arity("echo"), "ECHO", "a", "b")

    def test_case_insensitive_commands(self):
        self.assertEqual(self.cmd("pInG"), "PONG")
        self.assertEqual(self.cmd("sEt", "k", "v"), "OK")
        self.assertEqual(self.cmd("get", "k"), b"v")
        self.assertEqual(self.cmd("GET", "k"), b"v")
        self.assertEqual(self.cmd("dbsize"), 1)
        self.assertIsInstance(self.cmd("client", "id"), int)
        self.assertIsInstance(self.cmd("Config", "Get", "timeout"), list)
        self.assertTrue(self.cmd("info", "SERVER").startswith(b"# Server\r\n"))
        self.assertEqual(self.cmd("ECHO", "x"), self.cmd("echo", "x"))

    def test_unknown_command(self):
        self.assertCmdError("ERR unknown command 'foo', with args beginning with: 'a' 'b' ", "foo", "a", "b")
        self.assertCmdError("ERR unknown command 'foo', with args beginning with: ", "foo")
        self.assertCmdError("ERR unknown command 'FooBar', with args beginning with: 'x' ", "FooBar", "x")

    def test_unknown_command_truncation(self):
        # the name is cut at 128 bytes; the quoted args stop once they reach 128 bytes
        expected = ("ERR unknown command '%s', with args beginning with: '%s' '%s' "
                    % ("A" * 128, "b" * 100, "c" * 25))
        self.assertCmdError(expected, "A" * 200, "b" * 100, "c" * 100)
        args = ["arg%d" % i for i in range(40)]
        expected = ("ERR unknown command 'X', with args beginning with: "
                    + "".join("'arg%d' " % i for i in range(17)) + "'ar' ")
        self.assertCmdError(expected, "X", *args)

    def test_wrong_arity(self):
        self.assertCmdError(arity("get"), "GET")
        self.assertCmdError(arity("get"), "get", "a", "b")
        self.assertCmdError(arity("get"), "GeT")
        self.assertCmdError(arity("dbsize"), "DBSIZE", "x")
        self.assertCmdError(arity("time"), "TIME", "x")
        self.assertCmdError(arity("select"), "SELECT")
        self.assertCmdError(arity("reset"), "RESET", "x")

    def test_select(self):
        self.assertCmdOk("SELECT", "0")
        self.assertCmdError("ERR DB index is out of range", "SELECT", "16")
        self.assertCmdError("ERR DB index is out of range", "SELECT", "-1")
        self.assertCmdError(NOT_INT, "SELECT", "abc")
        self.r.set("k", "v")
        self.assertEqual(self.cmd("GET", "k"), b"v")

    def test_quit(self):
        c = self.server.raw()
        c.send("QUIT")
        self.assertEqual(c.read_raw_until_closed(), b"+OK\r\n")
        c.close()
        c = self.server.raw()
        c.send_raw(b"PING\r\nQUIT\r\nPING\r\n")  # nothing after QUIT is executed
        self.assertEqual(c.read_raw_until_closed(), b"+PONG\r\n+OK\r\n")
        c.close()
        self.assertEqual(self.cmd("PING"), "PONG")

    def test_reset(self):
        c = self.server.raw()
        reply = c.execute("HELLO", "3", "SETNAME", "someone")
        self.assertIsInstance(reply, RespMap)
        self.assertEqual(c.execute("CLIENT", "GETNAME"), b"someone")
        self.assertEqual(c.execute("RESET"), "RESET")
        # name cleared, back to RESP2 (null bulk, flat HELLO reply)
        self.assertIsNone(c.execute("CLIENT", "GETNAME"))
        reply = c.execute("HELLO")
        self.assertIsInstance(reply, list)
        self.assertEqual(dict(zip(reply[::2], reply[1::2]))[b"proto"], 2)
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()


class TestHello(ServerTestCase):

    def test_hello_2(self):
        c = self.server.raw()
        cid = c.execute("CLIENT", "ID")
        reply = c.execute("HELLO", "2")
        self.assertIsInstance(reply, list)
        self.assertEqual(reply[::2], HELLO_FIELDS)
        info = dict(zip(reply[::2], reply[1::2]))
        self.assertEqual(info[b"proto"], 2)
        self.assertEqual(info[b"id"], cid)
        self.assertEqual(info[b"mode"], b"standalone")
        self.assertEqual(info[b"role"], b"master")
        self.assertEqual(info[b"modules"], [])
        self.assertIsInstance(info[b"server"], bytes)
        self.assertTrue(info[b"version"])
        c.close()

    def test_hello_3(self):
        c = self.server.raw()
        cid = c.execute("CLIENT", "ID")
        reply = c.execute("HELLO", "3")
        self.assertIsInstance(reply, RespMap)
        self.assertEqual([k for k, _ in reply.pairs], HELLO_FIELDS)
        self.assertEqual(reply[b"proto"], 3)
        self.assertEqual(reply[b"id"], cid)
        self.assertEqual(reply[b"mode"], b"standalone")
        self.assertEqual(reply[b"role"], b"master")
        self.assertEqual(reply[b"modules"], [])
        # HELLO without a version reports the current protocol
        again = c.execute("HELLO")
        self.assertIsInstance(again, RespMap)
        self.assertEqual(again[b"proto"], 3)
        # and back to 2
        self.assertIsInstance(c.execute("HELLO", "2"), list)
        c.close()

    def test_hello_no_args_new_client(self):
        c = self.server.raw()
        reply = c.execute("HELLO")
        self.assertIsInstance(reply, list)
        self.assertEqual(dict(zip(reply[::2], reply[1::2]))[b"proto"], 2)
        c.close()

    def test_hello_errors(self):
        for v in ("4", "1", "0", "-1"):
            self.assertCmdError("NOPROTO unsupported protocol version", "HELLO", v)
        self.assertCmdError("ERR Protocol version is not an integer or out of range", "HELLO", "abc")
        self.assertCmdError("ERR Syntax error in HELLO option 'FOO'", "HELLO", "3", "FOO")
        self.assertCmdError("ERR Syntax error in HELLO option 'SETNAME'", "HELLO", "2", "SETNAME")
        self.assertCmdError(BAD_NAME, "HELLO", "2", "SETNAME", "bad name")
        # the failed HELLOs did not switch the protocol
        self.assertIsNone(self.cmd("GET", "nokey"))

    def test_hello_setname(self):
        c = self.server.raw()
        reply = c.execute("HELLO", "3", "SETNAME", "conn-a")
        self.assertIsInstance(reply, RespMap)
        self.assertEqual(c.execute("CLIENT", "GETNAME"), b"conn-a")
        reply = c.execute("HELLO", "2", "setname", "x", "SETNAME", "y")
        self.assertIsInstance(reply, list)
        self.assertEqual(c.execute("CLIENT", "GETNAME"), b"y")
        c.close()


class TestInfo(ServerTestCase):

    def info(self, *sections):
        reply = self.cmd("INFO", *sections)
        self.assertIsInstance(reply, bytes)
        return reply.decode()

    def test_default_sections(self):
        text = self.info()
        for header in ("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace"):
            self.assertIn(header + "\r\n", text)
        fields = parse_info(text)
        self.assertRegex(fields["redis_version"], r"^\d+\.\d+\.\d+")
        self.assertEqual(fields["tcp_port"], str(self.server.port))
        self.assertEqual(fields["redis_mode"], "standalone")
        for f in ("uptime_in_seconds", "process_id", "connected_clients", "used_memory",
                  "total_connections_received", "total_commands_processed", "keyspace_hits",
                  "keyspace_misses", "expired_keys"):
            self.assertIn(f, fields)
            self.assertRegex(fields[f], r"^\d+$", f)
        self.assertEqual(int(fields["process_id"]), self.server.proc.pid)
        self.assertTrue(text.endswith("\r\n"))

    def test_single_sections(self):
        server = self.info("server")
        self.assertTrue(server.startswith("# Server\r\n"))
        self.assertIn("redis_version:", server)
        self.assertNotIn("# Clients", server)
        self.assertEqual(self.info("SERVER").split("\r\n")[0], "# Server")
        clients = self.info("clients")
        self.assertTrue(clients.startswith("# Clients\r\n"))
        self.assertIn("connected_clients:", clients)
        memory = self.info("memory")
        self.assertTrue(memory.startswith("# Memory\r\n"))
        self.assertIn("used_memory:", memory)
        stats = self.info("stats")
        self.assertTrue(stats.startswith("# Stats\r\n"))
        self.assertIn("total_commands_processed:", stats)
        # unknown section: empty reply
        self.assertEqual(self.info("nosuchsection"), "")

    def test_cluster_section(self):
        # Client libraries read it at start-up to choose their mode.
        self.assertIn("# Cluster\r\ncluster_enabled:0\r\n", self.info())
        self.assertEqual(self.info("cluster"), "# Cluster\r\ncluster_enabled:0\r\n")
        self.assertEqual(parse_info(self.info("all"))["cluster_enabled"], "0")

    def test_multiple_sections(self):
        text = self.info("server", "clients")
        self.assertIn("# Server\r\n", text)
        self.assertIn("# Clients\r\n", text)
        self.assertNotIn("# Memory", text)

    def test_all_and_everything(self):
        for arg in ("all", "everything", "ALL"):
            text = self.info(arg)
            for header in ("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace"):
                self.assertIn(header + "\r\n", text, arg)
            self.assertIn("redis_version:", text)

    def test_keyspace(self):
        self.assertEqual(self.info("keyspace"), "# Keyspace\r\n")
        self.r.mset({"a": 1, "b": 2, "c": 3})
        self.r.expire("a", 100)
        text = self.info("keyspace")
        self.assertTrue(text.startswith("# Keyspace\r\n"))
        self.assertRegex(text, r"\r\ndb0:keys=3,expires=1,avg_ttl=\d+\r\n")
        self.assertRegex(self.info(), r"\r\ndb0:keys=3,expires=1,avg_ttl=\d+\r\n")

    def test_connected_clients(self):
        before = int(parse_info(self.info("clients"))["connected_clients"])
        extra = [self.server.raw() for _ in range(3)]
        for c in extra:
            c.execute("PING")
        after = int(parse_info(self.info("clients"))["connected_clients"])
        self.assertEqual(after, before + 3)
        for c in extra:
            c.close()
        deadline = time.time() + 5
        while time.time() < deadline:
            if int(parse_info(self.info("clients"))["connected_clients"]) == before:
                break
            time.sleep(0.05)
        self.assertEqual(int(parse_info(self.info("clients"))["connected_clients"]), before)

    def test_keyspace_hits_and_resetstat(self):
        self.assertCmdOk("CONFIG", "RESETSTAT")
        stats = parse_info(self.info("stats"))
        self.assertEqual(stats["keyspace_hits"], "0")
        self.assertEqual(stats["keyspace_misses"], "0")
        self.r.set("x", "1")
        self.r.get("x")
        self.r.get("x")
        self.r.get("nokey")
        stats = parse_info(self.info("stats"))
        self.assertEqual(stats["keyspace_hits"], "2")
        self.assertEqual(stats["keyspace_misses"], "1")
        self.assertGreaterEqual(int(stats["total_commands_processed"]), 4)
        self.assertCmdOk("CONFIG", "RESETSTAT")
        stats = parse_info(self.info("stats"))
        self.assertEqual(stats["keyspace_hits"], "0")
        self.assertEqual(stats["keyspace_misses"], "0")
        self.assertLessEqual(int(stats["total_commands_processed"]), 2)


class TestKeyspaceCommands(ServerTestCase):

    def test_dbsize_flushdb(self):
        self.r.mset({"k%d" % i: i for i in range(50)})
        self.assertEqual(self.cmd("DBSIZE"), 50)
        self.assertCmdOk("FLUSHDB")
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.r.mset({"k%d" % i: i for i in range(50)})
        self.assertCmdOk("FLUSHDB", "ASYNC")
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.r.mset({"k%d" % i: i for i in range(50)})
        self.assertCmdOk("flushdb", "sync")
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.assertCmdError(SYNTAX, "FLUSHDB", "foo")
        self.assertCmdError(SYNTAX, "FLUSHDB", "a", "b")

    def test_flushall(self):
        self.r.mset({"k%d" % i: i for i in range(50)})
        self.assertCmdOk("FLUSHALL", "ASYNC")
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.assertIsNone(self.cmd("GET", "k1"))
        self.r.mset({"k%d" % i: i for i in range(50)})
        self.assertCmdOk("FLUSHALL", "SYNC")
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.r.set("a", "1")
        self.assertCmdOk("FLUSHALL")
        self.assertEqual(self.cmd("KEYS", "*"), [])
        self.assertCmdError(SYNTAX, "FLUSHALL", "foo")

    def test_time(self):
        reply = self.cmd("TIME")
        self.assertEqual(len(reply), 2)
        self.assertRegex(reply[0], rb"^\d+$")
        self.assertRegex(reply[1], rb"^\d+$")
        self.assertLess(int(reply[1]), 1000000)
        self.assertLess(abs(int(reply[0]) - time.time()), 30)


class TestCommand(ServerTestCase):

    def test_count_and_list(self):
        count = self.cmd("COMMAND", "COUNT")
        self.assertIsInstance(count, int)
        names = self.cmd("COMMAND", "LIST")
        self.assertEqual(len(set(names)), len(names))
        # COMMAND LIST also names subcommands (container|sub); COMMAND COUNT counts top-level ones
        top = [n for n in names if b"|" not in n]
        self.assertEqual(len(top), count)
        for n in (b"config|get", b"config|set", b"client|list", b"command|getkeys"):
            self.assertIn(n, names)
        for n in (b"get", b"set", b"del", b"scan", b"info", b"client", b"config", b"command", b"hello",
                  b"incrbyfloat", b"getex", b"copy"):
            self.assertIn(n, names)
        everything = self.cmd("COMMAND")
        self.assertEqual(len(everything), count)
        self.assertEqual(len(self.cmd("COMMAND", "INFO")), count)

    def test_list_filterby_pattern(self):
        names = self.cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "get*")
        self.assertTrue({b"get", b"getdel", b"getex", b"getrange", b"getset"} <= set(names), names)
        self.assertTrue(all(fnmatch.fnmatchcase(n.decode(), "get*") for n in names))

    def test_info(self):
        reply = self.cmd("COMMAND", "INFO", "get", "SET", "nosuch")
        self.assertEqual(len(reply), 3)
        get, set_, missing = reply
        self.assertIsNone(missing)
        self.assertEqual(get[0], b"get")
        self.assertEqual(get[1], 2)
        self.assertIn("readonly", get[2])
        self.assertEqual(get[3:6], [1, 1, 1])
        self.assertIn("@read", get[6])
        self.assertEqual(set_[0], b"set")
        self.assertEqual(set_[1], -3)
        self.assertIn("write", set_[2])
        self.assertEqual(set_[3:6], [1, 1, 1])
        mset = self.cmd("COMMAND", "INFO", "mset")[0]
        self.assertEqual(mset[1], -3)
        self.assertEqual(mset[3:6], [1, -1, 2])
        self.assertEqual(self.cmd("COMMAND", "INFO", "nosuch"), [None])

    def test_docs(self):
        reply = self.cmd("COMMAND", "DOCS", "get")
        self.assertEqual(reply[0], b"get")
        doc = dict(zip(reply[1][::2], reply[1][1::2]))
        self.assertIn(b"summary", doc)
        self.assertEqual(doc[b"group"], b"string")
        self.assertEqual(self.cmd("COMMAND", "DOCS", "nosuch"), [])

    def test_getkeys(self):
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), [b"a", b"b"])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "GET", "k"), [b"k"])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10"), [b"k"])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "DEL", "a", "b", "c"), [b"a", b"b", b"c"])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "RENAME", "a", "b"), [b"a", b"b"])
        self.assertEqual(self.cmd("COMMAND", "GETKEYS", "mget", "x", "y"), [b"x", b"y"])
        self.assertCmdError("ERR Invalid command specified", "COMMAND", "GETKEYS", "FOO", "a")
        self.assertCmdError("ERR The command has no key arguments", "COMMAND", "GETKEYS", "PING", "x")
        self.assertCmdError("ERR Invalid number of arguments specified for command",
                            "COMMAND", "GETKEYS", "GET", "a", "b")
        self.assertCmdError(arity("command|getkeys"), "COMMAND", "GETKEYS")

    def test_unknown_subcommand(self):
        self.assertCmdError("ERR unknown subcommand 'foo'. Try COMMAND HELP.", "COMMAND", "foo")


class TestConfig(ServerTestCase):

    def config_get(self, *patterns):
        reply = self.cmd("CONFIG", "GET", *patterns)
        self.assertIsInstance(reply, list)
        self.assertEqual(len(reply) % 2, 0)
        return dict(zip(reply[::2], reply[1::2]))

    def test_get(self):
        self.assertEqual(self.config_get("timeout"), {b"timeout": b"0"})
        self.assertEqual(self.config_get("maxmemory"), {b"maxmemory": b"0"})
        self.assertEqual(self.config_get("port"), {b"port": str(self.server.port).encode()})
        self.assertEqual(self.config_get("nonexistent-option"), {})

    def test_get_glob(self):
        got = self.config_get("maxmemory*")
        self.assertIn(b"maxmemory", got)
        self.assertIn(b"maxmemory-policy", got)
        self.assertEqual(got[b"maxmemory-policy"], b"noeviction")
        for k in got:
            self.assertTrue(k.startswith(b"maxmemory"), k)
        self.assertTrue(len(self.config_get("*")) > 10)

    def test_get_multiple(self):
        got = self.config_get("timeout", "maxmemory")
        self.assertEqual(got, {b"timeout": b"0", b"maxmemory": b"0"})

    def test_set(self):
        try:
            self.assertCmdOk("CONFIG", "SET", "timeout", "300")
            self.assertEqual(self.config_get("timeout"), {b"timeout": b"300"})
            self.assertCmdOk("CONFIG", "SET", "maxmemory", "10mb", "timeout", "5")
            self.assertEqual(self.config_get("maxmemory", "timeout"),
                             {b"maxmemory": b"10485760", b"timeout": b"5"})
            self.assertCmdOk("config", "set", "MAXMEMORY-POLICY", "allkeys-lru")
            self.assertEqual(self.config_get("maxmemory-policy"), {b"maxmemory-policy": b"allkeys-lru"})
        finally:
            self.cmd("CONFIG", "SET", "timeout", "0", "maxmemory", "0", "maxmemory-policy", "noeviction")
        self.assertEqual(self.config_get("timeout", "maxmemory"), {b"timeout": b"0", b"maxmemory": b"0"})

    def test_set_errors(self):
        self.assertCmdError("ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
                            "CONFIG", "SET", "foo", "bar")
        self.assertCmdError(arity("config|set"), "CONFIG", "SET", "maxmemory")
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                            "argument couldn't be parsed into an integer", "CONFIG", "SET", "timeout", "abc")
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                            "argument must be a memory value", "CONFIG", "SET", "maxmemory", "abc")
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter",
                            "CONFIG", "SET", "timeout", "1", "timeout", "2")
        # multi-pair CONFIG SET is all-or-nothing
        self.assertCmdError("ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
                            "CONFIG", "SET", "timeout", "7", "foo", "bar")
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                            "argument must be a memory value", "CONFIG", "SET", "timeout", "7", "maxmemory", "abc")
        self.assertEqual(self.config_get("timeout"), {b"timeout": b"0"})

    def test_misc_errors(self):
        self.assertCmdError("ERR unknown subcommand 'foo'. Try CONFIG HELP.", "CONFIG", "foo")
        self.assertCmdError(arity("config"), "CONFIG")
        self.assertCmdError(arity("config|get"), "CONFIG", "GET")

    def test_resetstat(self):
        self.assertCmdOk("CONFIG", "RESETSTAT")
        self.assertCmdError(arity("config|resetstat"), "CONFIG", "RESETSTAT", "x")


class TestClient(ServerTestCase):

    def test_id(self):
        a = self.server.raw()
        b = self.server.raw()
        ida = a.execute("CLIENT", "ID")
        idb = b.execute("CLIENT", "ID")
        self.assertIsInstance(ida, int)
        self.assertGreater(idb, ida)
        self.assertEqual(a.execute("CLIENT", "ID"), ida)
        self.assertCmdError(arity("client|id"), "CLIENT", "ID", "x")
        a.close()
        b.close()

    def test_setname_getname(self):
        c = self.server.raw()
        self.assertIsNone(c.execute("CLIENT", "GETNAME"))
        self.assertEqual(c.execute("CLIENT", "SETNAME", "worker-1"), "OK")
        self.assertEqual(c.execute("CLIENT", "GETNAME"), b"worker-1")
        self.assertEqual(c.execute("CLIENT", "SETNAME", ""), "OK")
        self.assertIsNone(c.execute("CLIENT", "GETNAME"))
        for bad in ("x y", "a\nb", "tab\there"):
            reply = c.execute("CLIENT", "SETNAME", bad)
            self.assertEqual(reply, RespError(BAD_NAME), repr(bad))
        self.assertEqual(c.execute("CLIENT", "SETNAME"), RespError(arity("client|setname")))
        self.assertEqual(c.execute("CLIENT", "GETNAME", "x"), RespError(arity("client|getname")))
        c.close()

    def test_list_and_info(self):
        c = self.server.raw()
        c.execute("CLIENT", "SETNAME", "lister")
        cid = c.execute("CLIENT", "ID")
        info = c.execute("CLIENT", "INFO")
        self.assertIsInstance(info, bytes)
        self.assertTrue(info.endswith(b"\n"))
        self.assertEqual(info.count(b"\n"), 1)
        f = parse_client_line(info)
        self.assertEqual(f["id"], str(cid))
        self.assertEqual(f["addr"], "127.0.0.1:%d" % c.sock.getsockname()[1])
        self.assertEqual(f["laddr"], "127.0.0.1:%d" % self.server.port)
        self.assertEqual(f["name"], "lister")
        self.assertEqual(f["db"], "0")
        self.assertEqual(f["cmd"], "client|info")
        self.assertEqual(f["resp"], "2")
        for k in ("fd", "age", "idle", "flags"):
            self.assertIn(k, f)
        listing = c.execute("CLIENT", "LIST")
        lines = [parse_client_line(l) for l in listing.decode().split("\n") if l]
        mine = [l for l in lines if l["id"] == str(cid)]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["name"], "lister")
        self.assertEqual(mine[0]["cmd"], "client|list")
        self.assertGreaterEqual(len(lines), 2)  # self.r's connection too
        # CLIENT LIST ID filters
        only = c.execute("CLIENT", "LIST", "ID", str(cid))
        self.assertEqual(only.count(b"\n"), 1)
        self.assertEqual(parse_client_line(only)["id"], str(cid))
        self.assertEqual(c.execute("CLIENT", "LIST", "ID", "abc"), RespError("ERR Invalid client ID"))
        typed = c.execute("CLIENT", "LIST", "TYPE", "normal")
        self.assertIn(("id=%d " % cid).encode(), typed)
        self.assertEqual(c.execute("CLIENT", "LIST", "TYPE", "foo"), RespError("ERR Unknown client type 'foo'"))
        c.close()

    def test_resp_field_after_hello3(self):
        c = self.server.raw(protocol=3)
        info = c.execute("CLIENT", "INFO")
        self.assertIsInstance(info, (bytes,))  # verbatim strings are bytes subclasses
        self.assertEqual(parse_client_line(info)["resp"], "3")
        c.close()

    def test_kill_by_id(self):
        victim = self.server.raw()
        vid = victim.execute("CLIENT", "ID")
        self.assertEqual(self.cmd("CLIENT", "KILL", "ID", str(vid)), 1)
        self.assertTrue(victim.is_closed())
        victim.close()
        self.assertEqual(self.cmd("CLIENT", "KILL", "ID", str(vid)), 0)
        self.assertEqual(self.cmd("CLIENT", "KILL", "ID", "999999"), 0)
        self.assertCmdError("ERR client-id should be greater than 0", "CLIENT", "KILL", "ID", "abc")
        self.assertCmdError("ERR client-id should be greater than 0", "CLIENT", "KILL", "ID", "0")

    def test_kill_and_list_by_type(self):
        sub = self.server.raw()
        sub.execute("SUBSCRIBE", "ch")
        sid = int(parse_client_line(self.cmd("CLIENT", "LIST", "TYPE", "pubsub").decode())["id"])
        self.assertNotIn(("id=%d " % sid).encode(), self.cmd("CLIENT", "LIST", "TYPE", "normal"))
        self.assertEqual(self.cmd("CLIENT", "LIST", "TYPE", "replica"), b"")
        normal = self.server.raw()
        normal.execute("PING")
        self.assertEqual(self.cmd("CLIENT", "KILL", "TYPE", "replica"), 0)
        self.assertEqual(self.cmd("CLIENT", "KILL", "TYPE", "pubsub"), 1)
        self.assertTrue(sub.is_closed())
        self.assertEqual(normal.execute("PING"), "PONG")
        nid = str(normal.execute("CLIENT", "ID"))
        self.assertEqual(self.cmd("CLIENT", "KILL", "TYPE", "pubsub", "ID", nid), 0)
        self.assertEqual(self.cmd("CLIENT", "KILL", "TYPE", "normal", "ID", nid), 1)
        self.assertTrue(normal.is_closed())
        self.assertEqual(self.cmd("PING"), "PONG")
        sub.close()
        normal.close()

    @ember_only
    def test_kill_by_maxage(self):
        # Redis 7.4's filter.
        old = self.server.raw()
        old.execute("PING")
        time.sleep(1.1)
        young = self.server.raw()
        young.execute("PING")
        self.assertEqual(self.cmd("CLIENT", "KILL", "MAXAGE", "1", "SKIPME", "yes", "ID", str(old.execute("CLIENT", "ID"))), 1)
        self.assertTrue(old.is_closed())
        self.assertEqual(young.execute("PING"), "PONG")
        self.assertCmdError(SYNTAX, "CLIENT", "KILL", "MAXAGE", "0")
        old.close()
        young.close()

    def test_kill_by_addr(self):
        victim = self.server.raw()
        victim.execute("PING")
        addr = "127.0.0.1:%d" % victim.sock.getsockname()[1]
        self.assertEqual(self.cmd("CLIENT", "KILL", "ADDR", addr), 1)
        self.assertTrue(victim.is_closed())
        victim.close()
        self.assertEqual(self.cmd("CLIENT", "KILL", "ADDR", addr), 0)

    def test_kill_old_style(self):
        victim = self.server.raw()
        victim.execute("PING")
        addr = "127.0.0.1:%d" % victim.sock.getsockname()[1]
        self.assertEqual(self.cmd("CLIENT", "KILL", addr), "OK")
        self.assertTrue(victim.is_closed())
        victim.close()
        self.assertCmdError("ERR No such client", "CLIENT", "KILL", addr)
        self.assertCmdError("ERR No such client", "CLIENT", "KILL", "127.0.0.1:1")

    def test_kill_skipme(self):
        c = self.server.raw()
        cid = c.execute("CLIENT", "ID")
        self.assertEqual(c.execute("CLIENT", "KILL", "ID", str(cid)), 0)  # SKIPME yes by default
        self.assertEqual(c.execute("PING"), "PONG")
        self.assertEqual(c.execute("CLIENT", "KILL", "ID", str(cid), "SKIPME", "no"), 1)
        self.assertTrue(c.is_closed())
        c.close()
        self.assertEqual(self.cmd("PING"), "PONG")

    def test_kill_errors(self):
        self.assertCmdError(arity("client|kill"), "CLIENT", "KILL")
        self.assertCmdError(SYNTAX, "CLIENT", "KILL", "FOO", "x")
        self.assertCmdError(SYNTAX, "CLIENT", "KILL", "ID", "1", "SKIPME", "maybe")

    def test_unknown_subcommand(self):
        self.assertCmdError("ERR unknown subcommand 'foo'. Try CLIENT HELP.", "CLIENT", "foo")
        self.assertCmdError("ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT", "foo")

    @ember_only
    def test_setinfo(self):
        # Redis 7.2 behaviour (7.0 has no CLIENT SETINFO)
        c = self.server.raw()
        self.assertEqual(c.execute("CLIENT", "SETINFO", "lib-name", "redis-py"), "OK")
        self.assertEqual(c.execute("CLIENT", "SETINFO", "LIB-VER", "4.3.4"), "OK")
        f = parse_client_line(c.execute("CLIENT", "INFO"))
        self.assertEqual(f["lib-name"], "redis-py")
        self.assertEqual(f["lib-ver"], "4.3.4")
        self.assertEqual(c.execute("CLIENT", "SETINFO", "foo", "x"), RespError("ERR Unrecognized option 'foo'"))
        self.assertEqual(c.execute("CLIENT", "SETINFO", "lib-name", "a b"),
                         RespError("ERR lib-name cannot contain spaces, newlines or special characters."))
        self.assertEqual(c.execute("CLIENT", "SETINFO", "lib-name"), RespError(arity("client|setinfo")))
        # RESET does not clear lib-name / lib-ver; an empty value does
        self.assertEqual(c.execute("RESET"), "RESET")
        f = parse_client_line(c.execute("CLIENT", "INFO"))
        self.assertEqual(f["lib-name"], "redis-py")
        self.assertEqual(c.execute("CLIENT", "SETINFO", "lib-name", ""), "OK")
        f = parse_client_line(c.execute("CLIENT", "INFO"))
        self.assertEqual(f["lib-name"], "")
        self.assertEqual(f["lib-ver"], "4.3.4")
        c.close()


class TestRoleAndLolwut(ServerTestCase):

    def test_role_of_a_primary_without_replicas(self):
        self.assertEqual(self.cmd("ROLE"), [b"master", 0, []])
        self.assertEqual(self.server.raw(protocol=3).execute("ROLE"), [b"master", 0, []])

    def test_lolwut_version_line(self):
        version = parse_info(self.cmd("INFO", "server"))["redis_version"]
        for args in ((), ("VERSION", "99"), ("whatever",)):
            self.assertEqual(self.cmd("LOLWUT", *args), ("Redis ver. %s\n" % version).encode(), args)
        self.assertCmdError(NOT_INT, "LOLWUT", "VERSION", "x")


if __name__ == "__main__":
    main()
