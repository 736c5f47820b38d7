#!/usr/bin/python3
"""Sorted set commands: ZADD options, scores and their formatting, ranks, every ZRANGE form, pops, ZRANDMEMBER,
ZREMRANGEBY*, set algebra (ZUNION/ZINTER/ZDIFF and STORE forms, plain sets as inputs), ZINTERCARD, ZSCAN,
encodings, RESP2/RESP3 reply shapes, and a large zset checked against a python model. TestZsetsSharded runs
ember with --shards 4 (redis-server ignores it) so that multi-key commands see keys on different shards.
Error texts are exact Redis 7.0 replies."""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, RespDouble, RESP3_NULL, main  # noqa: E402
from harness import SYNTAX, NOT_INT, NOT_FLOAT, WRONGTYPE, MUST_BE_POSITIVE, NUMKEYS, arity  # noqa: E402

NX_XX = "ERR XX and NX options at the same time are not compatible"
GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible"
INCR_PAIR = "ERR INCR option supports a single increment-element pair"
MINMAX_FLOAT = "ERR min or max is not a float"
MINMAX_LEX = "ERR min or max not valid string range item"
LIMIT_ONLY = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
NAN_RESULT = "ERR resulting score is not a number (NaN)"
COUNT_GT0 = "ERR count should be greater than 0"
NEG_LIMIT = "ERR LIMIT can't be negative"


def at_least_one(cmd):
    return "ERR at least 1 input key is needed for '%s' command" % cmd


def fmt(score):
    """A score as Redis 7.0 prints it in RESP2 (%.17g)."""
    return ("%.17g" % score).encode()


def ws(*pairs):
    """ws(("a", 1), ("b", 2.5)) -> the flat RESP2 WITHSCORES reply [b"a", b"1", b"b", b"2.5"]."""
    out = []
    for m, s in pairs:
        out += [m.encode() if isinstance(m, str) else m, fmt(s)]
    return out


def b(*items):
    return [i.encode() if isinstance(i, str) else i for i in items]


class ZsetCase(ServerTestCase):

    def zadd(self, key, *pairs):
        """zadd("z", ("a", 1), ("b", 2))"""
        args = []
        for m, s in pairs:
            args += [str(s) if not isinstance(s, str) else s, m]
        return self.cmd("ZADD", key, *args)

    def zall(self, key):
        """The zset as a list of (member, float score) in rank order."""
        flat = self.cmd("ZRANGE", key, "0", "-1", "WITHSCORES")
        self.assertIsInstance(flat, list, flat)
        return [(m, float(s)) for m, s in zip(flat[0::2], flat[1::2])]


class TestZadd(ZsetCase):

    def test_zadd_basic(self):
        self.assertEqual(self.cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"), 3)
        self.assertEqual(self.cmd("ZADD", "z", "1", "a"), 0)
        self.assertEqual(self.cmd("ZADD", "z", "10", "a", "4", "d"), 1)  # update + add: counts added only
        self.assertEqual(self.zall("z"), [(b"b", 2), (b"c", 3), (b"d", 4), (b"a", 10)])
        self.assertEqual(self.cmd("ZADD", "z", "5", "x", "6", "x"), 1)  # the last score wins
        self.assertEqual(self.cmd("ZSCORE", "z", "x"), b"6")
        self.assertEqual(self.cmd("TYPE", "z"), "zset")
        self.assertEqual(self.cmd("ZCARD", "z"), 5)
        self.assertEqual(self.cmd("ZADD", "e", "0", ""), 1)
        self.assertEqual(self.cmd("ZSCORE", "e", ""), b"0")

    def test_zadd_ch(self):
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.assertEqual(self.cmd("ZADD", "z", "CH", "5", "a", "2", "b", "4", "d"), 2)  # a changed, d added
        self.assertEqual(self.cmd("ZADD", "z", "CH", "5", "a"), 0)
        self.assertEqual(self.cmd("ZADD", "z", "ch", "6", "a", "7", "b"), 2)

    def test_zadd_nx_xx(self):
        self.zadd("z", ("a", 1))
        self.assertEqual(self.cmd("ZADD", "z", "NX", "10", "a", "11", "e"), 1)
        self.assertEqual(self.cmd("ZSCORE", "z", "a"), b"1")
        self.assertEqual(self.cmd("ZSCORE", "z", "e"), b"11")
        self.assertEqual(self.cmd("ZADD", "z", "XX", "10", "a", "12", "f"), 0)
        self.assertEqual(self.cmd("ZSCORE", "z", "a"), b"10")
        self.assertIsNone(self.cmd("ZSCORE", "z", "f"))
        self.assertEqual(self.cmd("ZADD", "z", "XX", "CH", "10", "a", "13", "e"), 1)
        self.assertEqual(self.cmd("ZADD", "z", "NX", "CH", "5", "a", "5", "g"), 1)
        self.assertEqual(self.cmd("ZADD", "nokey", "XX", "1", "a"), 0)
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)

    def test_zadd_gt_lt(self):
        self.zadd("z", ("a", 10), ("b", 10))
        self.assertEqual(self.cmd("ZADD", "z", "GT", "CH", "5", "a", "20", "b"), 1)
        self.assertEqual(self.cmd("ZSCORE", "z", "a"), b"10")
        self.assertEqual(self.cmd("ZSCORE", "z", "b"), b"20")
        self.assertEqual(self.cmd("ZADD", "z", "LT", "CH", "5", "a", "30", "b"), 1)
        self.assertEqual(self.cmd("ZSCORE", "z", "a"), b"5")
        self.assertEqual(self.cmd("ZSCORE", "z", "b"), b"20")
        # GT / LT still add new members
        self.assertEqual(self.cmd("ZADD", "z", "GT", "1", "new1"), 1)
        self.assertEqual(self.cmd("ZADD", "z", "LT", "100", "new2"), 1)
        self.assertEqual(self.cmd("ZSCORE", "z", "new2"), b"100")
        # XX combines with GT / LT
        self.assertEqual(self.cmd("ZADD", "z", "XX", "GT", "CH", "50", "b", "60", "nope"), 1)
        self.assertEqual(self.cmd("ZSCORE", "z", "b"), b"50")
        self.assertIsNone(self.cmd("ZSCORE", "z", "nope"))

    def test_zadd_incr(self):
        self.assertEqual(self.cmd("ZADD", "z", "INCR", "5", "a"), b"5")
        self.assertEqual(self.cmd("ZADD", "z", "INCR", "1.5", "a"), b"6.5")
        self.assertEqual(self.cmd("ZADD", "z", "INCR", "-10", "a"), b"-3.5")
        # an INCR that is not applied replies nil
        self.assertIsNone(self.cmd("ZADD", "z", "INCR", "NX", "5", "a"))
        self.assertIsNone(self.cmd("ZADD", "z", "XX", "INCR", "5", "nope"))
        self.assertIsNone(self.cmd("ZADD", "z", "INCR", "GT", "-1", "a"))
        self.assertEqual(self.cmd("ZADD", "z", "INCR", "LT", "-1", "a"), b"-4.5")
        self.assertEqual(self.cmd("ZADD", "z", "INCR", "NX", "2", "b"), b"2")
        self.assertEqual(self.cmd("ZSCORE", "z", "a"), b"-4.5")
        self.assertIsNone(self.cmd("ZSCORE", "z", "nope"))
        with self.server.raw(protocol=3) as c3:
            self.assertEqual(c3.execute("ZADD", "z", "INCR", "1", "b"), 3.0)
            self.assertIsInstance(c3.execute("ZADD", "z", "INCR", "1", "b"), RespDouble)
            self.assertIs(c3.execute("ZADD", "z", "INCR", "NX", "1", "b"), RESP3_NULL)

    def test_zadd_errors(self):
        self.zadd("z", ("a", 1))
        self.assertCmdError(NX_XX, "ZADD", "z", "NX", "XX", "1", "a")
        self.assertCmdError(GT_LT_NX, "ZADD", "z", "GT", "LT", "1", "a")
        self.assertCmdError(GT_LT_NX, "ZADD", "z", "GT", "NX", "1", "a")
        self.assertCmdError(GT_LT_NX, "ZADD", "z", "LT", "NX", "1", "a")
        self.assertCmdError(INCR_PAIR, "ZADD", "z", "INCR", "1", "a", "2", "b")
        for score in ("abc", "nan", "", " 1", "1 ", "1e400", "-1e400", "1.5.5"):
            self.assertCmdError(NOT_FLOAT, "ZADD", "z", score, "a")
        self.assertCmdError(NOT_FLOAT, "ZADD", "z", "1", "b", "x", "c")
        self.assertCmdError(SYNTAX, "ZADD", "z", "1", "a", "2")
        self.assertCmdError(SYNTAX, "ZADD", "z", "FOO", "1", "a")
        self.assertCmdError(SYNTAX, "ZADD", "z", "1", "a", "NX")
        self.assertCmdError(SYNTAX, "ZADD", "z", "INCR", "1")
        self.assertCmdError(arity("zadd"), "ZADD", "z", "1")
        self.assertCmdError(arity("zadd"), "ZADD", "z", "NX")
        self.assertCmdError(arity("zadd"), "ZADD", "z")
        self.assertEqual(self.zall("z"), [(b"a", 1)])  # nothing was applied
        self.assertEqual(self.cmd("EXISTS", "b"), 0)

    def test_zrem(self):
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3))
        self.assertEqual(self.cmd("ZREM", "z", "a", "nope", "a"), 1)
        self.assertEqual(self.cmd("ZREM", "z", "nope"), 0)
        self.assertEqual(self.cmd("ZREM", "nokey", "a"), 0)
        self.assertEqual(self.cmd("ZREM", "z", "b", "c"), 2)
        self.assertEqual(self.cmd("EXISTS", "z"), 0)  # the key goes with its last member
        self.assertCmdError(arity("zrem"), "ZREM", "z")


