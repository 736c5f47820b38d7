#!/usr/bin/python3
"""Set commands: SADD family, SPOP/SRANDMEMBER, SMOVE, algebra (SUNION/SINTER/SDIFF and their STORE forms),
SINTERCARD, SSCAN, encodings, RESP3 set replies. TestSetsSharded runs ember with --shards 4 (redis-server
ignores it) so that multi-key commands see keys on different shards. Error texts are exact Redis 7.0 replies."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, RespSet, RESP3_NULL, main  # noqa: E402
from harness import SYNTAX, NOT_INT, WRONGTYPE, MUST_BE_POSITIVE, NUMKEYS, arity  # noqa: E402

TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args"
NEG_LIMIT = "ERR LIMIT can't be negative"


def bset(*members):
    return {m.encode() if isinstance(m, str) else m for m in members}


class SetCase(ServerTestCase):

    def members(self, key):
        reply = self.cmd("SMEMBERS", key)
        self.assertIsInstance(reply, list, reply)
        self.assertEqual(len(reply), len(set(reply)), "SMEMBERS returned duplicates")
        return set(reply)

    def sadd(self, key, *members):
        return self.cmd("SADD", key, *members)


class TestSetBasics(SetCase):

    def test_sadd_srem(self):
        self.assertEqual(self.sadd("s", "a", "b", "c", "b"), 3)
        self.assertEqual(self.sadd("s", "c", "d"), 1)
        self.assertEqual(self.sadd("s", "a"), 0)
        self.assertEqual(self.members("s"), bset("a", "b", "c", "d"))
        self.assertEqual(self.cmd("SREM", "s", "a", "zz", "a"), 1)
        self.assertEqual(self.cmd("SREM", "s", "zz"), 0)
        self.assertEqual(self.cmd("SREM", "nokey", "a"), 0)
        self.assertEqual(self.members("s"), bset("b", "c", "d"))
        self.assertEqual(self.cmd("TYPE", "s"), "set")
        # removing the last member deletes the key
        self.assertEqual(self.cmd("SREM", "s", "b", "c", "d"), 3)
        self.assertEqual(self.cmd("EXISTS", "s"), 0)
        self.assertEqual(self.cmd("TYPE", "s"), "none")
        self.assertEqual(self.sadd("e", ""), 1)
        self.assertEqual(self.members("e"), {b""})

    def test_smembers_sismember_scard(self):
        self.assertEqual(self.cmd("SMEMBERS", "nokey"), [])
        self.assertEqual(self.cmd("SCARD", "nokey"), 0)
        self.assertEqual(self.cmd("SISMEMBER", "nokey", "a"), 0)
        self.sadd("s", "a", "1", "2")
        self.assertEqual(self.cmd("SCARD", "s"), 3)
        self.assertEqual(self.cmd("SISMEMBER", "s", "a"), 1)
        self.assertEqual(self.cmd("SISMEMBER", "s", "1"), 1)
        self.assertEqual(self.cmd("SISMEMBER", "s", "b"), 0)
        self.assertEqual(self.cmd("SISMEMBER", "s", "01"), 0)
        self.assertEqual(self.cmd("SMISMEMBER", "s", "a", "zz", "2", "a"), [1, 0, 1, 1])
        self.assertEqual(self.cmd("SMISMEMBER", "nokey", "a", "b"), [0, 0])
        self.sadd("i", "1", "2", "3")  # an integer set
        self.assertEqual(self.cmd("SMISMEMBER", "i", "1", "01", "4", "-1", "x"), [1, 0, 0, 0, 0])
        self.assertEqual(self.cmd("SISMEMBER", "i", "3"), 1)

    def test_arity(self):
        self.assertCmdError(arity("sadd"), "SADD", "s")
        self.assertCmdError(arity("srem"), "SREM", "s")
        self.assertCmdError(arity("smembers"), "SMEMBERS")
        self.assertCmdError(arity("sismember"), "SISMEMBER", "s")
        self.assertCmdError(arity("sismember"), "SISMEMBER", "s", "a", "b")
        self.assertCmdError(arity("smismember"), "SMISMEMBER", "s")
        self.assertCmdError(arity("scard"), "SCARD")
        self.assertCmdError(arity("spop"), "SPOP")
        self.assertCmdError(arity("srandmember"), "SRANDMEMBER")
        self.assertCmdError(arity("smove"), "SMOVE", "a", "b")
        self.assertCmdError(arity("sunion"), "SUNION")
        self.assertCmdError(arity("sinter"), "SINTER")
        self.assertCmdError(arity("sdiff"), "SDIFF")
        self.assertCmdError(arity("sunionstore"), "SUNIONSTORE", "d")
        self.assertCmdError(arity("sinterstore"), "SINTERSTORE", "d")
        self.assertCmdError(arity("sdiffstore"), "SDIFFSTORE", "d")
        self.assertCmdError(arity("sintercard"), "SINTERCARD", "1")
        self.assertCmdError(arity("sscan"), "SSCAN", "s")
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_wrongtype(self):
        self.assertCmdOk("SET", "str", "v")
        self.sadd("s", "a")
        for args in (["SADD", "str", "a"], ["SREM", "str", "a"], ["SMEMBERS", "str"], ["SISMEMBER", "str", "a"],
                     ["SMISMEMBER", "str", "a"], ["SCARD", "str"], ["SPOP", "str"], ["SPOP", "str", "2"],
                     ["SRANDMEMBER", "str"], ["SRANDMEMBER", "str", "2"], ["SSCAN", "str", "0"],
                     ["SMOVE", "str", "s", "a"], ["SMOVE", "s", "str", "a"],
                     ["SUNION", "s", "str"], ["SINTER", "s", "str"], ["SDIFF", "s", "str"],
                     ["SUNION", "nokey", "str"], ["SINTER", "nokey", "str"], ["SDIFF", "nokey", "str"],
                     ["SINTER", "str", "nokey"], ["SDIFF", "str", "nokey"],
                     ["SUNIONSTORE", "d", "s", "str"], ["SINTERSTORE", "d", "s", "str"],
                     ["SDIFFSTORE", "d", "s", "str"], ["SINTERCARD", "2", "s", "str"],
                     ["SINTERCARD", "2", "nokey", "str"], ["SINTERCARD", "1", "str"]):
            self.assertCmdError(WRONGTYPE, *args)
        self.assertEqual(self.cmd("EXISTS", "d"), 0)
        self.assertEqual(self.cmd("GET", "str"), b"v")
        self.assertEqual(self.members("s"), bset("a"))
        for args in (["GET", "s"], ["HSET", "s", "f", "v"], ["LPUSH", "s", "x"], ["ZADD", "s", "1", "x"],
                     ["INCR", "s"]):
            self.assertCmdError(WRONGTYPE, *args)

    def test_resp3_set_replies(self):
        self.sadd("s", "a", "b", "c")
        self.sadd("t", "b", "c", "d")
        with self.server.raw(protocol=3) as c3:
            for args, want in ((("SMEMBERS", "s"), bset("a", "b", "c")),
                               (("SUNION", "s", "t"), bset("a", "b", "c", "d")),
                               (("SINTER", "s", "t"), bset("b", "c")),
                               (("SDIFF", "s", "t"), bset("a"))):
                reply = c3.execute(*args)
                self.assertIsInstance(reply, RespSet, args)
                self.assertEqual(set(reply), want, args)
            c3.send("SMEMBERS", "nokey")
            self.assertEqual(c3.read_raw(1.0), b"~0\r\n")
            c3.send("SINTER", "s", "nokey")
            self.assertEqual(c3.read_raw(1.0), b"~0\r\n")
            self.sadd("one", "x")
            c3.send("SMEMBERS", "one")
            self.assertEqual(c3.read_raw(1.0), b"~1\r\n$1\r\nx\r\n")
            # SPOP with a count is a set too; SRANDMEMBER with a count is an array (it may repeat)
            reply = c3.execute("SPOP", "s", "2")
            self.assertIsInstance(reply, RespSet)
            self.assertEqual(len(reply), 2)
            c3.send("SPOP", "nokey", "2")
            self.assertEqual(c3.read_raw(1.0), b"~0\r\n")
            reply = c3.execute("SRANDMEMBER", "t", "2")
            self.assertNotIsInstance(reply, RespSet)
            self.assertIsInstance(reply, list)
            self.assertEqual(len(reply), 2)
            reply = c3.execute("SRANDMEMBER", "t", "-5")
            self.assertNotIsInstance(reply, RespSet)
            self.assertEqual(len(reply), 5)
            self.assertIs(c3.execute("SPOP", "nokey"), RESP3_NULL)
            self.assertIs(c3.execute("SRANDMEMBER", "nokey"), RESP3_NULL)
            self.assertEqual(c3.execute("SMISMEMBER", "t", "b", "zz"), [1, 0])
            self.assertEqual(c3.execute("SISMEMBER", "t", "b"), 1)
            self.assertEqual(c3.execute("SCARD", "t"), 3)
        self.c.send("SMEMBERS", "one")
        self.assertEqual(self.c.read_raw(1.0), b"*1\r\n$1\r\nx\r\n")

    def test_binary_members(self):
        items = [b"\x00", b"a\x00b", b"\r\n", b"\xff" * 3, b"", b"\x00" * 100]
        self.assertEqual(self.sadd("b", *items), len(items))
        self.assertEqual(self.members("b"), set(items))
        for m in items:
            self.assertEqual(self.cmd("SISMEMBER", "b", m), 1)
        self.assertEqual(self.cmd("SISMEMBER", "b", b"a"), 0)
        self.assertEqual(self.cmd("SREM", "b", b"a\x00b"), 1)
        self.assertEqual(self.cmd("SCARD", "b"), len(items) - 1)

    def test_large_set(self):
        members = [("member:%d" % i).encode() for i in range(5000)]
        self.assertEqual(self.sadd("big", *members), 5000)
        self.assertEqual(self.cmd("SCARD", "big"), 5000)
        self.assertEqual(self.members("big"), set(members))
        self.assertEqual(self.cmd("SMISMEMBER", "big", *members[::100]), [1] * 50)
        self.assertEqual(self.cmd("SREM", "big", *members[::2]), 2500)
        self.assertEqual(self.members("big"), set(members[1::2]))
        ints = [str(i) for i in range(0, 3000, 3)]
        self.assertEqual(self.sadd("ints", *ints), 1000)
        self.assertEqual(self.members("ints"), bset(*ints))


class TestPopRandom(SetCase):

    def test_spop_single(self):
        self.assertIsNone(self.cmd("SPOP", "nokey"))
        self.sadd("s", "a", "b", "c")
        popped = set()
        for _ in range(3):
            m = self.cmd("SPOP", "s")
            self.assertIn(m, bset("a", "b", "c"))
            popped.add(m)
        self.assertEqual(popped, bset("a", "b", "c"))
        self.assertEqual(self.cmd("EXISTS", "s"), 0)  # removed when emptied
        self.assertIsNone(self.cmd("SPOP", "s"))

    def test_spop_count(self):
        all_members = bset(*("m%d" % i for i in range(20)))
        self.sadd("s", *all_members)
        got = self.cmd("SPOP", "s", "5")
        self.assertEqual(len(got), 5)
        self.assertEqual(len(set(got)), 5)
        self.assertTrue(set(got) <= all_members)
        rest = self.members("s")
        self.assertEqual(len(rest), 15)
        self.assertEqual(rest | set(got), all_members)
        self.assertEqual(rest & set(got), set())
        # most of the set in one go (a different code path in Redis)
        got2 = self.cmd("SPOP", "s", "13")
        self.assertEqual(len(set(got2)), 13)
        self.assertEqual(self.members("s") | set(got2), rest)
        self.assertEqual(self.cmd("SCARD", "s"), 2)
        # count 0 on an existing key: empty array, nothing removed
        self.assertEqual(self.cmd("SPOP", "s", "0"), [])
        self.assertEqual(self.cmd("SCARD", "s"), 2)
        # a count larger than the set returns everything and removes the key
        last = self.cmd("SPOP", "s", "100")
        self.assertEqual(set(last) | set(got) | set(got2), all_members)
        self.assertEqual(self.cmd("EXISTS", "s"), 0)
        self.assertEqual(self.cmd("SPOP", "s", "3"), [])
        self.assertEqual(self.cmd("SPOP", "s", "0"), [])

    def test_spop_count_equal_size(self):
        self.sadd("i", "1", "2", "3")
        self.assertEqual(sorted(self.cmd("SPOP", "i", "3")), [b"1", b"2", b"3"])
        self.assertEqual(self.cmd("EXISTS", "i"), 0)

    def test_spop_errors(self):
        self.sadd("s", "a")
        self.assertCmdError(MUST_BE_POSITIVE, "SPOP", "s", "-1")
        self.assertCmdError(MUST_BE_POSITIVE, "SPOP", "s", "abc")
        self.assertCmdError(SYNTAX, "SPOP", "s", "1", "2")
        self.assertEqual(self.cmd("SCARD", "s"), 1)

    def test_srandmember_single(self):
        self.assertIsNone(self.cmd("SRANDMEMBER", "nokey"))
        model = bset(*("m%d" % i for i in range(10)))
        self.sadd("s", *model)
        seen = set()
        for _ in range(100):
            m = self.cmd("SRANDMEMBER", "s")
            self.assertIn(m, model)
            seen.add(m)
        self.assertGreater(len(seen), 1)
        self.assertEqual(self.members("s"), model)  # nothing removed

    def test_srandmember_count(self):
        model = bset(*("m%d" % i for i in range(10)))
        self.sadd("s", *model)
        for count in (1, 3, 9, 10, 11, 1000):
            got = self.cmd("SRANDMEMBER", "s", str(count))
            self.assertEqual(len(got), min(count, 10), count)
            self.assertEqual(len(set(got)), len(got), "positive count gives distinct members")
            self.assertTrue(set(got) <= model)
        self.assertEqual(set(self.cmd("SRANDMEMBER", "s", "10")), model)
        for count in (1, 5, 10, 25):
            got = self.cmd("SRANDMEMBER", "s", str(-count))
            self.assertEqual(len(got), count, "negative count returns exactly |count| members")
            self.assertTrue(set(got) <= model)
        self.assertLess(len(set(self.cmd("SRANDMEMBER", "s", "-25"))), 25)  # repeats are certain
        self.assertEqual(self.cmd("SRANDMEMBER", "s", "0"), [])
        self.assertEqual(self.cmd("SRANDMEMBER", "nokey", "5"), [])
        self.assertEqual(self.cmd("SRANDMEMBER", "nokey", "-5"), [])
        self.assertEqual(self.members("s"), model)
        # an integer set follows the same rules
        self.sadd("i", "1", "2", "3")
        self.assertEqual(sorted(self.cmd("SRANDMEMBER", "i", "5")), [b"1", b"2", b"3"])
        self.assertEqual(len(self.cmd("SRANDMEMBER", "i", "-6")), 6)

    def test_srandmember_errors(self):
        self.sadd("s", "a")
        self.assertCmdError(NOT_INT, "SRANDMEMBER", "s", "abc")
        self.assertCmdError(SYNTAX, "SRANDMEMBER", "s", "1", "2")
        self.assertCmdError("ERR value is out of range, value must between -9223372036854775807 and "
                            "9223372036854775807", "SRANDMEMBER", "s", "-9223372036854775808")


class TestSmoveAndAlgebra(SetCase):

    def test_smove(self):
        self.sadd("a", "1", "2", "3")
        self.sadd("b", "3", "4")
        self.assertEqual(self.cmd("SMOVE", "a", "b", "1"), 1)
        self.assertEqual(self.members("a"), bset("2", "3"))
        self.assertEqual(self.members("b"), bset("1", "3", "4"))
        # already in the destination: removed from the source only
        self.assertEqual(self.cmd("SMOVE", "a", "b", "3"), 1)
        self.assertEqual(self.members("a"), bset("2"))
        self.assertEqual(self.members("b"), bset("1", "3", "4"))
        self.assertEqual(self.cmd("SMOVE", "a", "b", "zz"), 0)
        self.assertEqual(self.cmd("SMOVE", "nokey", "b", "1"), 0)
        self.assertEqual(self.cmd("EXISTS", "nokey"), 0)
        # moving the last member deletes the source and creates the destination
        self.assertEqual(self.cmd("SMOVE", "a", "c", "2"), 1)
        self.assertEqual(self.cmd("EXISTS", "a"), 0)
        self.assertEqual(self.cmd("TYPE", "c"), "set")
        self.assertEqual(self.members("c"), bset("2"))

    def test_smove_same_key(self):
        self.sadd("a", "x", "y")
        self.assertEqual(self.cmd("SMOVE", "a", "a", "x"), 1)
        self.assertEqual(self.cmd("SMOVE", "a", "a", "zz"), 0)
        self.assertEqual(self.members("a"), bset("x", "y"))

    def test_smove_wrongtype(self):
        self.sadd("a", "1", "2")
        self.assertCmdOk("SET", "str", "v")
        self.assertCmdError(WRONGTYPE, "SMOVE", "a", "str", "1")
        self.assertCmdError(WRONGTYPE, "SMOVE", "a", "str", "zz")  # even when the member is missing
        self.assertCmdError(WRONGTYPE, "SMOVE", "str", "a", "1")
        self.assertEqual(self.members("a"), bset("1", "2"))
        self.assertEqual(self.cmd("GET", "str"), b"v")
        # a missing source is checked first: no error
        self.assertEqual(self.cmd("SMOVE", "nokey", "str", "1"), 0)

    # Redis 7.0 keeps every small non-integer set in a hash table; ember,
    # like Redis 7.2, packs it (set-max-listpack-entries/-value) first.
    SMALL = b"listpack" if harness.is_ember() else b"hashtable"

    def test_smove_encodings(self):
        self.sadd("ints", "1", "2")
        self.sadd("strs", "a", "b")
        self.assertEqual(self.cmd("SMOVE", "strs", "ints", "a"), 1)
        self.assertEqual(self.members("ints"), bset("1", "2", "a"))
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "ints"), self.SMALL)
        self.assertEqual(self.cmd("SMOVE", "ints", "strs", "1"), 1)
        self.assertEqual(self.members("strs"), bset("b", "1"))

    def test_sunion_sinter_sdiff(self):
        self.sadd("a", "1", "2", "3", "x")
        self.sadd("b", "2", "3", "4")
        self.sadd("c", "3", "x", "y")
        self.assertEqual(set(self.cmd("SUNION", "a", "b", "c")), bset("1", "2", "3", "4", "x", "y"))
        self.assertEqual(set(self.cmd("SINTER", "a", "b", "c")), bset("3"))
        self.assertEqual(set(self.cmd("SINTER", "a", "c")), bset("3", "x"))
        self.assertEqual(set(self.cmd("SDIFF", "a", "b", "c")), bset("1"))
        self.assertEqual(set(self.cmd("SDIFF", "a", "c")), bset("1", "2"))
        self.assertEqual(set(self.cmd("SDIFF", "b", "a")), bset("4"))
        self.assertEqual(set(self.cmd("SUNION", "a")), bset("1", "2", "3", "x"))
        self.assertEqual(set(self.cmd("SINTER", "a")), bset("1", "2", "3", "x"))
        self.assertEqual(set(self.cmd("SDIFF", "a")), bset("1", "2", "3", "x"))
        self.assertEqual(set(self.cmd("SINTER", "a", "a")), bset("1", "2", "3", "x"))
        self.assertEqual(self.cmd("SDIFF", "a", "a"), [])
        for reply in (self.cmd("SUNION", "a", "b", "c"), self.cmd("SINTER", "a", "c")):
            self.assertEqual(len(reply), len(set(reply)))

    def test_algebra_missing_keys(self):
        self.sadd("a", "1", "2")
        self.assertEqual(set(self.cmd("SUNION", "a", "nokey")), bset("1", "2"))
        self.assertEqual(set(self.cmd("SUNION", "nokey", "a")), bset("1", "2"))
        self.assertEqual(self.cmd("SUNION", "nokey", "nokey2"), [])
        self.assertEqual(self.cmd("SINTER", "a", "nokey"), [])
        self.assertEqual(self.cmd("SINTER", "nokey", "a"), [])
        self.assertEqual(self.cmd("SINTER", "nokey"), [])
        self.assertEqual(set(self.cmd("SDIFF", "a", "nokey")), bset("1", "2"))
        self.assertEqual(self.cmd("SDIFF", "nokey", "a"), [])
        self.assertEqual(self.cmd("SDIFF", "nokey"), [])

    def test_store_commands(self):
        self.sadd("a", "1", "2", "3")
        self.sadd("b", "2", "3", "4")
        self.assertEqual(self.cmd("SUNIONSTORE", "u", "a", "b"), 4)
        self.assertEqual(self.members("u"), bset("1", "2", "3", "4"))
        self.assertEqual(self.cmd("SINTERSTORE", "i", "a", "b"), 2)
        self.assertEqual(self.members("i"), bset("2", "3"))
        self.assertEqual(self.cmd("SDIFFSTORE", "d", "a", "b"), 1)
        self.assertEqual(self.members("d"), bset("1"))
        self.assertEqual(self.cmd("SUNIONSTORE", "single", "a"), 3)
        self.assertEqual(self.members("single"), bset("1", "2", "3"))
        # the stored copy is independent of the sources
        self.sadd("single", "new")
        self.assertEqual(self.members("a"), bset("1", "2", "3"))

    def test_store_overwrites_destination(self):
        self.sadd("a", "1", "2", "3")
        self.sadd("b", "2", "3", "4")
        self.sadd("dst", "old1", "old2")
        self.assertEqual(self.cmd("EXPIRE", "dst", "100"), 1)
        self.assertEqual(self.cmd("SINTERSTORE", "dst", "a", "b"), 2)
        self.assertEqual(self.members("dst"), bset("2", "3"))
        self.assertEqual(self.cmd("TTL", "dst"), -1)  # the old key, TTL included, is replaced
        # a destination of another type is overwritten too
        self.assertCmdOk("SET", "str", "v")
        self.assertEqual(self.cmd("SUNIONSTORE", "str", "a", "b"), 4)
        self.assertEqual(self.cmd("TYPE", "str"), "set")
        self.r.hset("h", "f", "v")
        self.assertEqual(self.cmd("SDIFFSTORE", "h", "a", "b"), 1)
        self.assertEqual(self.members("h"), bset("1"))

    def test_store_empty_result_deletes_destination(self):
        self.sadd("a", "1", "2")
        self.sadd("b", "3")
        for cmd, srcs in (("SINTERSTORE", ["a", "b"]), ("SINTERSTORE", ["a", "nokey"]),
                          ("SDIFFSTORE", ["a", "a"]), ("SDIFFSTORE", ["nokey", "a"]),
                          ("SUNIONSTORE", ["nokey"]), ("SINTERSTORE", ["nokey"])):
            self.sadd("dst", "old")
            self.assertEqual(self.cmd(cmd, "dst", *srcs), 0, (cmd, srcs))
            self.assertEqual(self.cmd("EXISTS", "dst"), 0, (cmd, srcs))
        self.assertCmdOk("SET", "str", "v")
        self.assertEqual(self.cmd("SINTERSTORE", "str", "a", "b"), 0)
        self.assertEqual(self.cmd("EXISTS", "str"), 0)
        self.assertEqual(self.cmd("SUNIONSTORE", "never", "nokey", "nokey2"), 0)
        self.assertEqual(self.cmd("EXISTS", "never"), 0)

    def test_store_destination_is_a_source(self):
        self.sadd("a", "1", "2", "3")
        self.sadd("b", "2", "3", "4")
        self.assertEqual(self.cmd("SDIFFSTORE", "a", "a", "b"), 1)
        self.assertEqual(self.members("a"), bset("1"))
        self.assertEqual(self.cmd("SUNIONSTORE", "a", "a", "b"), 4)
        self.assertEqual(self.members("a"), bset("1", "2", "3", "4"))
        self.assertEqual(self.cmd("SINTERSTORE", "b", "a", "b"), 3)
        self.assertEqual(self.members("b"), bset("2", "3", "4"))
        self.assertEqual(self.cmd("SDIFFSTORE", "b", "b", "b"), 0)
        self.assertEqual(self.cmd("EXISTS", "b"), 0)

    def test_sintercard(self):
        self.sadd("a", "1", "2", "3", "4", "x")
        self.sadd("b", "2", "3", "4", "x", "y")
        self.sadd("c", "3", "4", "x")
        self.assertEqual(self.cmd("SINTERCARD", "2", "a", "b"), 4)
        self.assertEqual(self.cmd("SINTERCARD", "3", "a", "b", "c"), 3)
        self.assertEqual(self.cmd("SINTERCARD", "1", "b"), 5)
        self.assertEqual(self.cmd("SINTERCARD", "2", "a", "nokey"), 0)
        self.assertEqual(self.cmd("SINTERCARD", "1", "nokey"), 0)
        self.assertEqual(self.cmd("SINTERCARD", "3", "a", "b", "c", "LIMIT", "2"), 2)
        self.assertEqual(self.cmd("SINTERCARD", "3", "a", "b", "c", "LIMIT", "3"), 3)
        self.assertEqual(self.cmd("SINTERCARD", "3", "a", "b", "c", "LIMIT", "100"), 3)
        self.assertEqual(self.cmd("SINTERCARD", "3", "a", "b", "c", "limit", "0"), 3)  # 0 means no limit
        self.assertEqual(self.cmd("SINTERCARD", "1", "b", "LIMIT", "1"), 1)

    def test_sintercard_errors(self):
        self.sadd("a", "1")
        self.assertCmdError(NUMKEYS, "SINTERCARD", "0", "a")
        self.assertCmdError(NUMKEYS, "SINTERCARD", "-1", "a")
        self.assertCmdError(NUMKEYS, "SINTERCARD", "abc", "a")
        self.assertCmdError(TOO_MANY_KEYS, "SINTERCARD", "3", "a", "b")
        self.assertCmdError(TOO_MANY_KEYS, "SINTERCARD", "2", "a")
        self.assertCmdError(NEG_LIMIT, "SINTERCARD", "1", "a", "LIMIT", "-1")
        self.assertCmdError(NEG_LIMIT, "SINTERCARD", "1", "a", "LIMIT", "abc")
        self.assertCmdError(SYNTAX, "SINTERCARD", "1", "a", "LIMIT")
        self.assertCmdError(SYNTAX, "SINTERCARD", "1", "a", "FOO", "1")
        self.assertCmdError(arity("sintercard"), "SINTERCARD", "1")
        self.assertCmdError(arity("sintercard"), "SINTERCARD")


class TestSetScanEncodingKeys(SetCase):

    def scan_all(self, key, *args):
        cursor = b"0"
        out = []
        calls = 0
        while True:
            reply = self.cmd("SSCAN", key, cursor, *args)
            self.assertIsInstance(reply, list, reply)
            cursor, items = reply
            out.extend(items)
            calls += 1
            self.assertLess(calls, 100000)
            if cursor == b"0":
                return out

    def test_sscan(self):
        self.assertEqual(self.cmd("SSCAN", "nokey", "0"), [b"0", []])
        self.sadd("small", "a", "b")
        cursor, items = self.cmd("SSCAN", "small", "0")
        self.assertEqual(cursor, b"0")
        self.assertEqual(set(items), bset("a", "b"))
        members = bset(*("m:%d" % i for i in range(1000)))
        self.sadd("s", *members)
        for args in ((), ("COUNT", "3"), ("COUNT", "5000")):
            self.assertEqual(set(self.scan_all("s", *args)), members, args)
        got = set(self.scan_all("s", "MATCH", "m:1??", "COUNT", "50"))
        self.assertEqual(got, {m for m in members if len(m) == 5 and m.startswith(b"m:1")})
        self.assertEqual(self.scan_all("s", "MATCH", "zz*"), [])
        ints = [str(i) for i in range(100)]
        self.sadd("ints", *ints)
        self.assertEqual(set(self.scan_all("ints", "MATCH", "1*")), bset(*(i for i in ints if i.startswith("1"))))
        self.assertCmdError("ERR invalid cursor", "SSCAN", "s", "abc")
        self.assertCmdError(SYNTAX, "SSCAN", "s", "0", "COUNT", "0")
        self.assertCmdError(SYNTAX, "SSCAN", "s", "0", "FOO")

    SMALL = b"listpack" if harness.is_ember() else b"hashtable"  # see test_smove_encodings

    def test_sadd_srem_counts_on_a_large_set(self):
        # a set past the packed limits counts only members it really added/removed
        self.sadd("big", *["m%d" % i for i in range(300)])
        self.assertEqual(self.cmd("SADD", "big", "m1", "new1", "m2", "new2"), 2)
        self.assertEqual(self.cmd("SREM", "big", "m1", "nope", "new2"), 2)
        self.assertEqual(self.cmd("SCARD", "big"), 300)

    def test_encoding_intset(self):
        self.sadd("i", "1", "2", "-3")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), b"intset")
        self.sadd("i", "9223372036854775807", "-9223372036854775808")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), b"intset")
        self.sadd("i", "a")  # a non-integer member converts it
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), self.SMALL)
        self.cmd("SREM", "i", "a")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), self.SMALL)  # no conversion back
        self.assertEqual(self.members("i"), bset("1", "2", "-3", "9223372036854775807", "-9223372036854775808"))
        # strings that are not canonical integers don't fit an intset
        for i, v in enumerate(("9223372036854775808", "01", " 1", "+1", "1.0", "-0")):
            key = "n%d" % i
            self.sadd(key, "5", v)
            self.assertEqual(self.cmd("OBJECT", "ENCODING", key), self.SMALL, v)
            self.assertEqual(self.members(key), bset("5", v))

    def test_encoding_small_strings(self):
        self.sadd("s", "a", "b")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "s"), self.SMALL)
        self.sadd("one", "x")
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "one"), self.SMALL)
        if harness.is_ember():
            # past set-max-listpack-entries members, a hash table
            self.sadd("many", *["m%d" % i for i in range(129)])
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "many"), b"hashtable")
            self.sadd("long", "x" * 65)
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "long"), b"hashtable")

    def test_encoding_intset_entries_limit(self):
        self.assertEqual(self.cmd("CONFIG", "GET", "set-max-intset-entries"), [b"set-max-intset-entries", b"512"])
        self.assertCmdOk("CONFIG", "SET", "set-max-intset-entries", "4")
        try:
            self.sadd("i", "1", "2", "3", "4")
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), b"intset")
            self.sadd("i", "5")
            self.assertEqual(self.cmd("OBJECT", "ENCODING", "i"), self.SMALL)
            self.assertEqual(self.members("i"), bset("1", "2", "3", "4", "5"))
            self.assertEqual(self.cmd("SISMEMBER", "i", "5"), 1)
        finally:
            self.assertCmdOk("CONFIG", "SET", "set-max-intset-entries", "512")
        self.sadd("big", *[str(i) for i in range(513)])
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "big"), b"hashtable")
        self.sadd("edge", *[str(i) for i in range(512)])
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "edge"), b"intset")

    def test_rename_copy(self):
        self.sadd("s", "a", "b")
        self.assertCmdOk("RENAME", "s", "t")
        self.assertEqual(self.cmd("EXISTS", "s"), 0)
        self.assertEqual(self.cmd("TYPE", "t"), "set")
        self.assertEqual(self.members("t"), bset("a", "b"))
        self.assertEqual(self.cmd("COPY", "t", "u"), 1)
        self.sadd("u", "c")
        self.cmd("SREM", "u", "a")
        self.assertEqual(self.members("t"), bset("a", "b"))
        self.assertEqual(self.members("u"), bset("b", "c"))
        self.sadd("i", "1", "2")
        self.assertEqual(self.cmd("COPY", "i", "i2"), 1)
        self.assertEqual(self.cmd("OBJECT", "ENCODING", "i2"), b"intset")
        self.sadd("i2", "3")
        self.assertEqual(self.members("i"), bset("1", "2"))
        self.assertEqual(self.cmd("COPY", "i", "u", "REPLACE"), 1)
        self.assertEqual(self.members("u"), bset("1", "2"))

    def test_scan_type_set(self):
        for i in range(20):
            self.sadd("set:%d" % i, "m")
            self.r.hset("hash:%d" % i, "f", "v")
        seen = set()
        cursor = b"0"
        while True:
            cursor, keys = self.cmd("SCAN", cursor, "TYPE", "set")
            seen.update(keys)
            if cursor == b"0":
                break
        self.assertEqual(seen, {("set:%d" % i).encode() for i in range(20)})


class TestSetsSharded(SetCase):
    """Multi-key set commands whose keys live on different shards (ember --shards 4) or share a hash tag."""
    shards = 4

    def fill(self, prefix, n, size):
        """n sets named prefix:i; set i holds the members j*(i+1) for j < size."""
        model = {}
        for i in range(n):
            key = "%s:%d" % (prefix, i)
            members = bset(*(str(j * (i + 1)) for j in range(size)))
            self.sadd(key, *members)
            model[key] = members
        return model

    def test_algebra_across_shards(self):
        model = self.fill("src", 8, 60)
        keys = sorted(model)
        union = set().union(*model.values())
        inter = set.intersection(*model.values())
        diff = model[keys[0]] - set().union(*(model[k] for k in keys[1:]))
        self.assertEqual(set(self.cmd("SUNION", *keys)), union)
        self.assertEqual(set(self.cmd("SINTER", *keys)), inter)
        self.assertEqual(set(self.cmd("SDIFF", *keys)), diff)
        self.assertEqual(self.cmd("SINTERCARD", str(len(keys)), *keys), len(inter))
        for dst in ("dest:union", "dest:x", "other", "zzz"):
            self.assertEqual(self.cmd("SUNIONSTORE", dst, *keys), len(union))
            self.assertEqual(self.members(dst), union)
            self.assertEqual(self.cmd("SINTERSTORE", dst, *keys), len(inter))
            self.assertEqual(self.members(dst), inter)
            self.assertEqual(self.cmd("SDIFFSTORE", dst, *keys), len(diff))
            self.assertEqual(self.members(dst), diff)
        # sources are untouched
        for k in keys:
            self.assertEqual(self.members(k), model[k])

    def test_pairs_across_shards(self):
        # every pair out of 12 differently named keys: some pairs share a shard, most don't
        model = self.fill("k", 12, 30)
        keys = sorted(model)
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                dst = "d:%s:%s" % (a, b)
                inter = model[a] & model[b]  # never empty: every set holds "0"
                self.assertEqual(self.cmd("SINTERSTORE", dst, a, b), len(inter))
                self.assertEqual(self.members(dst), inter)
                self.assertEqual(set(self.cmd("SDIFF", a, b)), model[a] - model[b])
                self.assertEqual(set(self.cmd("SUNION", b, a)), model[a] | model[b])

    def test_store_into_source_across_shards(self):
        model = self.fill("s", 5, 40)
        keys = sorted(model)
        target = keys[2]
        want = set().union(*model.values())
        self.assertEqual(self.cmd("SUNIONSTORE", target, *keys), len(want))
        self.assertEqual(self.members(target), want)
        # keys[0] minus the union of everything is empty: the destination (a source) is deleted
        self.assertEqual(self.cmd("SDIFFSTORE", keys[0], keys[0], target), 0)
        self.assertEqual(self.cmd("EXISTS", keys[0]), 0)

    def test_store_empty_deletes_remote_destination(self):
        model = self.fill("e", 4, 10)
        for i in range(20):
            dst = "far:%d" % i
            self.sadd(dst, "old")
            self.assertEqual(self.cmd("SINTERSTORE", dst, "e:0", "missing:%d" % i), 0)
            self.assertEqual(self.cmd("EXISTS", dst), 0)
        self.assertEqual(self.members("e:0"), model["e:0"])

    def test_smove_across_shards(self):
        keys = ["mv:%d" % i for i in range(16)]
        self.sadd(keys[0], *[str(i) for i in range(100)])
        # walk 100 members around a ring of 16 keys
        for step in range(100):
            src, dst = keys[step % 16], keys[(step + 1) % 16]
            member = self.cmd("SRANDMEMBER", src)
            self.assertIsNotNone(member)
            self.assertEqual(self.cmd("SMOVE", src, dst, member), 1)
            self.assertEqual(self.cmd("SISMEMBER", dst, member), 1)
        total = set()
        count = 0
        for k in keys:
            m = self.members(k)
            count += len(m)
            total |= m
        self.assertEqual(count, 100)
        self.assertEqual(total, bset(*(str(i) for i in range(100))))
        self.assertCmdOk("SET", "mv:str", "v")
        member = self.cmd("SRANDMEMBER", keys[0])
        self.assertCmdError(WRONGTYPE, "SMOVE", keys[0], "mv:str", member)
        self.assertEqual(self.cmd("SISMEMBER", keys[0], member), 1)

    def test_hash_tags(self):
        self.sadd("{grp}.a", "1", "2", "3")
        self.sadd("{grp}.b", "2", "3", "4")
        self.sadd("{grp}.c", "3", "5")
        self.assertEqual(set(self.cmd("SINTER", "{grp}.a", "{grp}.b", "{grp}.c")), bset("3"))
        self.assertEqual(self.cmd("SUNIONSTORE", "{grp}.u", "{grp}.a", "{grp}.b", "{grp}.c"), 5)
        self.assertEqual(self.cmd("SINTERSTORE", "{grp}.i", "{grp}.a", "{grp}.b"), 2)
        self.assertEqual(self.cmd("SDIFFSTORE", "{grp}.d", "{grp}.a", "{grp}.b"), 1)
        self.assertEqual(self.members("{grp}.d"), bset("1"))
        self.assertEqual(self.cmd("SINTERCARD", "2", "{grp}.a", "{grp}.b", "LIMIT", "1"), 1)
        self.assertEqual(self.cmd("SMOVE", "{grp}.a", "{grp}.c", "1"), 1)
        self.assertEqual(self.members("{grp}.c"), bset("1", "3", "5"))
        # tagged keys mixed with untagged ones
        self.assertEqual(self.cmd("SUNIONSTORE", "plain", "{grp}.a", "{other}.x", "{grp}.c"), 4)
        self.assertEqual(self.members("plain"), bset("1", "2", "3", "5"))
        self.assertEqual(self.cmd("SINTERSTORE", "{grp}.a", "plain", "{grp}.b"), 2)
        self.assertEqual(self.members("{grp}.a"), bset("2", "3"))


if __name__ == "__main__":
    main()
