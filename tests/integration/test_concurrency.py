#!/usr/bin/python3
"""Multi-key atomicity and concurrent clients. Runs ember with --shards 4 (redis-server ignores it):
multi-key commands whose keys live on different shards must still behave as one atomic step."""

import os
import random
import sys
import threading
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, main  # noqa: E402


class Workers(object):
    """Run callables in threads; collect the first exception of each."""

    def __init__(self):
        self.threads = []
        self.errors = []
        self.lock = threading.Lock()

    def spawn(self, fn, *args):
        def run():
            try:
                fn(*args)
            except BaseException as e:  # noqa: B902 - report everything to the main thread
                with self.lock:
                    self.errors.append("%s: %r" % (threading.current_thread().name, e))
        t = threading.Thread(target=run, daemon=True)
        self.threads.append(t)
        t.start()

    def join(self, testcase, timeout=60):
        deadline = time.time() + timeout
        for t in self.threads:
            t.join(max(0.1, deadline - time.time()))
            testcase.assertFalse(t.is_alive(), "worker thread hung")
        testcase.assertEqual(self.errors, [])


class TestHashTags(ServerTestCase):
    shards = 4

    def test_hash_tag_keys(self):
        self.assertCmdOk("MSET", "{user1}.a", "1", "{user1}.b", "2")
        self.assertEqual(self.cmd("MGET", "{user1}.a", "{user1}.b"), [b"1", b"2"])
        self.assertCmdOk("RENAME", "{user1}.a", "{user1}.c")
        self.assertEqual(self.cmd("MGET", "{user1}.a", "{user1}.b", "{user1}.c"), [None, b"2", b"1"])
        self.assertEqual(self.cmd("RENAMENX", "{user1}.c", "{user1}.b"), 0)
        self.assertEqual(self.cmd("COPY", "{user1}.c", "{user1}.d"), 1)
        self.assertEqual(self.cmd("MSETNX", "{user1}.x", "9", "{user1}.b", "9"), 0)
        self.assertEqual(self.cmd("EXISTS", "{user1}.x"), 0)
        self.assertEqual(self.cmd("DEL", "{user1}.b", "{user1}.c", "{user1}.d", "{user1}.zz"), 3)
        self.assertEqual(self.cmd("DBSIZE"), 0)

    def test_keys_across_shards(self):
        keys = ["spread:%d" % i for i in range(64)]
        args = []
        for i, k in enumerate(keys):
            args += [k, str(i)]
        self.assertCmdOk("MSET", *args)
        self.assertEqual(self.cmd("MGET", *keys), [str(i).encode() for i in range(64)])
        self.assertEqual(self.cmd("EXISTS", *keys), 64)
        self.assertEqual(self.cmd("DBSIZE"), 64)
        self.assertEqual(sorted(self.cmd("KEYS", "spread:*")), sorted(k.encode() for k in keys))
        self.assertCmdOk("RENAME", "spread:0", "elsewhere")
        self.assertEqual(self.cmd("GET", "elsewhere"), b"0")
        self.assertEqual(self.cmd("COPY", "spread:1", "copy-of-1"), 1)
        self.assertEqual(self.cmd("GET", "copy-of-1"), b"1")
        self.assertEqual(self.cmd("MSETNX", "spread:2", "x", "fresh", "y"), 0)
        self.assertEqual(self.cmd("EXISTS", "fresh"), 0)

    def test_scan_across_shards(self):
        keys = {("scan:%d" % i).encode() for i in range(3000)}
        pipe = self.r.pipeline(transaction=False)
        for k in keys:
            pipe.set(k, b"1")
        pipe.execute()
        seen = []
        cursor = b"0"
        while True:
            cursor, batch = self.cmd("SCAN", cursor, "COUNT", "100")
            seen.extend(batch)
            if cursor == b"0":
                break
        self.assertEqual(set(seen), keys)
        self.assertEqual(self.cmd("DBSIZE"), 3000)


