#!/usr/bin/python3
"""maxmemory and maxmemory-policy: each test sets a limit a couple of megabytes above
what the server uses now, writes past it and checks what went: noeviction refuses
writes but serves reads and deletes, the volatile policies never touch keys without a
TTL, volatile-ttl takes the nearest expiry first, LRU keeps recently read keys and LFU
often read ones. Also evictions raising WATCH and notifying, OBJECT FREQ / IDLETIME,
MEMORY STATS / DOCTOR / MALLOC-STATS / PURGE and INFO's memory fields. Runs on two
shards (one shared memory figure, each shard evicting its own keys) and one."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402
from harness import arity  # noqa: E402
import redis  # noqa: E402

OOM = "OOM command not allowed when used memory > 'maxmemory'."
NOT_LFU = ("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
           "switching between policies at runtime LRU and LFU data will take some time to adjust.")
IS_LFU = ("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching "
          "between policies at runtime LRU and LFU data will take some time to adjust.")

VALUE = b"x" * 1000
BUDGET = 2 * 1024 * 1024  # room above the server's own use: about 1800 values


class EvictionCase(ServerTestCase):
    shards = 2

    def setUp(self):
        super().setUp()
        self.r.config_set("maxmemory", 0)
        self.r.config_set("maxmemory-samples", 10)
        self.r.config_set("notify-keyspace-events", "")
        # No decay: a minute boundary passing mid-test would take one off.
        self.r.config_set("lfu-decay-time", 0)
        self.r.config_resetstat()

    def tearDown(self):
        self.r.config_set("maxmemory", 0)
        self.r.config_set("maxmemory-policy", "noeviction")
        self.r.config_set("lfu-decay-time", 1)
        self.r.config_set("lfu-log-factor", 10)
        super().tearDown()

    def used(self):
        return self.r.info("memory")["used_memory"]

    def limit(self, policy, budget=BUDGET):
        """maxmemory = used now + budget, under `policy`; returns the limit."""
        self.r.config_set("maxmemory-policy", policy)
        limit = self.used() + budget
        self.r.config_set("maxmemory", limit)
        return limit

    def write(self, names, ex=None):
        """SETs every name (VALUE, optional EX per name) in pipelined chunks; returns
        the names whose SET failed and the first error."""
        failed, error = [], None
        names = list(names)
        for start in range(0, len(names), 100):
            chunk = names[start:start + 100]
            p = self.r.pipeline(transaction=False)
            for i, n in enumerate(chunk):
                p.set(n, VALUE, ex=ex[start + i] if ex else None)
            for n, res in zip(chunk, p.execute(raise_on_error=False)):
                if isinstance(res, Exception):
                    failed.append(n)
                    error = error or str(res)
        return failed, error

    def present(self, names):
        names = list(names)
        got = []
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            got += [n for n, v in zip(chunk, self.r.mget(chunk)) if v is not None]
        return got

    def read(self, names, times=1):
        for _ in range(times):
            p = self.r.pipeline(transaction=False)
            for n in names:
                p.get(n)
            p.execute()

    def evicted(self):
        return self.r.info("stats")["evicted_keys"]

    def check_honoured(self, limit):
        # The limit holds, give or take the allocator's caches and the slack a
        # shard leaves to the others.
        self.assertLess(self.used(), limit * 1.1)


class TestNoEviction(EvictionCase):

    def test_writes_refused_reads_and_deletes_served(self):
        limit = self.limit("noeviction")
        names = ["k%d" % i for i in range(4000)]
        failed, error = self.write(names)
        self.assertTrue(failed, "4 MB of writes fit in a 2 MB budget")
        self.assertEqual(error, OOM)
        self.assertEqual(self.evicted(), 0)
        stored = [n for n in names if n not in set(failed)]
        # One by one (without a pipeline's input buffer counted), writes
        # fill the last bytes and are then refused too.
        refused = None
        for i in range(1000):
            try:
                self.r.set("one-more-%d" % i, VALUE)
            except redis.ResponseError as e:
                refused = str(e)
                break
        self.assertEqual(refused, OOM)
        # Reads go on; so do commands that free memory.
        self.assertEqual(self.r.get(stored[0]), VALUE)
        self.assertEqual(self.r.exists(*stored[:10]), 10)
        self.assertEqual(self.r.delete(*stored[: len(stored) // 2]), len(stored) // 2)
        self.assertTrue(self.r.set("after-delete", VALUE))
        self.check_honoured(limit)
        # Without a limit, anything goes again.
        self.r.config_set("maxmemory", 0)
        self.assertEqual(self.write(["k%d" % i for i in range(4000, 5000)]), ([], None))


    def test_nothing_is_queued_in_multi_over_the_limit(self):
        self.limit("noeviction")
        failed, error = self.write(["k%d" % i for i in range(4000)])
        self.assertEqual(error, OOM)
        c = self.server.raw()
        self.assertEqual(c.execute("MULTI"), "OK")
        # Redis refuses every command at queue time, a read too, and EXEC aborts.
        self.assertEqual(c.execute("SET", "tx", "1"), harness.RespError(OOM))
        self.assertEqual(c.execute("GET", "k0"), harness.RespError(OOM))
        self.assertEqual(c.execute("EXEC"),
                         harness.RespError("EXECABORT Transaction discarded because of previous errors."))
        self.assertIsNone(self.r.get("tx"))
        self.assertIn(b"errorstat_OOM:count=%d\r\n" % (len(failed) + 2), c.execute("INFO", "errorstats"))
        self.r.config_set("maxmemory", 0)
        self.assertEqual(c.execute("MULTI"), "OK")
        self.assertEqual(c.execute("SET", "tx", "1"), "QUEUED")
        self.assertEqual(c.execute("EXEC"), ["OK"])


class TestAllKeys(EvictionCase):

    def test_random_keeps_under_the_limit(self):
        limit = self.limit("allkeys-random")
        names = ["k%d" % i for i in range(6000)]
        self.assertEqual(self.write(names), ([], None))
        left = len(self.present(names))
        self.assertLess(left, 3000)
        self.assertGreater(left, 500)
        # Every key missing was evicted (the cron may have evicted more since).
        self.assertGreaterEqual(self.evicted(), 6000 - left)
        self.check_honoured(limit)

    def test_lru_keeps_the_recently_read(self):
        # Room for the hot and cold keys (1100 values), not for 700 more.
        self.limit("allkeys-lru", budget=1600 * 1024)
        hot = ["hot%d" % i for i in range(100)]
        cold = ["cold%d" % i for i in range(1000)]
        self.assertEqual(self.write(hot + cold), ([], None))
        self.assertEqual(self.evicted(), 0)
        # The LRU clock counts seconds: the cold keys go idle for two.
        time.sleep(2.1)
        fresh = ["new%d" % i for i in range(700)]
        for start in range(0, len(fresh), 100):
            self.read(hot)
            self.assertEqual(self.write(fresh[start:start + 100]), ([], None))
        self.assertGreater(self.evicted(), 100)
        self.assertEqual(len(self.present(hot)), len(hot))
        # What went was (nearly all) cold.
        self.assertGreater(len(self.present(fresh)), len(fresh) * 0.9)
        self.assertLess(len(self.present(cold)), len(cold) - 100)

    def test_lfu_keeps_the_often_read(self):
        self.limit("allkeys-lfu")
        hot = ["hot%d" % i for i in range(100)]
        self.assertEqual(self.write(hot), ([], None))
        self.read(hot, times=30)
        self.assertGreater(self.r.object("freq", hot[0]), 5)
        others = ["k%d" % i for i in range(4000)]
        self.assertEqual(self.write(others), ([], None))
        self.assertGreater(self.evicted(), 1000)
        self.assertEqual(len(self.present(hot)), len(hot))
        # A new key starts at 5, as in Redis.
        self.r.config_set("maxmemory", 0)
        self.r.set("probe", VALUE)
        self.assertEqual(self.r.object("freq", "probe"), 5)

    def test_lowering_the_limit_evicts_without_writes(self):
        names = ["k%d" % i for i in range(3000)]
        self.assertEqual(self.write(names), ([], None))
        self.r.config_set("maxmemory-policy", "allkeys-random")
        limit = self.used() - 1024 * 1024
        self.r.config_set("maxmemory", limit)
        deadline = time.time() + 10
        while self.used() > limit and time.time() < deadline:
            time.sleep(0.05)
        self.assertLessEqual(self.used(), limit * 1.05)
        self.assertGreater(self.evicted(), 500)


class TestVolatile(EvictionCase):

    def test_ttl_takes_the_nearest_expiry_first(self):
        self.r.config_set("maxmemory-samples", 20)
        self.limit("volatile-ttl", budget=1500 * 1024)
        persistent = ["p%d" % i for i in range(300)]
        self.assertEqual(self.write(persistent), ([], None))
        # Each v key expires after the ones written before it.
        volatile = ["v%d" % i for i in range(1500)]
        self.assertEqual(self.write(volatile, ex=[10000 + 10 * i for i in range(len(volatile))]), ([], None))
        left = set(self.present(volatile))
        gone = [i for i, n in enumerate(volatile) if n not in left]
        self.assertGreater(len(gone), 100)
        self.assertEqual(len(self.present(persistent)), len(persistent))
        # Sampling approximates the order: the nearest went, the farthest stayed.
        early = sum(1 for i in gone if i < len(gone) * 2)
        self.assertGreater(early, len(gone) * 0.8)
        self.assertEqual(len(self.present(volatile[-100:])), 100)

    def check_persistent_kept(self, policy):
        self.limit(policy)
        persistent = ["p%d" % i for i in range(500)]
        self.assertEqual(self.write(persistent), ([], None))
        volatile = ["v%d" % i for i in range(3000)]
        self.assertEqual(self.write(volatile, ex=[3600] * len(volatile)), ([], None), policy)
        self.assertGreater(self.evicted(), 1000, policy)
        self.assertEqual(len(self.present(persistent)), len(persistent), policy)
        # Once no key has a TTL, nothing can go: writes are refused.
        self.r.delete(*volatile)
        failed, error = self.write(["q%d" % i for i in range(3000)])
        self.assertTrue(failed, policy)
        self.assertEqual(error, OOM, policy)
        self.assertEqual(len(self.present(persistent)), len(persistent), policy)

    def test_volatile_lru_keeps_persistent_keys(self):
        self.check_persistent_kept("volatile-lru")

    def test_volatile_lfu_keeps_persistent_keys(self):
        self.check_persistent_kept("volatile-lfu")

    def test_volatile_random_keeps_persistent_keys(self):
        self.check_persistent_kept("volatile-random")


class TestEvictionEvents(EvictionCase):

    def test_eviction_raises_watch_and_notifies(self):
        self.limit("volatile-ttl")
        self.r.config_set("notify-keyspace-events", "Ee")
        sub = self.s.client().pubsub()
        sub.subscribe("__keyevent@0__:evicted")
        self.assertEqual(sub.get_message(timeout=5)["type"], "subscribe")
        self.r.set("first", VALUE, ex=100)
        watcher = self.s.client()
        p = watcher.pipeline(transaction=True)
        p.watch("first")
        self.write(["k%d" % i for i in range(5000)], ex=[1000] * 5000)
        self.assertIsNone(self.r.get("first"))
        p.multi()
        p.set("first", "again")
        with self.assertRaises(redis.WatchError):
            p.execute()
        evicted = set()
        while True:
            m = sub.get_message(timeout=1)
            if m is None:
                break
            evicted.add(m["data"])
        self.assertIn(b"first", evicted)
        self.assertEqual(len(evicted), self.evicted())
        sub.close()
        watcher.close()


class TestObjectFreqIdletime(EvictionCase):

    def test_freq_needs_an_lfu_policy(self):
        self.r.set("k", "v")
        self.assertCmdError(NOT_LFU, "OBJECT", "FREQ", "k")
        self.assertIsInstance(self.cmd("OBJECT", "IDLETIME", "k"), int)
        self.r.config_set("maxmemory-policy", "allkeys-lfu")
        self.assertCmdError(IS_LFU, "OBJECT", "IDLETIME", "k")
        self.r.set("n", "v")
        self.assertEqual(self.cmd("OBJECT", "FREQ", "n"), 5)
        self.r.config_set("lfu-log-factor", 0)
        for _ in range(10):
            self.r.get("n")
        self.assertEqual(self.cmd("OBJECT", "FREQ", "n"), 15)
        # OBJECT itself is not an access.
        self.assertEqual(self.cmd("OBJECT", "FREQ", "n"), 15)
        self.r.config_set("lfu-log-factor", 10)
        self.r.config_set("maxmemory-policy", "volatile-lfu")
        self.assertEqual(self.cmd("OBJECT", "FREQ", "n"), 15)
        self.assertIsNone(self.cmd("OBJECT", "FREQ", "nokey"))
        self.assertCmdError(arity("object|freq"), "OBJECT", "FREQ")
        self.assertCmdError(arity("object|idletime"), "OBJECT", "IDLETIME", "a", "b")

    def test_idletime_counts_seconds_since_the_last_access(self):
        self.r.set("k", "v")
        self.r.set("other", "v")
        time.sleep(2.1)
        self.assertGreaterEqual(self.cmd("OBJECT", "IDLETIME", "k"), 1)
        self.r.get("other")
        # 0, or 1 if the second turned in between.
        self.assertLessEqual(self.cmd("OBJECT", "IDLETIME", "other"), 1)
        self.assertIsNone(self.cmd("OBJECT", "IDLETIME", "nokey"))

    def test_help_lists_them(self):
        lines = [l.split()[0] for l in self.cmd("OBJECT", "HELP") if not l.startswith(" ")]
        for sub in ("ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP"):
            self.assertIn(sub, lines)


class TestMemoryReports(EvictionCase):

    def test_config_takes_units_and_info_shows_them(self):
        self.r.config_set("maxmemory", "1gb")
        self.assertEqual(self.r.config_get("maxmemory"), {"maxmemory": "1073741824"})
        self.r.config_set("maxmemory-policy", "allkeys-lru")
        info = self.r.info("memory")
        self.assertEqual(info["maxmemory"], 1073741824)
        self.assertEqual(info["maxmemory_human"], "1.00G")
        self.assertEqual(info["maxmemory_policy"], "allkeys-lru")
        for field in ("used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak",
                      "used_memory_peak_human", "used_memory_overhead", "used_memory_startup",
                      "used_memory_dataset", "allocator_allocated", "allocator_active", "allocator_resident",
                      "total_system_memory", "mem_fragmentation_ratio", "mem_allocator"):
            self.assertIn(field, info)
        self.assertGreaterEqual(info["used_memory_peak"], info["used_memory"])
        self.assertIn("evicted_keys", self.r.info("stats"))
        for name, value in (("maxmemory-samples", "0"), ("maxmemory-policy", "sometimes"),
                            ("maxmemory", "lots")):
            with self.assertRaises(redis.ResponseError):
                self.r.config_set(name, value)
        self.r.config_set("lfu-decay-time", 5)
        self.assertEqual(self.r.config_get("lfu-decay-time"), {"lfu-decay-time": "5"})

    def test_used_memory_follows_the_data(self):
        before = self.used()
        self.assertEqual(self.write(["k%d" % i for i in range(5000)]), ([], None))
        grown = self.used() - before
        # 5000 values of 1000 bytes, plus keys and entries.
        self.assertGreater(grown, 5000 * 1000)
        self.assertLess(grown, 5000 * 1500)
        self.r.flushall()
        self.assertLess(self.used(), before + 1000 * 1000)

    def test_memory_stats(self):
        self.write(["k%d" % i for i in range(1000)])
        reply = self.cmd("MEMORY", "STATS")
        stats = dict(zip([k.decode() for k in reply[::2]], reply[1::2]))
        for field in ("peak.allocated", "total.allocated", "startup.allocated", "clients.normal",
                      "db.0", "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes",
                      "allocator.allocated", "allocator.active", "allocator.resident", "fragmentation"):
            self.assertIn(field, stats)
        self.assertGreaterEqual(stats["peak.allocated"], stats["total.allocated"])
        self.assertGreater(stats["dataset.bytes"], 1000 * 1000)
        db0 = dict(zip([k.decode() for k in stats["db.0"][::2]], stats["db.0"][1::2]))
        self.assertIn("overhead.hashtable.main", db0)
        self.assertIn("overhead.hashtable.expires", db0)
        self.assertCmdError(arity("memory|stats"), "MEMORY", "STATS", "x")

    def test_doctor_malloc_stats_purge_help(self):
        self.assertIn(b"Sam", self.cmd("MEMORY", "DOCTOR"))
        self.assertTrue(self.cmd("MEMORY", "MALLOC-STATS"))
        self.assertEqual(self.cmd("MEMORY", "PURGE"), "OK")
        help_lines = [l.split()[0] for l in self.cmd("MEMORY", "HELP") if not l.startswith(" ")]
        for sub in ("DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE", "HELP"):
            self.assertIn(sub, help_lines)
        self.assertCmdError(arity("memory|doctor"), "MEMORY", "DOCTOR", "x")
        self.assertCmdError(arity("memory|purge"), "MEMORY", "PURGE", "x")


class TestOneShard(EvictionCase):
    shards = 1

    def test_lru_and_noeviction_on_one_shard(self):
        limit = self.limit("allkeys-lru")
        self.assertEqual(self.write(["k%d" % i for i in range(5000)]), ([], None))
        self.assertGreater(self.evicted(), 2000)
        self.check_honoured(limit)
        self.r.config_set("maxmemory-policy", "noeviction")
        failed, error = self.write(["n%d" % i for i in range(100)])
        self.assertEqual(error, OOM)


if __name__ == "__main__":
    main()
