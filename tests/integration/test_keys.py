#!/usr/bin/python3
"""Keyspace commands: DEL/EXISTS/expiry/TTL/TYPE/SCAN/KEYS/RENAME/COPY/RANDOMKEY/OBJECT."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, main  # noqa: E402
from harness import SYNTAX, NOT_INT, arity  # noqa: E402

NX_XX = "ERR NX and XX, GT or LT options at the same time are not compatible"
GT_LT = "ERR GT and LT options at the same time are not compatible"


class TestDelExists(ServerTestCase):

    def test_del(self):
        self.r.mset({"a": 1, "b": 2, "c": 3})
        self.assertEqual(self.cmd("DEL", "a", "b", "nokey"), 2)
        self.assertEqual(self.cmd("DEL", "a"), 0)
        self.assertEqual(self.cmd("DEL", "c", "c", "c"), 1)
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.assertCmdError(arity("del"), "DEL")

    def test_unlink(self):
        self.r.mset({"a": 1, "b": 2})
        self.assertEqual(self.cmd("UNLINK", "a", "b", "nokey"), 2)
        self.assertEqual(self.cmd("UNLINK", "a"), 0)
        self.assertEqual(self.cmd("EXISTS", "a", "b"), 0)
        self.assertCmdError(arity("unlink"), "UNLINK")

    def test_exists_counts_repeats(self):
        self.r.mset({"a": 1, "b": 2})
        self.assertEqual(self.cmd("EXISTS", "a"), 1)
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.assertEqual(self.cmd("EXISTS", "a", "a", "nokey"), 2)
        self.assertEqual(self.cmd("EXISTS", "a", "b", "a", "b", "a"), 5)
        self.assertCmdError(arity("exists"), "EXISTS")

    def test_touch(self):
        self.r.mset({"a": 1, "b": 2})
        self.assertEqual(self.cmd("TOUCH", "a", "a", "nokey"), 2)
        self.assertEqual(self.cmd("TOUCH", "a", "b"), 2)
        self.assertEqual(self.cmd("TOUCH", "nokey"), 0)
        self.assertCmdError(arity("touch"), "TOUCH")

    def test_type(self):
        self.r.set("s", "v")
        self.r.set("n", "12")
        self.assertEqual(self.cmd("TYPE", "s"), "string")
        self.assertEqual(self.cmd("TYPE", "n"), "string")
        self.assertEqual(self.cmd("TYPE", "nokey"), "none")
        self.assertCmdError(arity("type"), "TYPE")

    def test_dbsize(self):
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.r.mset({"k%d" % i: i for i in range(100)})
        self.assertEqual(self.cmd("DBSIZE"), 100)
        self.r.delete("k0", "k1")
        self.assertEqual(self.cmd("DBSIZE"), 98)


class TestExpire(ServerTestCase):

    def test_expire_and_ttl(self):
        self.assertEqual(self.cmd("TTL", "nokey"), -2)
        self.assertEqual(self.cmd("PTTL", "nokey"), -2)
        self.r.set("a", "v")
        self.assertEqual(self.cmd("TTL", "a"), -1)
        self.assertEqual(self.cmd("PTTL", "a"), -1)
        self.assertEqual(self.cmd("EXPIRE", "a", "100"), 1)
        self.assertTrue(95 <= self.cmd("TTL", "a") <= 100)
        self.assertTrue(95000 <= self.cmd("PTTL", "a") <= 100000)
        self.assertEqual(self.cmd("PEXPIRE", "a", "200000"), 1)
        self.assertTrue(195 <= self.cmd("TTL", "a") <= 200)
        self.assertEqual(self.cmd("EXPIRE", "nokey", "100"), 0)
        self.assertEqual(self.cmd("PEXPIRE", "nokey", "100"), 0)
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)

    def test_expireat_and_expiretime(self):
        self.assertEqual(self.cmd("EXPIRETIME", "nokey"), -2)
        self.assertEqual(self.cmd("PEXPIRETIME", "nokey"), -2)
        self.r.set("a", "v")
        self.assertEqual(self.cmd("EXPIRETIME", "a"), -1)
        self.assertEqual(self.cmd("PEXPIRETIME", "a"), -1)
        at = int(time.time()) + 1000
        self.assertEqual(self.cmd("EXPIREAT", "a", str(at)), 1)
        self.assertEqual(self.cmd("EXPIRETIME", "a"), at)
        self.assertEqual(self.cmd("PEXPIRETIME", "a"), at * 1000)
        self.assertTrue(990 <= self.cmd("TTL", "a") <= 1000)
        self.assertEqual(self.cmd("PEXPIREAT", "a", str(at * 1000 + 555)), 1)
        self.assertEqual(self.cmd("PEXPIRETIME", "a"), at * 1000 + 555)
        self.assertEqual(self.cmd("EXPIRETIME", "a"), at + 1)  # rounded to the nearest second
        self.assertEqual(self.cmd("PEXPIREAT", "a", str(at * 1000 + 499)), 1)
        self.assertEqual(self.cmd("EXPIRETIME", "a"), at)
        self.assertEqual(self.cmd("EXPIREAT", "nokey", str(at)), 0)
        self.assertEqual(self.cmd("PEXPIREAT", "nokey", str(at * 1000)), 0)

    def test_zero_or_past_time_deletes(self):
        cases = [("EXPIRE", "0"), ("EXPIRE", "-5"), ("PEXPIRE", "0"), ("PEXPIRE", "-1000"),
                 ("EXPIREAT", "1"), ("EXPIREAT", "0"), ("PEXPIREAT", "0"), ("PEXPIREAT", "1"),
                 ("EXPIREAT", str(int(time.time()) - 10))]
        for cmd, arg in cases:
            self.r.set("a", "v")
            self.assertEqual(self.cmd(cmd, "a", arg), 1, (cmd, arg))
            self.assertEqual(self.cmd("EXISTS", "a"), 0, (cmd, arg))
            self.assertIsNone(self.cmd("GET", "a"))
            self.assertEqual(self.cmd("TTL", "a"), -2)
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_invalid_expire(self):
        self.r.set("a", "v")
        self.assertCmdError(NOT_INT, "EXPIRE", "a", "abc")
        self.assertCmdError(NOT_INT, "PEXPIRE", "a", "1.5")
        self.assertCmdError(NOT_INT, "EXPIREAT", "a", "")
        self.assertCmdError("ERR invalid expire time in 'expire' command", "EXPIRE", "a", "9223372036854775807")
        self.assertCmdError("ERR invalid expire time in 'expire' command", "EXPIRE", "a", "-9223372036854775808")
        self.assertCmdError("ERR invalid expire time in 'pexpire' command", "PEXPIRE", "a", "9223372036854775807")
        self.assertCmdError("ERR invalid expire time in 'expireat' command",
                            "EXPIREAT", "a", "9223372036854775807")
        self.assertEqual(self.cmd("TTL", "a"), -1)
        self.assertCmdError(arity("expire"), "EXPIRE", "a")
        self.assertCmdError(arity("ttl"), "TTL")
        self.assertCmdError(arity("pexpiretime"), "PEXPIRETIME")

    def test_expire_options_errors(self):
        self.r.set("a", "v")
        for opts in (["NX", "XX"], ["XX", "NX"], ["NX", "GT"], ["NX", "LT"], ["LT", "NX"]):
            self.assertCmdError(NX_XX, "EXPIRE", "a", "100", *opts)
            self.assertCmdError(NX_XX, "PEXPIREAT", "a", "100", *opts)
        self.assertCmdError(GT_LT, "EXPIRE", "a", "100", "GT", "LT")
        self.assertCmdError(GT_LT, "PEXPIRE", "a", "100", "LT", "GT")
        self.assertCmdError("ERR Unsupported option foo", "EXPIRE", "a", "100", "foo")
        self.assertEqual(self.cmd("TTL", "a"), -1)

    def test_expire_nx_xx(self):
        self.r.set("a", "v")
        self.assertEqual(self.cmd("EXPIRE", "a", "100", "XX"), 0)
        self.assertEqual(self.cmd("TTL", "a"), -1)
        self.assertEqual(self.cmd("EXPIRE", "a", "100", "NX"), 1)
        self.assertEqual(self.cmd("EXPIRE", "a", "200", "NX"), 0)
        self.assertTrue(95 <= self.cmd("TTL", "a") <= 100)
        self.assertEqual(self.cmd("EXPIRE", "a", "200", "xx"), 1)
        self.assertTrue(195 <= self.cmd("TTL", "a") <= 200)
        self.assertEqual(self.cmd("EXPIRE", "nokey", "100", "NX"), 0)

    def test_expire_gt_lt(self):
        self.r.set("a", "v")
        # a key without TTL counts as an infinite TTL
        self.assertEqual(self.cmd("EXPIRE", "a", "100", "GT"), 0)
        self.assertEqual(self.cmd("TTL", "a"), -1)
        self.assertEqual(self.cmd("EXPIRE", "a", "100", "LT"), 1)
        self.assertTrue(95 <= self.cmd("TTL", "a") <= 100)
        self.assertEqual(self.cmd("EXPIRE", "a", "200", "LT"), 0)
        self.assertEqual(self.cmd("EXPIRE", "a", "50", "GT"), 0)
        self.assertTrue(95 <= self.cmd("TTL", "a") <= 100)
        self.assertEqual(self.cmd("EXPIRE", "a", "200", "GT"), 1)
        self.assertTrue(195 <= self.cmd("TTL", "a") <= 200)
        self.assertEqual(self.cmd("PEXPIRE", "a", "50000", "LT"), 1)
        self.assertTrue(45 <= self.cmd("TTL", "a") <= 50)
        self.assertEqual(self.cmd("EXPIRE", "a", "300", "XX", "GT"), 1)
        self.assertTrue(295 <= self.cmd("TTL", "a") <= 300)
        at = int(time.time()) + 1000
        self.assertEqual(self.cmd("EXPIREAT", "a", str(at), "LT"), 0)
        self.assertEqual(self.cmd("EXPIREAT", "a", str(at), "GT"), 1)
        self.assertEqual(self.cmd("EXPIRETIME", "a"), at)

    def test_persist(self):
        self.r.set("a", "v")
        self.assertEqual(self.cmd("PERSIST", "a"), 0)
        self.assertEqual(self.cmd("PERSIST", "nokey"), 0)
        self.r.expire("a", 100)
        self.assertEqual(self.cmd("PERSIST", "a"), 1)
        self.assertEqual(self.cmd("TTL", "a"), -1)
        self.assertEqual(self.cmd("PERSIST", "a"), 0)
        self.assertEqual(self.cmd("GET", "a"), b"v")

    def test_lazy_expiry(self):
        self.assertCmdOk("SET", "a", "v", "PX", "100")
        self.assertCmdOk("SET", "b", "v", "PX", "100")
        self.assertCmdOk("SET", "c", "v", "PX", "100")
        self.assertCmdOk("SET", "keep", "v")
        time.sleep(0.4)
        self.assertIsNone(self.cmd("GET", "a"))
        self.assertEqual(self.cmd("EXISTS", "b"), 0)
        self.assertEqual(self.cmd("TTL", "c"), -2)
        self.assertEqual(self.cmd("GET", "keep"), b"v")
        self.assertEqual(self.cmd("KEYS", "*"), [b"keep"])

    def test_active_expiry(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(200):
            pipe.set("exp:%d" % i, "v", px=100)
        pipe.set("stay", "v")
        pipe.execute()
        time.sleep(1.5)
        # nothing touched the keys: only the active expiry cycle can have removed them
        deadline = time.time() + 3.0
        while self.cmd("DBSIZE") != 1 and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.cmd("DBSIZE"), 1)
        self.assertEqual(self.cmd("GET", "stay"), b"v")


class TestScanKeys(ServerTestCase):

    def scan_all(self, *args):
        cursor = b"0"
        seen = []
        calls = 0
        while True:
            reply = self.cmd("SCAN", cursor, *args)
            self.assertIsInstance(reply, list, reply)
            cursor, keys = reply
            seen.extend(keys)
            calls += 1
            self.assertLess(calls, 100000)
            if cursor == b"0":
                return seen

    def test_scan_empty(self):
        # Redis answers [0, []] at once; a sharded server may take a few calls, never returning keys
        self.assertEqual(self.scan_all(), [])
        self.assertEqual(self.scan_all("MATCH", "*", "COUNT", "1"), [])

    def test_scan_returns_everything(self):
        keys = {("key:%d" % i).encode() for i in range(1000)}
        self.r.mset({k: b"v" for k in keys})
        seen = self.scan_all()
        self.assertEqual(set(seen), keys)
        seen = self.scan_all("COUNT", "7")
        self.assertEqual(set(seen), keys)
        seen = self.scan_all("COUNT", "10000")
        self.assertEqual(set(seen), keys)

    def test_scan_match(self):
        self.r.mset({"user:%d" % i: 1 for i in range(300)})
        self.r.mset({"item:%d" % i: 1 for i in range(300)})
        seen = set(self.scan_all("MATCH", "user:*", "COUNT", "20"))
        self.assertEqual(seen, {("user:%d" % i).encode() for i in range(300)})
        seen = set(self.scan_all("MATCH", "item:1?", "COUNT", "50"))
        self.assertEqual(seen, {("item:1%d" % i).encode() for i in range(10)})
        self.assertEqual(self.scan_all("MATCH", "nothing*"), [])

    def test_scan_type(self):
        self.r.mset({"s%d" % i: 1 for i in range(50)})
        seen = set(self.scan_all("TYPE", "string", "COUNT", "10"))
        self.assertEqual(len(seen), 50)
        seen = set(self.scan_all("TYPE", "STRING", "MATCH", "s1*"))
        self.assertEqual(seen, {b"s1"} | {("s1%d" % i).encode() for i in range(10)})
        self.assertEqual(self.scan_all("TYPE", "hash"), [])

    def test_scan_while_inserting(self):
        initial = {("orig:%d" % i).encode() for i in range(2000)}
        self.r.mset({k: b"v" for k in initial})
        cursor = b"0"
        seen = set()
        added = 0
        while True:
            cursor, keys = self.cmd("SCAN", cursor, "COUNT", "25")
            seen.update(keys)
            # grow the keyspace between calls so the table resizes mid-iteration
            pipe = self.r.pipeline(transaction=False)
            for _ in range(60):
                pipe.set("new:%d" % added, "v")
                added += 1
            pipe.execute()
            if cursor == b"0":
                break
        missing = initial - seen
        self.assertFalse(missing, "%d keys present for the whole scan were not returned" % len(missing))
        self.assertGreater(added, 2000)
        self.assertEqual(self.cmd("DBSIZE"), 2000 + added)

    def test_scan_while_deleting_others(self):
        stay = {("stay:%d" % i).encode() for i in range(1000)}
        gone = ["gone:%d" % i for i in range(1000)]
        self.r.mset({k: b"v" for k in stay})
        self.r.mset({k: b"v" for k in gone})
        cursor = b"0"
        seen = set()
        while True:
            cursor, keys = self.cmd("SCAN", cursor, "COUNT", "50")
            seen.update(keys)
            if gone:
                self.r.delete(*gone[:100])
                del gone[:100]
            if cursor == b"0":
                break
        self.assertFalse(stay - seen)

    def test_scan_errors(self):
        self.assertCmdError("ERR invalid cursor", "SCAN", "abc")
        self.assertCmdError("ERR invalid cursor", "SCAN", "18446744073709551616")
        self.assertCmdError(SYNTAX, "SCAN", "0", "COUNT", "0")
        self.assertCmdError(SYNTAX, "SCAN", "0", "COUNT", "-1")
        self.assertCmdError(NOT_INT, "SCAN", "0", "COUNT", "abc")
        self.assertCmdError(SYNTAX, "SCAN", "0", "FOO")
        self.assertCmdError(SYNTAX, "SCAN", "0", "MATCH")
        self.assertCmdError(SYNTAX, "SCAN", "0", "TYPE")
        self.assertCmdError(arity("scan"), "SCAN")

    def test_keys_patterns(self):
        names = ["a", "b", "c", "abc", "a*", "a?", "ab", "bb", "cb", "db", "a[", "hello", "hallo", "hxllo",
                 "hllo", "heeeello"]
        self.r.mset({n: 1 for n in names})

        def keys(p):
            return sorted(k.decode() for k in self.cmd("KEYS", p))

        self.assertEqual(keys("*"), sorted(names))
        self.assertEqual(keys("a?"), ["a*", "a?", "a[", "ab"])
        self.assertEqual(keys("[a-c]b"), ["ab", "bb", "cb"])
        self.assertEqual(keys("[^a]b"), ["bb", "cb", "db"])
        self.assertEqual(keys("[!a]b"), ["ab"])  # only ^ negates; ! is a literal
        self.assertEqual(keys("a\\*"), ["a*"])
        self.assertEqual(keys("a\\?"), ["a?"])
        self.assertEqual(keys("a\\["), ["a["])
        self.assertEqual(keys("*b*"), ["ab", "abc", "b", "bb", "cb", "db"])
        self.assertEqual(keys("h?llo"), ["hallo", "hello", "hxllo"])
        self.assertEqual(keys("h*llo"), ["hallo", "heeeello", "hello", "hllo", "hxllo"])
        self.assertEqual(keys("h[ae]llo"), ["hallo", "hello"])
        self.assertEqual(keys("h[^e]llo"), ["hallo", "hxllo"])
        self.assertEqual(keys("h[a-b]llo"), ["hallo"])
        self.assertEqual(keys("nothing"), [])
        self.assertEqual(keys(""), [])
        self.assertEqual(keys("abc"), ["abc"])
        self.assertCmdError(arity("keys"), "KEYS")

    def test_keys_skips_expired(self):
        self.assertCmdOk("SET", "e", "v", "PX", "50")
        self.r.set("k", "v")
        time.sleep(0.2)
        self.assertEqual(self.cmd("KEYS", "*"), [b"k"])


class TestRenameCopy(ServerTestCase):

    def test_rename(self):
        self.r.set("a", "1")
        self.assertCmdOk("RENAME", "a", "b")
        self.assertEqual(self.cmd("EXISTS", "a"), 0)
        self.assertEqual(self.cmd("GET", "b"), b"1")
        self.r.set("c", "3")
        self.assertCmdOk("RENAME", "b", "c")  # overwrites
        self.assertEqual(self.cmd("GET", "c"), b"1")
        self.assertEqual(self.cmd("DBSIZE"), 1)
        self.assertCmdOk("RENAME", "c", "c")  # same name: no-op
        self.assertEqual(self.cmd("GET", "c"), b"1")
        self.assertCmdError("ERR no such key", "RENAME", "nokey", "x")
        self.assertCmdError(arity("rename"), "RENAME", "c")

    def test_rename_keeps_ttl(self):
        self.r.set("a", "1", ex=100)
        self.r.set("b", "2")
        self.assertCmdOk("RENAME", "a", "b")
        self.assertTrue(95 <= self.cmd("TTL", "b") <= 100)
        self.r.set("c", "3", ex=100)
        self.r.set("d", "4")
        self.assertCmdOk("RENAME", "d", "c")  # destination's TTL is replaced by the source's (none)
        self.assertEqual(self.cmd("TTL", "c"), -1)

    def test_renamenx(self):
        self.r.set("a", "1")
        self.r.set("b", "2")
        self.assertEqual(self.cmd("RENAMENX", "a", "b"), 0)
        self.assertEqual(self.cmd("GET", "a"), b"1")
        self.assertEqual(self.cmd("RENAMENX", "a", "c"), 1)
        self.assertEqual(self.cmd("EXISTS", "a"), 0)
        self.assertEqual(self.cmd("GET", "c"), b"1")
        self.assertEqual(self.cmd("RENAMENX", "c", "c"), 0)
        self.assertCmdError("ERR no such key", "RENAMENX", "nokey", "x")
        self.assertCmdError(arity("renamenx"), "RENAMENX", "c")

    def test_copy(self):
        self.r.set("a", "1", ex=100)
        self.assertEqual(self.cmd("COPY", "a", "b"), 1)
        self.assertEqual(self.cmd("GET", "b"), b"1")
        self.assertTrue(95 <= self.cmd("TTL", "b") <= 100)  # TTL is copied
        self.r.set("a", "2")
        self.assertEqual(self.cmd("COPY", "a", "b"), 0)
        self.assertEqual(self.cmd("GET", "b"), b"1")
        self.assertEqual(self.cmd("COPY", "a", "b", "REPLACE"), 1)
        self.assertEqual(self.cmd("GET", "b"), b"2")
        self.assertEqual(self.cmd("TTL", "b"), -1)
        self.assertEqual(self.cmd("COPY", "nokey", "x"), 0)
        self.assertEqual(self.cmd("EXISTS", "x"), 0)
        # the copy is independent of the source
        self.r.append("a", "x")
        self.assertEqual(self.cmd("GET", "b"), b"2")

    def test_copy_db_option(self):
        self.r.set("a", "1")
        self.assertEqual(self.cmd("COPY", "a", "b", "DB", "0"), 1)
        self.assertEqual(self.cmd("GET", "b"), b"1")
        self.assertEqual(self.cmd("COPY", "a", "b", "DB", "0", "REPLACE"), 1)
        self.assertEqual(self.cmd("COPY", "a", "c", "REPLACE", "DB", "0"), 1)
        self.assertCmdError("ERR DB index is out of range", "COPY", "a", "d", "DB", "16")
        self.assertCmdError("ERR DB index is out of range", "COPY", "a", "d", "DB", "-1")
        self.assertCmdError(NOT_INT, "COPY", "a", "d", "DB", "abc")

    def test_copy_errors(self):
        self.r.set("a", "1")
        self.assertCmdError("ERR source and destination objects are the same", "COPY", "a", "a")
        self.assertCmdError(SYNTAX, "COPY", "a", "b", "FOO")
        self.assertCmdError(SYNTAX, "COPY", "a", "b", "DB")
        self.assertCmdError(arity("copy"), "COPY", "a")
        self.assertEqual(self.cmd("EXISTS", "b"), 0)


class TestMisc(ServerTestCase):

    def test_randomkey(self):
        self.assertIsNone(self.cmd("RANDOMKEY"))
        self.r.set("only", "1")
        self.assertEqual(self.cmd("RANDOMKEY"), b"only")
        names = {("k%d" % i).encode() for i in range(20)}
        self.r.mset({k: 1 for k in names})
        names.add(b"only")
        got = {self.cmd("RANDOMKEY") for _ in range(200)}
        self.assertTrue(got <= names)
        self.assertGreater(len(got), 1)
        self.assertCmdError(arity("randomkey"), "RANDOMKEY", "x")

    def test_object_encoding(self):
        cases = {"0": "int", "123": "int", "-5": "int", "9223372036854775807": "int",
                 "-9223372036854775808": "int", "9223372036854775808": "embstr", "01": "embstr",
                 "1.5": "embstr", "": "embstr", "a": "embstr", "x" * 44: "embstr", "x" * 45: "raw",
                 "y" * 1000: "raw", " 1": "embstr", "+1": "embstr"}
        for i, (value, enc) in enumerate(cases.items()):
            key = "k%d" % i
            self.assertCmdOk("SET", key, value)
            self.assertEqual(self.cmd("OBJECT", "ENCODING", key), enc.encode(), repr(value))
            self.assertEqual(self.cmd("object", "encoding", key), enc.encode(), repr(value))
        self.assertIsNone(self.cmd("OBJECT", "ENCODING", "nokey"))
        self.assertEqual(self.cmd("INCR", "counter"), 1)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "counter"), b"int")

    def test_object_errors(self):
        self.assertCmdError("ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT", "foo")
        self.assertCmdError(arity("object"), "OBJECT")
        self.assertCmdError(arity("object|encoding"), "OBJECT", "ENCODING")


if __name__ == "__main__":
    main()
