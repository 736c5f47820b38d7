#!/usr/bin/python3
"""DUMP and RESTORE: round trips of every type and encoding, RESTORE's options, TTLs and
errors in Redis 7.0's order and words, WATCH and keyspace notifications. The payload's
bytes are each server's own (ember: its value codec, a version and an xxh64); the tests
that look inside one are ember-only."""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main, ember_only  # noqa: E402
from harness import SYNTAX, NOT_INT, arity  # noqa: E402

BUSYKEY = "BUSYKEY Target key name already exists."
BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_TTL = "ERR Invalid TTL value, must be >= 0"


def contents(r, key):
    """A key's type and value, comparable across keys."""
    t = r.type(key).decode()
    if t == "string":
        return t, r.get(key)
    if t == "list":
        return t, r.lrange(key, 0, -1)
    if t == "hash":
        return t, sorted(r.hgetall(key).items())
    if t == "set":
        return t, sorted(r.smembers(key))
    if t == "zset":
        return t, r.zrange(key, 0, -1, withscores=True)
    return t, None


def fill(r):
    """One key of every type and encoding, small and large. Returns their names."""
    r.set("s:embstr", "hello")
    r.set("s:int", "-12345")
    r.set("s:raw", b"\x00\r\n" + b"x" * 5000)
    r.set("s:empty", "")
    r.rpush("l:small", "a", "", "c", 1, 2)
    r.rpush("l:big", *["item%d" % i for i in range(3000)])
    r.hset("h:small", mapping={"f1": "v1", "f2": "", "f3": 3})
    r.hset("h:big", mapping={"field%d" % i: "v" * (i % 90) for i in range(1000)})
    r.sadd("set:int", 5, -3, 100)
    r.sadd("set:small", "a", "b", "12")
    r.sadd("set:big", *["member%d" % i for i in range(500)])
    r.sadd("set:bigint", *range(0, 3000, 3))
    r.zadd("z:small", {"a": 1.5, "b": -2, "c": 0, "d": float("inf"), "e": float("-inf")})
    r.zadd("z:big", {"m%d" % i: (i % 37) / 7.0 - 2 for i in range(1000)})
    r.zadd("z:longmember", {"x" * 100: 1})
    return ["s:embstr", "s:int", "s:raw", "s:empty", "l:small", "l:big", "h:small", "h:big", "set:int",
            "set:small", "set:big", "set:bigint", "z:small", "z:big", "z:longmember"]


