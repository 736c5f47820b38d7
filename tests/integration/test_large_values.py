#!/usr/bin/python3
"""Big values and big commands: one SADD/HSET/ZADD/LPUSH with 100k+ members, set and sorted-set stores of
big inputs, RESTORE of big values, and LSET/LINSERT/LREM/LPOS/LINDEX/LRANGE/LTRIM/LMOVE on lists of 200k
and 1M items. Replies, errors and encodings are Redis 7.0's (the encodings checked are those both servers
name alike: intset, listpack for hashes and sorted sets, hashtable, skiplist, quicklist for big lists).

A command on a big value must not stall the server: the batch commands and the 50 LSETs on a 1M-item list
run with a socket timeout of a few seconds, at least 10x what redis-server needs; nothing else is timed."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, RespError, main  # noqa: E402

OUT_OF_RANGE = "ERR index out of range"
NO_SUCH_KEY = "ERR no such key"
HANG_TIMEOUT = 4.0  # seconds; redis-server needs well under 0.4 for each command guarded by it


def members(prefix, n, start=0):
    return [("%s%d" % (prefix, i)).encode() for i in range(start, start + n)]


class LargeCase(ServerTestCase):

    def guarded(self, *args):
        """One command that must answer within HANG_TIMEOUT seconds."""
        self.c.sock.settimeout(HANG_TIMEOUT)
        try:
            return self.c.execute(*args)
        finally:
            self.c.sock.settimeout(10.0)

    def encoding(self, key):
        return self.cmd("OBJECT", "ENCODING", key)

    def rpush_many(self, key, items, batch=10000):
        for i in range(0, len(items), batch):
            self.cmd("RPUSH", key, *items[i:i + batch])


class TestBigBatches(LargeCase):

    def test_sadd_150k_members(self):
        ms = members("m", 150000)
        self.assertEqual(self.guarded("SADD", "s", *ms), 150000)
        self.assertEqual(self.cmd("SCARD", "s"), 150000)
        self.assertEqual(self.encoding("s"), b"hashtable")
        self.assertEqual(self.cmd("SISMEMBER", "s", "m0"), 1)
        self.assertEqual(self.cmd("SISMEMBER", "s", "m149999"), 1)
        self.assertEqual(self.cmd("SISMEMBER", "s", "m150000"), 0)
        # again, with duplicates inside the command and against the set
        self.assertEqual(self.guarded("SADD", "s", *(ms[:1000] + members("n", 500) + members("n", 500))), 500)
        self.assertEqual(self.cmd("SCARD", "s"), 150500)
        self.assertEqual(set(self.cmd("SMEMBERS", "s")), set(ms) | set(members("n", 500)))

    def test_sadd_150k_integers(self):
        ints = members("", 150000)
        self.assertEqual(self.guarded("SADD", "i", *ints), 150000)
        self.assertEqual(self.encoding("i"), b"hashtable")
        self.assertEqual(set(self.cmd("SMEMBERS", "i")), set(ints))

    def test_sadd_converts_within_one_command(self):
        # 512 integers fit an intset (set-max-intset-entries); the 513th member in the same command does not
        self.assertEqual(self.cmd("SADD", "edge", *members("", 512)), 512)
        self.assertEqual(self.encoding("edge"), b"intset")
        self.assertEqual(self.cmd("SADD", "over", *members("", 513)), 513)
        self.assertEqual(self.encoding("over"), b"hashtable")
        self.assertEqual(self.cmd("SADD", "mixed", *(members("", 10) + [b"x"] + members("", 600, 10))), 611)
        self.assertEqual(self.encoding("mixed"), b"hashtable")
        self.assertEqual(set(self.cmd("SMEMBERS", "mixed")), set(members("", 610)) | {b"x"})
        # an intset grown past the limit by a later SADD
        self.assertEqual(self.cmd("SADD", "edge", "512", "513", "0"), 2)
        self.assertEqual(self.encoding("edge"), b"hashtable")
        self.assertEqual(self.cmd("SCARD", "edge"), 514)

    def test_hset_100k_fields(self):
        args = []
        for i in range(100000):
            args += [b"f%d" % i, b"v%d" % i]
        self.assertEqual(self.guarded("HSET", "h", *args), 100000)
        self.assertEqual(self.cmd("HLEN", "h"), 100000)
        self.assertEqual(self.encoding("h"), b"hashtable")
        self.assertEqual(self.cmd("HGET", "h", "f99999"), b"v99999")
        # the same fields again: none is new, every value replaced
        args2 = []
        for i in range(100000):
            args2 += [b"f%d" % i, b"w%d" % i]
        self.assertEqual(self.guarded("HMSET", "h", *args2), "OK")
        self.assertEqual(self.cmd("HLEN", "h"), 100000)
        got = self.cmd("HGETALL", "h")
        self.assertEqual(dict(zip(got[::2], got[1::2])), dict(zip(args2[::2], args2[1::2])))

    def test_hset_converts_within_one_command(self):
        args = []
        for i in range(512):
            args += [b"f%d" % i, b"v"]
        self.assertEqual(self.cmd("HSET", "edge", *args), 512)
        self.assertEqual(self.encoding("edge"), b"listpack")
        self.assertEqual(self.cmd("HSET", "over", *(args + [b"f512", b"v"])), 513)
        self.assertEqual(self.encoding("over"), b"hashtable")
        # a value past hash-max-listpack-value (64) in the middle of the command
        self.assertEqual(self.cmd("HSET", "long", "a", "1", "b", "x" * 65, "c", "3"), 3)
        self.assertEqual(self.encoding("long"), b"hashtable")
        self.assertEqual(self.cmd("HLEN", "long"), 3)
        self.assertEqual(self.cmd("HMGET", "long", "a", "b", "c"), [b"1", b"x" * 65, b"3"])
        # an existing field updated to a long value converts too
        self.assertEqual(self.cmd("HSET", "upd", "a", "1", "b", "2"), 2)
        self.assertEqual(self.cmd("HSET", "upd", "a", "y" * 65), 0)
        self.assertEqual(self.encoding("upd"), b"hashtable")
        self.assertEqual(self.cmd("HMGET", "upd", "a", "b"), [b"y" * 65, b"2"])

    def test_zadd_100k_members(self):
        args = []
        for i in range(100000):
            args += [b"%d" % (100000 - i), b"z%d" % i]
        self.assertEqual(self.guarded("ZADD", "z", *args), 100000)
        self.assertEqual(self.encoding("z"), b"skiplist")
        self.assertEqual(self.cmd("ZCARD", "z"), 100000)
        self.assertEqual(self.cmd("ZRANGE", "z", 0, 1, "WITHSCORES"), [b"z99999", b"1", b"z99998", b"2"])
        self.assertEqual(self.cmd("ZRANK", "z", "z0"), 99999)
        args = []
        for i in range(128):
            args += [b"%d" % i, b"m%d" % i]
        self.assertEqual(self.cmd("ZADD", "edge", *args), 128)
        self.assertEqual(self.encoding("edge"), b"listpack")
        self.assertEqual(self.cmd("ZADD", "over", *(args + [b"128", b"m128"])), 129)
        self.assertEqual(self.encoding("over"), b"skiplist")

    def test_lpush_rpush_100k(self):
        items = members("i", 100000)
        self.assertEqual(self.guarded("LPUSH", "l", *items), 100000)
        self.assertEqual(self.encoding("l"), b"quicklist")
        self.assertEqual(self.cmd("LRANGE", "l", 0, 2), [b"i99999", b"i99998", b"i99997"])
        self.assertEqual(self.cmd("LRANGE", "l", -2, -1), [b"i1", b"i0"])
        self.assertEqual(self.guarded("RPUSH", "r", *items), 100000)
        self.assertEqual(self.cmd("LRANGE", "r", 0, -1), items)
        self.assertEqual(self.cmd("LINDEX", "r", 54321), b"i54321")

    def test_set_stores_of_big_sets(self):
        self.cmd("SADD", "{k}a", *members("m", 100000))
        self.cmd("SADD", "{k}b", *members("m", 100000, 50000))
        self.assertEqual(self.guarded("SUNIONSTORE", "{k}u", "{k}a", "{k}b"), 150000)
        self.assertEqual(self.guarded("SINTERSTORE", "{k}i", "{k}a", "{k}b"), 50000)
        self.assertEqual(self.guarded("SDIFFSTORE", "{k}d", "{k}a", "{k}b"), 50000)
        for key in ("{k}u", "{k}i", "{k}d"):
            self.assertEqual(self.encoding(key), b"hashtable")
        self.assertEqual(set(self.cmd("SMEMBERS", "{k}d")), set(members("m", 50000)))
        self.assertEqual(self.cmd("SMOVE", "{k}d", "{k}i", "m0"), 1)
        self.assertEqual(self.cmd("SCARD", "{k}i"), 50001)
        # a store of few integers is an intset again
        self.cmd("SADD", "{k}n1", *members("", 1000))
        self.cmd("SADD", "{k}n2", *members("", 1000, 900))
        self.assertEqual(self.cmd("SINTERSTORE", "{k}ni", "{k}n1", "{k}n2"), 100)
        self.assertEqual(self.encoding("{k}ni"), b"intset")

    def test_zset_stores_of_big_sets(self):
        a, b = [], []
        for i in range(100000):
            a += [b"%d" % i, b"z%d" % i]
        for i in range(50000, 150000):
            b += [b"1", b"z%d" % i]
        self.cmd("ZADD", "{k}a", *a)
        self.cmd("ZADD", "{k}b", *b)
        self.assertEqual(self.guarded("ZUNIONSTORE", "{k}u", 2, "{k}a", "{k}b"), 150000)
        self.assertEqual(self.guarded("ZINTERSTORE", "{k}i", 2, "{k}a", "{k}b"), 50000)
        self.assertEqual(self.guarded("ZDIFFSTORE", "{k}d", 2, "{k}a", "{k}b"), 50000)
        self.assertEqual(self.encoding("{k}u"), b"skiplist")
        self.assertEqual(self.cmd("ZSCORE", "{k}i", "z50000"), b"50001")
        self.assertEqual(self.cmd("ZRANGE", "{k}d", -1, -1), [b"z49999"])

    def test_restore_big_values(self):
        self.cmd("SADD", "s", *members("m", 150000))
        args = []
        for i in range(100000):
            args += [b"f%d" % i, b"v%d" % i]
        self.cmd("HSET", "h", *args)
        self.rpush_many("l", members("e", 200000))
        for key, card in (("s", ("SCARD", 150000)), ("h", ("HLEN", 100000)), ("l", ("LLEN", 200000))):
            dump = self.cmd("DUMP", key)
            self.assertEqual(self.guarded("RESTORE", key + "2", 0, dump), "OK")
            self.assertEqual(self.cmd(card[0], key + "2"), card[1])
            self.assertEqual(self.encoding(key + "2"), self.encoding(key))
        self.assertEqual(self.cmd("LINDEX", "l2", 123456), b"e123456")
        self.assertEqual(self.cmd("HGET", "h2", "f4242"), b"v4242")


class TestBigList(LargeCase):
    """A 200k-item list e0 ... e199999 (every test builds it afresh)."""

    N = 200000

    def setUp(self):
        super().setUp()
        self.items = members("e", self.N)
        self.rpush_many("l", self.items)

    def test_lset(self):
        for index, pos in ((0, 0), (1, 1), (100000, 100000), (self.N - 1, self.N - 1), (-1, self.N - 1),
                           (-self.N, 0), (-100000, 100000)):
            value = b"set-%d" % index
            self.assertCmdOk("LSET", "l", index, value)
            self.items[pos] = value
            self.assertEqual(self.cmd("LINDEX", "l", index), value)
        self.assertCmdError(OUT_OF_RANGE, "LSET", "l", self.N, "x")
        self.assertCmdError(OUT_OF_RANGE, "LSET", "l", -self.N - 1, "x")
        self.assertCmdError(NO_SUCH_KEY, "LSET", "nokey", 0, "x")
        # a long value in the middle of a chunk
        self.assertCmdOk("LSET", "l", 5000, "L" * 20000)
        self.items[5000] = b"L" * 20000
        self.assertEqual(self.cmd("LRANGE", "l", 0, -1), self.items)
        self.assertEqual(self.encoding("l"), b"quicklist")

    def test_linsert(self):
        self.assertEqual(self.cmd("LINSERT", "l", "BEFORE", "e0", "h"), self.N + 1)
        self.assertEqual(self.cmd("LINSERT", "l", "AFTER", "e199999", "t"), self.N + 2)
        self.assertEqual(self.cmd("LINSERT", "l", "AFTER", "e100000", "m1"), self.N + 3)
        self.assertEqual(self.cmd("LINSERT", "l", "before", "e100000", "m0"), self.N + 4)
        self.assertEqual(self.cmd("LINSERT", "l", "BEFORE", "nothere", "x"), -1)
        self.assertEqual(self.cmd("LINSERT", "nokey", "BEFORE", "e0", "x"), 0)
        expected = [b"h"] + self.items[:100000] + [b"m0", b"e100000", b"m1"] + self.items[100001:] + [b"t"]
        self.assertEqual(self.cmd("LRANGE", "l", 0, -1), expected)
        self.assertEqual(self.cmd("LINDEX", "l", 100001), b"m0")
        self.assertEqual(self.cmd("LINDEX", "l", -1), b"t")
        # many inserts at one place split chunks; the order stays
        for i in range(300):
            self.cmd("LINSERT", "l", "AFTER", "e150000", b"n%d" % i)
        at = expected.index(b"e150000")
        expected[at + 1:at + 1] = [b"n%d" % i for i in range(299, -1, -1)]
        self.assertEqual(self.cmd("LRANGE", "l", at - 2, at + 302), expected[at - 2:at + 303])
        self.assertEqual(self.cmd("LLEN", "l"), len(expected))

    def test_lpos(self):
        self.assertEqual(self.cmd("LPOS", "l", "e0"), 0)
        self.assertEqual(self.cmd("LPOS", "l", "e100000"), 100000)
        self.assertEqual(self.cmd("LPOS", "l", "e199999"), self.N - 1)
        self.assertIsNone(self.cmd("LPOS", "l", "none"))
        self.assertIsNone(self.cmd("LPOS", "nokey", "e0"))
        self.cmd("LSET", "l", 10, "dup")
        self.cmd("LSET", "l", 100000, "dup")
        self.cmd("LSET", "l", -1, "dup")
        self.assertEqual(self.cmd("LPOS", "l", "dup", "COUNT", 0), [10, 100000, self.N - 1])
        self.assertEqual(self.cmd("LPOS", "l", "dup", "RANK", -1), self.N - 1)
        self.assertEqual(self.cmd("LPOS", "l", "dup", "RANK", -2, "COUNT", 0), [100000, 10])
        self.assertEqual(self.cmd("LPOS", "l", "dup", "RANK", 2), 100000)
        self.assertIsNone(self.cmd("LPOS", "l", "dup", "RANK", 4))
        self.assertEqual(self.cmd("LPOS", "l", "dup", "COUNT", 0, "MAXLEN", 100000), [10])
        self.assertEqual(self.cmd("LPOS", "l", "dup", "COUNT", 0, "MAXLEN", 100001), [10, 100000])
        self.assertEqual(self.cmd("LPOS", "l", "dup", "RANK", -1, "COUNT", 0, "MAXLEN", 100000), [self.N - 1, 100000])
        self.assertEqual(self.cmd("LPOS", "l", "dup", "RANK", -1, "COUNT", 0, "MAXLEN", 99999), [self.N - 1])

    def test_lrem(self):
        for i in (0, 5, 99999, 100000, 150000, self.N - 1):
            self.cmd("LSET", "l", i, "x")
        self.assertEqual(self.cmd("LREM", "l", 1, "x"), 1)
        self.assertEqual(self.cmd("LINDEX", "l", 0), b"e1")
        self.assertEqual(self.cmd("LREM", "l", -2, "x"), 2)
        self.assertEqual(self.cmd("LINDEX", "l", -1), b"e199998")
        self.assertEqual(self.cmd("LREM", "l", 0, "x"), 3)
        self.assertEqual(self.cmd("LREM", "l", 0, "x"), 0)
        self.assertEqual(self.cmd("LREM", "nokey", 0, "x"), 0)
        gone = {0, 5, 99999, 100000, 150000, self.N - 1}
        expected = [v for i, v in enumerate(self.items) if i not in gone]
        self.assertEqual(self.cmd("LLEN", "l"), len(expected))
        self.assertEqual(self.cmd("LRANGE", "l", 0, -1), expected)
        # removing every item of whole chunks
        self.assertEqual(self.cmd("LTRIM", "l", 0, 9999), "OK")
        self.rpush_many("l", [b"same"] * 20000)
        self.cmd("LPUSH", "l", *([b"same"] * 5000))
        self.assertEqual(self.cmd("LREM", "l", 0, "same"), 25000)
        self.assertEqual(self.cmd("LRANGE", "l", 0, -1), expected[:10000])

    def test_lindex_lrange_ltrim_lmove(self):
        self.assertEqual(self.cmd("LINDEX", "l", 123456), b"e123456")
        self.assertEqual(self.cmd("LINDEX", "l", -123456), self.items[-123456])
        self.assertIsNone(self.cmd("LINDEX", "l", self.N))
        self.assertEqual(self.cmd("LRANGE", "l", 100000, 100004), self.items[100000:100005])
        self.assertEqual(self.cmd("LRANGE", "l", -3, -1), self.items[-3:])
        self.assertEqual(self.cmd("LMOVE", "l", "l", "LEFT", "RIGHT"), b"e0")
        self.assertEqual(self.cmd("RPOPLPUSH", "l", "other"), b"e0")
        self.assertEqual(self.cmd("LINDEX", "l", 0), b"e1")
        self.assertCmdOk("LTRIM", "l", 1000, -1001)
        self.assertEqual(self.cmd("LLEN", "l"), self.N - 1 - 2000)
        self.assertEqual(self.cmd("LINDEX", "l", 0), b"e1001")
        self.assertEqual(self.cmd("LINDEX", "l", -1), self.items[-1001])
        self.assertCmdOk("LTRIM", "l", 50000, 50002)
        self.assertEqual(self.cmd("LRANGE", "l", 0, -1), [b"e51001", b"e51002", b"e51003"])
        self.assertCmdOk("LTRIM", "l", 5, 10)
        self.assertEqual(self.cmd("EXISTS", "l"), 0)


    def test_pop_counts(self):
        self.assertEqual(self.cmd("LPOP", "l", 50000), self.items[:50000])
        self.assertEqual(self.cmd("RPOP", "l", 50000), self.items[:-50001:-1])
        self.assertEqual(self.cmd("LMPOP", 1, "l", "LEFT", "COUNT", 3), [b"l", self.items[50000:50003]])
        self.assertEqual(self.cmd("LPOP", "l", 0), [])
        self.assertEqual(self.cmd("LRANGE", "l", 0, -1), self.items[50003:-50000])
        self.assertEqual(self.cmd("RPOP", "l", self.N), self.items[-50001:50002:-1])
        self.assertEqual(self.cmd("EXISTS", "l"), 0)


class TestMillionItemList(LargeCase):

    def test_50_lsets_do_not_stall(self):
        n = 1000000
        self.rpush_many("l", members("e", n), batch=20000)
        # 50 LSETs in one pipeline, answered within the guard together
        self.c.sock.settimeout(HANG_TIMEOUT)
        try:
            for i in range(50):
                self.c.send("LSET", "l", n // 2 + i * 1000 - 25000, b"s%d" % i)
            replies = [self.c.read() for _ in range(50)]
        finally:
            self.c.sock.settimeout(10.0)
        self.assertEqual(replies, ["OK"] * 50)
        self.assertEqual(self.cmd("LINDEX", "l", n // 2 - 25000), b"s0")
        self.assertEqual(self.cmd("LINDEX", "l", n // 2 + 24000), b"s49")
        self.assertEqual(self.cmd("LINDEX", "l", n // 2 + 24001), b"e524001")
        self.assertEqual(self.cmd("LLEN", "l"), n)
        self.assertNotIsInstance(self.cmd("LPOS", "l", "s25"), RespError)


if __name__ == "__main__":
    main()
