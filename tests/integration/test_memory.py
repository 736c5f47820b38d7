#!/usr/bin/python3
"""MEMORY USAGE and MEMORY HELP. Byte counts differ between servers (allocators,
layouts), so the tests check what holds for both: a value costs at least its bytes and
not wildly more, costs grow with the value, sampling estimates the whole, and the
arguments and errors are Redis 7.0's."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, main  # noqa: E402
from harness import SYNTAX, NOT_INT, arity  # noqa: E402


class TestMemoryUsage(ServerTestCase):

    def usage(self, key, *args):
        return self.cmd("MEMORY", "USAGE", key, *args)

    def test_missing_key(self):
        self.assertIsNone(self.usage("nokey"))
        self.assertIsNone(self.usage("nokey", "SAMPLES", 3))
        self.r.set("k", "v")
        self.r.delete("k")
        self.assertIsNone(self.usage("k"))

    def test_strings(self):
        self.r.set("int", 12345)
        self.r.set("short", "hello")
        self.r.set("k1000", "x" * 1000)
        self.r.set("k100000", "x" * 100000)
        for key in ["int", "short"]:
            self.assertGreater(self.usage(key), 0)
            self.assertLess(self.usage(key), 200)
        self.assertGreaterEqual(self.usage("k1000"), 1000)
        self.assertLess(self.usage("k1000"), 2000)
        self.assertGreaterEqual(self.usage("k100000"), 100000)
        self.assertLess(self.usage("k100000"), 150000)
        # The key's bytes count too.
        self.r.set("k" * 1000, "v")
        self.assertGreaterEqual(self.usage("k" * 1000), 1000)

    def test_small_collections(self):
        self.r.rpush("l", "a", "b")
        self.r.hset("h", "f", "v")
        self.r.sadd("si", 1, 2, 3)
        self.r.sadd("ss", "a", "b")
        self.r.zadd("z", {"a": 1})
        for key in ["l", "h", "si", "ss", "z"]:
            self.assertGreater(self.usage(key), 0, key)
            self.assertLess(self.usage(key), 1000, key)

    def check_big(self, key, content_bytes):
        total = self.usage(key, "SAMPLES", 0)
        self.assertGreaterEqual(total, content_bytes, key)
        self.assertLess(total, content_bytes * 10, key)
        # The default samples 5 elements and scales: with uniform elements the
        # estimate is near the whole.
        estimate = self.usage(key)
        self.assertGreater(estimate, total / 2, key)
        self.assertLess(estimate, total * 2, key)
        return total

    def test_large_collections(self):
        n = 2000
        self.r.rpush("l", *["%050d" % i for i in range(n)])
        self.r.hset("h", mapping={"field%06d" % i: "v" * 100 for i in range(n)})
        self.r.sadd("s", *["member%024d" % i for i in range(n)])
        self.r.zadd("z", {"member%024d" % i: i for i in range(n)})
        self.check_big("l", n * 50)
        self.check_big("h", n * 111)
        self.check_big("s", n * 30)
        self.check_big("z", n * 30)

    def test_usage_grows_with_the_value(self):
        self.r.hset("h", mapping={"f%d" % i: "v" for i in range(10)})
        small = self.usage("h")
        self.r.hset("h", mapping={"f%d" % i: "v" * 100 for i in range(10, 2000)})
        self.assertGreater(self.usage("h", "SAMPLES", 0), small * 10)
        self.r.rpush("l", "x")
        one = self.usage("l")
        self.r.rpush("l", *["y" * 100] * 5000)
        self.assertGreater(self.usage("l", "SAMPLES", 0), one * 100)

    def test_samples_argument(self):
        self.r.sadd("s", *["m%d" % i for i in range(500)])
        for samples in [0, 1, 5, 1000, "0", "10"]:
            self.assertGreater(self.usage("s", "SAMPLES", samples), 0)
        self.assertGreater(self.usage("s", "samples", 2, "SAMPLES", 3), 0)
        self.assertCmdError(SYNTAX, "MEMORY", "USAGE", "s", "SAMPLES", -1)
        self.assertCmdError(SYNTAX, "MEMORY", "USAGE", "s", "SAMPLES")
        self.assertCmdError(SYNTAX, "MEMORY", "USAGE", "s", "BOGUS", 1)
        self.assertCmdError(NOT_INT, "MEMORY", "USAGE", "s", "SAMPLES", "x")
        # Arguments are checked before the key is looked up.
        self.assertCmdError(SYNTAX, "MEMORY", "USAGE", "nokey", "SAMPLES", -1)
        self.assertCmdError(NOT_INT, "MEMORY", "USAGE", "nokey", "SAMPLES", "1.5")

    def test_arity_and_subcommands(self):
        self.assertCmdError(arity("memory"), "MEMORY")
        self.assertCmdError(arity("memory|usage"), "MEMORY", "USAGE")
        self.assertCmdError(arity("memory|help"), "MEMORY", "HELP", "x")
        self.assertCmdError("ERR unknown subcommand 'foo'. Try MEMORY HELP.", "MEMORY", "foo")
        self.assertCmdError("ERR unknown subcommand 'foo'. Try MEMORY HELP.", "MEMORY", "foo", "bar")

    def test_help(self):
        lines = self.cmd("MEMORY", "HELP")
        self.assertEqual(lines[0], "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        at = lines.index("USAGE <key> [SAMPLES <count>]")
        self.assertEqual(lines[at + 1:at + 3],
                         ["    Return memory in bytes used by <key> and its value. Nested values are",
                          "    sampled up to <count> times (default: 5, 0 means sample all)."])
        self.assertEqual(lines[-2:], ["HELP", "    Prints this help."])
        self.assertEqual(self.cmd("memory", "help"), lines)

    def test_in_transaction(self):
        self.r.set("k", "v")
        self.assertEqual(self.cmd("MULTI"), "OK")
        self.assertEqual(self.cmd("MEMORY", "USAGE", "k"), "QUEUED")
        self.assertEqual(self.cmd("MEMORY", "USAGE", "nokey"), "QUEUED")
        usage, missing = self.cmd("EXEC")
        self.assertGreater(usage, 0)
        self.assertIsNone(missing)


class TestMemoryUsageSharded(ServerTestCase):
    """Keys on every shard (ember --shards 4) are measured where they live."""
    shards = 4

    def test_keys_on_every_shard(self):
        for i in range(40):
            self.r.set("key%d" % i, "x" * 500)
            self.r.sadd("set%d" % i, *range(200))
        for i in range(40):
            self.assertGreaterEqual(self.cmd("MEMORY", "USAGE", "key%d" % i), 500)
            self.assertGreaterEqual(self.cmd("MEMORY", "USAGE", "set%d" % i, "SAMPLES", 0), 200)
            self.assertIsNone(self.cmd("MEMORY", "USAGE", "missing%d" % i))


if __name__ == "__main__":
    main()