class TestScores(ZsetCase):

    def test_zscore_formatting(self):
        cases = [("1.5", b"1.5"), ("3", b"3"), ("3.0", b"3"), ("0.1", b"0.10000000000000001"), ("1e20", b"1e+20"),
                 ("-0", b"0"), ("1e-5", b"1.0000000000000001e-05"), ("123456789.123456789", b"123456789.12345679"),
                 ("3.0e2", b"300"), ("-2.5", b"-2.5"), ("inf", b"inf"), ("+inf", b"inf"), ("-inf", b"-inf"),
                 ("9007199254740993", b"9007199254740992"), ("0.5", b"0.5"), ("-1e300", b"-1.0000000000000001e+300")]
        for i, (score, want) in enumerate(cases):
            self.assertEqual(self.cmd("ZADD", "z", score, "m%d" % i), 1, score)
            self.assertEqual(self.cmd("ZSCORE", "z", "m%d" % i), want, score)
        self.assertIsNone(self.cmd("ZSCORE", "z", "nope"))
        self.assertIsNone(self.cmd("ZSCORE", "nokey", "a"))
        self.assertCmdError(arity("zscore"), "ZSCORE", "z")

    def test_zmscore(self):
        self.zadd("z", ("a", 1.5), ("b", 0.1), ("c", "inf"))
        self.assertEqual(self.cmd("ZMSCORE", "z", "a", "nope", "b", "c"),
                         [b"1.5", None, b"0.10000000000000001", b"inf"])
        self.assertEqual(self.cmd("ZMSCORE", "nokey", "a", "b"), [None, None])
        self.assertCmdError(arity("zmscore"), "ZMSCORE", "z")

    def test_scores_resp3_doubles(self):
        self.zadd("z", ("a", 1.5), ("b", 0.1), ("c", 3), ("i", "inf"), ("n", "-inf"))
        with self.server.raw(protocol=3) as c3:
            c3.send("ZSCORE", "z", "a")
            self.assertEqual(c3.read_raw(1.0), b",1.5\r\n")
            c3.send("ZSCORE", "z", "c")
            self.assertEqual(c3.read_raw(1.0), b",3\r\n")
            c3.send("ZSCORE", "z", "i")
            self.assertEqual(c3.read_raw(1.0), b",inf\r\n")
            c3.send("ZSCORE", "z", "n")
            self.assertEqual(c3.read_raw(1.0), b",-inf\r\n")
            c3.send("ZSCORE", "z", "b")
            self.assertEqual(c3.read_raw(1.0), b",0.10000000000000001\r\n")
            c3.send("ZSCORE", "z", "nope")
            self.assertEqual(c3.read_raw(1.0), b"_\r\n")
            c3.send("ZMSCORE", "z", "a", "nope")
            self.assertEqual(c3.read_raw(1.0), b"*2\r\n,1.5\r\n_\r\n")
            c3.send("ZINCRBY", "z", "1", "c")
            self.assertEqual(c3.read_raw(1.0), b",4\r\n")
            # WITHSCORES replies become arrays of [member, double] pairs
            c3.send("ZRANGE", "z", "0", "1", "WITHSCORES")
            self.assertEqual(c3.read_raw(1.0),
                             b"*2\r\n*2\r\n$1\r\nn\r\n,-inf\r\n*2\r\n$1\r\nb\r\n,0.10000000000000001\r\n")
            for args in (("ZRANGE", "z", "0", "-1", "WITHSCORES"),
                         ("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "WITHSCORES"),
                         ("ZREVRANGE", "z", "0", "-1", "WITHSCORES"),
                         ("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"),
                         ("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"),
                         ("ZUNION", "1", "z", "WITHSCORES"),
                         ("ZINTER", "1", "z", "WITHSCORES"),
                         ("ZDIFF", "1", "z", "WITHSCORES")):
                reply = c3.execute(*args)
                self.assertEqual(len(reply), 5, args)
                for pair in reply:
                    self.assertIsInstance(pair, list, args)
                    self.assertEqual(len(pair), 2, args)
                    self.assertIsInstance(pair[0], bytes, args)
                    self.assertIsInstance(pair[1], RespDouble, args)
            reply = c3.execute("ZRANGE", "z", "0", "-1", "WITHSCORES")
            self.assertEqual([(m, float(s)) for m, s in reply],
                             [(b"n", float("-inf")), (b"b", 0.1), (b"a", 1.5), (b"c", 4.0), (b"i", float("inf"))])
            # without WITHSCORES: a flat array of members
            self.assertEqual(c3.execute("ZRANGE", "z", "0", "1"), [b"n", b"b"])
            # ZSCAN keeps scores as bulk strings
            cursor, items = c3.execute("ZSCAN", "z", "0")
            self.assertEqual(cursor, b"0")
            self.assertEqual(dict(zip(items[0::2], items[1::2]))[b"a"], b"1.5")
        self.c.send("ZRANGE", "z", "0", "1", "WITHSCORES")
        self.assertEqual(self.c.read_raw(1.0),
                         b"*4\r\n$1\r\nn\r\n$4\r\n-inf\r\n$1\r\nb\r\n$19\r\n0.10000000000000001\r\n")

    def test_zincrby(self):
        self.assertEqual(self.cmd("ZINCRBY", "z", "2.5", "m"), b"2.5")
        self.assertEqual(self.cmd("ZINCRBY", "z", "1", "m"), b"3.5")
        self.assertEqual(self.cmd("ZINCRBY", "z", "-3.5", "m"), b"0")
        self.assertEqual(self.cmd("ZINCRBY", "z", "0.1", "m"), b"0.10000000000000001")
        self.assertEqual(self.cmd("ZINCRBY", "z", "inf", "i"), b"inf")
        self.assertEqual(self.cmd("ZINCRBY", "z", "inf", "i"), b"inf")
        self.assertCmdError(NAN_RESULT, "ZINCRBY", "z", "-inf", "i")
        self.assertCmdError(NAN_RESULT, "ZADD", "z", "INCR", "-inf", "i")
        self.assertEqual(self.cmd("ZSCORE", "z", "i"), b"inf")
        self.zadd("z", ("max", "1.7976931348623157e308"))
        self.assertEqual(self.cmd("ZINCRBY", "z", "1.7976931348623157e308", "max"), b"inf")
        self.assertCmdError(NOT_FLOAT, "ZINCRBY", "z", "abc", "m")
        self.assertCmdError(NOT_FLOAT, "ZINCRBY", "z", "nan", "m")
        self.assertCmdError(arity("zincrby"), "ZINCRBY", "z", "1")
        self.assertEqual(self.cmd("ZCARD", "z"), 3)

    def test_zcard_zcount(self):
        self.assertEqual(self.cmd("ZCARD", "nokey"), 0)
        self.assertEqual(self.cmd("ZCOUNT", "nokey", "-inf", "+inf"), 0)
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))
        self.assertEqual(self.cmd("ZCARD", "z"), 5)
        for lo, hi, want in (("2", "4", 3), ("(2", "4", 2), ("2", "(4", 2), ("(2", "(4", 1), ("-inf", "+inf", 5),
                             ("-inf", "inf", 5), ("4", "2", 0), ("(1", "(2", 0), ("5", "5", 1), ("(5", "5", 0),
                             ("1.5", "2.5", 1), ("-inf", "(3", 2), ("(3", "+inf", 2), ("6", "+inf", 0)):
            self.assertEqual(self.cmd("ZCOUNT", "z", lo, hi), want, (lo, hi))
        for lo, hi in (("abc", "1"), ("1", "(abc"), ("nan", "1"), ("[1", "2"), ("1", "2x")):
            self.assertCmdError(MINMAX_FLOAT, "ZCOUNT", "z", lo, hi)
        self.assertCmdError(arity("zcount"), "ZCOUNT", "z", "1")
        self.assertCmdError(arity("zcard"), "ZCARD", "z", "x")

    def test_zlexcount(self):
        self.zadd("l", *[(m, 0) for m in "abcde"])
        for lo, hi, want in (("-", "+", 5), ("[b", "[d", 3), ("(b", "(d", 1), ("(b", "+", 3), ("-", "(c", 2),
                             ("+", "-", 0), ("[d", "[b", 0), ("[a", "[a", 1), ("(a", "[a", 0), ("[aa", "[bb", 1),
                             ("[", "+", 5), ("-", "[", 0)):
            self.assertEqual(self.cmd("ZLEXCOUNT", "l", lo, hi), want, (lo, hi))
        self.assertEqual(self.cmd("ZLEXCOUNT", "nokey", "-", "+"), 0)
        for lo, hi in (("a", "b"), ("[a", "b"), ("-a", "+"), ("", "+"), ("-", "+b")):
            self.assertCmdError(MINMAX_LEX, "ZLEXCOUNT", "l", lo, hi)
        self.assertCmdError(arity("zlexcount"), "ZLEXCOUNT", "l", "-")

    def test_zrank_zrevrank(self):
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("same1", 10), ("same0", 10))
        self.assertEqual(self.cmd("ZRANK", "z", "a"), 0)
        self.assertEqual(self.cmd("ZRANK", "z", "c"), 2)
        self.assertEqual(self.cmd("ZRANK", "z", "same0"), 3)  # equal scores: ordered by member
        self.assertEqual(self.cmd("ZRANK", "z", "same1"), 4)
        self.assertEqual(self.cmd("ZREVRANK", "z", "a"), 4)
        self.assertEqual(self.cmd("ZREVRANK", "z", "same1"), 0)
        self.assertIsNone(self.cmd("ZRANK", "z", "nope"))
        self.assertIsNone(self.cmd("ZRANK", "nokey", "a"))
        self.assertIsNone(self.cmd("ZREVRANK", "nokey", "a"))
        with self.server.raw(protocol=3) as c3:
            self.assertIs(c3.execute("ZRANK", "z", "nope"), RESP3_NULL)
            self.assertEqual(c3.execute("ZREVRANK", "z", "c"), 2)
        # WITHSCORE only exists since Redis 7.2
        self.assertCmdError(arity("zrank"), "ZRANK", "z", "a", "WITHSCORE")
        self.assertCmdError(arity("zrevrank"), "ZREVRANK", "z")