class TestAtomicity(ServerTestCase):
    shards = 4

    def test_mset_mget_never_torn(self):
        duration = 3.0
        groups = [["g%d:k:%d" % (g, i) for i in range(10)] for g in range(4)]
        shared = ["shared:k:%d" % i for i in range(10)]
        self.r.mset({k: "init" for k in shared})
        for g in groups:
            self.r.mset({k: "0" for k in g})
        stop = time.time() + duration
        counts = {"writes": 0, "reads": 0}
        lock = threading.Lock()

        def writer(w):
            r = self.server.client()
            n = 0
            while time.time() < stop:
                n += 1
                r.mset({k: str(n) for k in groups[w]})
                r.mset({k: "%d:%d" % (w, n) for k in shared})
            with lock:
                counts["writes"] += n
            r.close()

        def reader(rd):
            r = self.server.client()
            n = 0
            while time.time() < stop:
                n += 1
                vals = r.mget(groups[(rd + n) % 4])
                assert len(set(vals)) == 1, "torn MSET seen: %r" % (vals,)
                vals = r.mget(shared)
                assert len(set(vals)) == 1, "torn MSET seen on shared keys: %r" % (vals,)
            with lock:
                counts["reads"] += n
            r.close()

        w = Workers()
        for i in range(4):
            w.spawn(writer, i)
            w.spawn(reader, i)
        w.join(self)
        self.assertGreater(counts["writes"], 40)
        self.assertGreater(counts["reads"], 40)

    def test_msetnx_all_or_nothing(self):
        universe = ["nx:%d" % i for i in range(16)]
        threads = 8
        rounds = 25
        barrier = threading.Barrier(threads)
        results = {}  # (round, thread) -> (keys, won)
        lock = threading.Lock()

        def racer(t):
            r = self.server.client()
            rng = random.Random(t * 7919)
            for rnd in range(rounds):
                keys = rng.sample(universe, 4)
                barrier.wait(timeout=30)
                won = r.msetnx({k: "%d:%d" % (rnd, t) for k in keys})
                with lock:
                    results[(rnd, t)] = (keys, bool(won))
                barrier.wait(timeout=30)
                if t == 0:
                    # check the round, then clear for the next one
                    snapshot = dict(zip(universe, r.mget(universe)))
                    with lock:
                        results[(rnd, "snap")] = snapshot
                    r.delete(*universe)
                barrier.wait(timeout=30)
            r.close()

        w = Workers()
        for t in range(threads):
            w.spawn(racer, t)
        w.join(self)
        wins = 0
        for rnd in range(rounds):
            snap = results[(rnd, "snap")]
            winners = [(t, results[(rnd, t)][0]) for t in range(threads) if results[(rnd, t)][1]]
            self.assertGreaterEqual(len(winners), 1, "round %d: nobody won" % rnd)
            wins += len(winners)
            claimed = {}
            for t, keys in winners:
                for k in keys:
                    self.assertNotIn(k, claimed, "round %d: key %s won by %s and %s" % (rnd, k, claimed.get(k), t))
                    claimed[k] = t
                    # every key of a winner holds that winner's value
                    self.assertEqual(snap[k], ("%d:%d" % (rnd, t)).encode(), "round %d key %s" % (rnd, k))
            for k, v in snap.items():
                if k not in claimed:
                    self.assertIsNone(v, "round %d: key %s set by a losing MSETNX" % (rnd, k))
        self.assertGreaterEqual(wins, rounds)

    def test_rename_racing_with_reads(self):
        self.r.set("rn:a", "payload")
        stop = time.time() + 2.0
        renames = [0]

        def renamer():
            r = self.server.client()
            src, dst = "rn:a", "rn:b"
            while time.time() < stop:
                assert r.rename(src, dst) is True
                src, dst = dst, src
                renames[0] += 1
            r.close()

        def reader():
            r = self.server.client()
            while time.time() < stop:
                a, b = r.mget("rn:a", "rn:b")
                assert (a is None) != (b is None), "saw both or neither during RENAME: %r %r" % (a, b)
                assert (a or b) == b"payload"
                assert r.exists("rn:a", "rn:b") == 1
                v = r.get("rn:a")
                assert v in (None, b"payload"), v
            r.close()

        w = Workers()
        w.spawn(renamer)
        for _ in range(3):
            w.spawn(reader)
        w.join(self)
        self.assertGreater(renames[0], 20)
        self.assertEqual(self.r.exists("rn:a", "rn:b"), 1)

    def test_del_counts_across_shards(self):
        keys = ["del:%d" % i for i in range(1000)]
        self.r.mset({k: "v" for k in keys})
        self.assertEqual(self.cmd("DEL", *(keys[:100] + ["missing:%d" % i for i in range(50)])), 100)
        self.assertEqual(self.cmd("DEL", *(keys[50:150] + keys[100:150])), 50)  # repeats count once
        self.assertEqual(self.cmd("UNLINK", *keys[150:300]), 150)
        self.assertEqual(self.cmd("DBSIZE"), 700)
        self.assertEqual(self.cmd("EXISTS", *keys), 700)

    def test_concurrent_del_each_key_once(self):
        keys = ["cdel:%d" % i for i in range(2000)]
        self.r.mset({k: "v" for k in keys})
        deleted = []
        lock = threading.Lock()

        def deleter(t):
            r = self.server.client()
            rng = random.Random(t)
            order = keys[:]
            rng.shuffle(order)
            total = 0
            for i in range(0, len(order), 40):
                total += r.delete(*order[i:i + 40])
            with lock:
                deleted.append(total)
            r.close()

        w = Workers()
        for t in range(4):
            w.spawn(deleter, t)
        w.join(self)
        self.assertEqual(sum(deleted), len(keys))
        self.assertEqual(self.r.dbsize(), 0)

    def test_concurrent_incr(self):
        keys = ["ctr:%d" % i for i in range(8)]
        per_thread = 250

        def incrementer(t):
            r = self.server.client()
            for _ in range(per_thread // 50):
                pipe = r.pipeline(transaction=False)
                for _ in range(50):
                    for k in keys:
                        pipe.incr(k)
                pipe.execute()
            r.close()

        w = Workers()
        for t in range(8):
            w.spawn(incrementer, t)
        w.join(self)
        self.assertEqual(self.r.mget(keys), [str(8 * per_thread).encode()] * 8)

    def test_concurrent_incrby_and_decr(self):
        def worker(t):
            r = self.server.client()
            for i in range(200):
                if t % 2:
                    r.incrby("mix", 3)
                else:
                    r.decr("mix")
            r.close()

        w = Workers()
        for t in range(8):
            w.spawn(worker, t)
        w.join(self)
        self.assertEqual(int(self.r.get("mix")), 4 * 200 * 3 - 4 * 200)


class TestHolds(ServerTestCase):
    """Commands that hold several shards, and persistence jobs that hold them all from the
    persistence cron's message, at once: one holder at a time, never a deadlock."""
    shards = 4
    server_args = ("--appendonly", "yes", "--save", "")

    def test_cron_jobs_and_multi_shard_commands_never_deadlock(self):
        stop = time.time() + 6

        def writer(t):
            r = self.server.client(socket_timeout=10)
            i = 0
            while time.time() < stop:
                # Four keys of four slots: on four shards, so MSET holds them.
                r.mset({"w%d:%d:%d" % (t, i, k): k for k in range(4)})
                i += 1
            r.close()

        def rewriter():
            # BGREWRITEAOF during a BGSAVE is scheduled; the persistence cron then starts
            # it on shard 0 through a message, whose hold waits for the writers' holds.
            r = self.server.client(socket_timeout=10)
            while time.time() < stop:
                for job in (r.bgsave, r.bgrewriteaof):
                    try:
                        job()
                    except redis.ResponseError as e:
                        if "in progress" not in str(e):
                            raise
                time.sleep(0.01)
            r.close()

        w = Workers()
        for t in range(6):
            w.spawn(writer, t)
        w.spawn(rewriter)
        w.join(self, timeout=30)
        self.assertTrue(self.r.ping())


if __name__ == "__main__":
    main()