class TestDump(ServerTestCase):

    def test_dump_missing_key(self):
        self.assertIsNone(self.cmd("DUMP", "nokey"))
        self.assertCmdError(arity("dump"), "DUMP")
        self.assertCmdError(arity("dump"), "DUMP", "a", "b")

    def test_round_trip_every_type_and_encoding(self):
        for key in fill(self.r):
            payload = self.r.dump(key)
            self.assertIsInstance(payload, bytes)
            self.assertTrue(self.r.restore("copy:" + key, 0, payload), key)
            self.assertEqual(contents(self.r, "copy:" + key), contents(self.r, key), key)
            self.assertEqual(self.r.object("encoding", "copy:" + key), self.r.object("encoding", key), key)
            self.assertEqual(self.r.pttl("copy:" + key), -1)

    def test_dump_does_not_change_the_key(self):
        self.r.set("k", "v")
        self.r.expire("k", 100)
        self.r.dump("k")
        self.assertEqual(self.r.get("k"), b"v")
        self.assertGreater(self.r.ttl("k"), 0)

    def test_expired_key_dumps_nil(self):
        self.r.set("k", "v", px=1)
        time.sleep(0.02)
        self.assertIsNone(self.r.dump("k"))

    def test_busykey_and_replace(self):
        self.r.set("src", "new")
        self.r.rpush("dst", "old")
        payload = self.r.dump("src")
        self.assertCmdError(BUSYKEY, "RESTORE", "dst", 0, payload)
        self.assertEqual(self.r.lrange("dst", 0, -1), [b"old"])
        self.assertCmdOk("RESTORE", "dst", 0, payload, "REPLACE")
        self.assertEqual(self.r.get("dst"), b"new")
        # REPLACE on a missing key is fine too; options are case-insensitive.
        self.assertCmdOk("RESTORE", "fresh", 0, payload, "replace")
        self.assertEqual(self.r.get("fresh"), b"new")

    def test_replace_drops_the_old_ttl(self):
        self.r.set("src", "v")
        self.r.set("dst", "old", ex=100)
        self.assertCmdOk("RESTORE", "dst", 0, self.r.dump("src"), "REPLACE")
        self.assertEqual(self.r.ttl("dst"), -1)

    def test_ttl(self):
        self.r.set("src", "v")
        payload = self.r.dump("src")
        self.assertCmdOk("RESTORE", "k1", 5000, payload)
        self.assertTrue(4000 < self.r.pttl("k1") <= 5000)
        # The payload carries no TTL: a key with one restores without it.
        self.r.expire("src", 100)
        self.assertCmdOk("RESTORE", "k2", 0, self.r.dump("src"))
        self.assertEqual(self.r.ttl("k2"), -1)

    def test_absttl(self):
        self.r.set("src", "v")
        payload = self.r.dump("src")
        at = int(time.time() * 1000) + 100000
        self.assertCmdOk("RESTORE", "k", at, payload, "ABSTTL")
        self.assertEqual(self.r.execute_command("PEXPIRETIME", "k"), at)
        # ABSTTL 0 means no expiry, as a relative 0 does.
        self.assertCmdOk("RESTORE", "k0", 0, payload, "ABSTTL")
        self.assertEqual(self.r.ttl("k0"), -1)

    def test_already_expired_ttl(self):
        self.r.set("src", "v")
        payload = self.r.dump("src")
        # In the past: OK, and nothing is stored.
        self.assertCmdOk("RESTORE", "k", 1, payload, "ABSTTL")
        self.assertEqual(self.r.exists("k"), 0)
        # With REPLACE the existing key is deleted.
        self.r.set("old", "x")
        self.assertCmdOk("RESTORE", "old", 1000, payload, "ABSTTL", "REPLACE")
        self.assertEqual(self.r.exists("old"), 0)
        # A relative TTL past the end of time wraps in Redis: already expired.
        self.assertCmdOk("RESTORE", "far", 2 ** 63 - 1, payload)
        self.assertEqual(self.r.exists("far"), 0)
        self.assertCmdOk("RESTORE", "far", 2 ** 63 - 1, payload, "ABSTTL")
        self.assertGreater(self.r.pttl("far"), 0)
        # Without REPLACE an existing key is still BUSYKEY.
        self.r.set("old", "x")
        self.assertCmdError(BUSYKEY, "RESTORE", "old", 1000, payload, "ABSTTL")
        self.assertEqual(self.r.get("old"), b"x")

    def test_ttl_errors(self):
        self.r.set("src", "v")
        payload = self.r.dump("src")
        self.assertCmdError(BAD_TTL, "RESTORE", "k", -1, payload)
        self.assertCmdError(NOT_INT, "RESTORE", "k", "abc", payload)
        self.assertCmdError(NOT_INT, "RESTORE", "k", "1.5", payload)
        self.assertEqual(self.r.exists("k"), 0)

    def test_bad_payloads(self):
        self.r.set("src", "value")
        payload = self.r.dump("src")
        for bad in [b"", b"x", b"garbage that is long enough", payload[:-1], payload + b"\x00",
                    payload[:-10], bytes([payload[0] ^ 1]) + payload[1:], payload[:2] + b"V" + payload[3:],
                    payload[:-3] + bytes([payload[-3] ^ 0x40]) + payload[-2:]]:
            self.assertCmdError(BAD_PAYLOAD, "RESTORE", "k", 0, bad)
        self.assertEqual(self.r.exists("k"), 0)

    def test_options(self):
        self.r.set("src", "v")
        payload = self.r.dump("src")
        self.assertCmdOk("RESTORE", "a", 0, payload, "IDLETIME", 100)
        self.assertCmdOk("RESTORE", "b", 0, payload, "FREQ", 255)
        self.assertCmdOk("RESTORE", "c", 0, payload, "REPLACE", "ABSTTL", "IDLETIME", 0)
        self.assertCmdError("ERR Invalid IDLETIME value, must be >= 0", "RESTORE", "d", 0, payload, "IDLETIME", -1)
        self.assertCmdError("ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "d", 0, payload, "FREQ", 256)
        self.assertCmdError("ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "d", 0, payload, "FREQ", -1)
        self.assertCmdError(NOT_INT, "RESTORE", "d", 0, payload, "IDLETIME", "x")
        self.assertCmdError(NOT_INT, "RESTORE", "d", 0, payload, "FREQ", "x")
        # IDLETIME and FREQ exclude each other; a missing value is a syntax error.
        self.assertCmdError(SYNTAX, "RESTORE", "d", 0, payload, "IDLETIME", 1, "FREQ", 1)
        self.assertCmdError(SYNTAX, "RESTORE", "d", 0, payload, "FREQ", 1, "IDLETIME", 1)
        self.assertCmdError(SYNTAX, "RESTORE", "d", 0, payload, "IDLETIME")
        self.assertCmdError(SYNTAX, "RESTORE", "d", 0, payload, "BOGUS")
        self.assertEqual(self.r.exists("d"), 0)
        self.assertCmdError(arity("restore"), "RESTORE", "d", 0)

    def test_error_order(self):
        """Options, then the existing key, then the TTL, then the payload."""
        self.r.set("k", "v")
        self.assertCmdError(SYNTAX, "RESTORE", "k", -1, "junk", "BOGUS")
        self.assertCmdError(BUSYKEY, "RESTORE", "k", -1, "junk")
        self.assertCmdError(BUSYKEY, "RESTORE", "k", "abc", "junk")
        self.assertCmdError(BAD_TTL, "RESTORE", "k", -1, "junk", "REPLACE")
        self.assertCmdError(BAD_PAYLOAD, "RESTORE", "k", 0, "junk", "REPLACE")
        self.assertEqual(self.r.get("k"), b"v")

    def test_restore_in_transaction(self):
        self.r.hset("h", "f", "v")
        payload = self.r.dump("h")
        self.assertEqual(self.cmd("MULTI"), "OK")
        self.assertEqual(self.cmd("RESTORE", "h2", 0, payload), "QUEUED")
        self.assertEqual(self.cmd("HGET", "h2", "f"), "QUEUED")
        self.assertEqual(self.cmd("EXEC"), ["OK", b"v"])

    def test_restore_breaks_watch(self):
        self.r.set("src", "v")
        payload = self.r.dump("src")
        self.assertEqual(self.cmd("WATCH", "k"), "OK")
        self.r.restore("k", 0, payload)
        self.assertEqual(self.cmd("MULTI"), "OK")
        self.assertEqual(self.cmd("GET", "k"), "QUEUED")
        self.assertIsNone(self.cmd("EXEC"))

    def test_restore_serves_a_blocked_client(self):
        self.r.rpush("src", "x", "y")
        payload = self.r.dump("src")
        c = self.server.raw()
        c.send("BLPOP", "q", "5")
        time.sleep(0.2)
        self.assertCmdOk("RESTORE", "q", 0, payload)
        self.assertEqual(c.read(), [b"q", b"x"])
        self.assertEqual(self.r.lrange("q", 0, -1), [b"y"])
        c.close()

    def test_restored_collections_keep_working(self):
        fill(self.r)
        for key in ["l:small", "l:big"]:
            self.r.restore("c", 0, self.r.dump(key), replace=True)
            self.r.lpush("c", "front")
            self.r.rpush("c", "back")
            self.assertEqual(self.r.lpop("c"), b"front")
            self.assertEqual(self.r.rpop("c"), b"back")
            self.assertEqual(self.r.lrange("c", 0, -1), self.r.lrange(key, 0, -1))
        self.r.restore("hz", 0, self.r.dump("z:big"))
        self.r.zadd("hz", {"new": 0.5})
        self.assertEqual(self.r.zscore("hz", "new"), 0.5)
        self.assertEqual(self.r.zcard("hz"), 1001)
        self.r.restore("hs", 0, self.r.dump("set:int"))
        self.r.sadd("hs", "word")
        self.assertEqual(self.r.scard("hs"), 4)
        self.r.restore("hh", 0, self.r.dump("h:small"))
        self.r.hdel("hh", "f1")
        self.assertEqual(self.r.hlen("hh"), 2)

    def test_binary_values(self):
        value = bytes(range(256)) * 10
        self.r.set("b", value)
        self.r.rpush("bl", value, b"\x00")
        for key in ["b", "bl"]:
            self.r.restore(key + "2", 0, self.r.dump(key))
            self.assertEqual(contents(self.r, key + "2"), contents(self.r, key))

    def test_scores_round_trip_exactly(self):
        scores = [0.1, 1e-300, 1.7976931348623157e308, -3.3333333333333335, 2 ** 53 + 1.0, 5e-324]
        self.r.zadd("z", {"m%d" % i: s for i, s in enumerate(scores)})
        self.r.zadd("zbig", {"m%d" % i: s for i, s in enumerate(scores * 30)})
        self.r.zadd("zbig", {"x%d" % i: i / 3.0 for i in range(200)})
        for key in ["z", "zbig"]:
            self.r.restore(key + "2", 0, self.r.dump(key))
            self.assertEqual(self.r.zrange(key + "2", 0, -1, withscores=True),
                             self.r.zrange(key, 0, -1, withscores=True))

    def test_notifications(self):
        self.r.config_set("notify-keyspace-events", "KEA")
        self.r.set("src", "v")
        payload = self.r.dump("src")
        p = self.r.pubsub()
        p.psubscribe("__keyevent@0__:*")
        self.assertEqual(p.get_message(timeout=2)["type"], "psubscribe")
        self.r.restore("k", 0, payload)
        self.r.restore("k", 0, payload, replace=True)
        self.r.restore("k", 1, payload, replace=True, absttl=True)
        events = []
        while len(events) < 3:
            m = p.get_message(timeout=2)
            self.assertIsNotNone(m, events)
            events.append((m["channel"], m["data"]))
        self.assertEqual(events, [(b"__keyevent@0__:restore", b"k"), (b"__keyevent@0__:restore", b"k"),
                                  (b"__keyevent@0__:del", b"k")])
        self.assertIsNone(p.get_message(timeout=0.2))
        p.close()
        self.r.config_set("notify-keyspace-events", "")

    def test_command_info(self):
        dump, restore = self.cmd("COMMAND", "INFO", "dump", "restore")
        self.assertEqual((dump[1], dump[3:6]), (2, [1, 1, 1]))
        self.assertEqual((restore[1], restore[3:6]), (-4, [1, 1, 1]))
        self.assertIn("readonly", dump[2])
        self.assertIn("write", restore[2])
        self.assertIn("denyoom", restore[2])


class TestDumpFormat(ServerTestCase):
    """The payload ember writes: value codec bytes, version (2 bytes LE), xxh64 (8 bytes LE)."""

    @ember_only
    def test_layout(self):
        self.r.set("i", "-3")
        self.r.set("s", "hi")
        self.r.hset("h", "f", "v")
        self.assertEqual(self.r.dump("i")[:-10], b"\x01\x05")
        self.assertEqual(self.r.dump("s")[:-10], b"\x00\x02hi")
        self.assertEqual(self.r.dump("h")[:-10], b"\x03\x01\x04\x01f\x01v")
        for key in ["i", "s", "h"]:
            self.assertEqual(struct.unpack("<H", self.r.dump(key)[-10:-8]), (1,))

    @ember_only
    def test_foreign_payloads_are_refused(self):
        # redis-server 7.0's DUMP of "hello": RDB bytes, RDB version 10, CRC64.
        redis_payload = b"\x00\x05hello\n\x00cr\xdfve4 \n"
        self.assertCmdError(BAD_PAYLOAD, "RESTORE", "k", 0, redis_payload)
        # A newer format version than this server reads.
        self.r.set("s", "hi")
        payload = self.r.dump("s")
        self.assertCmdError(BAD_PAYLOAD, "RESTORE", "k", 0, payload[:-10] + b"\x02\x00" + payload[-8:])


class TestRestoreHostilePayloads(ServerTestCase):
    """A client can sign any bytes with the checksum: RESTORE must then judge
    the codec bytes alone. Damaged payloads of every type and encoding, each
    signed, are refused with an error or restore a value that reads back
    whole; the server stays up and logs no escaped exception."""

    @staticmethod
    def sign(body):
        import xxhash
        head = body + b"\x01\x00"
        return head + struct.pack("<Q", xxhash.xxh64(head, seed=0).intdigest())

    @staticmethod
    def mutations(rng, body):
        out = [body[:n] for n in range(0, min(len(body), 24))]
        out.append(body[:len(body) // 2])
        for _ in range(60):
            b = bytearray(body)
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(b))
                b[i] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)])
            out.append(bytes(b))
        for _ in range(20):
            # A huge count or length where a varint was.
            i = rng.randrange(len(body))
            out.append(body[:i] + b"\xff" * rng.randint(1, 10) + b"\x01" + body[i + 1:])
        return out

    @ember_only
    def test_signed_damaged_payloads_never_crash(self):
        import random
        seed = int(os.environ.get("FUZZ_SEED", random.randrange(2 ** 32)))
        rng = random.Random(seed)
        keys = fill(self.r)
        readers = {b"string": lambda k: self.r.get(k), b"list": lambda k: self.r.lrange(k, 0, -1),
                   b"hash": lambda k: self.r.hgetall(k), b"set": lambda k: self.r.smembers(k),
                   b"zset": lambda k: self.r.zrange(k, 0, -1, withscores=True)}
        restored = refused = 0
        for key in keys:
            body = self.r.dump(key)[:-10]
            for i, bad in enumerate(self.mutations(rng, body)):
                try:
                    self.r.restore("fuzz", 0, self.sign(bad), replace=True)
                except harness.redis.ResponseError:
                    refused += 1
                    continue
                restored += 1
                t = self.r.type("fuzz")
                self.assertIn(t, readers, "seed %d" % seed)
                readers[t]("fuzz")
                self.cmd("OBJECT", "ENCODING", "fuzz")
                self.cmd("MEMORY", "USAGE", "fuzz")
                self.r.restore("again", 0, self.r.dump("fuzz"), replace=True)
            self.assertTrue(self.r.ping(), "seed %d" % seed)
        self.assertGreater(refused, 0)
        self.assertGreater(restored, 0)
        self.assertNotIn("exception", self.server.log_tail(1 << 20).lower(), "seed %d" % seed)


class TestDumpSharded(ServerTestCase):
    """Payloads move between keys on different shards (ember --shards 4)."""
    shards = 4

    def test_restore_across_shards(self):
        keys = fill(self.r)
        for key in keys:
            payload = self.r.dump(key)
            for i in range(8):
                self.assertTrue(self.r.restore("%s:%d" % (key, i), 0, payload))
                self.assertEqual(contents(self.r, "%s:%d" % (key, i)), contents(self.r, key))

    def test_restore_in_cross_shard_transaction(self):
        self.r.set("a", "1")
        self.r.sadd("b", "x", "y")
        pa, pb = self.r.dump("a"), self.r.dump("b")
        self.assertEqual(self.cmd("MULTI"), "OK")
        for i in range(6):
            self.assertEqual(self.cmd("RESTORE", "ka%d" % i, 0, pa), "QUEUED")
            self.assertEqual(self.cmd("RESTORE", "kb%d" % i, 0, pb), "QUEUED")
        self.assertEqual(self.cmd("EXEC"), ["OK"] * 12)
        self.assertEqual(self.cmd("DBSIZE"), 14)


if __name__ == "__main__":
    main()