class TestRanges(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))
        self.zadd("l", *[(m, 0) for m in "abcde"])

    def test_zrange_by_index(self):
        for start, stop, want in ((0, -1, "abcde"), (0, 0, "a"), (-2, -1, "de"), (3, 1, ""), (-100, 100, "abcde"),
                                  (5, 10, ""), (1, 3, "bcd"), (-1, -1, "e")):
            self.assertEqual(self.cmd("ZRANGE", "z", str(start), str(stop)), b(*want), (start, stop))
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
                         ws(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)))
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1", "REV"), b(*"edcba"))
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "1", "REV", "WITHSCORES"), ws(("e", 5), ("d", 4)))
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "1", "withscores", "rev"), ws(("e", 5), ("d", 4)))
        self.assertEqual(self.cmd("ZRANGE", "nokey", "0", "-1"), [])
        self.assertCmdError(NOT_INT, "ZRANGE", "z", "a", "b")

    def test_zrange_byscore(self):
        self.assertEqual(self.cmd("ZRANGE", "z", "2", "4", "BYSCORE"), b(*"bcd"))
        self.assertEqual(self.cmd("ZRANGE", "z", "(2", "4", "BYSCORE"), b(*"cd"))
        self.assertEqual(self.cmd("ZRANGE", "z", "4", "2", "BYSCORE", "REV"), b(*"dcb"))
        self.assertEqual(self.cmd("ZRANGE", "z", "2", "4", "BYSCORE", "REV"), [])  # REV takes max first
        self.assertEqual(self.cmd("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"), b(*"bc"))
        self.assertEqual(self.cmd("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "-1"), b(*"bcde"))
        self.assertEqual(self.cmd("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"), [])
        self.assertEqual(self.cmd("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "10", "2"), [])
        self.assertEqual(self.cmd("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"), [])
        self.assertEqual(self.cmd("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES"),
                         ws(("e", 5), ("d", 4)))
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1", "BYSCORE"), [])  # scores, not indexes
        self.assertEqual(self.cmd("ZRANGE", "z", "-inf", "(3", "BYSCORE", "WITHSCORES"), ws(("a", 1), ("b", 2)))

    def test_zrange_bylex(self):
        self.assertEqual(self.cmd("ZRANGE", "l", "[b", "[d", "BYLEX"), b(*"bcd"))
        self.assertEqual(self.cmd("ZRANGE", "l", "(b", "[d", "BYLEX"), b(*"cd"))
        self.assertEqual(self.cmd("ZRANGE", "l", "[d", "[b", "BYLEX", "REV"), b(*"dcb"))
        self.assertEqual(self.cmd("ZRANGE", "l", "-", "+", "BYLEX", "LIMIT", "1", "2"), b(*"bc"))
        self.assertEqual(self.cmd("ZRANGE", "l", "+", "-", "BYLEX", "REV", "LIMIT", "0", "2"), b(*"ed"))
        self.assertEqual(self.cmd("ZRANGE", "l", "(a", "(b", "BYLEX"), [])
        self.assertEqual(self.cmd("ZRANGE", "l", "[bb", "+", "BYLEX"), b(*"cde"))

    def test_zrange_errors(self):
        self.assertCmdError(LIMIT_ONLY, "ZRANGE", "z", "0", "1", "LIMIT", "0", "1")
        self.assertCmdError(WITHSCORES_BYLEX, "ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES")
        self.assertCmdError(SYNTAX, "ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX")
        self.assertCmdError(SYNTAX, "ZRANGE", "z", "0", "1", "FOO")
        self.assertCmdError(SYNTAX, "ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "0")
        self.assertCmdError(NOT_INT, "ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "a", "1")
        self.assertCmdError(MINMAX_FLOAT, "ZRANGE", "z", "a", "b", "BYSCORE")
        self.assertCmdError(MINMAX_LEX, "ZRANGE", "l", "a", "b", "BYLEX")
        self.assertCmdError(arity("zrange"), "ZRANGE", "z", "0")

    def test_old_range_commands(self):
        self.assertEqual(self.cmd("ZREVRANGE", "z", "0", "1"), b(*"ed"))
        self.assertEqual(self.cmd("ZREVRANGE", "z", "0", "1", "WITHSCORES"), ws(("e", 5), ("d", 4)))
        self.assertEqual(self.cmd("ZREVRANGE", "z", "-1", "-1"), b("a"))
        self.assertCmdError(SYNTAX, "ZREVRANGE", "z", "0", "1", "BYSCORE")
        self.assertEqual(self.cmd("ZRANGEBYSCORE", "z", "2", "4"), b(*"bcd"))
        self.assertEqual(self.cmd("ZRANGEBYSCORE", "z", "(2", "+inf", "WITHSCORES", "LIMIT", "1", "1"), ws(("d", 4)))
        self.assertEqual(self.cmd("ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "1", "1", "WITHSCORES"), ws(("c", 3)))
        self.assertEqual(self.cmd("ZRANGEBYSCORE", "z", "4", "2"), [])
        self.assertEqual(self.cmd("ZRANGEBYSCORE", "z", "(1", "(1"), [])
        self.assertCmdError(SYNTAX, "ZRANGEBYSCORE", "z", "2", "4", "REV")
        self.assertCmdError(SYNTAX, "ZRANGEBYSCORE", "z", "2", "4", "LIMIT", "1")
        self.assertCmdError(MINMAX_FLOAT, "ZRANGEBYSCORE", "z", "a", "4")
        self.assertEqual(self.cmd("ZREVRANGEBYSCORE", "z", "4", "2"), b(*"dcb"))
        self.assertEqual(self.cmd("ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES", "LIMIT", "0", "1"), ws(("d", 4)))
        self.assertEqual(self.cmd("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "1"), b("d"))
        self.assertEqual(self.cmd("ZREVRANGEBYSCORE", "z", "2", "4"), [])
        self.assertEqual(self.cmd("ZRANGEBYLEX", "l", "[b", "(d"), b(*"bc"))
        self.assertEqual(self.cmd("ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "10"), b(*"cde"))
        self.assertCmdError(WITHSCORES_BYLEX, "ZRANGEBYLEX", "l", "-", "+", "WITHSCORES")
        self.assertCmdError(MINMAX_LEX, "ZRANGEBYLEX", "l", "b", "d")
        self.assertEqual(self.cmd("ZREVRANGEBYLEX", "l", "[d", "[b"), b(*"dcb"))
        self.assertEqual(self.cmd("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "0", "2"), b(*"ed"))
        self.assertEqual(self.cmd("ZREVRANGEBYLEX", "l", "[b", "[d"), [])
        self.assertCmdError(arity("zrangebyscore"), "ZRANGEBYSCORE", "z", "1")
        self.assertCmdError(arity("zrevrangebylex"), "ZREVRANGEBYLEX", "l", "-")

    def test_equal_scores_order(self):
        self.zadd("t", ("c", 1), ("a", 1), ("b", 1), ("d", 2))
        self.assertEqual(self.cmd("ZRANGE", "t", "0", "-1"), b(*"abcd"))
        self.assertEqual(self.cmd("ZRANGEBYSCORE", "t", "1", "1"), b(*"abc"))
        self.assertEqual(self.cmd("ZREVRANGEBYSCORE", "t", "1", "1"), b(*"cba"))
        self.assertEqual(self.cmd("ZRANGE", "t", "0", "-1", "REV"), b(*"dcba"))

    def test_zrangestore(self):
        self.assertEqual(self.cmd("ZRANGESTORE", "dst", "z", "0", "1"), 2)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("a", 1), ("b", 2)))
        self.assertEqual(self.cmd("ZRANGESTORE", "dst", "z", "2", "4", "BYSCORE", "LIMIT", "0", "2"), 2)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("b", 2), ("c", 3)))
        self.assertEqual(self.cmd("ZRANGESTORE", "dst", "z", "4", "2", "BYSCORE", "REV"), 3)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("b", 2), ("c", 3), ("d", 4)))
        self.assertEqual(self.cmd("ZRANGESTORE", "dst", "l", "[b", "[c", "BYLEX"), 2)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("b", 0), ("c", 0)))
        # an empty result deletes the destination
        self.assertEqual(self.cmd("ZRANGESTORE", "dst", "z", "10", "20"), 0)
        self.assertEqual(self.cmd("EXISTS", "dst"), 0)
        self.assertEqual(self.cmd("ZRANGESTORE", "dst", "nokey", "0", "-1"), 0)
        self.assertEqual(self.cmd("EXISTS", "dst"), 0)
        # overwrites any type; the source may be the destination
        self.assertCmdOk("SET", "str", "v")
        self.assertEqual(self.cmd("ZRANGESTORE", "str", "z", "0", "0"), 1)
        self.assertEqual(self.cmd("TYPE", "str"), "zset")
        self.assertEqual(self.cmd("ZRANGESTORE", "z", "z", "1", "2"), 2)
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1"), b("b", "c"))
        self.assertCmdError(SYNTAX, "ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES")
        self.assertCmdOk("SET", "str", "v")
        self.assertCmdError(WRONGTYPE, "ZRANGESTORE", "dst", "str", "0", "0")
        self.r.sadd("set", "a")
        self.assertCmdError(WRONGTYPE, "ZRANGESTORE", "dst", "set", "0", "0")
        self.assertCmdError(arity("zrangestore"), "ZRANGESTORE", "dst", "z", "0")

    def test_zremrangebyrank(self):
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "z", "0", "1"), 2)
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1"), b(*"cde"))
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "z", "-1", "-1"), 1)
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "z", "5", "10"), 0)
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "z", "1", "0"), 0)
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "nokey", "0", "-1"), 0)
        self.assertCmdError(NOT_INT, "ZREMRANGEBYRANK", "z", "a", "1")
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "z", "0", "-1"), 2)
        self.assertEqual(self.cmd("EXISTS", "z"), 0)

    def test_zremrangebyscore(self):
        self.assertEqual(self.cmd("ZREMRANGEBYSCORE", "z", "(1", "2"), 1)
        self.assertEqual(self.cmd("ZREMRANGEBYSCORE", "z", "(3", "(5"), 1)
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1"), b(*"ace"))
        self.assertEqual(self.cmd("ZREMRANGEBYSCORE", "z", "10", "20"), 0)
        self.assertEqual(self.cmd("ZREMRANGEBYSCORE", "nokey", "-inf", "+inf"), 0)
        self.assertCmdError(MINMAX_FLOAT, "ZREMRANGEBYSCORE", "z", "a", "b")
        self.assertEqual(self.cmd("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), 3)
        self.assertEqual(self.cmd("EXISTS", "z"), 0)

    def test_zremrangebylex(self):
        self.assertEqual(self.cmd("ZREMRANGEBYLEX", "l", "[b", "(d"), 2)
        self.assertEqual(self.cmd("ZRANGE", "l", "0", "-1"), b(*"ade"))
        self.assertEqual(self.cmd("ZREMRANGEBYLEX", "l", "(e", "+"), 0)
        self.assertEqual(self.cmd("ZREMRANGEBYLEX", "nokey", "-", "+"), 0)
        self.assertCmdError(MINMAX_LEX, "ZREMRANGEBYLEX", "l", "a", "b")
        self.assertEqual(self.cmd("ZREMRANGEBYLEX", "l", "-", "+"), 3)
        self.assertEqual(self.cmd("EXISTS", "l"), 0)


class TestPopRandom(ZsetCase):

    def test_zpopmin_zpopmax(self):
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))
        self.assertEqual(self.cmd("ZPOPMIN", "z"), ws(("a", 1)))
        self.assertEqual(self.cmd("ZPOPMAX", "z"), ws(("e", 5)))
        self.assertEqual(self.cmd("ZPOPMIN", "z", "2"), ws(("b", 2), ("c", 3)))
        self.assertEqual(self.cmd("ZPOPMAX", "z", "0"), [])
        self.assertEqual(self.cmd("ZPOPMAX", "z", "10"), ws(("d", 4)))
        self.assertEqual(self.cmd("EXISTS", "z"), 0)
        self.assertEqual(self.cmd("ZPOPMIN", "nokey"), [])  # an empty array, not nil
        self.assertEqual(self.cmd("ZPOPMAX", "nokey", "3"), [])
        self.zadd("t", ("x", 1), ("y", 1), ("z", 1))
        self.assertEqual(self.cmd("ZPOPMAX", "t", "2"), ws(("z", 1), ("y", 1)))

    def test_zpop_resp3_shapes(self):
        self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4))
        with self.server.raw(protocol=3) as c3:
            # no count: one flat [member, score] pair
            c3.send("ZPOPMIN", "z")
            self.assertEqual(c3.read_raw(1.0), b"*2\r\n$1\r\na\r\n,1\r\n")
            # any count (even 1): an array of pairs
            c3.send("ZPOPMIN", "z", "1")
            self.assertEqual(c3.read_raw(1.0), b"*1\r\n*2\r\n$1\r\nb\r\n,2\r\n")
            self.assertEqual(c3.execute("ZPOPMAX", "z", "5"), [[b"d", 4.0], [b"c", 3.0]])
            c3.send("ZPOPMIN", "nokey")
            self.assertEqual(c3.read_raw(1.0), b"*0\r\n")
            c3.send("ZPOPMIN", "nokey", "2")
            self.assertEqual(c3.read_raw(1.0), b"*0\r\n")

    def test_zpop_errors(self):
        self.zadd("z", ("a", 1))
        self.assertCmdError(MUST_BE_POSITIVE, "ZPOPMIN", "z", "-1")
        self.assertCmdError(MUST_BE_POSITIVE, "ZPOPMAX", "z", "abc")
        self.assertCmdError(SYNTAX, "ZPOPMIN", "z", "1", "2")
        self.assertCmdError(arity("zpopmin"), "ZPOPMIN")
        self.assertEqual(self.cmd("ZCARD", "z"), 1)

    def test_zmpop(self):
        self.zadd("b", ("x", 1), ("y", 2), ("z", 3))
        # RESP2 too nests [member, score] pairs: [key, [[member, score], ...]]
        self.assertEqual(self.cmd("ZMPOP", "2", "a", "b", "MIN"), [b"b", [[b"x", b"1"]]])
        self.assertEqual(self.cmd("ZMPOP", "2", "a", "b", "MAX", "COUNT", "10"), [b"b", [[b"z", b"3"], [b"y", b"2"]]])
        self.assertEqual(self.cmd("EXISTS", "b"), 0)
        self.assertIsNone(self.cmd("ZMPOP", "2", "a", "b", "MIN"))
        self.c.send("ZMPOP", "1", "a", "MIN", "COUNT", "2")
        self.assertEqual(self.c.read_raw(1.0), b"*-1\r\n")
        self.zadd("a", ("p", 1.5), ("q", 2.5))
        self.zadd("b", ("r", 0))
        self.assertEqual(self.cmd("ZMPOP", "2", "a", "b", "max", "count", "1"), [b"a", [[b"q", b"2.5"]]])
        with self.server.raw(protocol=3) as c3:
            self.assertEqual(c3.execute("ZMPOP", "2", "b", "a", "MIN", "COUNT", "2"), [b"b", [[b"r", 0.0]]])
            c3.send("ZMPOP", "1", "a", "MIN")
            self.assertEqual(c3.read_raw(1.0), b"*2\r\n$1\r\na\r\n*1\r\n*2\r\n$1\r\np\r\n,1.5\r\n")
            c3.send("ZMPOP", "2", "a", "b", "MIN")
            self.assertEqual(c3.read_raw(1.0), b"_\r\n")

    def test_zmpop_errors(self):
        self.zadd("a", ("m", 1))
        self.assertCmdError(NUMKEYS, "ZMPOP", "0", "a", "MIN")
        self.assertCmdError(NUMKEYS, "ZMPOP", "-1", "a", "MIN")
        self.assertCmdError(SYNTAX, "ZMPOP", "3", "a", "b", "MIN")
        self.assertCmdError(SYNTAX, "ZMPOP", "5", "a", "MIN")
        self.assertCmdError(SYNTAX, "ZMPOP", "2", "a", "b")
        self.assertCmdError(SYNTAX, "ZMPOP", "2", "a", "b", "LEFT")
        self.assertCmdError(COUNT_GT0, "ZMPOP", "1", "a", "MIN", "COUNT", "0")
        self.assertCmdError(COUNT_GT0, "ZMPOP", "1", "a", "MIN", "COUNT", "-1")
        self.assertCmdError(COUNT_GT0, "ZMPOP", "1", "a", "MIN", "COUNT", "abc")
        self.assertCmdError(SYNTAX, "ZMPOP", "1", "a", "MIN", "COUNT")
        self.assertCmdError(SYNTAX, "ZMPOP", "1", "a", "MIN", "COUNT", "1", "COUNT", "1")
        self.assertCmdError(SYNTAX, "ZMPOP", "1", "a", "MIN", "FOO")
        self.assertCmdError(arity("zmpop"), "ZMPOP", "1", "a")
        self.assertCmdOk("SET", "str", "v")
        self.assertCmdError(WRONGTYPE, "ZMPOP", "1", "str", "MIN")
        self.assertCmdError(WRONGTYPE, "ZMPOP", "2", "nokey", "str", "MIN")
        self.assertEqual(self.cmd("ZCARD", "a"), 1)

    def test_zrandmember(self):
        self.assertIsNone(self.cmd("ZRANDMEMBER", "nokey"))
        self.assertEqual(self.cmd("ZRANDMEMBER", "nokey", "3"), [])
        self.assertEqual(self.cmd("ZRANDMEMBER", "nokey", "-3", "WITHSCORES"), [])
        model = {("m%d" % i).encode(): float(i) / 2 for i in range(10)}
        self.zadd("z", *[(m, s) for m, s in model.items()])
        seen = set()
        for _ in range(100):
            m = self.cmd("ZRANDMEMBER", "z")
            self.assertIn(m, model)
            seen.add(m)
        self.assertGreater(len(seen), 1)
        for count in (1, 3, 10, 11, 100):
            got = self.cmd("ZRANDMEMBER", "z", str(count))
            self.assertEqual(len(got), min(count, 10))
            self.assertEqual(len(set(got)), len(got), "positive count gives distinct members")
            self.assertTrue(set(got) <= set(model))
        for count in (1, 5, 25):
            got = self.cmd("ZRANDMEMBER", "z", str(-count))
            self.assertEqual(len(got), count, "negative count returns exactly |count| members")
            self.assertTrue(set(got) <= set(model))
        self.assertLess(len(set(self.cmd("ZRANDMEMBER", "z", "-25"))), 25)
        self.assertEqual(self.cmd("ZRANDMEMBER", "z", "0"), [])
        self.assertEqual(self.cmd("ZRANDMEMBER", "z", "0", "WITHSCORES"), [])
        for count in ("4", "-15", "20"):
            flat = self.cmd("ZRANDMEMBER", "z", count, "WITHSCORES")
            n = abs(int(count)) if int(count) < 0 else min(int(count), 10)
            self.assertEqual(len(flat), 2 * n)
            for m, s in zip(flat[0::2], flat[1::2]):
                self.assertEqual(s, fmt(model[m]))
        self.assertEqual(self.cmd("ZCARD", "z"), 10)

    def test_zrandmember_resp3_and_errors(self):
        self.zadd("z", ("a", 1), ("b", 2.5), ("c", 3))
        with self.server.raw(protocol=3) as c3:
            reply = c3.execute("ZRANDMEMBER", "z", "2", "WITHSCORES")
            self.assertEqual(len(reply), 2)
            for pair in reply:
                self.assertIsInstance(pair, list)
                self.assertIsInstance(pair[1], RespDouble)
                self.assertEqual({b"a": 1, b"b": 2.5, b"c": 3}[pair[0]], pair[1])
            self.assertEqual(len(c3.execute("ZRANDMEMBER", "z", "-6", "WITHSCORES")), 6)
            self.assertIs(c3.execute("ZRANDMEMBER", "nokey"), RESP3_NULL)
        self.assertCmdError(NOT_INT, "ZRANDMEMBER", "z", "abc")
        self.assertCmdError(SYNTAX, "ZRANDMEMBER", "z", "1", "FOO")
        self.assertCmdError("ERR value is out of range, value must between -9223372036854775807 and "
                            "9223372036854775807", "ZRANDMEMBER", "z", "-9223372036854775808")
        self.assertCmdError("ERR value is out of range", "ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES")


