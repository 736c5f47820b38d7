#!/usr/bin/python3
"""Hash commands: HSET family, counters, HRANDFIELD, HSCAN, encodings, RESP2/RESP3 reply shapes.
Error texts are exact Redis 7.0 replies."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, RespMap, RESP3_NULL, main  # noqa: E402
from harness import SYNTAX, NOT_INT, NOT_FLOAT, OVERFLOW, WRONGTYPE, arity  # noqa: E402

HASH_NOT_INT = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"


def pairs(flat):
    """[k1, v1, k2, v2, ...] -> {k1: v1, k2: v2, ...}"""
    assert len(flat) % 2 == 0, flat
    return dict(zip(flat[0::2], flat[1::2]))


class TestHashBasics(ServerTestCase):

    def test_hset_hget(self):
        self.assertEqual(self.cmd("HSET", "h", "a", "1"), 1)
        self.assertEqual(self.cmd("HGET", "h", "a"), b"1")
        # several pairs; the reply counts only new fields (a repeated field counts once)
        self.assertEqual(self.cmd("HSET", "h", "a", "2", "b", "3", "c", "4", "b", "5"), 2)
        self.assertEqual(self.cmd("HGET", "h", "a"), b"2")
        self.assertEqual(self.cmd("HGET", "h", "b"), b"5")
        self.assertEqual(self.cmd("HGET", "h", "c"), b"4")
        self.assertEqual(self.cmd("HSET", "h", "a", "x", "b", "y"), 0)
        self.assertIsNone(self.cmd("HGET", "h", "nofield"))
        self.assertIsNone(self.cmd("HGET", "nokey", "a"))
        self.assertEqual(self.cmd("HSET", "h", "empty", ""), 1)
        self.assertEqual(self.cmd("HGET", "h", "empty"), b"")
        self.assertEqual(self.cmd("HSET", "h", "", "emptyfield"), 1)
        self.assertEqual(self.cmd("HGET", "h", ""), b"emptyfield")
        self.assertEqual(self.cmd("HLEN", "h"), 5)
        self.assertEqual(self.cmd("TYPE", "h"), "hash")

    def test_hsetnx(self):
        self.assertEqual(self.cmd("HSETNX", "h", "a", "1"), 1)
        self.assertEqual(self.cmd("HSETNX", "h", "a", "2"), 0)
        self.assertEqual(self.cmd("HGET", "h", "a"), b"1")
        self.assertEqual(self.cmd("HSETNX", "h", "b", "2"), 1)
        self.assertEqual(self.cmd("HLEN", "h"), 2)
        self.assertCmdError(arity("hsetnx"), "HSETNX", "h", "c")
        self.assertCmdError(arity("hsetnx"), "HSETNX", "h", "c", "1", "2")

    def test_hmset(self):
        self.assertCmdOk("HMSET", "h", "a", "1", "b", "2")
        self.assertCmdOk("HMSET", "h", "a", "3")
        self.assertEqual(self.cmd("HMGET", "h", "a", "b"), [b"3", b"2"])
        self.assertCmdError(arity("hmset"), "HMSET", "h", "a")
        self.assertCmdError(arity("hmset"), "HMSET", "h", "a", "1", "b")
        self.assertCmdError(arity("hmset"), "HMSET", "h")

    def test_hmget(self):
        self.cmd("HSET", "h", "a", "1", "b", "2")
        self.assertEqual(self.cmd("HMGET", "h", "a", "nofield", "b", "a"), [b"1", None, b"2", b"1"])
        self.assertEqual(self.cmd("HMGET", "nokey", "a", "b"), [None, None])
        self.assertCmdError(arity("hmget"), "HMGET", "h")

    def test_hgetall(self):
        self.assertEqual(self.cmd("HGETALL", "nokey"), [])
        self.cmd("HSET", "h", "a", "1", "b", "2", "c", "3")
        flat = self.cmd("HGETALL", "h")
        self.assertEqual(len(flat), 6)
        self.assertEqual(pairs(flat), {b"a": b"1", b"b": b"2", b"c": b"3"})
        # HKEYS / HVALS / HGETALL walk the hash in the same order
        self.assertEqual(self.cmd("HKEYS", "h"), flat[0::2])
        self.assertEqual(self.cmd("HVALS", "h"), flat[1::2])
        self.assertCmdError(arity("hgetall"), "HGETALL")
        self.assertCmdError(arity("hgetall"), "HGETALL", "h", "x")

    def test_hgetall_resp3_map(self):
        self.cmd("HSET", "h", "a", "1", "b", "2")
        with self.server.raw(protocol=3) as c3:
            reply = c3.execute("HGETALL", "h")
            self.assertIsInstance(reply, RespMap)
            self.assertEqual(dict(reply), {b"a": b"1", b"b": b"2"})
            c3.send("HGETALL", "nokey")
            self.assertEqual(c3.read_raw(1.0), b"%0\r\n")
            c3.send("HSET", "one", "f", "v")
            self.assertEqual(c3.read_raw(1.0), b":1\r\n")
            c3.send("HGETALL", "one")
            self.assertEqual(c3.read_raw(1.0), b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
            # the other hash replies keep their RESP2 shapes
            self.assertEqual(sorted(c3.execute("HKEYS", "h")), [b"a", b"b"])
            self.assertEqual(c3.execute("HMGET", "h", "a", "zz"), [b"1", RESP3_NULL])
            self.assertIs(c3.execute("HGET", "h", "zz"), RESP3_NULL)
        c2 = self.c
        c2.send("HGETALL", "one")
        self.assertEqual(c2.read_raw(1.0), b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n")

    def test_hdel(self):
        self.cmd("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
        self.assertEqual(self.cmd("HDEL", "h", "a"), 1)
        self.assertEqual(self.cmd("HDEL", "h", "a"), 0)
        self.assertEqual(self.cmd("HDEL", "h", "b", "c", "nofield", "b"), 2)
        self.assertEqual(self.cmd("HLEN", "h"), 1)
        self.assertEqual(self.cmd("HDEL", "nokey", "a"), 0)
        # deleting the last field deletes the key
        self.assertEqual(self.cmd("HDEL", "h", "d"), 1)
        self.assertEqual(self.cmd("EXISTS", "h"), 0)
        self.assertEqual(self.cmd("TYPE", "h"), "none")
        self.assertEqual(self.cmd("HLEN", "h"), 0)
        self.assertCmdError(arity("hdel"), "HDEL", "h")

    def test_hexists_hlen_hstrlen(self):
        self.cmd("HSET", "h", "a", "hello", "n", "-123", "e", "")
        self.assertEqual(self.cmd("HEXISTS", "h", "a"), 1)
        self.assertEqual(self.cmd("HEXISTS", "h", "zz"), 0)
        self.assertEqual(self.cmd("HEXISTS", "nokey", "a"), 0)
        self.assertEqual(self.cmd("HLEN", "h"), 3)
        self.assertEqual(self.cmd("HLEN", "nokey"), 0)
        self.assertEqual(self.cmd("HSTRLEN", "h", "a"), 5)
        self.assertEqual(self.cmd("HSTRLEN", "h", "n"), 4)
        self.assertEqual(self.cmd("HSTRLEN", "h", "e"), 0)
        self.assertEqual(self.cmd("HSTRLEN", "h", "zz"), 0)
        self.assertEqual(self.cmd("HSTRLEN", "nokey", "a"), 0)
        self.assertCmdError(arity("hexists"), "HEXISTS", "h")
        self.assertCmdError(arity("hlen"), "HLEN")
        self.assertCmdError(arity("hstrlen"), "HSTRLEN", "h")

    def test_hkeys_hvals(self):
        self.assertEqual(self.cmd("HKEYS", "nokey"), [])
        self.assertEqual(self.cmd("HVALS", "nokey"), [])
        self.cmd("HSET", "h", "a", "1", "b", "2", "c", "1")
        self.assertEqual(sorted(self.cmd("HKEYS", "h")), [b"a", b"b", b"c"])
        self.assertEqual(sorted(self.cmd("HVALS", "h")), [b"1", b"1", b"2"])
        self.assertCmdError(arity("hkeys"), "HKEYS")
        self.assertCmdError(arity("hvals"), "HVALS", "h", "x")

    def test_arity(self):
        self.assertCmdError(arity("hset"), "HSET", "h")
        self.assertCmdError(arity("hset"), "HSET", "h", "a")
        self.assertCmdError(arity("hset"), "HSET", "h", "a", "1", "b")
        self.assertCmdError(arity("hset"), "HSET")
        self.assertCmdError(arity("hget"), "HGET", "h")
        self.assertCmdError(arity("hget"), "HGET", "h", "a", "b")
        self.assertCmdError(arity("hincrby"), "HINCRBY", "h", "a")
        self.assertCmdError(arity("hincrbyfloat"), "HINCRBYFLOAT", "h", "a")
        self.assertCmdError(arity("hrandfield"), "HRANDFIELD")
        self.assertCmdError(arity("hscan"), "HSCAN", "h")
        self.assertEqual(self.cmd("EXISTS", "h"), 0)

    def test_wrongtype(self):
        self.assertCmdOk("SET", "s", "v")
        for args in (["HSET", "s", "a", "1"], ["HSETNX", "s", "a", "1"], ["HMSET", "s", "a", "1"],
                     ["HGET", "s", "a"], ["HMGET", "s", "a"], ["HGETALL", "s"], ["HDEL", "s", "a"],
                     ["HEXISTS", "s", "a"], ["HLEN", "s"], ["HSTRLEN", "s", "a"], ["HINCRBY", "s", "a", "1"],
                     ["HINCRBYFLOAT", "s", "a", "1"], ["HKEYS", "s"], ["HVALS", "s"], ["HRANDFIELD", "s"],
                     ["HRANDFIELD", "s", "2"], ["HSCAN", "s", "0"]):
            self.assertCmdError(WRONGTYPE, *args)
        self.assertEqual(self.cmd("GET", "s"), b"v")
        self.cmd("HSET", "h", "a", "1")
        for args in (["GET", "h"], ["APPEND", "h", "x"], ["INCR", "h"], ["STRLEN", "h"], ["GETRANGE", "h", "0", "1"],
                     ["LPUSH", "h", "x"], ["SADD", "h", "x"], ["ZADD", "h", "1", "x"]):
            self.assertCmdError(WRONGTYPE, *args)
        self.assertEqual(self.cmd("HGETALL", "h"), [b"a", b"1"])
        # SET overwrites whatever type was there
        self.assertCmdOk("SET", "h", "str")
        self.assertEqual(self.cmd("TYPE", "h"), "string")


class TestHashCounters(ServerTestCase):

    def test_hincrby(self):
        self.assertEqual(self.cmd("HINCRBY", "h", "n", "5"), 5)
        self.assertEqual(self.cmd("HINCRBY", "h", "n", "-7"), -2)
        self.assertEqual(self.cmd("HGET", "h", "n"), b"-2")
        self.assertEqual(self.cmd("HINCRBY", "h", "m", "0"), 0)
        self.cmd("HSET", "h", "s", "41")
        self.assertEqual(self.cmd("HINCRBY", "h", "s", "1"), 42)
        self.assertEqual(self.cmd("HLEN", "h"), 3)

    def test_hincrby_overflow(self):
        self.cmd("HSET", "h", "max", "9223372036854775807", "min", "-9223372036854775808", "z", "10")
        self.assertCmdError(OVERFLOW, "HINCRBY", "h", "max", "1")
        self.assertCmdError(OVERFLOW, "HINCRBY", "h", "min", "-1")
        self.assertEqual(self.cmd("HGET", "h", "max"), b"9223372036854775807")
        self.assertEqual(self.cmd("HINCRBY", "h", "max", "-1"), 9223372036854775806)
        self.assertEqual(self.cmd("HINCRBY", "h", "z", "-9223372036854775808"), -9223372036854775798)
        self.assertEqual(self.cmd("HINCRBY", "h", "z", "9223372036854775807"), 9)

    def test_hincrby_errors(self):
        self.cmd("HSET", "h", "f", "1.5", "s", "abc", "sp", " 1", "e", "", "n", "1")
        for field in ("f", "s", "sp", "e"):
            self.assertCmdError(HASH_NOT_INT, "HINCRBY", "h", field, "1")
        self.assertEqual(self.cmd("HGET", "h", "f"), b"1.5")
        self.assertCmdError(NOT_INT, "HINCRBY", "h", "n", "abc")
        self.assertCmdError(NOT_INT, "HINCRBY", "h", "n", "1.5")
        self.assertCmdError(NOT_INT, "HINCRBY", "h", "n", "99999999999999999999")
        self.assertCmdError(NOT_INT, "HINCRBY", "nokey", "n", "x")
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.assertEqual(self.cmd("HGET", "h", "n"), b"1")

    def test_hincrbyfloat_formatting(self):
        self.cmd("HSET", "h", "a", "10.5", "b", "5.0e3", "i", "3.0", "j", "7")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "a", "0.1"), b"10.6")
        self.assertEqual(self.cmd("HGET", "h", "a"), b"10.6")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "b", "0"), b"5000")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "b", "1.5"), b"5001.5")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "b", "-5001.5"), b"0")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "c", "3"), b"3")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "d", "1.10"), b"1.1")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "e", "5e-3"), b"0.005")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "f", "-2.5"), b"-2.5")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "g", "12345678901234567890"), b"12345678901234567890")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "i", "1"), b"4")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "h", "j", "0.25"), b"7.25")
        self.assertEqual(self.cmd("HINCRBYFLOAT", "new", "x", "1.5"), b"1.5")
        # the value is stored as a string; HINCRBY on a non-integer result fails
        self.assertCmdError(HASH_NOT_INT, "HINCRBY", "h", "j", "1")
        self.assertEqual(self.cmd("HINCRBY", "h", "i", "1"), 5)

    def test_hincrbyfloat_errors(self):
        self.cmd("HSET", "h", "s", "abc", "sp", " 1", "a", "1")
        self.assertCmdError(HASH_NOT_FLOAT, "HINCRBYFLOAT", "h", "s", "1")
        self.assertCmdError(HASH_NOT_FLOAT, "HINCRBYFLOAT", "h", "sp", "1")
        self.assertCmdError(NOT_FLOAT, "HINCRBYFLOAT", "h", "a", "abc")
        self.assertCmdError(NOT_FLOAT, "HINCRBYFLOAT", "h", "a", "")
        self.assertCmdError(NOT_FLOAT, "HINCRBYFLOAT", "h", "a", "nan")
        # an infinite increment is rejected before it is applied (a different text than INCRBYFLOAT's)
        self.assertCmdError("ERR value is NaN or Infinity", "HINCRBYFLOAT", "h", "a", "inf")
        self.assertCmdError("ERR value is NaN or Infinity", "HINCRBYFLOAT", "h", "a", "-inf")
        self.assertEqual(self.cmd("HGET", "h", "a"), b"1")
        self.assertCmdError(NOT_FLOAT, "HINCRBYFLOAT", "nokey", "a", "x")
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)

    def test_hincrbyfloat_overflow(self):
        # long double arithmetic: the sum of two huge values overflows to inf
        self.cmd("HSET", "h", "m", "1e4932")
        self.assertCmdError("ERR increment would produce NaN or Infinity", "HINCRBYFLOAT", "h", "m", "1e4932")
        self.assertEqual(self.cmd("HGET", "h", "m"), b"1e4932")


class TestHashRandomAndScan(ServerTestCase):

    def fill(self, n=10):
        args = []
        for i in range(n):
            args += ["f%d" % i, "v%d" % i]
        self.cmd("HSET", "h", *args)
        return {("f%d" % i).encode(): ("v%d" % i).encode() for i in range(n)}

    def test_hrandfield_no_count(self):
        self.assertIsNone(self.cmd("HRANDFIELD", "nokey"))
        model = self.fill()
        seen = set()
        for _ in range(100):
            f = self.cmd("HRANDFIELD", "h")
            self.assertIn(f, model)
            seen.add(f)
        self.assertGreater(len(seen), 1)
        self.assertEqual(self.cmd("HLEN", "h"), 10)  # nothing removed

    def test_hrandfield_positive_count(self):
        model = self.fill()
        for count in (1, 3, 9, 10, 11, 100):
            got = self.cmd("HRANDFIELD", "h", str(count))
            self.assertEqual(len(got), min(count, 10), count)
            self.assertEqual(len(set(got)), len(got), "fields must be distinct")
            self.assertTrue(set(got) <= set(model))
        self.assertEqual(sorted(self.cmd("HRANDFIELD", "h", "10")), sorted(model))
        self.assertEqual(self.cmd("HRANDFIELD", "h", "0"), [])
        self.assertEqual(self.cmd("HRANDFIELD", "h", "0", "WITHVALUES"), [])
        self.assertEqual(self.cmd("HRANDFIELD", "nokey", "5"), [])
        self.assertEqual(self.cmd("HRANDFIELD", "nokey", "-5"), [])
        self.assertEqual(self.cmd("HRANDFIELD", "nokey", "5", "WITHVALUES"), [])

    def test_hrandfield_negative_count(self):
        model = self.fill(3)
        for count in (1, 2, 3, 5, 50):
            got = self.cmd("HRANDFIELD", "h", str(-count))
            self.assertEqual(len(got), count)
            self.assertTrue(set(got) <= set(model))
        # with 50 draws from 3 fields, repeats are certain
        self.assertLess(len(set(self.cmd("HRANDFIELD", "h", "-50"))), 50)

    def test_hrandfield_withvalues(self):
        model = self.fill()
        for count in (1, 5, 10, 20):
            flat = self.cmd("HRANDFIELD", "h", str(count), "WITHVALUES")
            self.assertEqual(len(flat), 2 * min(count, 10))
            got = pairs(flat)
            self.assertEqual(len(got), min(count, 10))
            for f, v in got.items():
                self.assertEqual(model[f], v)
        flat = self.cmd("HRANDFIELD", "h", "-30", "withvalues")
        self.assertEqual(len(flat), 60)
        for f, v in zip(flat[0::2], flat[1::2]):
            self.assertEqual(model[f], v)

    def test_hrandfield_resp3(self):
        model = self.fill(5)
        with self.server.raw(protocol=3) as c3:
            reply = c3.execute("HRANDFIELD", "h", "3", "WITHVALUES")
            # RESP3: an array of [field, value] pairs instead of a flat array
            self.assertEqual(len(reply), 3)
            for pair in reply:
                self.assertIsInstance(pair, list)
                self.assertEqual(len(pair), 2)
                self.assertEqual(model[pair[0]], pair[1])
            reply = c3.execute("HRANDFIELD", "h", "-7", "WITHVALUES")
            self.assertEqual(len(reply), 7)
            self.assertTrue(all(isinstance(p, list) and model[p[0]] == p[1] for p in reply))
            # without WITHVALUES it stays a flat array of fields
            reply = c3.execute("HRANDFIELD", "h", "2")
            self.assertEqual(len(reply), 2)
            self.assertTrue(all(f in model for f in reply))
            self.assertIn(c3.execute("HRANDFIELD", "h"), model)
            self.assertIs(c3.execute("HRANDFIELD", "nokey"), RESP3_NULL)
            self.assertEqual(c3.execute("HRANDFIELD", "nokey", "3", "WITHVALUES"), [])

    def test_hrandfield_errors(self):
        self.fill(3)
        self.assertCmdError(NOT_INT, "HRANDFIELD", "h", "abc")
        self.assertCmdError(NOT_INT, "HRANDFIELD", "h", "1.5")
        self.assertCmdError(SYNTAX, "HRANDFIELD", "h", "1", "FOO")
        self.assertCmdError(SYNTAX, "HRANDFIELD", "h", "1", "WITHVALUES", "x")
        self.assertCmdError("ERR value is out of range, value must between -9223372036854775807 and "
                            "9223372036854775807", "HRANDFIELD", "h", "-9223372036854775808")
        self.assertCmdError("ERR value is out of range", "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES")

    def scan_all(self, key, *args):
        cursor = b"0"
        out = []
        calls = 0
        while True:
            reply = self.cmd("HSCAN", key, cursor, *args)
            self.assertIsInstance(reply, list, reply)
            cursor, items = reply
            self.assertEqual(len(items) % 2, 0)
            out.extend(zip(items[0::2], items[1::2]))
            calls += 1
            self.assertLess(calls, 100000)
            if cursor == b"0":
                return out

    def test_hscan_small(self):
        self.assertEqual(self.cmd("HSCAN", "nokey", "0"), [b"0", []])
        self.cmd("HSET", "h", "a", "1", "b", "2")
        # a small (listpack) hash comes back whole in one call
        cursor, items = self.cmd("HSCAN", "h", "0")
        self.assertEqual(cursor, b"0")
        self.assertEqual(pairs(items), {b"a": b"1", b"b": b"2"})
        self.assertEqual(self.cmd("HSCAN", "h", "0", "MATCH", "a*"), [b"0", [b"a", b"1"]])
        self.assertEqual(self.cmd("HSCAN", "h", "0", "MATCH", "zz*"), [b"0", []])

    def test_hscan_full_iteration(self):
        model = self.fill(1000)
        for args in ((), ("COUNT", "7"), ("COUNT", "1000"), ("COUNT", "5000")):
            got = self.scan_all("h", *args)
            self.assertEqual(set(f for f, _ in got), set(model), args)
            for f, v in got:
                self.assertEqual(model[f], v)

    def test_hscan_match(self):
        model = self.fill(500)
        got = dict(self.scan_all("h", "MATCH", "f1?", "COUNT", "20"))
        self.assertEqual(got, {f: v for f, v in model.items() if len(f) == 3 and f.startswith(b"f1")})
        got = dict(self.scan_all("h", "MATCH", "*9"))
        self.assertEqual(set(got), {f for f in model if f.endswith(b"9")})
        self.assertEqual(self.scan_all("h", "MATCH", "nothing*"), [])

    def test_hscan_errors(self):
        self.fill(3)
        self.assertCmdError("ERR invalid cursor", "HSCAN", "h", "abc")
        self.assertCmdError(SYNTAX, "HSCAN", "h", "0", "COUNT", "0")
        self.assertCmdError(NOT_INT, "HSCAN", "h", "0", "COUNT", "abc")
        self.assertCmdError(SYNTAX, "HSCAN", "h", "0", "FOO")
        self.assertCmdError(SYNTAX, "HSCAN", "h", "0", "MATCH")
        # NOVALUES only exists since Redis 7.4
        self.assertCmdError(SYNTAX, "HSCAN", "h", "0", "NOVALUES")


class TestHashEncodingAndKeys(ServerTestCase):

    def test_object_encoding_entries(self):
        self.cmd("HSET", "small", "a", "1")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "small"), b"listpack")
        self.assertCmdOk("CONFIG", "SET", "hash-max-listpack-entries", "4")
        try:
            self.cmd("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "h"), b"listpack")
            self.assertEqual(self.cmd("HSET", "h", "e", "5"), 1)
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "h"), b"hashtable")
            # no conversion back when it shrinks
            self.assertEqual(self.cmd("HDEL", "h", "a", "b", "c", "d"), 4)
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "h"), b"hashtable")
            self.assertEqual(self.cmd("HGETALL", "h"), [b"e", b"5"])
            # a single HSET adding more than the limit converts at once
            self.cmd("HSET", "g", "1", "1", "2", "2", "3", "3", "4", "4", "5", "5")
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "g"), b"hashtable")
            self.assertEqual(self.cmd("HLEN", "g"), 5)
        finally:
            self.assertCmdOk("CONFIG", "SET", "hash-max-listpack-entries", "512")

    def test_object_encoding_value_length(self):
        self.assertEqual(self.cmd("CONFIG", "GET", "hash-max-listpack-value"), [b"hash-max-listpack-value", b"64"])
        self.cmd("HSET", "v", "a", "x" * 64)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "v"), b"listpack")
        self.cmd("HSET", "v", "b", "x" * 65)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "v"), b"hashtable")
        self.assertEqual(self.cmd("HGET", "v", "b"), b"x" * 65)
        self.cmd("HSET", "f", "y" * 65, "1")  # a long field name converts too
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "f"), b"hashtable")
        self.cmd("HSET", "s", "a", "1")
        self.cmd("HSETNX", "s", "b", "z" * 100)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "s"), b"hashtable")
        self.cmd("HSET", "i", "f", "1")
        self.cmd("HINCRBYFLOAT", "i", "f", "1e70")  # a 71-character result
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), b"hashtable")

    def test_large_hash(self):
        model = {("field:%d" % i).encode(): ("value-%d" % (i * 7)).encode() for i in range(1000)}
        args = []
        for f, v in model.items():
            args += [f, v]
        self.assertEqual(self.cmd("HSET", "big", *args), 1000)
        self.assertEqual(self.cmd("HLEN", "big"), 1000)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "big"), b"hashtable")
        self.assertEqual(pairs(self.cmd("HGETALL", "big")), model)
        self.assertEqual(sorted(self.cmd("HKEYS", "big")), sorted(model))
        fields = sorted(model)[::10]
        self.assertEqual(self.cmd("HMGET", "big", *fields), [model[f] for f in fields])
        self.assertEqual(self.cmd("HDEL", "big", *fields), len(fields))
        self.assertEqual(self.cmd("HLEN", "big"), 1000 - len(fields))
        self.assertEqual(self.cmd("HDEL", "big", *model), 1000 - len(fields))
        self.assertEqual(self.cmd("EXISTS", "big"), 0)

    def test_binary_fields_and_values(self):
        items = {b"\x00": b"nul", b"a\x00b": b"\x00\x01\x02", b"\r\n": b"crlf\r\n", b"\xff\xfe": b"\x00" * 100,
                 b"": b"", b"\x00" * 70: b"long\x00field"}
        for f, v in items.items():
            self.assertEqual(self.cmd("HSET", "bin", f, v), 1)
        self.assertEqual(self.cmd("HLEN", "bin"), len(items))
        for f, v in items.items():
            self.assertEqual(self.cmd("HGET", "bin", f), v)
            self.assertEqual(self.cmd("HSTRLEN", "bin", f), len(v))
            self.assertEqual(self.cmd("HEXISTS", "bin", f), 1)
        self.assertEqual(self.cmd("HGET", "bin", b"a"), None)
        self.assertEqual(pairs(self.cmd("HGETALL", "bin")), items)
        self.assertEqual(self.cmd("HDEL", "bin", b"a\x00b"), 1)
        self.assertEqual(self.cmd("HGET", "bin", b"\x00"), b"nul")
        # redis-py round trip with arbitrary bytes
        blob = os.urandom(4096)
        self.r.hset("rnd", mapping={blob[:100]: blob, b"k": blob[::-1]})
        self.assertEqual(self.r.hgetall("rnd"), {blob[:100]: blob, b"k": blob[::-1]})

    def test_rename(self):
        self.cmd("HSET", "h", "a", "1", "b", "2")
        self.assertCmdOk("RENAME", "h", "h2")
        self.assertEqual(self.cmd("EXISTS", "h"), 0)
        self.assertEqual(self.cmd("TYPE", "h2"), "hash")
        self.assertEqual(pairs(self.cmd("HGETALL", "h2")), {b"a": b"1", b"b": b"2"})
        self.assertCmdOk("SET", "s", "v")
        self.assertCmdOk("RENAME", "h2", "s")  # overwrites a key of another type
        self.assertEqual(self.cmd("TYPE", "s"), "hash")
        self.assertEqual(self.cmd("HGET", "s", "a"), b"1")

    def test_copy_is_independent(self):
        self.cmd("HSET", "h", "a", "1", "b", "2")
        self.assertEqual(self.cmd("COPY", "h", "c"), 1)
        self.assertEqual(self.cmd("TYPE", "c"), "hash")
        self.assertEqual(pairs(self.cmd("HGETALL", "c")), {b"a": b"1", b"b": b"2"})
        self.cmd("HSET", "c", "a", "changed", "new", "x")
        self.cmd("HDEL", "c", "b")
        self.cmd("HINCRBY", "h", "a", "10")
        self.assertEqual(pairs(self.cmd("HGETALL", "h")), {b"a": b"11", b"b": b"2"})
        self.assertEqual(pairs(self.cmd("HGETALL", "c")), {b"a": b"changed", b"new": b"x"})
        self.assertEqual(self.cmd("COPY", "h", "c"), 0)
        self.assertEqual(self.cmd("COPY", "h", "c", "REPLACE"), 1)
        self.assertEqual(pairs(self.cmd("HGETALL", "c")), {b"a": b"11", b"b": b"2"})
        # a large (hashtable) hash copies just the same
        args = []
        for i in range(600):
            args += ["f%d" % i, str(i)]
        self.cmd("HSET", "big", *args)
        self.assertEqual(self.cmd("COPY", "big", "big2"), 1)
        self.cmd("HDEL", "big2", "f0")
        self.assertEqual(self.cmd("HLEN", "big"), 600)
        self.assertEqual(self.cmd("HLEN", "big2"), 599)

    def test_expire_hash(self):
        self.cmd("HSET", "h", "a", "1")
        self.assertEqual(self.cmd("EXPIRE", "h", "100"), 1)
        self.assertTrue(95 <= self.cmd("TTL", "h") <= 100)
        # writing fields keeps the TTL
        self.cmd("HSET", "h", "b", "2")
        self.cmd("HDEL", "h", "a")
        self.assertTrue(95 <= self.cmd("TTL", "h") <= 100)
        self.assertEqual(self.cmd("PEXPIRE", "h", "100"), 1)
        deadline = time.time() + 5.0
        while self.cmd("EXISTS", "h") and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.cmd("EXISTS", "h"), 0)
        self.assertIsNone(self.cmd("HGET", "h", "b"))
        self.assertEqual(self.cmd("HLEN", "h"), 0)
        # the key is gone for good: a new HSET starts a fresh hash without TTL
        self.assertEqual(self.cmd("HSET", "h", "c", "3"), 1)
        self.assertEqual(self.cmd("HGETALL", "h"), [b"c", b"3"])
        self.assertEqual(self.cmd("TTL", "h"), -1)
        # deleting the last field and recreating drops the TTL too
        self.cmd("EXPIRE", "h", "100")
        self.cmd("HDEL", "h", "c")
        self.cmd("HSET", "h", "d", "4")
        self.assertEqual(self.cmd("TTL", "h"), -1)

    def test_scan_type_hash(self):
        for i in range(30):
            self.cmd("HSET", "hash:%d" % i, "f", "v")
            self.cmd("SET", "str:%d" % i, "v")
        seen = set()
        cursor = b"0"
        while True:
            cursor, keys = self.cmd("SCAN", cursor, "TYPE", "hash", "COUNT", "10")
            seen.update(keys)
            if cursor == b"0":
                break
        self.assertEqual(seen, {("hash:%d" % i).encode() for i in range(30)})
        self.assertEqual(sorted(self.cmd("KEYS", "hash:1*")), sorted([b"hash:1"] + [("hash:1%d" % i).encode()
                                                                                     for i in range(10)]))


if __name__ == "__main__":
    main()
