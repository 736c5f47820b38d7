#!/usr/bin/python3
"""List commands (non-blocking): pushes, pops, LRANGE/LINDEX/LSET/LTRIM/LINSERT/LREM/LPOS, LMOVE/RPOPLPUSH/LMPOP,
encodings, RESP2/RESP3 null shapes. TestListsSharded runs ember with --shards 4 (redis-server ignores it) so that
LMOVE/RPOPLPUSH/LMPOP see keys on different shards. Error texts are exact Redis 7.0 replies."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, RESP3_NULL, main  # noqa: E402
from harness import SYNTAX, NOT_INT, WRONGTYPE, MUST_BE_POSITIVE, NUMKEYS, arity  # noqa: E402

COUNT_GT0 = "ERR count should be greater than 0"
RANK_ZERO = ("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
             "or use negative to start from the end of the list")


def b(*items):
    return [i.encode() if isinstance(i, str) else i for i in items]


class ListCase(ServerTestCase):

    def lrange(self, key):
        return self.cmd("LRANGE", key, "0", "-1")


class TestPushPop(ListCase):

    def test_push_returns_length(self):
        self.assertEqual(self.cmd("RPUSH", "l", "a"), 1)
        self.assertEqual(self.cmd("RPUSH", "l", "b", "c"), 3)
        self.assertEqual(self.cmd("LPUSH", "l", "x", "y"), 5)
        # LPUSH inserts its arguments one by one at the head
        self.assertEqual(self.lrange("l"), b("y", "x", "a", "b", "c"))
        self.assertEqual(self.cmd("LLEN", "l"), 5)
        self.assertEqual(self.cmd("TYPE", "l"), "list")
        self.assertEqual(self.cmd("LPUSH", "m", "1", "2", "3"), 3)
        self.assertEqual(self.lrange("m"), b("3", "2", "1"))
        self.assertEqual(self.cmd("RPUSH", "e", ""), 1)
        self.assertEqual(self.lrange("e"), [b""])

    def test_pushx(self):
        self.assertEqual(self.cmd("LPUSHX", "nokey", "a"), 0)
        self.assertEqual(self.cmd("RPUSHX", "nokey", "a", "b"), 0)
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.cmd("RPUSH", "l", "m")
        self.assertEqual(self.cmd("LPUSHX", "l", "1", "2"), 3)
        self.assertEqual(self.cmd("RPUSHX", "l", "3", "4"), 5)
        self.assertEqual(self.lrange("l"), b("2", "1", "m", "3", "4"))

    def test_pop_single(self):
        self.assertIsNone(self.cmd("LPOP", "nokey"))
        self.assertIsNone(self.cmd("RPOP", "nokey"))
        self.cmd("RPUSH", "l", "a", "b", "c")
        self.assertEqual(self.cmd("LPOP", "l"), b"a")
        self.assertEqual(self.cmd("RPOP", "l"), b"c")
        self.assertEqual(self.cmd("LPOP", "l"), b"b")
        # the key is deleted when the last element goes
        self.assertEqual(self.cmd("EXISTS", "l"), 0)
        self.assertIsNone(self.cmd("RPOP", "l"))

    def test_pop_count(self):
        self.cmd("RPUSH", "l", "a", "b", "c", "d", "e", "f")
        self.assertEqual(self.cmd("LPOP", "l", "2"), b("a", "b"))
        self.assertEqual(self.cmd("RPOP", "l", "2"), b("f", "e"))
        self.assertEqual(self.cmd("LPOP", "l", "1"), b("c"))
        self.assertEqual(self.cmd("LPOP", "l", "0"), [])
        self.assertEqual(self.cmd("RPOP", "l", "0"), [])
        self.assertEqual(self.lrange("l"), b("d"))
        self.assertEqual(self.cmd("RPOP", "l", "100"), b("d"))
        self.assertEqual(self.cmd("EXISTS", "l"), 0)
        self.cmd("RPUSH", "l", "1", "2", "3")
        self.assertEqual(self.cmd("LPOP", "l", "3"), b("1", "2", "3"))
        self.assertEqual(self.cmd("EXISTS", "l"), 0)

    def test_pop_count_missing_key_shapes(self):
        c = self.c
        for args in (("LPOP", "nokey", "2"), ("RPOP", "nokey", "2"), ("LPOP", "nokey", "0"), ("RPOP", "nokey", "0")):
            c.send(*args)
            self.assertEqual(c.read_raw(1.0), b"*-1\r\n", args)  # a null array, even for count 0
        c.send("LPOP", "nokey")
        self.assertEqual(c.read_raw(1.0), b"$-1\r\n")
        self.cmd("RPUSH", "l", "a")
        c.send("LPOP", "l", "0")
        self.assertEqual(c.read_raw(1.0), b"*0\r\n")
        with self.server.raw(protocol=3) as c3:
            for args in (("LPOP", "nokey", "2"), ("RPOP", "nokey", "0"), ("LPOP", "nokey")):
                c3.send(*args)
                self.assertEqual(c3.read_raw(1.0), b"_\r\n", args)
            self.assertEqual(c3.execute("LPOP", "l", "0"), [])
            self.assertEqual(c3.execute("LPOP", "l", "5"), [b"a"])
            self.assertIs(c3.execute("LINDEX", "l", "0"), RESP3_NULL)

    def test_pop_errors(self):
        self.cmd("RPUSH", "l", "a")
        self.assertCmdError(MUST_BE_POSITIVE, "LPOP", "l", "-1")
        self.assertCmdError(MUST_BE_POSITIVE, "RPOP", "l", "abc")
        self.assertCmdError(arity("lpop"), "LPOP", "l", "1", "2")
        self.assertCmdError(arity("rpop"), "RPOP")
        self.assertEqual(self.lrange("l"), b("a"))

    def test_arity(self):
        self.assertCmdError(arity("lpush"), "LPUSH", "l")
        self.assertCmdError(arity("rpush"), "RPUSH", "l")
        self.assertCmdError(arity("lpushx"), "LPUSHX", "l")
        self.assertCmdError(arity("rpushx"), "RPUSHX", "l")
        self.assertCmdError(arity("llen"), "LLEN")
        self.assertCmdError(arity("lrange"), "LRANGE", "l", "0")
        self.assertCmdError(arity("lindex"), "LINDEX", "l")
        self.assertCmdError(arity("lset"), "LSET", "l", "0")
        self.assertCmdError(arity("ltrim"), "LTRIM", "l", "0")
        self.assertCmdError(arity("linsert"), "LINSERT", "l", "BEFORE", "a")
        self.assertCmdError(arity("lrem"), "LREM", "l", "0")
        self.assertCmdError(arity("lpos"), "LPOS", "l")
        self.assertCmdError(arity("lmove"), "LMOVE", "a", "b", "LEFT")
        self.assertCmdError(arity("rpoplpush"), "RPOPLPUSH", "a")
        self.assertCmdError(arity("lmpop"), "LMPOP", "1", "a")
        self.assertCmdError(arity("lmpop"), "LMPOP", "1")
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_wrongtype(self):
        self.assertCmdOk("SET", "str", "v")
        self.cmd("RPUSH", "l", "a")
        for args in (["LPUSH", "str", "a"], ["RPUSH", "str", "a"], ["LPUSHX", "str", "a"], ["RPUSHX", "str", "a"],
                     ["LPOP", "str"], ["RPOP", "str"], ["LPOP", "str", "0"], ["LLEN", "str"],
                     ["LRANGE", "str", "0", "-1"], ["LINDEX", "str", "0"], ["LSET", "str", "0", "x"],
                     ["LTRIM", "str", "0", "1"], ["LINSERT", "str", "BEFORE", "a", "b"], ["LREM", "str", "0", "a"],
                     ["LPOS", "str", "a"], ["LMOVE", "str", "l", "LEFT", "LEFT"], ["LMOVE", "l", "str", "LEFT", "LEFT"],
                     ["RPOPLPUSH", "str", "l"], ["RPOPLPUSH", "l", "str"], ["LMPOP", "1", "str", "LEFT"],
                     ["LMPOP", "2", "nokey", "str", "LEFT"]):
            self.assertCmdError(WRONGTYPE, *args)
        self.assertEqual(self.cmd("GET", "str"), b"v")
        self.assertEqual(self.lrange("l"), b("a"))
        for args in (["GET", "l"], ["HSET", "l", "f", "v"], ["SADD", "l", "x"], ["ZADD", "l", "1", "x"]):
            self.assertCmdError(WRONGTYPE, *args)


class TestAccess(ListCase):

    def test_lrange(self):
        self.assertEqual(self.cmd("LRANGE", "nokey", "0", "-1"), [])
        self.cmd("RPUSH", "l", "a", "b", "c", "d", "e")
        cases = [((0, -1), "abcde"), ((0, 0), "a"), ((1, 3), "bcd"), ((-2, -1), "de"), ((-100, 100), "abcde"),
                 ((3, 1), ""), ((5, 10), ""), ((-1, -2), ""), ((4, 4), "e"), ((-5, 0), "a"), ((2, 100), "cde"),
                 ((-100, -5), "a"), ((-100, -6), "")]
        for (start, stop), want in cases:
            self.assertEqual(self.cmd("LRANGE", "l", str(start), str(stop)), b(*want), (start, stop))
        self.assertCmdError(NOT_INT, "LRANGE", "l", "a", "1")
        self.assertCmdError(NOT_INT, "LRANGE", "l", "0", "1.5")

    def test_llen_lindex(self):
        self.assertEqual(self.cmd("LLEN", "nokey"), 0)
        self.assertIsNone(self.cmd("LINDEX", "nokey", "0"))
        self.cmd("RPUSH", "l", "a", "b", "c")
        self.assertEqual(self.cmd("LLEN", "l"), 3)
        for idx, want in ((0, b"a"), (2, b"c"), (-1, b"c"), (-3, b"a"), (3, None), (-4, None), (100, None)):
            self.assertEqual(self.cmd("LINDEX", "l", str(idx)), want, idx)
        self.assertCmdError(NOT_INT, "LINDEX", "l", "abc")

    def test_lset(self):
        self.assertCmdError("ERR no such key", "LSET", "nokey", "0", "x")
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.cmd("RPUSH", "l", "a", "b", "c")
        self.assertCmdOk("LSET", "l", "0", "A")
        self.assertCmdOk("LSET", "l", "-1", "C")
        self.assertCmdOk("LSET", "l", "1", "x" * 1000)
        self.assertEqual(self.lrange("l"), b("A", "x" * 1000, "C"))
        self.assertCmdError("ERR index out of range", "LSET", "l", "3", "x")
        self.assertCmdError("ERR index out of range", "LSET", "l", "-4", "x")
        self.assertCmdError(NOT_INT, "LSET", "l", "abc", "x")
        self.assertEqual(self.cmd("LLEN", "l"), 3)

    def test_ltrim(self):
        self.assertCmdOk("LTRIM", "nokey", "0", "1")
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.cmd("RPUSH", "l", "a", "b", "c", "d", "e")
        self.assertCmdOk("LTRIM", "l", "1", "-2")
        self.assertEqual(self.lrange("l"), b("b", "c", "d"))
        self.assertCmdOk("LTRIM", "l", "-100", "100")
        self.assertEqual(self.lrange("l"), b("b", "c", "d"))
        self.assertCmdOk("LTRIM", "l", "0", "0")
        self.assertEqual(self.lrange("l"), b("b"))
        # an empty range deletes the key
        self.assertCmdOk("LTRIM", "l", "5", "10")
        self.assertEqual(self.cmd("EXISTS", "l"), 0)
        self.cmd("RPUSH", "m", "a", "b")
        self.assertCmdOk("LTRIM", "m", "1", "0")
        self.assertEqual(self.cmd("EXISTS", "m"), 0)
        self.assertCmdError(NOT_INT, "LTRIM", "m", "a", "1")

    def test_linsert(self):
        self.cmd("RPUSH", "l", "a", "b", "c", "b")
        self.assertEqual(self.cmd("LINSERT", "l", "BEFORE", "b", "x"), 5)  # the first pivot from the head
        self.assertEqual(self.cmd("LINSERT", "l", "after", "c", "y"), 6)
        self.assertEqual(self.cmd("LINSERT", "l", "AFTER", "b", "z"), 7)
        self.assertEqual(self.lrange("l"), b("a", "x", "b", "z", "c", "y", "b"))
        self.assertEqual(self.cmd("LINSERT", "l", "BEFORE", "nope", "q"), -1)
        self.assertEqual(self.cmd("LINSERT", "nokey", "BEFORE", "a", "q"), 0)
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.assertEqual(self.cmd("LINSERT", "l", "BEFORE", "a", "head"), 8)
        self.assertEqual(self.cmd("LINDEX", "l", "0"), b"head")
        self.assertCmdError(SYNTAX, "LINSERT", "l", "MIDDLE", "a", "q")
        self.assertEqual(self.cmd("LLEN", "l"), 8)

    def test_lrem(self):
        self.cmd("RPUSH", "l", "a", "b", "a", "c", "a", "b", "a")
        self.assertEqual(self.cmd("LREM", "l", "2", "a"), 2)  # the first two from the head
        self.assertEqual(self.lrange("l"), b("b", "c", "a", "b", "a"))
        self.assertEqual(self.cmd("LREM", "l", "-1", "a"), 1)  # the last one
        self.assertEqual(self.lrange("l"), b("b", "c", "a", "b"))
        self.assertEqual(self.cmd("LREM", "l", "0", "b"), 2)  # all of them
        self.assertEqual(self.lrange("l"), b("c", "a"))
        self.assertEqual(self.cmd("LREM", "l", "0", "zz"), 0)
        self.assertEqual(self.cmd("LREM", "l", "100", "c"), 1)
        self.assertEqual(self.cmd("LREM", "nokey", "0", "a"), 0)
        self.assertCmdError(NOT_INT, "LREM", "l", "abc", "a")
        self.assertEqual(self.cmd("LREM", "l", "-5", "a"), 1)
        self.assertEqual(self.cmd("EXISTS", "l"), 0)  # emptied by LREM

    def test_lpos(self):
        self.cmd("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c")
        self.assertEqual(self.cmd("LPOS", "l", "c"), 2)
        self.assertIsNone(self.cmd("LPOS", "l", "zz"))
        self.assertIsNone(self.cmd("LPOS", "nokey", "a"))
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "1"), 2)
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "2"), 6)
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "-1"), 7)
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "-2"), 6)
        self.assertIsNone(self.cmd("LPOS", "l", "c", "RANK", "4"))
        self.assertIsNone(self.cmd("LPOS", "l", "c", "RANK", "-4"))
        # Redis 7.0 negates the rank: INT64_MIN stays negative and acts as -1.
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "-9223372036854775808"), 7)
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "-9223372036854775808", "COUNT", "0"), [7, 6, 2])
        self.assertIsNone(self.cmd("LPOS", "l", "c", "RANK", "-9223372036854775807"))

    def test_lpos_count_maxlen(self):
        self.cmd("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c")
        self.assertEqual(self.cmd("LPOS", "l", "c", "COUNT", "0"), [2, 6, 7])
        self.assertEqual(self.cmd("LPOS", "l", "c", "COUNT", "2"), [2, 6])
        self.assertEqual(self.cmd("LPOS", "l", "c", "COUNT", "100"), [2, 6, 7])
        self.assertEqual(self.cmd("LPOS", "l", "c", "COUNT", "1"), [2])
        self.assertEqual(self.cmd("LPOS", "l", "c", "COUNT", "0", "RANK", "-1"), [7, 6, 2])
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "2", "COUNT", "0"), [6, 7])
        self.assertEqual(self.cmd("LPOS", "l", "zz", "COUNT", "0"), [])
        self.assertEqual(self.cmd("LPOS", "nokey", "a", "COUNT", "0"), [])
        # MAXLEN limits how many elements are compared (0 = the whole list)
        self.assertEqual(self.cmd("LPOS", "l", "c", "MAXLEN", "3"), 2)
        self.assertIsNone(self.cmd("LPOS", "l", "c", "MAXLEN", "2"))
        self.assertEqual(self.cmd("LPOS", "l", "c", "MAXLEN", "0"), 2)
        self.assertEqual(self.cmd("LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7"), [2, 6])
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "-1", "MAXLEN", "1"), 7)
        self.assertEqual(self.cmd("LPOS", "l", "c", "RANK", "-1", "COUNT", "0", "MAXLEN", "2"), [7, 6])
        self.assertEqual(self.cmd("lpos", "l", "c", "rank", "-3", "count", "5", "maxlen", "0"), [2])

    def test_lpos_errors(self):
        self.cmd("RPUSH", "l", "a")
        self.assertCmdError(RANK_ZERO, "LPOS", "l", "a", "RANK", "0")
        self.assertCmdError("ERR COUNT can't be negative", "LPOS", "l", "a", "COUNT", "-1")
        self.assertCmdError("ERR MAXLEN can't be negative", "LPOS", "l", "a", "MAXLEN", "-1")
        self.assertCmdError(NOT_INT, "LPOS", "l", "a", "RANK", "abc")
        self.assertCmdError("ERR COUNT can't be negative", "LPOS", "l", "a", "COUNT", "abc")
        self.assertCmdError("ERR MAXLEN can't be negative", "LPOS", "l", "a", "MAXLEN", "abc")
        self.assertCmdError(SYNTAX, "LPOS", "l", "a", "FOO")
        self.assertCmdError(SYNTAX, "LPOS", "l", "a", "RANK")
        self.assertCmdError(SYNTAX, "LPOS", "l", "a", "COUNT", "1", "MAXLEN")
        self.assertCmdError(RANK_ZERO, "LPOS", "nokey", "a", "RANK", "0")


class TestMove(ListCase):

    def test_lmove_directions(self):
        self.cmd("RPUSH", "src", "1", "2", "3", "4")
        self.cmd("RPUSH", "dst", "x", "y")
        self.assertEqual(self.cmd("LMOVE", "src", "dst", "LEFT", "LEFT"), b"1")
        self.assertEqual(self.lrange("dst"), b("1", "x", "y"))
        self.assertEqual(self.cmd("LMOVE", "src", "dst", "LEFT", "RIGHT"), b"2")
        self.assertEqual(self.lrange("dst"), b("1", "x", "y", "2"))
        self.assertEqual(self.cmd("LMOVE", "src", "dst", "RIGHT", "LEFT"), b"4")
        self.assertEqual(self.lrange("dst"), b("4", "1", "x", "y", "2"))
        self.assertEqual(self.cmd("LMOVE", "src", "dst", "right", "right"), b"3")
        self.assertEqual(self.lrange("dst"), b("4", "1", "x", "y", "2", "3"))
        self.assertEqual(self.cmd("EXISTS", "src"), 0)  # emptied source is deleted
        self.assertIsNone(self.cmd("LMOVE", "src", "dst", "LEFT", "LEFT"))
        self.assertEqual(self.cmd("LLEN", "dst"), 6)
        # a missing destination is created
        self.assertEqual(self.cmd("LMOVE", "dst", "new", "LEFT", "RIGHT"), b"4")
        self.assertEqual(self.cmd("TYPE", "new"), "list")
        self.assertEqual(self.lrange("new"), b("4"))

    def test_lmove_same_key(self):
        self.cmd("RPUSH", "r", "1", "2", "3", "4")
        self.assertEqual(self.cmd("LMOVE", "r", "r", "LEFT", "RIGHT"), b"1")
        self.assertEqual(self.lrange("r"), b("2", "3", "4", "1"))
        self.assertEqual(self.cmd("LMOVE", "r", "r", "RIGHT", "LEFT"), b"1")
        self.assertEqual(self.lrange("r"), b("1", "2", "3", "4"))
        self.assertEqual(self.cmd("LMOVE", "r", "r", "LEFT", "LEFT"), b"1")
        self.assertEqual(self.cmd("LMOVE", "r", "r", "RIGHT", "RIGHT"), b"4")
        self.assertEqual(self.lrange("r"), b("1", "2", "3", "4"))
        self.cmd("RPUSH", "one", "x")
        self.assertEqual(self.cmd("LMOVE", "one", "one", "LEFT", "RIGHT"), b"x")
        self.assertEqual(self.lrange("one"), b("x"))
        # a full rotation restores the order
        for _ in range(4):
            self.cmd("RPOPLPUSH", "r", "r")
        self.assertEqual(self.lrange("r"), b("1", "2", "3", "4"))

    def test_lmove_errors(self):
        self.cmd("RPUSH", "l", "a")
        self.assertCmdError(SYNTAX, "LMOVE", "l", "m", "UP", "LEFT")
        self.assertCmdError(SYNTAX, "LMOVE", "l", "m", "LEFT", "DOWN")
        self.assertCmdOk("SET", "str", "v")
        self.assertCmdError(WRONGTYPE, "LMOVE", "l", "str", "LEFT", "LEFT")
        self.assertEqual(self.lrange("l"), b("a"))  # nothing popped
        self.assertIsNone(self.cmd("LMOVE", "nokey", "str", "LEFT", "LEFT"))  # missing source checked first

    def test_rpoplpush(self):
        self.cmd("RPUSH", "a", "1", "2", "3")
        self.cmd("RPUSH", "b", "x")
        self.assertEqual(self.cmd("RPOPLPUSH", "a", "b"), b"3")
        self.assertEqual(self.lrange("a"), b("1", "2"))
        self.assertEqual(self.lrange("b"), b("3", "x"))
        self.assertEqual(self.cmd("RPOPLPUSH", "a", "a"), b"2")
        self.assertEqual(self.lrange("a"), b("2", "1"))
        self.assertIsNone(self.cmd("RPOPLPUSH", "nokey", "b"))
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        self.assertEqual(self.cmd("RPOPLPUSH", "a", "c"), b"1")
        self.assertEqual(self.cmd("RPOPLPUSH", "a", "c"), b"2")
        self.assertEqual(self.cmd("EXISTS", "a"), 0)
        self.assertEqual(self.lrange("c"), b("2", "1"))
        self.assertCmdOk("SET", "str", "v")
        self.assertCmdError(WRONGTYPE, "RPOPLPUSH", "c", "str")
        self.assertEqual(self.lrange("c"), b("2", "1"))

    def test_lmpop(self):
        self.cmd("RPUSH", "b", "x", "y", "z")
        self.assertEqual(self.cmd("LMPOP", "2", "a", "b", "LEFT"), [b"b", [b"x"]])
        self.assertEqual(self.cmd("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "1"), [b"b", [b"z"]])
        self.cmd("RPUSH", "a", "1", "2", "3")
        self.assertEqual(self.cmd("LMPOP", "2", "a", "b", "LEFT", "COUNT", "2"), [b"a", [b"1", b"2"]])
        self.assertEqual(self.cmd("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "10"), [b"a", [b"3"]])
        self.assertEqual(self.cmd("EXISTS", "a"), 0)
        self.assertEqual(self.cmd("LMPOP", "3", "a", "nokey", "b", "left", "count", "5"), [b"b", [b"y"]])
        self.assertEqual(self.cmd("EXISTS", "b"), 0)
        self.assertIsNone(self.cmd("LMPOP", "2", "a", "b", "LEFT"))
        self.assertIsNone(self.cmd("LMPOP", "1", "a", "RIGHT", "COUNT", "3"))
        self.c.send("LMPOP", "1", "a", "LEFT")
        self.assertEqual(self.c.read_raw(1.0), b"*-1\r\n")
        # a WRONGTYPE key after the first non-empty list is never looked at
        self.cmd("RPUSH", "c", "1")
        self.assertCmdOk("SET", "str", "v")
        self.assertEqual(self.cmd("LMPOP", "2", "c", "str", "LEFT"), [b"c", [b"1"]])
        self.assertCmdError(WRONGTYPE, "LMPOP", "2", "c", "str", "LEFT")

    def test_lmpop_resp3(self):
        self.cmd("RPUSH", "l", "a", "b")
        with self.server.raw(protocol=3) as c3:
            self.assertEqual(c3.execute("LMPOP", "1", "l", "LEFT", "COUNT", "5"), [b"l", [b"a", b"b"]])
            c3.send("LMPOP", "1", "l", "LEFT")
            self.assertEqual(c3.read_raw(1.0), b"_\r\n")
            c3.send("LMOVE", "l", "m", "LEFT", "LEFT")
            self.assertEqual(c3.read_raw(1.0), b"_\r\n")

    def test_lmpop_errors(self):
        self.cmd("RPUSH", "a", "1")
        self.assertCmdError(NUMKEYS, "LMPOP", "0", "a", "LEFT")
        self.assertCmdError(NUMKEYS, "LMPOP", "-1", "a", "LEFT")
        self.assertCmdError(NUMKEYS, "LMPOP", "abc", "a", "LEFT")
        self.assertCmdError(SYNTAX, "LMPOP", "3", "a", "b", "LEFT")  # "LEFT" read as a key: no direction left
        self.assertCmdError(SYNTAX, "LMPOP", "10", "a", "LEFT")
        self.assertCmdError(SYNTAX, "LMPOP", "2", "a", "b")
        self.assertCmdError(SYNTAX, "LMPOP", "1", "a", "UP")
        self.assertCmdError(COUNT_GT0, "LMPOP", "1", "a", "LEFT", "COUNT", "0")
        self.assertCmdError(COUNT_GT0, "LMPOP", "1", "a", "LEFT", "COUNT", "-1")
        self.assertCmdError(COUNT_GT0, "LMPOP", "1", "a", "LEFT", "COUNT", "abc")
        self.assertCmdError(SYNTAX, "LMPOP", "1", "a", "LEFT", "COUNT")
        self.assertCmdError(SYNTAX, "LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "2")
        self.assertCmdError(SYNTAX, "LMPOP", "1", "a", "LEFT", "FOO")
        self.assertEqual(self.lrange("a"), b("1"))


class TestListStorage(ListCase):

    def test_object_encoding(self):
        # Redis 7.0 reports every list as "quicklist". ember, like Redis 7.2,
        # packs a list ("listpack") while it fits list-max-listpack-size
        # (-2: 8kb) and chunks it ("quicklist") past that.
        packed = b"listpack" if harness.is_ember() else b"quicklist"
        self.cmd("RPUSH", "small", "a")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "small"), packed)
        self.cmd("RPUSH", "big", *[str(i) for i in range(1000)])  # under 8kb
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "big"), packed)
        self.cmd("RPUSH", "bigger", *[("%08d" % i) for i in range(1000)])  # over 8kb
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "bigger"), b"quicklist")
        self.cmd("RPUSH", "long", "x" * 10000)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "long"), b"quicklist")
        self.assertCmdOk("LTRIM", "bigger", "0", "1")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "bigger"), b"quicklist")
        self.assertEqual(self.cmd("LRANGE", "bigger", "0", "-1"), [b"00000000", b"00000001"])
        self.assertEqual(self.cmd("CONFIG", "GET", "list-max-listpack-size"), [b"list-max-listpack-size", b"-2"])

    def test_listpack_size_zero_is_one_element_a_node(self):
        # Redis's fill 0: each node holds one element (ember once shifted by -1 here).
        self.assertCmdOk("CONFIG", "SET", "list-max-listpack-size", "0")
        try:
            self.cmd("RPUSH", "z", *[str(i) for i in range(10)])
            self.cmd("LPUSH", "z", "x")
            self.cmd("LINSERT", "z", "BEFORE", "5", "y")
            self.assertCmdOk("LSET", "z", "3", "w")
            self.assertEqual(self.lrange("z"), b("x", "0", "1", "w", "3", "4", "y", "5", "6", "7", "8", "9"))
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "z"), b"quicklist")
        finally:
            self.assertCmdOk("CONFIG", "SET", "list-max-listpack-size", "-2")

    def test_big_list(self):
        n = 10000
        items = [("item-%d" % i).encode() for i in range(n)]
        for start in range(0, n, 1000):
            self.assertEqual(self.cmd("RPUSH", "l", *items[start:start + 1000]), start + 1000)
        self.assertEqual(self.cmd("LLEN", "l"), n)
        self.assertEqual(self.lrange("l"), items)
        self.assertEqual(self.cmd("LRANGE", "l", "4990", "5009"), items[4990:5010])
        self.assertEqual(self.cmd("LRANGE", "l", "-20", "-1"), items[-20:])
        for idx in (0, 1, 4999, 5000, 9998, 9999, -1, -5000, -10000):
            self.assertEqual(self.cmd("LINDEX", "l", str(idx)), items[idx], idx)
        self.assertCmdOk("LSET", "l", "5000", "middle")
        items[5000] = b"middle"
        self.assertEqual(self.cmd("LPOS", "l", "middle"), 5000)
        self.assertEqual(self.cmd("LINSERT", "l", "AFTER", "middle", "after-middle"), n + 1)
        items.insert(5001, b"after-middle")
        self.assertEqual(self.cmd("LRANGE", "l", "4999", "5002"), items[4999:5003])
        self.assertEqual(self.cmd("LPOP", "l", "100"), items[:100])
        self.assertEqual(self.cmd("RPOP", "l", "100"), items[::-1][:100])
        items = items[100:-100]
        self.assertEqual(self.lrange("l"), items)
        self.assertEqual(self.cmd("LREM", "l", "0", "after-middle"), 1)
        items.remove(b"after-middle")
        self.assertCmdOk("LTRIM", "l", "1000", "-1000")
        items = items[1000:len(items) - 999]
        self.assertEqual(self.lrange("l"), items)
        popped = 0
        while True:
            got = self.cmd("LPOP", "l", "777")
            if got is None:
                break
            self.assertEqual(got, items[popped:popped + 777])
            popped += len(got)
        self.assertEqual(popped, len(items))
        self.assertEqual(self.cmd("EXISTS", "l"), 0)

    def test_lpush_many_order(self):
        items = [str(i) for i in range(10000)]
        self.assertEqual(self.cmd("LPUSH", "l", *items), 10000)
        self.assertEqual(self.cmd("LINDEX", "l", "0"), b"9999")
        self.assertEqual(self.cmd("LINDEX", "l", "-1"), b"0")
        self.assertEqual(self.lrange("l"), [i.encode() for i in reversed(items)])

    def test_binary_elements(self):
        items = [b"\x00", b"a\x00b", b"\r\n", b"", b"\xff" * 5, b"\x00" * 1000, os.urandom(300)]
        self.assertEqual(self.cmd("RPUSH", "l", *items), len(items))
        self.assertEqual(self.lrange("l"), items)
        self.assertEqual(self.cmd("LPOS", "l", b"a\x00b"), 1)
        self.assertEqual(self.cmd("LREM", "l", "0", b"\x00"), 1)
        self.assertEqual(self.cmd("LINSERT", "l", "BEFORE", b"\r\n", b"\x00\x00"), len(items))
        self.assertEqual(self.cmd("LINDEX", "l", "1"), b"\x00\x00")
        self.assertEqual(self.cmd("RPOP", "l"), items[-1])
        self.assertEqual(self.r.lrange("l", 0, -1), [b"a\x00b", b"\x00\x00"] + items[2:-1])

    def test_rename_copy_expire(self):
        self.cmd("RPUSH", "l", "a", "b")
        self.assertCmdOk("RENAME", "l", "m")
        self.assertEqual(self.cmd("TYPE", "m"), "list")
        self.assertEqual(self.lrange("m"), b("a", "b"))
        self.assertEqual(self.cmd("COPY", "m", "n"), 1)
        self.cmd("RPUSH", "n", "c")
        self.cmd("LSET", "n", "0", "A")
        self.assertEqual(self.lrange("m"), b("a", "b"))
        self.assertEqual(self.lrange("n"), b("A", "b", "c"))
        self.assertEqual(self.cmd("EXPIRE", "m", "100"), 1)
        self.cmd("RPUSH", "m", "z")
        self.assertTrue(95 <= self.cmd("TTL", "m") <= 100)
        self.assertEqual(self.cmd("PEXPIRE", "m", "0"), 1)
        self.assertEqual(self.cmd("EXISTS", "m"), 0)
        self.assertEqual(self.cmd("LLEN", "m"), 0)


class TestListsSharded(ListCase):
    """LMOVE / RPOPLPUSH / LMPOP with keys on different shards (ember --shards 4) or sharing a hash tag."""
    shards = 4

    def test_lmove_ring_across_shards(self):
        keys = ["ring:%d" % i for i in range(16)]
        self.cmd("RPUSH", keys[0], *[str(i) for i in range(50)])
        moved = 0
        for step in range(200):
            src, dst = keys[step % 16], keys[(step + 1) % 16]
            if self.cmd("LLEN", src) == 0:
                continue
            wherefrom, whereto = ("LEFT", "RIGHT") if step % 2 else ("RIGHT", "LEFT")
            self.assertIsNotNone(self.cmd("LMOVE", src, dst, wherefrom, whereto))
            moved += 1
        self.assertGreater(moved, 0)
        everything = []
        for k in keys:
            everything += self.lrange(k)
        self.assertEqual(sorted(everything), sorted(str(i).encode() for i in range(50)))

    def test_rpoplpush_pairs_across_shards(self):
        keys = ["p:%d" % i for i in range(10)]
        for i, k in enumerate(keys):
            self.cmd("RPUSH", k, "%d-a" % i, "%d-b" % i)
        for i, src in enumerate(keys):
            dst = keys[(i + 3) % len(keys)]
            self.assertEqual(self.cmd("RPOPLPUSH", src, dst), ("%d-b" % i).encode())
            self.assertEqual(self.cmd("LINDEX", dst, "0"), ("%d-b" % i).encode())
        total = sum(self.cmd("LLEN", k) for k in keys)
        self.assertEqual(total, 20)
        # drain everything into one destination
        for k in keys:
            while self.cmd("RPOPLPUSH", k, "sink") is not None:
                pass
            self.assertEqual(self.cmd("EXISTS", k), 0)
        self.assertEqual(self.cmd("LLEN", "sink"), 20)

    def test_lmpop_across_shards(self):
        keys = ["mp:%d" % i for i in range(12)]
        for i in (3, 7, 11):
            self.cmd("RPUSH", keys[i], "%d-1" % i, "%d-2" % i)
        # LMPOP always takes from the first non-empty key in argument order
        self.assertEqual(self.cmd("LMPOP", "12", *keys, "LEFT"), [b"mp:3", [b"3-1"]])
        self.assertEqual(self.cmd("LMPOP", "12", *keys, "LEFT", "COUNT", "5"), [b"mp:3", [b"3-2"]])
        self.assertEqual(self.cmd("LMPOP", "12", *reversed(keys), "RIGHT", "COUNT", "1"), [b"mp:11", [b"11-2"]])
        self.assertEqual(self.cmd("LMPOP", "12", *keys, "RIGHT", "COUNT", "9"), [b"mp:7", [b"7-2", b"7-1"]])
        self.assertEqual(self.cmd("LMPOP", "12", *keys, "LEFT"), [b"mp:11", [b"11-1"]])
        self.assertIsNone(self.cmd("LMPOP", "12", *keys, "LEFT"))
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_hash_tags(self):
        self.cmd("RPUSH", "{q}.in", "1", "2", "3")
        self.assertEqual(self.cmd("LMOVE", "{q}.in", "{q}.work", "LEFT", "RIGHT"), b"1")
        self.assertEqual(self.cmd("RPOPLPUSH", "{q}.in", "{q}.work"), b"3")
        self.assertEqual(self.lrange("{q}.work"), b("3", "1"))
        self.assertEqual(self.cmd("LMPOP", "2", "{q}.in", "{q}.work", "RIGHT", "COUNT", "2"), [b"{q}.in", [b"2"]])
        self.assertEqual(self.cmd("LMPOP", "2", "{q}.in", "{q}.work", "RIGHT", "COUNT", "2"),
                         [b"{q}.work", [b"1", b"3"]])
        self.assertEqual(self.cmd("DBSIZE"), 0)
        self.cmd("RPUSH", "{q}.x", "a")
        self.assertEqual(self.cmd("LMOVE", "{q}.x", "untagged", "LEFT", "LEFT"), b"a")
        self.assertEqual(self.cmd("LMOVE", "untagged", "{other}.y", "LEFT", "LEFT"), b"a")
        self.assertEqual(self.lrange("{other}.y"), b("a"))


if __name__ == "__main__":
    main()