class TestAlgebra(ZsetCase):

    def setUp(self):
        super().setUp()
        self.zadd("z1", ("a", 1), ("b", 2), ("c", 3))
        self.zadd("z2", ("b", 10), ("c", 20), ("d", 30))
        self.r.sadd("s", "c", "d", "e")

    def test_zunion(self):
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "z2"), b(*"abcd"))
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "z2", "WITHSCORES"),
                         ws(("a", 1), ("b", 12), ("c", 23), ("d", 30)))
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "z2", "WEIGHTS", "2", "0.5", "WITHSCORES"),
                         ws(("a", 2), ("b", 9), ("d", 15), ("c", 16)))
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "z2", "AGGREGATE", "MIN", "WITHSCORES"),
                         ws(("a", 1), ("b", 2), ("c", 3), ("d", 30)))
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "z2", "aggregate", "max", "withscores"),
                         ws(("a", 1), ("b", 10), ("c", 20), ("d", 30)))
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "nokey", "WITHSCORES"), ws(("a", 1), ("b", 2), ("c", 3)))
        self.assertEqual(self.cmd("ZUNION", "1", "nokey"), [])
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "z1", "WITHSCORES"), ws(("a", 2), ("b", 4), ("c", 6)))

    def test_zinter(self):
        self.assertEqual(self.cmd("ZINTER", "2", "z1", "z2"), b("b", "c"))
        self.assertEqual(self.cmd("ZINTER", "2", "z1", "z2", "WITHSCORES"), ws(("b", 12), ("c", 23)))
        self.assertEqual(self.cmd("ZINTER", "2", "z1", "z2", "AGGREGATE", "MAX", "WITHSCORES"),
                         ws(("b", 10), ("c", 20)))
        self.assertEqual(self.cmd("ZINTER", "2", "z1", "z2", "WEIGHTS", "-1", "1", "AGGREGATE", "MIN", "WITHSCORES"),
                         ws(("c", -3), ("b", -2)))
        self.assertEqual(self.cmd("ZINTER", "2", "z1", "nokey"), [])
        self.assertEqual(self.cmd("ZINTER", "1", "z2", "WITHSCORES"), ws(("b", 10), ("c", 20), ("d", 30)))

    def test_zdiff(self):
        self.assertEqual(self.cmd("ZDIFF", "2", "z1", "z2", "WITHSCORES"), ws(("a", 1)))
        self.assertEqual(self.cmd("ZDIFF", "2", "z2", "z1"), b("d"))
        self.assertEqual(self.cmd("ZDIFF", "1", "z1"), b(*"abc"))
        self.assertEqual(self.cmd("ZDIFF", "2", "z1", "nokey", "WITHSCORES"), ws(("a", 1), ("b", 2), ("c", 3)))
        self.assertEqual(self.cmd("ZDIFF", "2", "nokey", "z1"), [])
        self.assertEqual(self.cmd("ZDIFF", "2", "z1", "z1"), [])
        self.assertCmdError(SYNTAX, "ZDIFF", "2", "z1", "z2", "WEIGHTS", "1", "2")
        self.assertCmdError(SYNTAX, "ZDIFF", "2", "z1", "z2", "AGGREGATE", "MIN")

    def test_plain_sets_as_inputs(self):
        # a plain set counts as a zset whose members all score 1
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "s", "WITHSCORES"),
                         ws(("a", 1), ("d", 1), ("e", 1), ("b", 2), ("c", 4)))
        self.assertEqual(self.cmd("ZUNION", "2", "z1", "s", "WEIGHTS", "2", "3", "WITHSCORES"),
                         ws(("a", 2), ("d", 3), ("e", 3), ("b", 4), ("c", 9)))
        self.assertEqual(self.cmd("ZINTER", "3", "z1", "z2", "s", "WITHSCORES"), ws(("c", 24)))
        self.assertEqual(self.cmd("ZINTER", "2", "s", "s", "WITHSCORES"), ws(("c", 2), ("d", 2), ("e", 2)))
        self.assertEqual(self.cmd("ZDIFF", "2", "z2", "s", "WITHSCORES"), ws(("b", 10)))
        self.assertEqual(self.cmd("ZDIFF", "2", "s", "z1", "WITHSCORES"), ws(("d", 1), ("e", 1)))
        self.assertEqual(self.cmd("ZINTERSTORE", "dst", "2", "z2", "s", "WEIGHTS", "1", "10"), 2)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("c", 30), ("d", 40)))
        self.assertEqual(self.cmd("ZDIFFSTORE", "dst", "2", "s", "z2"), 1)
        self.assertEqual(self.cmd("TYPE", "dst"), "zset")
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("e", 1)))
        self.assertEqual(self.cmd("ZINTERCARD", "2", "z1", "s"), 1)
        self.r.sadd("ints", "1", "2")  # an intset works as well
        self.assertEqual(self.cmd("ZUNION", "1", "ints", "WITHSCORES"), ws(("1", 1), ("2", 1)))
        # but not for the single-key commands
        self.assertCmdError(WRONGTYPE, "ZRANGE", "s", "0", "-1")
        self.assertCmdError(WRONGTYPE, "ZRANK", "s", "c")

    def test_store_commands(self):
        self.assertEqual(self.cmd("ZUNIONSTORE", "dst", "2", "z1", "z2", "WEIGHTS", "1", "2", "AGGREGATE", "SUM"), 4)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
                         ws(("a", 1), ("b", 22), ("c", 43), ("d", 60)))
        self.assertEqual(self.cmd("ZINTERSTORE", "dst", "2", "z1", "z2", "AGGREGATE", "MIN"), 2)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("b", 2), ("c", 3)))
        self.assertEqual(self.cmd("ZINTERSTORE", "dst", "2", "z1", "z2", "AGGREGATE", "MAX"), 2)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("b", 10), ("c", 20)))
        self.assertEqual(self.cmd("ZDIFFSTORE", "dst", "2", "z1", "z2"), 1)
        self.assertEqual(self.cmd("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ws(("a", 1)))
        # the destination is replaced, TTL included, whatever its type
        self.assertEqual(self.cmd("EXPIRE", "dst", "100"), 1)
        self.assertEqual(self.cmd("ZUNIONSTORE", "dst", "1", "z2"), 3)
        self.assertEqual(self.cmd("TTL", "dst"), -1)
        self.assertCmdOk("SET", "str", "v")
        self.assertEqual(self.cmd("ZUNIONSTORE", "str", "1", "z1"), 3)
        self.assertEqual(self.cmd("TYPE", "str"), "zset")
        # an empty result deletes the destination
        for args in (("ZINTERSTORE", "dst", "2", "z1", "nokey"), ("ZDIFFSTORE", "dst", "2", "z1", "z1"),
                     ("ZUNIONSTORE", "dst", "1", "nokey"), ("ZDIFFSTORE", "dst", "1", "nokey")):
            self.zadd("dst", ("old", 1))
            self.assertEqual(self.cmd(*args), 0, args)
            self.assertEqual(self.cmd("EXISTS", "dst"), 0, args)
        # the destination may be one of the sources
        self.assertEqual(self.cmd("ZUNIONSTORE", "z1", "2", "z1", "z2"), 4)
        self.assertEqual(self.cmd("ZRANGE", "z1", "0", "-1", "WITHSCORES"),
                         ws(("a", 1), ("b", 12), ("c", 23), ("d", 30)))
        self.assertEqual(self.cmd("ZINTERSTORE", "z2", "2", "z1", "z2", "AGGREGATE", "MIN"), 3)
        self.assertEqual(self.cmd("ZRANGE", "z2", "0", "-1", "WITHSCORES"), ws(("b", 10), ("c", 20), ("d", 30)))

    def test_weights_infinity(self):
        self.zadd("zi", ("a", 0))
        self.zadd("zj", ("a", "inf"))
        # inf * 0 and inf + -inf are NaN: Redis stores 0
        self.assertEqual(self.cmd("ZUNIONSTORE", "d", "2", "zi", "zi", "WEIGHTS", "inf", "1"), 1)
        self.assertEqual(self.cmd("ZSCORE", "d", "a"), b"0")
        self.assertEqual(self.cmd("ZUNIONSTORE", "d", "2", "zj", "zj", "WEIGHTS", "1", "-1"), 1)
        self.assertEqual(self.cmd("ZSCORE", "d", "a"), b"0")
        self.assertEqual(self.cmd("ZUNION", "1", "z1", "WEIGHTS", "inf", "WITHSCORES"),
                         [b"a", b"inf", b"b", b"inf", b"c", b"inf"])

    def test_algebra_errors(self):
        for cmd in ("ZUNION", "ZINTER", "ZDIFF"):
            lower = cmd.lower()
            self.assertCmdError(at_least_one(lower), cmd, "0", "z1")
            self.assertCmdError(at_least_one(lower), cmd, "-1", "z1")
            self.assertCmdError(NOT_INT, cmd, "abc", "z1")
            self.assertCmdError(SYNTAX, cmd, "3", "z1", "z2")
            self.assertCmdError(SYNTAX, cmd, "1", "z1", "FOO")
            self.assertCmdError(arity(lower), cmd, "1")
            self.assertCmdError(at_least_one(lower + "store"), cmd + "STORE", "dst", "0", "z1")
            self.assertCmdError(SYNTAX, cmd + "STORE", "dst", "2", "z1")
            self.assertCmdError(SYNTAX, cmd + "STORE", "dst", "1", "z1", "WITHSCORES")
            self.assertCmdError(arity(lower + "store"), cmd + "STORE", "dst", "1")
        self.assertCmdError(SYNTAX, "ZUNION", "2", "z1", "z2", "WEIGHTS", "1")
        self.assertCmdError("ERR weight value is not a float", "ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "abc")
        self.assertCmdError("ERR weight value is not a float", "ZINTERSTORE", "d", "1", "z1", "WEIGHTS", "nan")
        self.assertCmdError(SYNTAX, "ZUNION", "2", "z1", "z2", "AGGREGATE", "AVG")
        self.assertCmdError(SYNTAX, "ZUNION", "2", "z1", "z2", "AGGREGATE")
        self.assertEqual(self.cmd("EXISTS", "dst"), 0)
        self.assertCmdOk("SET", "str", "v")
        self.r.hset("h", "f", "v")
        for cmd in ("ZUNION", "ZINTER", "ZDIFF"):
            self.assertCmdError(WRONGTYPE, cmd, "2", "z1", "str")
            self.assertCmdError(WRONGTYPE, cmd, "2", "nokey", "str")
            self.assertCmdError(WRONGTYPE, cmd + "STORE", "dst", "2", "z1", "h")
        self.assertEqual(self.cmd("EXISTS", "dst"), 0)

    def test_zintercard(self):
        self.assertEqual(self.cmd("ZINTERCARD", "2", "z1", "z2"), 2)
        self.assertEqual(self.cmd("ZINTERCARD", "3", "z1", "z2", "s"), 1)
        self.assertEqual(self.cmd("ZINTERCARD", "1", "z2"), 3)
        self.assertEqual(self.cmd("ZINTERCARD", "2", "z1", "nokey"), 0)
        self.assertEqual(self.cmd("ZINTERCARD", "2", "z1", "z2", "LIMIT", "1"), 1)
        self.assertEqual(self.cmd("ZINTERCARD", "2", "z1", "z2", "LIMIT", "0"), 2)
        self.assertEqual(self.cmd("ZINTERCARD", "2", "z1", "z2", "limit", "100"), 2)
        # unlike SINTERCARD, the numkeys errors are those of ZUNION/ZINTER
        self.assertCmdError(at_least_one("zintercard"), "ZINTERCARD", "0", "z1")
        self.assertCmdError(at_least_one("zintercard"), "ZINTERCARD", "-1", "z1")
        self.assertCmdError(NOT_INT, "ZINTERCARD", "abc", "z1")
        self.assertCmdError(SYNTAX, "ZINTERCARD", "3", "z1", "z2")
        self.assertCmdError(NEG_LIMIT, "ZINTERCARD", "1", "z1", "LIMIT", "-1")
        self.assertCmdError(NEG_LIMIT, "ZINTERCARD", "1", "z1", "LIMIT", "abc")
        self.assertCmdError(SYNTAX, "ZINTERCARD", "1", "z1", "LIMIT")
        self.assertCmdError(SYNTAX, "ZINTERCARD", "1", "z1", "FOO")
        self.assertCmdError(arity("zintercard"), "ZINTERCARD", "1")
        self.assertCmdOk("SET", "str", "v")
        self.assertCmdError(WRONGTYPE, "ZINTERCARD", "2", "z1", "str")


class TestZsetStorage(ZsetCase):

    def test_zscan(self):
        self.assertEqual(self.cmd("ZSCAN", "nokey", "0"), [b"0", []])
        self.zadd("small", ("a", 1), ("b", 2.5))
        cursor, items = self.cmd("ZSCAN", "small", "0")
        self.assertEqual(cursor, b"0")
        self.assertEqual(dict(zip(items[0::2], items[1::2])), {b"a": b"1", b"b": b"2.5"})
        self.assertEqual(self.cmd("ZSCAN", "small", "0", "MATCH", "a"), [b"0", [b"a", b"1"]])
        model = {("m:%d" % i).encode(): i * 0.5 for i in range(1000)}
        self.zadd("z", *model.items())
        for args in ((), ("COUNT", "3"), ("COUNT", "5000"), ("MATCH", "m:1*", "COUNT", "20")):
            cursor, got, calls = b"0", {}, 0
            while True:
                cursor, items = self.cmd("ZSCAN", "z", cursor, *args)
                for m, s in zip(items[0::2], items[1::2]):
                    self.assertEqual(s, fmt(model[m]))
                    got[m] = s
                calls += 1
                self.assertLess(calls, 100000)
                if cursor == b"0":
                    break
            want = {m for m in model if m.startswith(b"m:1")} if "MATCH" in args else set(model)
            self.assertEqual(set(got), want, args)
        self.assertCmdError("ERR invalid cursor", "ZSCAN", "z", "abc")
        self.assertCmdError(SYNTAX, "ZSCAN", "z", "0", "COUNT", "0")
        self.assertCmdError(SYNTAX, "ZSCAN", "z", "0", "FOO")

    def test_object_encoding(self):
        self.zadd("small", ("a", 1), ("b", 2))
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "small"), b"listpack")
        self.assertCmdOk("CONFIG", "SET", "zset-max-listpack-entries", "4")
        try:
            self.zadd("z", ("a", 1), ("b", 2), ("c", 3), ("d", 4))
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "z"), b"listpack")
            self.zadd("z", ("e", 5))
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "z"), b"skiplist")
            self.assertEqual(self.cmd("ZREM", "z", "a", "b", "c", "d"), 4)
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "z"), b"skiplist")  # no conversion back
            self.assertEqual(self.zall("z"), [(b"e", 5)])
        finally:
            self.assertCmdOk("CONFIG", "SET", "zset-max-listpack-entries", "128")
        self.zadd("v", ("x" * 64, 1))
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "v"), b"listpack")
        self.zadd("v", ("x" * 65, 1))
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "v"), b"skiplist")
        self.zadd("n", *[("m%d" % i, i) for i in range(128)])
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "n"), b"listpack")
        self.zadd("n", ("m128", 128))
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "n"), b"skiplist")
        self.assertEqual(self.cmd("ZRANK", "n", "m100"), 100)

    def test_wrongtype(self):
        self.assertCmdOk("SET", "str", "v")
        for args in (["ZADD", "str", "1", "a"], ["ZREM", "str", "a"], ["ZSCORE", "str", "a"], ["ZMSCORE", "str", "a"],
                     ["ZINCRBY", "str", "1", "a"], ["ZCARD", "str"], ["ZCOUNT", "str", "0", "1"],
                     ["ZLEXCOUNT", "str", "-", "+"], ["ZRANK", "str", "a"], ["ZREVRANK", "str", "a"],
                     ["ZRANGE", "str", "0", "-1"], ["ZREVRANGE", "str", "0", "-1"],
                     ["ZRANGEBYSCORE", "str", "0", "1"], ["ZRANGEBYLEX", "str", "-", "+"],
                     ["ZPOPMIN", "str"], ["ZPOPMAX", "str", "2"], ["ZRANDMEMBER", "str"],
                     ["ZREMRANGEBYRANK", "str", "0", "1"], ["ZREMRANGEBYSCORE", "str", "0", "1"],
                     ["ZREMRANGEBYLEX", "str", "-", "+"], ["ZSCAN", "str", "0"]):
            self.assertCmdError(WRONGTYPE, *args)
        self.assertEqual(self.cmd("GET", "str"), b"v")
        self.zadd("z", ("a", 1))
        for args in (["GET", "z"], ["SADD", "z", "x"], ["SMEMBERS", "z"], ["HSET", "z", "f", "v"],
                     ["LPUSH", "z", "x"], ["SUNION", "z"]):
            self.assertCmdError(WRONGTYPE, *args)
        self.assertEqual(self.cmd("TYPE", "z"), "zset")

    def test_binary_members(self):
        items = [b"\x00", b"a\x00b", b"\r\n", b"", b"\xff" * 3, b"\x00" * 100]
        for i, m in enumerate(items):
            self.assertEqual(self.cmd("ZADD", "z", str(i), m), 1)
        self.assertEqual(self.cmd("ZRANGE", "z", "0", "-1"), items)
        for i, m in enumerate(items):
            self.assertEqual(self.cmd("ZSCORE", "z", m), str(i).encode())
            self.assertEqual(self.cmd("ZRANK", "z", m), i)
        self.zadd("lex", *[(m, 0) for m in items])
        self.assertEqual(self.cmd("ZRANGE", "lex", "-", "+", "BYLEX"), sorted(items))
        self.assertEqual(self.cmd("ZRANGEBYLEX", "lex", b"[\x00", b"(\x01"),
                         sorted(m for m in items if m[:1] == b"\x00"))

    def test_rename_copy_expire(self):
        self.zadd("z", ("a", 1), ("b", 2))
        self.assertCmdOk("RENAME", "z", "y")
        self.assertEqual(self.cmd("TYPE", "y"), "zset")
        self.assertEqual(self.zall("y"), [(b"a", 1), (b"b", 2)])
        self.assertEqual(self.cmd("COPY", "y", "x"), 1)
        self.cmd("ZINCRBY", "x", "10", "a")
        self.cmd("ZREM", "x", "b")
        self.assertEqual(self.zall("y"), [(b"a", 1), (b"b", 2)])
        self.assertEqual(self.zall("x"), [(b"a", 11)])
        self.assertEqual(self.cmd("EXPIRE", "y", "100"), 1)
        self.zadd("y", ("c", 3))
        self.assertTrue(95 <= self.cmd("TTL", "y") <= 100)
        self.assertEqual(self.cmd("PEXPIRE", "y", "0"), 1)
        self.assertEqual(self.cmd("EXISTS", "y"), 0)
        self.assertEqual(self.cmd("ZCARD", "y"), 0)

    def test_large_zset_against_model(self):
        rnd = random.Random(1234)
        n = 10000
        model = {}
        for i in range(n):
            # many equal scores so that member order matters
            model[("member:%05d:%d" % (rnd.randrange(100000), i)).encode()] = rnd.randrange(-2000, 2000) / 4.0
        args = []
        for m, s in model.items():
            args += [repr(s), m]
        self.assertEqual(self.cmd("ZADD", "big", *args), n)
        self.assertEqual(self.cmd("ZCARD", "big"), n)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "big"), b"skiplist")
        ordered = sorted(model.items(), key=lambda kv: (kv[1], kv[0]))
        members = [m for m, _ in ordered]
        rank = {m: i for i, m in enumerate(members)}
        self.assertEqual(self.cmd("ZRANGE", "big", "0", "-1"), members)
        for m in rnd.sample(members, 300):
            self.assertEqual(self.cmd("ZRANK", "big", m), rank[m])
            self.assertEqual(self.cmd("ZREVRANK", "big", m), n - 1 - rank[m])
            self.assertEqual(self.cmd("ZSCORE", "big", m), fmt(model[m]))
        for _ in range(100):
            start = rnd.randrange(-n - 10, n + 10)
            stop = rnd.randrange(-n - 10, n + 10)
            lo = max(start + n if start < 0 else start, 0)
            hi = min(stop + n if stop < 0 else stop, n - 1)
            want = members[lo:hi + 1] if lo <= hi else []
            self.assertEqual(self.cmd("ZRANGE", "big", str(start), str(stop)), want, (start, stop))
        for _ in range(100):
            a, b_ = sorted([rnd.randrange(-2100, 2100) / 4.0, rnd.randrange(-2100, 2100) / 4.0])
            want = [m for m in members if a <= model[m] <= b_]
            self.assertEqual(self.cmd("ZCOUNT", "big", repr(a), repr(b_)), len(want))
            got = self.cmd("ZRANGE", "big", repr(a), repr(b_), "BYSCORE", "LIMIT", "5", "50", "WITHSCORES")
            self.assertEqual(got, ws(*[(m, model[m]) for m in want[5:55]]))
            want_ex = [m for m in members if a < model[m] < b_]
            self.assertEqual(self.cmd("ZRANGEBYSCORE", "big", "(" + repr(a), "(" + repr(b_)), want_ex)
            self.assertEqual(self.cmd("ZREVRANGEBYSCORE", "big", repr(b_), repr(a), "LIMIT", "0", "20"),
                             want[::-1][:20])
        # deletions keep ranks consistent
        doomed = members[::7]
        self.assertEqual(self.cmd("ZREM", "big", *doomed), len(doomed))
        members = [m for i, m in enumerate(members) if i % 7]
        self.assertEqual(self.cmd("ZRANGE", "big", "0", "-1"), members)
        self.assertEqual(self.cmd("ZREMRANGEBYRANK", "big", "100", "199"), 100)
        del members[100:200]
        self.assertEqual(self.cmd("ZCARD", "big"), len(members))
        for m in rnd.sample(members, 100):
            self.assertEqual(self.cmd("ZRANK", "big", m), members.index(m))
        self.assertEqual(self.cmd("ZPOPMIN", "big", "10"), ws(*[(m, model[m]) for m in members[:10]]))
        self.assertEqual(self.cmd("ZPOPMAX", "big", "10"), ws(*[(m, model[m]) for m in members[::-1][:10]]))


