#!/usr/bin/python3
"""String commands: GET/SET family, counters, ranges. Error texts are exact Redis 7.0 replies."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402
from harness import SYNTAX, NOT_INT, NOT_FLOAT, OVERFLOW, arity  # noqa: E402


class TestGetSet(ServerTestCase):

    def test_get_set_basic(self):
        self.assertIsNone(self.cmd("GET", "k"))
        self.assertCmdOk("SET", "k", "v")
        self.assertEqual(self.cmd("GET", "k"), b"v")
        self.assertCmdOk("SET", "k", "v2")
        self.assertEqual(self.cmd("GET", "k"), b"v2")
        self.assertCmdOk("SET", "empty", "")
        self.assertEqual(self.cmd("GET", "empty"), b"")
        self.assertEqual(self.cmd("EXISTS", "empty"), 1)

    def test_set_large_value(self):
        big = os.urandom(1 << 20)
        self.assertTrue(self.r.set("big", big))
        self.assertEqual(self.r.get("big"), big)
        self.assertEqual(self.r.strlen("big"), 1 << 20)

    def test_set_nx_xx(self):
        self.assertIsNone(self.cmd("SET", "k", "v", "XX"))
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertCmdOk("SET", "k", "v", "NX")
        self.assertIsNone(self.cmd("SET", "k", "other", "NX"))
        self.assertEqual(self.cmd("GET", "k"), b"v")
        self.assertCmdOk("SET", "k", "v3", "XX")
        self.assertEqual(self.cmd("GET", "k"), b"v3")
        # options are case-insensitive
        self.assertIsNone(self.cmd("set", "k", "v4", "nx"))
        self.assertCmdOk("set", "k", "v4", "xx")

    def test_set_ex_px(self):
        self.assertCmdOk("SET", "k", "v", "EX", "100")
        self.assertTrue(95 <= self.cmd("TTL", "k") <= 100)
        self.assertCmdOk("SET", "k", "v", "PX", "100000")
        self.assertTrue(95000 <= self.cmd("PTTL", "k") <= 100000)
        # a plain SET clears the TTL
        self.assertCmdOk("SET", "k", "v")
        self.assertEqual(self.cmd("TTL", "k"), -1)

    def test_set_exat_pxat(self):
        now = int(time.time())
        self.assertCmdOk("SET", "k", "v", "EXAT", str(now + 100))
        self.assertTrue(95 <= self.cmd("TTL", "k") <= 100)
        self.assertEqual(self.cmd("EXPIRETIME", "k"), now + 100)
        self.assertCmdOk("SET", "k2", "v", "PXAT", str((now + 100) * 1000 + 123))
        self.assertEqual(self.cmd("PEXPIRETIME", "k2"), (now + 100) * 1000 + 123)

    def test_set_exat_in_past_deletes(self):
        self.assertCmdOk("SET", "k", "v", "EXAT", "1")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertCmdOk("SET", "k", "old")
        self.assertEqual(self.cmd("SET", "k", "new", "PXAT", "1", "GET"), b"old")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_set_keepttl(self):
        self.assertCmdOk("SET", "k", "v", "EX", "100")
        self.assertCmdOk("SET", "k", "v2", "KEEPTTL")
        self.assertTrue(95 <= self.cmd("TTL", "k") <= 100)
        self.assertEqual(self.cmd("GET", "k"), b"v2")
        self.assertCmdOk("SET", "k", "v3")
        self.assertEqual(self.cmd("TTL", "k"), -1)
        # KEEPTTL on a new key: no TTL
        self.assertCmdOk("SET", "n", "v", "KEEPTTL")
        self.assertEqual(self.cmd("TTL", "n"), -1)

    def test_set_get_option(self):
        self.assertIsNone(self.cmd("SET", "k", "v1", "GET"))
        self.assertEqual(self.cmd("GET", "k"), b"v1")
        self.assertEqual(self.cmd("SET", "k", "v2", "GET"), b"v1")
        self.assertEqual(self.cmd("GET", "k"), b"v2")
        self.assertEqual(self.cmd("SET", "k", "v3", "GET", "EX", "100"), b"v2")
        self.assertTrue(0 < self.cmd("TTL", "k") <= 100)
        # GET combined with NX / XX (allowed since Redis 7.0)
        self.assertEqual(self.cmd("SET", "k", "v4", "NX", "GET"), b"v3")
        self.assertEqual(self.cmd("GET", "k"), b"v3")
        self.assertIsNone(self.cmd("SET", "nx2", "v", "NX", "GET"))
        self.assertEqual(self.cmd("GET", "nx2"), b"v")
        self.assertIsNone(self.cmd("SET", "xx2", "v", "XX", "GET"))
        self.assertEqual(self.cmd("EXISTS", "xx2"), 0)
        self.assertEqual(self.cmd("SET", "k", "v5", "XX", "GET"), b"v3")
        self.assertEqual(self.cmd("GET", "k"), b"v5")

    def test_set_repeated_options(self):
        # repeating the same flag is accepted; the last EX wins
        self.assertCmdOk("SET", "k", "v", "EX", "10", "EX", "200")
        self.assertTrue(190 <= self.cmd("TTL", "k") <= 200)
        self.assertEqual(self.cmd("SET", "k", "v2", "GET", "GET"), b"v")

    def test_set_conflicting_options(self):
        for args in (["NX", "XX"], ["XX", "NX"], ["EX", "10", "PX", "100"], ["EX", "10", "KEEPTTL"],
                     ["KEEPTTL", "PX", "10"], ["PX", "10", "EXAT", "100"], ["EXAT", "100", "PXAT", "100"],
                     ["EX"], ["PX"], ["FOO"], ["EX", "10", "FOO"], ["KEEPTTL", "EXAT", "99999999999"]):
            self.assertCmdError(SYNTAX, "SET", "k", "v", *args)
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_set_invalid_expire(self):
        for opt, val in (("EX", "0"), ("EX", "-1"), ("PX", "0"), ("PX", "-5"), ("EXAT", "0"),
                         ("PXAT", "0"), ("EXAT", "-10"),
                         ("EX", "9223372036854775807"), ("PX", "9223372036854775807"),
                         ("EXAT", "9223372036854775807")):
            self.assertCmdError("ERR invalid expire time in 'set' command", "SET", "k", "v", opt, val)
        self.assertCmdError(NOT_INT, "SET", "k", "v", "EX", "abc")
        self.assertCmdError(NOT_INT, "SET", "k", "v", "PX", "1.5")
        self.assertCmdError(NOT_INT, "SET", "k", "v", "EX", "99999999999999999999")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_set_arity(self):
        self.assertCmdError(arity("set"), "SET", "k")
        self.assertCmdError(arity("set"), "SET")
        self.assertCmdError(arity("get"), "GET")
        self.assertCmdError(arity("get"), "GET", "a", "b")

    def test_setnx(self):
        self.assertEqual(self.cmd("SETNX", "k", "1"), 1)
        self.assertEqual(self.cmd("SETNX", "k", "2"), 0)
        self.assertEqual(self.cmd("GET", "k"), b"1")
        self.assertCmdError(arity("setnx"), "SETNX", "k")

    def test_setex_psetex(self):
        self.assertCmdOk("SETEX", "k", "100", "v")
        self.assertEqual(self.cmd("GET", "k"), b"v")
        self.assertTrue(95 <= self.cmd("TTL", "k") <= 100)
        self.assertCmdOk("PSETEX", "p", "100000", "v")
        self.assertTrue(95000 <= self.cmd("PTTL", "p") <= 100000)
        self.assertCmdError("ERR invalid expire time in 'setex' command", "SETEX", "k", "0", "v")
        self.assertCmdError("ERR invalid expire time in 'setex' command", "SETEX", "k", "-5", "v")
        self.assertCmdError("ERR invalid expire time in 'setex' command",
                            "SETEX", "k", "9223372036854775807", "v")
        self.assertCmdError("ERR invalid expire time in 'psetex' command", "PSETEX", "k", "-1", "v")
        self.assertCmdError("ERR invalid expire time in 'psetex' command", "PSETEX", "k", "0", "v")
        self.assertCmdError(NOT_INT, "SETEX", "k", "abc", "v")
        self.assertCmdError(arity("setex"), "SETEX", "k", "10")
        self.assertCmdError(arity("psetex"), "PSETEX", "k", "10")
        # the failed commands left the old value alone
        self.assertEqual(self.cmd("GET", "k"), b"v")

    def test_getset(self):
        self.assertIsNone(self.cmd("GETSET", "k", "a"))
        self.assertEqual(self.cmd("GETSET", "k", "b"), b"a")
        self.assertEqual(self.cmd("GET", "k"), b"b")
        self.assertCmdOk("SET", "t", "v", "EX", "100")
        self.assertEqual(self.cmd("GETSET", "t", "w"), b"v")
        self.assertEqual(self.cmd("TTL", "t"), -1)  # GETSET discards the TTL
        self.assertCmdError(arity("getset"), "GETSET", "k")

    def test_getdel(self):
        self.assertCmdOk("SET", "k", "v")
        self.assertEqual(self.cmd("GETDEL", "k"), b"v")
        self.assertIsNone(self.cmd("GETDEL", "k"))
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertCmdError(arity("getdel"), "GETDEL")
        self.assertCmdError(arity("getdel"), "GETDEL", "a", "b")

    def test_getex(self):
        self.assertIsNone(self.cmd("GETEX", "nokey"))
        self.assertIsNone(self.cmd("GETEX", "nokey", "EX", "10"))
        self.assertCmdOk("SET", "k", "v")
        self.assertEqual(self.cmd("GETEX", "k"), b"v")
        self.assertEqual(self.cmd("TTL", "k"), -1)
        self.assertEqual(self.cmd("GETEX", "k", "EX", "100"), b"v")
        self.assertTrue(95 <= self.cmd("TTL", "k") <= 100)
        self.assertEqual(self.cmd("GETEX", "k", "PX", "200000"), b"v")
        self.assertTrue(195000 <= self.cmd("PTTL", "k") <= 200000)
        now = int(time.time())
        self.assertEqual(self.cmd("GETEX", "k", "EXAT", str(now + 300)), b"v")
        self.assertEqual(self.cmd("EXPIRETIME", "k"), now + 300)
        self.assertEqual(self.cmd("GETEX", "k", "PXAT", str(now * 1000 + 400000)), b"v")
        self.assertEqual(self.cmd("PEXPIRETIME", "k"), now * 1000 + 400000)
        self.assertEqual(self.cmd("GETEX", "k", "PERSIST"), b"v")
        self.assertEqual(self.cmd("TTL", "k"), -1)
        self.assertEqual(self.cmd("GETEX", "k", "persist", "PERSIST"), b"v")
        # an absolute time in the past deletes the key after returning it
        self.assertEqual(self.cmd("GETEX", "k", "PXAT", "1"), b"v")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)

    def test_getex_errors(self):
        self.assertCmdOk("SET", "k", "v")
        for args in (["EX", "10", "PX", "10"], ["PERSIST", "EX", "10"], ["EX", "10", "PERSIST"],
                     ["FOO"], ["EX"], ["KEEPTTL"], ["EXAT", "100", "PXAT", "100"]):
            self.assertCmdError(SYNTAX, "GETEX", "k", *args)
        self.assertCmdError(SYNTAX, "GETEX", "nokey", "FOO")
        for opt, val in (("EX", "0"), ("EX", "-1"), ("PX", "0"), ("EXAT", "0"), ("PXAT", "-1"),
                         ("EXAT", "99999999999999999"), ("PX", "9223372036854775807")):
            self.assertCmdError("ERR invalid expire time in 'getex' command", "GETEX", "k", opt, val)
        self.assertCmdError(NOT_INT, "GETEX", "k", "EX", "abc")
        self.assertCmdError(arity("getex"), "GETEX")
        self.assertEqual(self.cmd("TTL", "k"), -1)


class TestMulti(ServerTestCase):

    def test_mset_mget(self):
        self.assertCmdOk("MSET", "a", "1", "b", "2", "c", "3")
        self.assertEqual(self.cmd("MGET", "a", "b", "nokey", "c"), [b"1", b"2", None, b"3"])
        self.assertEqual(self.cmd("MGET", "a"), [b"1"])
        self.assertEqual(self.cmd("MGET", "a", "a", "a"), [b"1", b"1", b"1"])
        # later pairs win for a repeated key
        self.assertCmdOk("MSET", "d", "x", "d", "y")
        self.assertEqual(self.cmd("GET", "d"), b"y")

    def test_mset_clears_ttl(self):
        self.assertCmdOk("SET", "a", "v", "EX", "100")
        self.assertCmdOk("MSET", "a", "w")
        self.assertEqual(self.cmd("TTL", "a"), -1)

    def test_mset_arity(self):
        self.assertCmdError(arity("mset"), "MSET")
        self.assertCmdError(arity("mset"), "MSET", "a")
        self.assertCmdError(arity("mset"), "MSET", "a", "1", "b")
        self.assertCmdError(arity("msetnx"), "MSETNX", "a", "1", "b")
        self.assertCmdError(arity("msetnx"), "MSETNX")
        self.assertCmdError(arity("mget"), "MGET")
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_msetnx(self):
        self.assertEqual(self.cmd("MSETNX", "a", "1", "b", "2"), 1)
        self.assertEqual(self.cmd("MSETNX", "a", "9", "x", "9"), 0)
        self.assertEqual(self.cmd("EXISTS", "x"), 0)
        self.assertEqual(self.cmd("GET", "a"), b"1")
        self.assertEqual(self.cmd("MSETNX", "x", "1", "y", "2"), 1)
        self.assertEqual(self.cmd("MGET", "a", "b", "x", "y"), [b"1", b"2", b"1", b"2"])


class TestCounters(ServerTestCase):

    def test_incr_decr(self):
        self.assertEqual(self.cmd("INCR", "n"), 1)
        self.assertEqual(self.cmd("INCR", "n"), 2)
        self.assertEqual(self.cmd("DECR", "n"), 1)
        self.assertEqual(self.cmd("DECR", "n"), 0)
        self.assertEqual(self.cmd("DECR", "n"), -1)
        self.assertEqual(self.cmd("GET", "n"), b"-1")
        self.assertEqual(self.cmd("DECR", "m"), -1)
        self.assertEqual(self.cmd("INCRBY", "n", "10"), 9)
        self.assertEqual(self.cmd("INCRBY", "n", "-20"), -11)
        self.assertEqual(self.cmd("DECRBY", "n", "5"), -16)
        self.assertEqual(self.cmd("DECRBY", "n", "-20"), 4)
        self.assertEqual(self.cmd("GET", "n"), b"4")
        self.assertCmdOk("SET", "s", "41")
        self.assertEqual(self.cmd("INCR", "s"), 42)

    def test_incr_keeps_ttl(self):
        self.assertCmdOk("SET", "n", "1", "EX", "100")
        self.assertEqual(self.cmd("INCR", "n"), 2)
        self.assertTrue(95 <= self.cmd("TTL", "n") <= 100)

    def test_incr_limits(self):
        self.assertCmdOk("SET", "max", "9223372036854775807")
        self.assertCmdError(OVERFLOW, "INCR", "max")
        self.assertCmdError(OVERFLOW, "INCRBY", "max", "1")
        self.assertEqual(self.cmd("DECR", "max"), 9223372036854775806)
        self.assertCmdOk("SET", "min", "-9223372036854775808")
        self.assertCmdError(OVERFLOW, "DECR", "min")
        self.assertCmdError(OVERFLOW, "DECRBY", "min", "1")
        self.assertCmdError(OVERFLOW, "INCRBY", "min", "-1")
        self.assertEqual(self.cmd("INCR", "min"), -9223372036854775807)
        self.assertEqual(self.cmd("GET", "max"), b"9223372036854775806")
        # DECRBY can't negate LLONG_MIN
        self.assertCmdError("ERR decrement would overflow", "DECRBY", "x", "-9223372036854775808")
        self.assertEqual(self.cmd("DECRBY", "x", "9223372036854775807"), -9223372036854775807)
        self.assertCmdError(NOT_INT, "DECRBY", "x", "9223372036854775808")

    def test_incr_not_integer(self):
        for v in ("abc", " 1", "1 ", "010", "1e5", "1.5", "99999999999999999999", "", "+1", "0x10"):
            self.assertCmdOk("SET", "k", v)
            self.assertCmdError(NOT_INT, "INCR", "k")
            self.assertCmdError(NOT_INT, "DECR", "k")
            self.assertCmdError(NOT_INT, "INCRBY", "k", "1")
            self.assertEqual(self.cmd("GET", "k"), v.encode())
        self.assertCmdError(NOT_INT, "INCRBY", "n", "abc")
        self.assertCmdError(NOT_INT, "INCRBY", "n", "1.5")
        self.assertCmdError(NOT_INT, "DECRBY", "n", "")
        self.assertEqual(self.cmd("EXISTS", "n"), 0)
        self.assertCmdError(arity("incr"), "INCR")
        self.assertCmdError(arity("incrby"), "INCRBY", "n")
        self.assertCmdError(arity("decrby"), "DECRBY", "n")

    def test_incrbyfloat_formatting(self):
        self.assertCmdOk("SET", "a", "10.5")
        self.assertEqual(self.cmd("INCRBYFLOAT", "a", "0.1"), b"10.6")
        self.assertEqual(self.cmd("GET", "a"), b"10.6")
        self.assertCmdOk("SET", "b", "5.0e3")
        self.assertEqual(self.cmd("INCRBYFLOAT", "b", "0"), b"5000")
        self.assertEqual(self.cmd("INCRBYFLOAT", "b", "1.5"), b"5001.5")
        self.assertEqual(self.cmd("INCRBYFLOAT", "b", "-5001.5"), b"0")
        self.assertEqual(self.cmd("INCRBYFLOAT", "c", "3"), b"3")
        self.assertEqual(self.cmd("INCRBYFLOAT", "d", "1.10"), b"1.1")
        self.assertEqual(self.cmd("INCRBYFLOAT", "e", "5e-3"), b"0.005")
        self.assertEqual(self.cmd("INCRBYFLOAT", "f", "-0"), b"0")
        self.assertEqual(self.cmd("INCRBYFLOAT", "g", "-2.5"), b"-2.5")
        self.assertEqual(self.cmd("INCRBYFLOAT", "h", "12345678901234567890"), b"12345678901234567890")
        self.assertCmdOk("SET", "i", "3.0")
        self.assertEqual(self.cmd("INCRBYFLOAT", "i", "1"), b"4")
        self.assertCmdOk("SET", "j", "7")
        self.assertEqual(self.cmd("INCRBYFLOAT", "j", "0.25"), b"7.25")
        # the result is stored as a string; INCR on a non-integer result fails
        self.assertCmdError(NOT_INT, "INCR", "j")

    def test_incrbyfloat_keeps_ttl(self):
        self.assertCmdOk("SET", "n", "1.5", "EX", "100")
        self.assertEqual(self.cmd("INCRBYFLOAT", "n", "1"), b"2.5")
        self.assertTrue(95 <= self.cmd("TTL", "n") <= 100)

    def test_incrbyfloat_errors(self):
        self.assertCmdOk("SET", "s", "abc")
        self.assertCmdError(NOT_FLOAT, "INCRBYFLOAT", "s", "1")
        self.assertCmdOk("SET", "a", "1")
        self.assertCmdError(NOT_FLOAT, "INCRBYFLOAT", "a", "abc")
        self.assertCmdError(NOT_FLOAT, "INCRBYFLOAT", "a", " 1")
        self.assertCmdError(NOT_FLOAT, "INCRBYFLOAT", "a", "nan")
        self.assertCmdError(NOT_FLOAT, "INCRBYFLOAT", "a", "")
        self.assertCmdError("ERR increment would produce NaN or Infinity", "INCRBYFLOAT", "a", "inf")
        self.assertCmdError("ERR increment would produce NaN or Infinity", "INCRBYFLOAT", "a", "-inf")
        self.assertEqual(self.cmd("GET", "a"), b"1")
        self.assertCmdError(arity("incrbyfloat"), "INCRBYFLOAT", "a")

    def test_incrbyfloat_overflow(self):
        # Redis computes in long double: the sum of two huge values overflows to inf
        self.assertCmdOk("SET", "m", "1e4932")
        self.assertCmdError("ERR increment would produce NaN or Infinity", "INCRBYFLOAT", "m", "1e4932")
        self.assertEqual(self.cmd("GET", "m"), b"1e4932")


class TestRanges(ServerTestCase):

    def test_append_strlen(self):
        self.assertEqual(self.cmd("STRLEN", "k"), 0)
        self.assertEqual(self.cmd("APPEND", "k", "foo"), 3)
        self.assertEqual(self.cmd("APPEND", "k", "bar"), 6)
        self.assertEqual(self.cmd("APPEND", "k", ""), 6)
        self.assertEqual(self.cmd("GET", "k"), b"foobar")
        self.assertEqual(self.cmd("STRLEN", "k"), 6)
        self.assertCmdOk("SET", "n", "12")
        self.assertEqual(self.cmd("APPEND", "n", "34"), 4)
        self.assertEqual(self.cmd("INCR", "n"), 1235)
        self.assertEqual(self.cmd("APPEND", "e", ""), 0)
        self.assertEqual(self.cmd("EXISTS", "e"), 1)  # APPEND creates the key even when empty
        self.assertCmdError(arity("append"), "APPEND", "k")
        self.assertCmdError(arity("strlen"), "STRLEN")

    def test_append_keeps_ttl(self):
        self.assertCmdOk("SET", "k", "a", "EX", "100")
        self.assertEqual(self.cmd("APPEND", "k", "b"), 2)
        self.assertTrue(95 <= self.cmd("TTL", "k") <= 100)

    def test_strlen_int_encoded(self):
        self.assertCmdOk("SET", "n", "-12345")
        self.assertEqual(self.cmd("STRLEN", "n"), 6)

    def test_getrange(self):
        self.assertCmdOk("SET", "s", "Hello World")
        cases = [((0, 4), b"Hello"), ((-5, -1), b"World"), ((-100, 100), b"Hello World"),
                 ((0, -1), b"Hello World"), ((5, 2), b""), ((100, 200), b""), ((-1, -5), b""),
                 ((6, 6), b"W"), ((10, 10), b"d"), ((11, 11), b""), ((-3, 100), b"rld"),
                 # Redis 7.0 quirk: an end before the start of the string is clamped to 0
                 ((0, -100), b"H")]
        for (a, b), want in cases:
            self.assertEqual(self.cmd("GETRANGE", "s", str(a), str(b)), want, (a, b))
            self.assertEqual(self.cmd("SUBSTR", "s", str(a), str(b)), want, (a, b))
        self.assertEqual(self.cmd("GETRANGE", "nokey", "0", "-1"), b"")
        self.assertCmdOk("SET", "n", "12345")
        self.assertEqual(self.cmd("GETRANGE", "n", "1", "2"), b"23")
        self.assertCmdError(NOT_INT, "GETRANGE", "s", "a", "1")
        self.assertCmdError(NOT_INT, "GETRANGE", "s", "0", "1.5")
        self.assertCmdError(arity("getrange"), "GETRANGE", "s", "1")
        self.assertCmdError(arity("substr"), "SUBSTR", "s", "1")

    def test_setrange(self):
        self.assertCmdOk("SET", "s", "Hello World")
        self.assertEqual(self.cmd("SETRANGE", "s", "6", "Redis"), 11)
        self.assertEqual(self.cmd("GET", "s"), b"Hello Redis")
        self.assertEqual(self.cmd("SETRANGE", "s", "9", "xyzw"), 13)
        self.assertEqual(self.cmd("GET", "s"), b"Hello Redxyzw")
        self.assertEqual(self.cmd("SETRANGE", "s", "0", ""), 13)

    def test_setrange_pads_with_zero_bytes(self):
        self.assertEqual(self.cmd("SETRANGE", "n", "5", "hi"), 7)
        self.assertEqual(self.cmd("GET", "n"), b"\x00\x00\x00\x00\x00hi")
        self.assertCmdOk("SET", "s", "ab")
        self.assertEqual(self.cmd("SETRANGE", "s", "4", "c"), 5)
        self.assertEqual(self.cmd("GET", "s"), b"ab\x00\x00c")
        self.assertCmdOk("SET", "i", "10")
        self.assertEqual(self.cmd("SETRANGE", "i", "1", "5"), 2)
        self.assertEqual(self.cmd("INCR", "i"), 16)

    def test_setrange_empty_value(self):
        # an empty value never creates the key
        self.assertEqual(self.cmd("SETRANGE", "e", "0", ""), 0)
        self.assertEqual(self.cmd("SETRANGE", "e", "10", ""), 0)
        self.assertEqual(self.cmd("EXISTS", "e"), 0)
        self.assertCmdOk("SET", "s", "abc")
        self.assertEqual(self.cmd("SETRANGE", "s", "100", ""), 3)
        self.assertEqual(self.cmd("GET", "s"), b"abc")

    def test_setrange_errors(self):
        self.assertCmdOk("SET", "s", "abc")
        self.assertCmdError("ERR offset is out of range", "SETRANGE", "s", "-1", "x")
        self.assertCmdError("ERR offset is out of range", "SETRANGE", "nokey", "-1", "x")
        self.assertCmdError("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
                            "SETRANGE", "s", "536870912", "x")
        self.assertCmdError(NOT_INT, "SETRANGE", "s", "abc", "x")
        self.assertCmdError(arity("setrange"), "SETRANGE", "s", "1")
        self.assertEqual(self.cmd("GET", "s"), b"abc")
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)


class TestLcs(ServerTestCase):
    shards = 4  # the two keys on different shards

    def setUp(self):
        super().setUp()
        self.cmd("MSET", "key1", "ohmytext", "key2", "mynewtext")

    def test_string_and_len(self):
        self.assertEqual(self.cmd("LCS", "key1", "key2"), b"mytext")
        self.assertEqual(self.cmd("LCS", "key1", "key2", "LEN"), 6)
        self.assertEqual(self.cmd("LCS", "key1", "nokey"), b"")
        self.assertEqual(self.cmd("LCS", "nokey", "nokey2", "LEN"), 0)
        self.cmd("SET", "n1", "12345")
        self.cmd("SET", "n2", "2x4")
        self.assertEqual(self.cmd("LCS", "n1", "n2"), b"24")

    def test_idx(self):
        self.assertEqual(self.cmd("LCS", "key1", "key2", "IDX"),
                         [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6])
        self.assertEqual(self.cmd("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
                         [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6])
        self.assertEqual(self.cmd("LCS", "key1", "key2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "-5"),
                         [b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6])

    def test_idx_resp3_is_a_map(self):
        c = self.server.raw(protocol=3)
        reply = c.execute("LCS", "key1", "key2", "IDX")
        self.assertIsInstance(reply, harness.RespMap)
        self.assertEqual(reply[b"len"], 6)

    def test_errors(self):
        self.cmd("RPUSH", "list", "a")
        self.assertCmdError("ERR The specified keys must contain string values", "LCS", "key1", "list")
        self.assertCmdError("ERR If you want both the length and indexes, please just use IDX.",
                            "LCS", "key1", "key2", "LEN", "IDX")
        self.assertCmdError(SYNTAX, "LCS", "key1", "key2", "FOO")
        self.assertCmdError(SYNTAX, "LCS", "key1", "key2", "MINMATCHLEN")
        self.assertCmdError(NOT_INT, "LCS", "key1", "key2", "MINMATCHLEN", "x")
        self.assertCmdError("ERR wrong number of arguments for 'lcs' command", "LCS", "key1")

    def test_table_bounded_by_proto_max_bulk_len(self):
        self.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb")
        try:
            self.cmd("SET", "big1", "a" * 1000)
            self.cmd("SET", "big2", "b" * 1000)
            self.assertCmdError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
                                "LCS", "big1", "big2")
            self.assertEqual(self.cmd("LCS", "key1", "key2", "LEN"), 6)
        finally:
            self.cmd("CONFIG", "SET", "proto-max-bulk-len", "512mb")


if __name__ == "__main__":
    main()
