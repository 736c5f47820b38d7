#!/usr/bin/python3
"""Wire protocol: inline commands, RESP2 vs RESP3 shapes, binary safety, pipelining,
malformed input and the connection limits (proto-max-bulk-len, client-query-buffer-limit,
maxclients, timeout)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ServerTestCase, RawClient, RespError, RespMap, RespSet, RespVerbatim,  # noqa: E402
                     RESP3_NULL, ember_only, main)

BAD_BULK = b"-ERR Protocol error: invalid bulk length\r\n"
BAD_MULTIBULK = b"-ERR Protocol error: invalid multibulk length\r\n"
UNBALANCED = b"-ERR Protocol error: unbalanced quotes in request\r\n"


def resp(*args):
    return RawClient.encode(*args)


class ProtocolCase(ServerTestCase):

    def assertClosedWith(self, data, expected, timeout=5.0):
        """Send `data` on a fresh connection; the server must reply exactly `expected` and close."""
        c = self.server.raw()
        try:
            c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = c.read_raw_until_closed(timeout)
        c.close()
        self.assertEqual(got, expected)

    def assertServerFine(self):
        self.assertTrue(self.server.is_alive())
        self.r.set("alive", "yes")
        self.assertEqual(self.r.get("alive"), b"yes")


class TestInline(ProtocolCase):

    def test_inline_ping(self):
        c = self.server.raw()
        c.send_raw(b"PING\r\n")
        self.assertEqual(c.read(), "PONG")
        c.send_raw(b"ping hello\r\n")
        self.assertEqual(c.read(), b"hello")
        c.send_raw(b"PING\n")  # a bare LF also ends an inline command
        self.assertEqual(c.read(), "PONG")
        c.close()

    def test_inline_set_get(self):
        c = self.server.raw()
        c.send_raw(b"SET a b\r\n")
        self.assertEqual(c.read(), "OK")
        c.send_raw(b"GET a\r\n")
        self.assertEqual(c.read(), b"b")
        c.send_raw(b"  SET   spaced    out  \r\n")
        self.assertEqual(c.read(), "OK")
        self.assertEqual(self.r.get("spaced"), b"out")
        c.close()

    def test_inline_quoted_args(self):
        c = self.server.raw()
        c.send_raw(b'SET k "a b"\r\n')
        self.assertEqual(c.read(), "OK")
        self.assertEqual(self.r.get("k"), b"a b")
        c.send_raw(b"SET k2 'single quoted'\r\n")
        self.assertEqual(c.read(), "OK")
        self.assertEqual(self.r.get("k2"), b"single quoted")
        c.send_raw(b'SET k3 "esc\\x41\\n\\t\\"q\\""\r\n')
        self.assertEqual(c.read(), "OK")
        self.assertEqual(self.r.get("k3"), b'escA\n\t"q"')
        c.send_raw(b'SET "key with space" ""\r\n')
        self.assertEqual(c.read(), "OK")
        self.assertEqual(self.r.get("key with space"), b"")
        c.close()

    def test_inline_empty_lines_ignored(self):
        c = self.server.raw()
        c.send_raw(b"\r\n\r\n   \r\nPING\r\n")
        self.assertEqual(c.read(), "PONG")
        c.send_raw(b"\r\nECHO x\r\n")
        self.assertEqual(c.read(), b"x")
        c.close()

    def test_inline_errors(self):
        c = self.server.raw()
        c.send_raw(b"ping a b c\r\n")
        self.assertEqual(c.read(), RespError("ERR wrong number of arguments for 'ping' command"))
        c.send_raw(b"nosuchcmd x y\r\n")
        self.assertEqual(c.read(), RespError("ERR unknown command 'nosuchcmd', with args beginning with: 'x' 'y' "))
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()

    def test_inline_and_multibulk_mixed(self):
        c = self.server.raw()
        c.send_raw(b"SET m 1\r\n" + resp("INCR", "m") + b"INCR m\r\n" + resp("GET", "m"))
        self.assertEqual([c.read() for _ in range(4)], ["OK", 2, 3, b"3"])
        c.close()

    def test_unbalanced_quotes(self):
        self.assertClosedWith(b'SET k "a b\r\n', UNBALANCED)
        self.assertClosedWith(b"SET k 'a b\r\n", UNBALANCED)
        self.assertClosedWith(b'SET k "a"b\r\n', UNBALANCED)
        self.assertEqual(self.r.exists("k"), 0)
        self.assertServerFine()

    def test_too_big_inline(self):
        self.assertClosedWith(b"a" * 70000, b"-ERR Protocol error: too big inline request\r\n")
        self.assertServerFine()


class TestResp3(ProtocolCase):

    def test_null_shapes(self):
        c2 = self.server.raw()
        c2.send("GET", "nokey")
        self.assertEqual(c2.read_raw(1.0), b"$-1\r\n")
        c2.send("MGET", "nokey")
        self.assertEqual(c2.read_raw(1.0), b"*1\r\n$-1\r\n")
        c3 = self.server.raw(protocol=3)
        c3.send("GET", "nokey")
        self.assertEqual(c3.read_raw(1.0), b"_\r\n")
        c3.send("MGET", "nokey")
        self.assertEqual(c3.read_raw(1.0), b"*1\r\n_\r\n")
        self.assertIs(c3.execute("GET", "nokey"), RESP3_NULL)
        self.assertIs(c3.execute("CLIENT", "GETNAME"), RESP3_NULL)
        self.assertIs(c3.execute("OBJECT", "ENCODING", "nokey"), RESP3_NULL)
        self.assertIs(c3.execute("SET", "k", "v", "XX"), RESP3_NULL)
        self.assertIsNone(c2.execute("SET", "k", "v", "XX"))
        c2.close()
        c3.close()

    def test_hello_map(self):
        c = self.server.raw()
        c.send("HELLO", "3")
        raw = c.read_raw(1.0)
        self.assertTrue(raw.startswith(b"%7\r\n$6\r\nserver\r\n"), raw)
        c.send("HELLO", "2")
        raw = c.read_raw(1.0)
        self.assertTrue(raw.startswith(b"*14\r\n$6\r\nserver\r\n"), raw)
        c.close()

    def test_config_get_shapes(self):
        c2 = self.server.raw()
        self.assertEqual(c2.execute("CONFIG", "GET", "timeout"), [b"timeout", b"0"])
        c3 = self.server.raw(protocol=3)
        reply = c3.execute("CONFIG", "GET", "timeout")
        self.assertIsInstance(reply, RespMap)
        self.assertEqual(dict(reply), {b"timeout": b"0"})
        c3.send("CONFIG", "GET", "timeout")
        self.assertEqual(c3.read_raw(1.0), b"%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n")
        reply = c3.execute("CONFIG", "GET", "maxmemory*")
        self.assertIsInstance(reply, RespMap)
        self.assertIn(b"maxmemory", reply)
        self.assertEqual(c3.execute("CONFIG", "GET", "nonexistent"), RespMap([]))
        c2.close()
        c3.close()

    def test_integers_strings_errors(self):
        c = self.server.raw(protocol=3)
        c.send("TTL", "nokey")
        self.assertEqual(c.read_raw(1.0), b":-2\r\n")
        self.assertEqual(c.execute("SET", "k", "v"), "OK")
        self.assertEqual(c.execute("TTL", "k"), -1)
        self.assertEqual(c.execute("INCR", "n"), 1)
        self.assertEqual(c.execute("GET", "k"), b"v")
        c.send("INCRBYFLOAT", "f", "1.5")
        self.assertEqual(c.read_raw(1.0), b"$3\r\n1.5\r\n")  # a bulk string, not a RESP3 double
        self.assertEqual(c.execute("MGET", "k", "nokey"), [b"v", RESP3_NULL])
        self.assertEqual(c.execute("GET"), RespError("ERR wrong number of arguments for 'get' command"))
        cursor, seen = b"0", []
        for _ in range(1000):
            reply = c.execute("SCAN", cursor)
            self.assertIsInstance(reply, list)
            self.assertIsInstance(reply[1], list)
            cursor = reply[0]
            seen += reply[1]
            if cursor == b"0":
                break
        self.assertEqual(cursor, b"0")
        self.assertEqual(sorted(seen), [b"f", b"k", b"n"])
        c.close()

    def test_verbatim_and_sets(self):
        c = self.server.raw(protocol=3)
        info = c.execute("INFO", "server")
        self.assertIsInstance(info, RespVerbatim)
        self.assertEqual(info.format, b"txt")
        self.assertTrue(info.startswith(b"# Server\r\n"))
        ci = c.execute("CLIENT", "INFO")
        self.assertIsInstance(ci, RespVerbatim)
        self.assertIn(b" resp=3", ci)
        entry = c.execute("COMMAND", "INFO", "get")[0]
        self.assertIsInstance(entry[2], RespSet)
        self.assertIn("readonly", entry[2])
        docs = c.execute("COMMAND", "DOCS", "get")
        self.assertIsInstance(docs, RespMap)
        self.assertIsInstance(docs[b"get"], RespMap)
        self.assertEqual(docs[b"get"][b"group"], b"string")
        c.close()
        c2 = self.server.raw()
        info = c2.execute("INFO", "server")
        self.assertNotIsInstance(info, RespVerbatim)
        self.assertTrue(info.startswith(b"# Server\r\n"))
        c2.close()

    def test_reset_back_to_resp2(self):
        c = self.server.raw(protocol=3)
        self.assertEqual(c.execute("RESET"), "RESET")
        c.send("GET", "nokey")
        self.assertEqual(c.read_raw(1.0), b"$-1\r\n")
        c.close()


class TestBinarySafety(ProtocolCase):

    KEYS = [b"bin\x00key", b"\xff\xfe\xfd", b"caf\xc3", b"line\r\nbreak", b"\x00", b" ", b"*?[", b"\xc0\x80"]

    def test_set_get(self):
        value = bytes(range(256)) * 4
        for k in self.KEYS:
            self.assertEqual(self.cmd("SET", k, value + k), "OK")
        for k in self.KEYS:
            self.assertEqual(self.cmd("GET", k), value + k)
            self.assertEqual(self.cmd("STRLEN", k), len(value) + len(k))
        self.assertEqual(self.cmd("MGET", *self.KEYS), [value + k for k in self.KEYS])
        self.assertEqual(self.cmd("EXISTS", *self.KEYS), len(self.KEYS))
        self.assertEqual(self.cmd("GETRANGE", b"bin\x00key", "0", "3"), b"\x00\x01\x02\x03")
        self.assertEqual(self.cmd("APPEND", b"\x00", b"\x00\xff"), len(value) + 3)
        self.assertEqual(self.cmd("GET", b"\x00")[-3:], b"\x00\x00\xff")

    def test_keys_and_scan(self):
        for k in self.KEYS:
            self.r.set(k, b"v")
        self.assertEqual(sorted(self.cmd("KEYS", "*")), sorted(self.KEYS))
        self.assertEqual(self.cmd("KEYS", b"bin\x00*"), [b"bin\x00key"])
        self.assertEqual(self.cmd("KEYS", b"\xff*"), [b"\xff\xfe\xfd"])
        self.assertEqual(self.cmd("KEYS", b"caf?"), [b"caf\xc3"])
        self.assertEqual(self.cmd("KEYS", b"\\*\\?\\["), [b"*?["])
        self.assertEqual(sorted(self.scan("COUNT", "3")), sorted(self.KEYS))
        self.assertEqual(self.scan("MATCH", b"line\r\n*", "COUNT", "1000"), [b"line\r\nbreak"])
        self.assertEqual(self.scan("MATCH", b"bin\x00*"), [b"bin\x00key"])

    def scan(self, *args):
        seen = []
        cursor = b"0"
        for _ in range(10000):
            cursor, keys = self.cmd("SCAN", cursor, *args)
            seen.extend(keys)
            if cursor == b"0":
                return seen
        self.fail("SCAN did not finish")

    def test_rename_copy_del(self):
        self.r.set(b"src\x00\xff", b"payload\x00")
        self.assertEqual(self.cmd("RENAME", b"src\x00\xff", b"dst\x00\xfe"), "OK")
        self.assertEqual(self.cmd("GET", b"dst\x00\xfe"), b"payload\x00")
        self.assertEqual(self.cmd("EXISTS", b"src\x00\xff"), 0)
        self.assertEqual(self.cmd("EXISTS", b"src\x00"), 0)
        self.assertEqual(self.cmd("COPY", b"dst\x00\xfe", b"cp\x00"), 1)
        self.assertEqual(self.cmd("GET", b"cp\x00"), b"payload\x00")
        self.assertEqual(self.cmd("DEL", b"dst\x00\xfe", b"cp\x00", b"cp"), 2)
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_distinct_prefix_keys(self):
        # keys that differ only after a NUL byte are different keys
        self.r.set(b"a\x00b", b"1")
        self.r.set(b"a\x00c", b"2")
        self.r.set(b"a", b"3")
        self.assertEqual(self.cmd("MGET", b"a\x00b", b"a\x00c", b"a"), [b"1", b"2", b"3"])
        self.assertEqual(self.cmd("DBSIZE"), 3)


class TestPipelining(ProtocolCase):

    def test_large_pipeline_single_write(self):
        n = 10000
        parts = []
        expected = []
        counter = 0
        for i in range(n):
            if i % 3 == 0:
                parts.append(resp("SET", "k%d" % i, "v%d" % i))
                expected.append("OK")
            elif i % 3 == 1:
                parts.append(resp("INCR", "counter"))
                counter += 1
                expected.append(counter)
            else:
                parts.append(resp("GET", "k%d" % (i - 2)))
                expected.append(("v%d" % (i - 2)).encode())
        c = self.server.raw()
        c.send_raw(b"".join(parts))
        got = [c.read() for _ in range(n)]
        self.assertEqual(got, expected)
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()

    def test_pipeline_large_replies(self):
        value = os.urandom(64 * 1024)
        self.r.set("big", value)
        c = self.server.raw()
        c.send_raw(resp("GET", "big") * 200)
        for _ in range(200):
            self.assertEqual(c.read(), value)
        c.close()

    def test_pipeline_with_errors_in_order(self):
        c = self.server.raw()
        c.send_raw(resp("SET", "a", "x") + resp("INCR", "a") + resp("GET") + resp("GET", "a") + b"PING\r\n")
        self.assertEqual(c.read(), "OK")
        self.assertEqual(c.read(), RespError("ERR value is not an integer or out of range"))
        self.assertEqual(c.read(), RespError("ERR wrong number of arguments for 'get' command"))
        self.assertEqual(c.read(), b"x")
        self.assertEqual(c.read(), "PONG")
        c.close()

    PIPELINE = (resp("SET", "key", "hello") + b"GET key\r\n" + resp("INCR", "n") + b"PING\r\n"
                + resp("GET", "key") + resp("MSET", "a", "1", "b", "") + resp("MGET", "a", "b"))

    def expected_replies(self, n_value):
        return ["OK", b"hello", n_value, "PONG", b"hello", "OK", [b"1", b""]]

    def test_byte_at_a_time(self):
        c = self.server.raw()
        for i in range(len(self.PIPELINE)):
            c.send_raw(self.PIPELINE[i:i + 1])
            time.sleep(0.001)
        got = [c.read() for _ in range(7)]
        self.assertEqual(got, self.expected_replies(1))
        c.close()

    def test_split_at_every_boundary(self):
        c = self.server.raw()
        data = self.PIPELINE
        for i in range(1, len(data)):
            c.send_raw(data[:i])
            time.sleep(0.001)
            c.send_raw(data[i:])
            got = [c.read() for _ in range(7)]
            self.assertEqual(got, self.expected_replies(i), "split at %d" % i)
        c.close()

    def test_partial_command_waits(self):
        c = self.server.raw()
        c.send_raw(b"*2\r\n$4\r\nECHO\r\n$5\r\nhel")
        self.assertEqual(c.read_raw(0.5), b"")
        c.send_raw(b"lo\r")
        self.assertEqual(c.read_raw(0.3), b"")
        c.send_raw(b"\n")
        self.assertEqual(c.read(), b"hello")
        c.close()

    def test_empty_multibulk_ignored(self):
        c = self.server.raw()
        c.send_raw(b"*0\r\n*-1\r\nPING\r\n")
        self.assertEqual(c.read(), "PONG")
        c.close()


class TestMalformed(ProtocolCase):

    def test_invalid_bulk_length(self):
        self.assertClosedWith(b"*1\r\n$abc\r\n", BAD_BULK)
        self.assertClosedWith(b"*1\r\n$-1\r\n", BAD_BULK)
        self.assertClosedWith(b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$x\r\n", BAD_BULK)
        self.assertEqual(self.r.exists("a"), 0)
        self.assertServerFine()

    def test_invalid_multibulk_length(self):
        self.assertClosedWith(b"*abc\r\n", BAD_MULTIBULK)
        self.assertClosedWith(b"*2147483648\r\n", BAD_MULTIBULK)
        self.assertServerFine()

    def test_expected_dollar(self):
        self.assertClosedWith(b"*1\r\nPING\r\n", b"-ERR Protocol error: expected '$', got 'P'\r\n")
        self.assertClosedWith(b"*2\r\n$4\r\nPING\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n")
        self.assertServerFine()

    def test_replies_before_error_are_sent(self):
        self.assertClosedWith(b"PING\r\n" + resp("SET", "x", "1") + b"*abc\r\nPING\r\n",
                              b"+PONG\r\n+OK\r\n" + BAD_MULTIBULK)
        self.assertEqual(self.r.get("x"), b"1")

    def test_other_clients_unaffected(self):
        good = self.server.raw()
        self.assertEqual(good.execute("SET", "g", "1"), "OK")
        # a second well-behaved client in the middle of a command
        partial = self.server.raw()
        partial.send_raw(b"*2\r\n$3\r\nGET\r\n$1\r\n")
        expected = 1
        for bad in (b"*1\r\n$abc\r\n", b"*abc\r\n", b'SET k "oops\r\n', b"*1\r\nX\r\n"):
            c = self.server.raw()
            c.send_raw(bad)
            self.assertTrue(c.read_raw_until_closed().startswith(b"-ERR Protocol error"))
            c.close()
            expected += 1
            self.assertEqual(good.execute("INCR", "g"), expected)
        partial.send_raw(b"g\r\n")
        self.assertEqual(partial.read(), b"5")
        self.assertEqual(good.execute("GET", "g"), b"5")
        good.close()
        partial.close()


@ember_only
class TestMultibulkLimit(ProtocolCase):
    # ember-only directive: Redis 7.0 fixes the argument-count limit at INT_MAX (tested above)
    server_args = ("--proto-max-multibulk-len", "1048576")

    def test_huge_multibulk_count(self):
        self.assertClosedWith(b"*1048577\r\n", BAD_MULTIBULK)
        self.assertServerFine()

    def test_at_limit_is_accepted(self):
        c = self.server.raw()
        c.send_raw(b"*1048576\r\n")
        self.assertEqual(c.read_raw(0.5), b"")  # waits for the arguments
        c.close()
        self.assertServerFine()


@ember_only
class TestInlineLimit(ProtocolCase):
    # ember-only directive: Redis 7.0 fixes the inline limit at 64kb (tested above)
    server_args = ("--proto-inline-max-size", "1024")

    def test_long_inline_line_without_newline(self):
        self.assertClosedWith(b"a" * 2000, b"-ERR Protocol error: too big inline request\r\n")
        self.assertServerFine()

    def test_long_count_line(self):
        self.assertClosedWith(b"*" + b"1" * 2000, b"-ERR Protocol error: too big mbulk count string\r\n")
        self.assertServerFine()

    def test_short_lines_work(self):
        c = self.server.raw()
        self.assertEqual(c.execute("SET", "k", "v" * 900), "OK")
        c.close()


class TestIdleDefault(ProtocolCase):

    def test_no_timeout_by_default(self):
        c = self.server.raw()
        self.assertEqual(c.execute("PING"), "PONG")
        time.sleep(3)
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()


class TestBulkLimit(ProtocolCase):
    server_args = ("--proto-max-bulk-len", "1048576")

    def test_bulk_over_limit(self):
        self.assertClosedWith(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n", BAD_BULK)
        self.assertClosedWith(b"*1\r\n$2000000\r\n", BAD_BULK)
        self.assertEqual(self.r.exists("k"), 0)
        self.assertServerFine()

    def test_bulk_at_limit(self):
        value = b"x" * 1048576
        self.assertTrue(self.r.set("k", value))
        self.assertEqual(self.r.strlen("k"), 1048576)

    def test_string_growth_limit(self):
        self.assertEqual(self.cmd("SETRANGE", "k", "1048575", "x"), 1048576)
        self.assertEqual(self.cmd("SETRANGE", "k2", "1048576", "x"),
                         RespError("ERR string exceeds maximum allowed size (proto-max-bulk-len)"))
        self.assertEqual(self.cmd("APPEND", "k", "y"),
                         RespError("ERR string exceeds maximum allowed size (proto-max-bulk-len)"))
        self.assertEqual(self.cmd("STRLEN", "k"), 1048576)
        self.assertEqual(self.cmd("CONFIG", "GET", "proto-max-bulk-len"), [b"proto-max-bulk-len", b"1048576"])


class TestQueryBufferLimit(ProtocolCase):
    # Redis accepts 1mb as the smallest client-query-buffer-limit
    server_args = ("--client-query-buffer-limit", "1048576")

    def test_client_closed_when_query_buffer_exceeds_limit(self):
        other = self.server.raw()
        self.assertEqual(other.execute("SET", "o", "1"), "OK")
        c = self.server.raw()
        payload = resp("SET", "k", b"a" * (3 * 1024 * 1024))
        try:
            c.send_raw(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = c.read_raw_until_closed(10)
        c.close()
        self.assertNotIn(b"+OK", got)
        self.assertEqual(self.r.exists("k"), 0)
        self.assertEqual(other.execute("GET", "o"), b"1")
        self.assertServerFine()
        other.close()

    def test_many_small_args_are_fine(self):
        # the limit is on the unparsed buffer, not the total command size
        mapping = {("k%d" % i).encode(): b"v" * 1000 for i in range(1500)}
        self.assertTrue(self.r.mset(mapping))
        self.assertEqual(self.r.dbsize(), 1500)


class TestMaxClients(ProtocolCase):
    server_args = ("--maxclients", "5")

    def connected(self):
        text = self.cmd("INFO", "clients").decode()
        for line in text.split("\r\n"):
            if line.startswith("connected_clients:"):
                return int(line.split(":")[1])
        raise AssertionError("no connected_clients in INFO")

    def test_sixth_client_refused(self):
        n = self.connected()  # self.r's and self.c's connections
        self.assertLessEqual(n, 5)
        extra = []
        for _ in range(5 - n):
            c = self.server.raw()
            self.assertEqual(c.execute("PING"), "PONG")
            extra.append(c)
        refused = self.server.raw()
        self.assertEqual(refused.read_raw_until_closed(), b"-ERR max number of clients reached\r\n")
        refused.close()
        # existing clients unaffected
        for c in extra:
            self.assertEqual(c.execute("PING"), "PONG")
        self.assertEqual(self.cmd("PING"), "PONG")
        # after one disconnects, a new client gets in
        extra.pop().close()
        deadline = time.time() + 5
        ok = False
        while time.time() < deadline and not ok:
            c = self.server.raw()
            c.send("PING")
            reply = c.read_raw(1.0)
            if reply == b"+PONG\r\n":
                ok = True
                extra.append(c)
            else:
                c.close()
                time.sleep(0.1)
        self.assertTrue(ok, "no slot freed after a client disconnected")
        for c in extra:
            c.close()


class TestIdleTimeout(ProtocolCase):
    server_args = ("--timeout", "1")

    def test_idle_client_closed(self):
        c = self.server.raw()
        self.assertEqual(c.execute("PING"), "PONG")
        self.assertEqual(c.read_raw_until_closed(8), b"")
        c.close()
        self.assertTrue(self.server.is_alive())

    def test_active_client_kept(self):
        c = self.server.raw()
        end = time.time() + 2.5
        while time.time() < end:
            self.assertEqual(c.execute("PING"), "PONG")
            time.sleep(0.25)
        self.assertEqual(c.execute("PING"), "PONG")
        c.close()


if __name__ == "__main__":
    main()