class TestZsetsSharded(ZsetCase):
    """Multi-key zset commands with keys on different shards (ember --shards 4) or sharing a hash tag."""
    shards = 4

    def fill(self, prefix, n, size):
        """n zsets prefix:i; zset i holds members "m<j*(i+1)>" scored j*(i+1) for j < size."""
        model = {}
        for i in range(n):
            key = "%s:%d" % (prefix, i)
            pairs = {("m%d" % (j * (i + 1))).encode(): float(j * (i + 1)) for j in range(size)}
            self.zadd(key, *pairs.items())
            model[key] = pairs
        return model

    def expect_union(self, zsets, weights=None, agg=sum):
        weights = weights or [1] * len(zsets)
        acc = {}
        for z, w in zip(zsets, weights):
            for m, s in z.items():
                acc.setdefault(m, []).append(s * w)
        return {m: agg(v) for m, v in acc.items()}

    def expect_inter(self, zsets, agg=sum):
        common = set(zsets[0]).intersection(*zsets[1:])
        return {m: agg([z[m] for z in zsets]) for m in common}

    def sorted_ws(self, d):
        return ws(*sorted(d.items(), key=lambda kv: (kv[1], kv[0])))

    def test_store_across_shards(self):
        model = self.fill("src", 6, 40)
        keys = sorted(model)
        zs = [model[k] for k in keys]
        union = self.expect_union(zs)
        inter = self.expect_inter(zs)
        diff = {m: s for m, s in zs[0].items() if not any(m in z for z in zs[1:])}
        weights = [1, 2, 3, 4, 5, 6]
        wunion_max = self.expect_union(zs, weights, max)
        for dst in ("out", "dest:1", "dest:2", "zzz", "{tag}.out"):
            self.assertEqual(self.cmd("ZUNIONSTORE", dst, str(len(keys)), *keys), len(union))
            self.assertEqual(self.cmd("ZRANGE", dst, "0", "-1", "WITHSCORES"), self.sorted_ws(union))
            self.assertEqual(self.cmd("ZINTERSTORE", dst, str(len(keys)), *keys), len(inter))
            self.assertEqual(self.cmd("ZRANGE", dst, "0", "-1", "WITHSCORES"), self.sorted_ws(inter))
            self.assertEqual(self.cmd("ZDIFFSTORE", dst, str(len(keys)), *keys), len(diff))
            self.assertEqual(self.cmd("ZRANGE", dst, "0", "-1", "WITHSCORES"), self.sorted_ws(diff))
            self.assertEqual(self.cmd("ZUNIONSTORE", dst, str(len(keys)), *keys, "WEIGHTS", *map(str, weights),
                                      "AGGREGATE", "MAX"), len(wunion_max))
            self.assertEqual(self.cmd("ZRANGE", dst, "0", "-1", "WITHSCORES"), self.sorted_ws(wunion_max))
        self.assertEqual(self.cmd("ZUNION", str(len(keys)), *keys, "WITHSCORES"), self.sorted_ws(union))
        self.assertEqual(self.cmd("ZINTER", str(len(keys)), *keys, "WITHSCORES"), self.sorted_ws(inter))
        self.assertEqual(self.cmd("ZDIFF", str(len(keys)), *keys, "WITHSCORES"), self.sorted_ws(diff))
        self.assertEqual(self.cmd("ZINTERCARD", str(len(keys)), *keys), len(inter))
        for k in keys:  # sources untouched
            self.assertEqual(self.cmd("ZCARD", k), 40)

    def test_pairs_across_shards(self):
        model = self.fill("k", 10, 20)
        keys = sorted(model)
        for i, a in enumerate(keys):
            for b_ in keys[i + 1:]:
                dst = "d:%s:%s" % (a, b_)
                inter = self.expect_inter([model[a], model[b_]], min)  # never empty: both hold "m0"
                self.assertEqual(self.cmd("ZINTERSTORE", dst, "2", a, b_, "AGGREGATE", "MIN"), len(inter))
                self.assertEqual(self.cmd("ZRANGE", dst, "0", "-1", "WITHSCORES"), self.sorted_ws(inter))
                self.assertEqual(self.cmd("ZRANGESTORE", dst, a, "0", "4"), 5)
                self.assertEqual(self.cmd("ZRANGE", dst, "0", "-1"), self.cmd("ZRANGE", a, "0", "4"))

    def test_store_into_source_and_empty_results(self):
        model = self.fill("s", 4, 10)
        keys = sorted(model)
        union = self.expect_union([model[k] for k in keys])
        self.assertEqual(self.cmd("ZUNIONSTORE", keys[1], "4", *keys), len(union))
        self.assertEqual(self.cmd("ZRANGE", keys[1], "0", "-1", "WITHSCORES"), self.sorted_ws(union))
        for i in range(20):
            dst = "far:%d" % i
            self.zadd(dst, ("old", 1))
            self.assertEqual(self.cmd("ZINTERSTORE", dst, "2", keys[0], "missing:%d" % i), 0)
            self.assertEqual(self.cmd("EXISTS", dst), 0)
            self.zadd(dst, ("old", 1))
            self.assertEqual(self.cmd("ZRANGESTORE", dst, "missing:%d" % i, "0", "-1"), 0)
            self.assertEqual(self.cmd("EXISTS", dst), 0)

    def test_zmpop_across_shards(self):
        keys = ["mp:%d" % i for i in range(12)]
        self.zadd(keys[4], ("a", 1), ("b", 2))
        self.zadd(keys[9], ("c", 3))
        self.assertEqual(self.cmd("ZMPOP", "12", *keys, "MAX"), [b"mp:4", [[b"b", b"2"]]])
        self.assertEqual(self.cmd("ZMPOP", "12", *reversed(keys), "MIN", "COUNT", "5"), [b"mp:9", [[b"c", b"3"]]])
        self.assertEqual(self.cmd("ZMPOP", "12", *keys, "MIN", "COUNT", "5"), [b"mp:4", [[b"a", b"1"]]])
        self.assertIsNone(self.cmd("ZMPOP", "12", *keys, "MIN"))
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_sets_mixed_in_across_shards(self):
        self.r.sadd("plain:1", "m0", "m2", "x")
        self.zadd("zs:1", ("m0", 5), ("m2", 7), ("y", 9))
        self.assertEqual(self.cmd("ZUNIONSTORE", "res:1", "2", "plain:1", "zs:1"), 4)
        self.assertEqual(self.cmd("ZRANGE", "res:1", "0", "-1", "WITHSCORES"),
                         ws(("x", 1), ("m0", 6), ("m2", 8), ("y", 9)))
        self.assertEqual(self.cmd("ZINTERCARD", "2", "plain:1", "zs:1"), 2)

    def test_hash_tags(self):
        self.zadd("{lb}.a", ("p", 1), ("q", 2))
        self.zadd("{lb}.b", ("q", 10), ("r", 20))
        self.assertEqual(self.cmd("ZUNIONSTORE", "{lb}.u", "2", "{lb}.a", "{lb}.b"), 3)
        self.assertEqual(self.cmd("ZRANGE", "{lb}.u", "0", "-1", "WITHSCORES"), ws(("p", 1), ("q", 12), ("r", 20)))
        self.assertEqual(self.cmd("ZINTERSTORE", "{lb}.i", "2", "{lb}.a", "{lb}.b", "WEIGHTS", "2", "1"), 1)
        self.assertEqual(self.cmd("ZSCORE", "{lb}.i", "q"), b"14")
        self.assertEqual(self.cmd("ZDIFFSTORE", "{lb}.d", "2", "{lb}.a", "{lb}.b"), 1)
        self.assertEqual(self.cmd("ZRANGESTORE", "{lb}.r", "{lb}.b", "0", "0"), 1)
        self.assertEqual(self.cmd("ZMPOP", "2", "{lb}.x", "{lb}.r", "MIN"), [b"{lb}.r", [[b"q", b"10"]]])
        self.assertEqual(self.cmd("ZINTERCARD", "2", "{lb}.a", "{lb}.b", "LIMIT", "1"), 1)
        self.assertEqual(self.cmd("ZUNIONSTORE", "untagged", "3", "{lb}.a", "{other}.z", "{lb}.d"), 2)
        self.assertEqual(self.cmd("ZRANGE", "untagged", "0", "-1", "WITHSCORES"), ws(("p", 2), ("q", 2)))


if __name__ == "__main__":
    main()
