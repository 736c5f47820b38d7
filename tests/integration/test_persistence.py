"""Persistence: the AOF (appendfsync always/everysec, replay, torn and corrupt
files, BGREWRITEAOF), snapshots (SAVE, BGSAVE point-in-time under writes,
schedules, SHUTDOWN SAVE, expiry, corruption) and loading with another shard
count. Every test starts real servers on a data directory of its own and
restarts them, by SIGTERM or SIGKILL."""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import redis

import harness
from harness import ember_only, run_server_to_exit, start_server


def kill9(srv):
    """SIGKILL: no shutdown code runs, as in a crash."""
    proc = srv.proc
    srv.proc = None
    if srv in harness._live_servers:
        harness._live_servers.remove(srv)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    srv._cleanup()


def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def fill_filler(r, n):
    """n string keys filler:0.. of 50 bytes: a snapshot long enough to
    overlap the writes a test makes during it."""
    p = r.pipeline(transaction=False)
    for i in range(n):
        p.set("filler:%d" % i, "x" * 50)
    p.execute()


def info(r, section="persistence"):
    return r.info(section)


def aof_dir(data):
    return os.path.join(data, "appendonlydir")


def manifest(data):
    with open(os.path.join(aof_dir(data), "appendonly.aof.manifest")) as f:
        return [line.split() for line in f if line.strip()]


def incr_path(data):
    incr = [m[1] for m in manifest(data) if m[5] == "i"]
    return os.path.join(aof_dir(data), incr[-1])


def unlisted_files(data):
    """The files of the AOF directory that its manifest does not list."""
    listed = {m[1] for m in manifest(data)} | {"appendonly.aof.manifest"}
    return sorted(set(os.listdir(aof_dir(data))) - listed)


def check_acked(test, r, acked, inflight):
    """Every acknowledged write is there; a key whose last write was cut off
    by the kill may hold that write's value instead (it may have been logged
    before the reply was lost). What the server holds becomes the new base."""
    for k, v in list(acked.items()):
        got = r.get(k)
        test.assertIn(got, (v, inflight.get(k)), "lost the acknowledged write of %s" % k)
        acked[k] = got


def snapshot_of(r):
    """Every key with its type, its contents (order-free where the type is)
    and whether it has a TTL."""
    out = {}
    for k in r.scan_iter(count=1000):
        t = r.type(k)
        if t == b"string":
            v = r.get(k)
        elif t == b"list":
            v = tuple(r.lrange(k, 0, -1))
        elif t == b"hash":
            v = frozenset(r.hgetall(k).items())
        elif t == b"set":
            v = frozenset(r.smembers(k))
        elif t == b"zset":
            v = tuple(r.zrange(k, 0, -1, withscores=True))
        else:
            v = r.dump(k)
        out[k] = (t, v, r.pttl(k) > 0)
    return out


@ember_only
class PersistenceBase(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="ember-persist-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.proc is not None:
                s.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    def start(self, *args, shards=2):
        srv = start_server(extra_args=["--dir", self.data] + list(args), shards=shards)
        self.servers.append(srv)
        return srv

    def start_fails(self, *args, shards=2):
        return run_server_to_exit(["--dir", self.data] + list(args), shards=shards)


class TestAof(PersistenceBase):
    def fill(self, r):
        r.set("s", "v")
        r.set("ttl", "v", ex=1000)
        r.setex("setex", 1000, "v")
        r.psetex("psetex", 1000000, "v")
        r.set("e", "v")
        r.expire("e", 500)
        r.set("gone", "v")
        r.expire("gone", -1)
        r.set("g", "v")
        r.getex("g", px=900000)
        r.incrbyfloat("f", 1.1)
        r.sadd("set", *range(50))
        r.spop("set", 7)
        r.rpush("list", *range(20))
        r.lpop("list")
        r.hset("hash", mapping={"a": 1, "b": 2})
        r.zadd("z", {"a": 1, "b": 2.5})
        r.mset({"m1": 1, "m2": 2, "m3": 3, "m4": 4})
        p = r.pipeline(transaction=True)
        p.incr("tx1").incr("tx2").lpush("txl", "x")
        p.execute()
        r.rpush("bl", "a", "b")
        r.blpop(["bl"], 1)
        payload = r.dump("hash")
        r.restore("restored", 100000, payload)
        r.rename("m1", "m1-renamed")

    def test_replay_reaches_the_same_data_with_another_shard_count(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", shards=3)
        r = srv.client()
        self.fill(r)
        before = snapshot_of(r)
        ttl_before = r.pttl("ttl")
        kill9(srv)
        srv = self.start("--appendonly", "yes", shards=2)
        r = srv.client()
        after = snapshot_of(r)
        self.assertEqual(sorted(before), sorted(after))
        self.assertEqual(before, after)
        self.assertIsNone(r.get("gone"))
        # Times were logged absolute: the TTL did not restart.
        self.assertLessEqual(r.pttl("ttl"), ttl_before)
        self.assertGreater(r.pttl("ttl"), 990000)

    def test_served_blocking_pop_is_logged_as_the_pop(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always")
        r = srv.client()
        got = []
        t = threading.Thread(target=lambda: got.append(srv.client().blpop(["q"], 10)))
        t.start()
        wait_for(lambda: r.info("clients")["blocked_clients"] == 1, what="client to block")
        r.rpush("q", "a", "b")
        t.join()
        self.assertEqual(got, [(b"q", b"a")])
        kill9(srv)
        r = self.start("--appendonly", "yes").client()
        self.assertEqual(r.lrange("q", 0, -1), [b"b"])

    def test_acknowledged_writes_survive_sigkill(self):
        """appendfsync always: every acknowledged write is there after a crash,
        20 of them, every other one during a BGREWRITEAOF; and each restart
        leaves the AOF directory holding exactly the manifest's files."""
        acked, inflight = {}, {}
        rng = random.Random(7)
        rounds = 20
        for round_no in range(rounds):
            srv = self.start("--appendonly", "yes", "--appendfsync", "always", shards=2)
            r = srv.client()
            check_acked(self, r, acked, inflight)
            self.assertEqual(unlisted_files(self.data), [])
            stop = threading.Event()
            errors = []

            def writer(seed):
                c = srv.client(socket_timeout=5)
                i = 0
                while not stop.is_set():
                    k = "k%d-%d" % (seed, i % 500)
                    v = ("%d-%d" % (round_no, i)).encode()
                    inflight[k] = v
                    try:
                        c.set(k, v)
                    except (redis.ConnectionError, redis.TimeoutError, OSError):
                        return
                    except Exception as e:  # anything else is a failure
                        errors.append(e)
                        return
                    acked[k] = v
                    i += 1

            threads = [threading.Thread(target=writer, args=(round_no * 10 + n,)) for n in range(3)]
            for t in threads:
                t.start()
            time.sleep(0.05 + rng.random() * 0.3)
            if round_no % 2:
                r.bgrewriteaof()
                time.sleep(rng.random() * 0.05)
            kill9(srv)
            stop.set()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
        r = self.start("--appendonly", "yes", shards=3).client()
        check_acked(self, r, acked, inflight)

    def test_torn_tail_is_dropped_with_a_warning(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always")
        r = srv.client()
        for i in range(100):
            r.set("k%d" % i, i)
        kill9(srv)
        path = incr_path(self.data)
        good = os.path.getsize(path)
        with open(path, "ab") as f:
            f.write(b"\x40\x00\x00\x00" + b"\x01" * 8 + b"partial")  # a frame cut short
        srv = self.start("--appendonly", "yes")
        r = srv.client()
        self.assertEqual(r.dbsize(), 100)
        self.assertIn("short read while loading the AOF", srv.log_tail())
        self.assertEqual(os.path.getsize(path), good)
        r.set("after", "1")
        kill9(srv)
        r = self.start("--appendonly", "yes").client()
        self.assertEqual(r.get("after"), b"1")
        self.assertEqual(r.dbsize(), 101)

    def test_last_increment_cut_inside_its_header(self):
        """A crash as a rewrite creates the new increment leaves part of its
        header: with aof-load-truncated the file is emptied and start-up goes
        on; without, start-up stops and changes nothing."""
        path, header = self.fresh_increment()
        self.assertGreater(len(header), 8)  # nothing logged after the rewrite: a header alone
        with open(path, "wb") as f:
            f.write(header[:7])
        code, log = self.start_fails("--appendonly", "yes", "--aof-load-truncated", "no")
        self.assertEqual(code, 1, log)
        self.assertIn("ends inside its header", log)
        self.assertEqual(open(path, "rb").read(), header[:7])
        self.assert_recovers_with_header(path, header, "ends inside its header")

    def test_empty_last_increment(self):
        """An increment cut to 0 bytes has lost its header, so it is damage,
        not an empty log: with aof-load-truncated a loud warning and the file
        is headed again; without, start-up stops and nothing changes."""
        path, header = self.fresh_increment()
        self.assertGreater(len(header), 0)
        open(path, "wb").close()
        code, log = self.start_fails("--appendonly", "yes", "--aof-load-truncated", "no")
        self.assertEqual(code, 1, log)
        self.assertIn("is empty: it has no header", log)
        self.assertEqual(os.path.getsize(path), 0)
        self.assert_recovers_with_header(path, header, "is empty: it has no header")

    def fresh_increment(self):
        """50 keys, a rewrite, a SIGKILL: the new increment holds its header
        alone. Returns its path and bytes."""
        srv = self.start("--appendonly", "yes", "--appendfsync", "always")
        r = srv.client()
        for i in range(50):
            r.set("k%d" % i, i)
        r.bgrewriteaof()
        wait_for(lambda: info(r)["aof_rewrite_in_progress"] == 0, what="the rewrite")
        kill9(srv)
        path = incr_path(self.data)
        with open(path, "rb") as f:
            return path, f.read()

    def assert_recovers_with_header(self, path, header, warning):
        """Under aof-load-truncated (the default) the server starts with the
        50 keys, logs `warning`, heads the increment again, and a write after
        the recovery survives a SIGKILL."""
        srv = self.start("--appendonly", "yes", "--appendfsync", "always")
        r = srv.client()
        self.assertEqual(r.dbsize(), 50)
        self.assertIn(warning, srv.log_tail())
        r.set("after", "1")
        kill9(srv)
        self.assertEqual(open(path, "rb").read()[:len(header)], header)
        r = self.start("--appendonly", "yes").client()
        self.assertEqual(r.get("after"), b"1")
        self.assertEqual(r.dbsize(), 51)

    def test_sigkill_during_bgrewriteaof_leaves_no_orphans(self):
        """A rewrite killed in flight leaves its new base, which the manifest
        never listed: start-up removes it (and logs it), keeps every file
        the manifest lists, and every acknowledged write is there."""
        payload = random.Random(3).randbytes(20000)
        for attempt in range(5):
            srv = self.start("--appendonly", "yes", "--appendfsync", "always", shards=2)
            r = srv.client()
            p = r.pipeline(transaction=False)
            for i in range(2000):
                p.set("big%d" % i, payload[i:] + payload[:i])
            p.execute()
            r.bgrewriteaof()
            in_flight = info(r)["aof_rewrite_in_progress"] == 1
            for i in range(20):
                r.set("during%d" % i, i)
            kill9(srv)
            if in_flight and unlisted_files(self.data):
                break
            shutil.rmtree(self.data)
            os.mkdir(self.data)
        else:
            self.fail("the rewrite was never caught in flight")
        orphans = unlisted_files(self.data)
        srv = self.start("--appendonly", "yes", shards=3)
        r = srv.client()
        self.assertEqual(unlisted_files(self.data), [])
        for name in orphans:
            self.assertIn("Removed " + os.path.join(aof_dir(self.data), name), srv.log_tail(100000))
        for m in manifest(self.data):
            self.assertTrue(os.path.exists(os.path.join(aof_dir(self.data), m[1])), m)
        self.assertEqual(r.dbsize(), 2020)
        self.assertEqual(r.get("big1999"), payload[1999:] + payload[:1999])
        self.assertEqual(r.get("during19"), b"19")

    def test_a_torn_transaction_recovers_as_nothing(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", shards=3)
        r = srv.client()
        keys = ["a", "b", "c", "d", "e", "f"]  # on several shards
        r.mset({k: 0 for k in keys})
        p = r.pipeline(transaction=True)
        for k in keys:
            p.set(k, 1)
        p.execute()
        kill9(srv)
        path = incr_path(self.data)
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) - 5)  # inside the EXEC's frame
        r = self.start("--appendonly", "yes").client()
        self.assertEqual(r.mget(keys), [b"0"] * len(keys))

    def test_torn_tail_refused_without_aof_load_truncated(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always")
        srv.client().set("a", "1")
        kill9(srv)
        path = incr_path(self.data)
        with open(path, "ab") as f:
            f.write(b"\x40\x00\x00")
        before = open(path, "rb").read()
        code, log = self.start_fails("--appendonly", "yes", "--aof-load-truncated", "no")
        self.assertEqual(code, 1, log)
        self.assertIn("Bad file format reading the append only file", log)
        self.assertIn(path, log)
        self.assertEqual(open(path, "rb").read(), before)

    def test_corruption_in_the_middle_stops_startup_and_changes_nothing(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always")
        r = srv.client()
        for i in range(50):
            r.set("k%d" % i, "v" * 100)
        kill9(srv)
        path = incr_path(self.data)
        data = bytearray(open(path, "rb").read())
        offset = len(data) // 2
        data[offset] ^= 0xFF
        open(path, "wb").write(bytes(data))
        code, log = self.start_fails("--appendonly", "yes")
        self.assertEqual(code, 1, log)
        self.assertIn(path, log)
        self.assertRegex(log, r"checksum mismatch in frame at offset \d+")
        self.assertEqual(open(path, "rb").read(), bytes(data))

    def test_bgrewriteaof_while_writing(self):
        srv = self.start("--appendonly", "yes", shards=2)
        r = srv.client()
        for i in range(20000):
            r.set("pre%d" % i, i) if i % 1000 == 0 else None
        p = r.pipeline(transaction=False)
        for i in range(20000):
            p.set("pre%d" % i, i)
        p.execute()
        stop = threading.Event()
        written = []

        def writer():
            c = srv.client()
            i = 0
            while not stop.is_set():
                c.set("during%d" % i, i)
                written.append(i)
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.05)
        self.assertIn(r.bgrewriteaof(), (True, b"Background append only file rewriting started"))
        wait_for(lambda: info(r)["aof_rewrite_in_progress"] == 0 and info(r)["aof_rewrites"] == 1,
                 what="rewrite to finish")
        time.sleep(0.05)
        stop.set()
        t.join()
        m = manifest(self.data)
        self.assertEqual([x[5] for x in m], ["b", "i"])
        self.assertEqual(m[0][3], "2")
        self.assertEqual(sorted(os.listdir(aof_dir(self.data))),
                         sorted(["appendonly.aof.manifest", m[0][1], m[1][1]]))
        total = r.dbsize()
        kill9(srv)
        r = self.start("--appendonly", "yes", shards=1).client()
        self.assertEqual(r.dbsize(), total)
        self.assertEqual(r.get("during%d" % written[-1]), str(written[-1]).encode())
        self.assertEqual(r.get("pre19999"), b"19999")

    def test_config_set_appendonly_at_run_time(self):
        srv = self.start()
        r = srv.client()
        r.set("before", "1")
        self.assertTrue(r.config_set("appendonly", "yes"))
        wait_for(lambda: info(r)["aof_enabled"] == 1 and info(r)["aof_rewrite_in_progress"] == 0,
                 what="the AOF to start")
        wait_for(lambda: os.path.exists(os.path.join(aof_dir(self.data), "appendonly.aof.manifest")),
                 what="the manifest")
        r.set("after", "2")
        kill9(srv)
        r = self.start("--appendonly", "yes").client()
        self.assertEqual(r.mget("before", "after"), [b"1", b"2"])

    def test_everysec_writes_reach_the_file(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "everysec")
        r = srv.client()
        for i in range(100):
            r.set("k%d" % i, i)
        srv.stop()
        r = self.start("--appendonly", "yes").client()
        self.assertEqual(r.dbsize(), 100)


def can_mount_tmpfs():
    probe = tempfile.mkdtemp(prefix="ember-tmpfs-probe-")
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        if ok:
            subprocess.run(["umount", probe], check=True)
        return ok
    except OSError:
        return False
    finally:
        os.rmdir(probe)


@ember_only
@unittest.skipUnless(can_mount_tmpfs(), "needs root to mount a small tmpfs (a disk that fills up)")
class TestAofOnAFullDisk(PersistenceBase):
    """The AOF's disk fills up: nothing acknowledged is lost. With everysec,
    the frames that could not be written wait in memory, writes are refused
    with Redis's MISCONF until space returns, and then everything reaches the
    file; with always, the server exits rather than acknowledge a write that
    is not on disk (as Redis does)."""

    def setUp(self):
        super().setUp()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", self.data], check=True)
        self.filler = os.path.join(self.data, "filler")

    def tearDown(self):
        super().tearDown()
        subprocess.run(["umount", "-l", self.data])
        os.rmdir(self.data)

    def fill_disk(self):
        with open(self.filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass

    def write_until_refused(self, r, acked, max_writes=2000):
        """SETs 2 KB values until one is refused; returns the error."""
        for i in range(max_writes):
            k, v = "full-%d" % i, ("%d-" % i).encode() * 400
            try:
                r.set(k, v)
            except redis.ResponseError as e:
                return str(e)
            acked[k] = v
        self.fail("no write was refused after %d writes on a full disk" % max_writes)

    def test_everysec_refuses_writes_until_space_returns_and_loses_nothing(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "everysec", "--save", "", shards=2)
        r = srv.client()
        acked = {"before": b"1"}
        r.set("before", "1")
        self.fill_disk()
        error = self.write_until_refused(r, acked)
        self.assertEqual(error, "MISCONF Errors writing to the AOF file: No space left on device")
        self.assertEqual(info(r)["aof_last_write_status"], "err")
        # Reads go on; every write command is refused, not only SET.
        self.assertEqual(r.get("before"), b"1")
        with self.assertRaisesRegex(redis.ResponseError, "^MISCONF Errors writing to the AOF file"):
            r.incr("counter")
        with self.assertRaisesRegex(redis.ResponseError, "^MISCONF Errors writing to the AOF file"):
            r.rpush("l", "x")
        self.assertIn("Error writing to the AOF file", srv.log_tail())
        os.unlink(self.filler)
        # The frames left behind are retried each second, with no write to push them.
        wait_for(lambda: info(r)["aof_last_write_status"] == "ok", timeout=10, what="the AOF written again")
        r.set("after", "2")
        acked["after"] = b"2"
        self.assertIn("AOF write error looks solved", srv.log_tail())
        kill9(srv)
        r = self.start("--appendonly", "yes", "--save", "", shards=3).client()
        for k, v in acked.items():
            self.assertEqual(r.get(k), v, "lost the acknowledged write of %s" % k)
        self.assertEqual(r.dbsize(), len(acked))

    def test_rewrite_is_refused_while_writes_fail(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "everysec", "--save", "", shards=1)
        r = srv.client()
        self.fill_disk()
        self.write_until_refused(r, {})
        with self.assertRaisesRegex(redis.ResponseError, "while writing to it fails"):
            r.bgrewriteaof()
        os.unlink(self.filler)
        wait_for(lambda: info(r)["aof_last_write_status"] == "ok", timeout=10, what="the AOF written again")

    def test_always_exits_instead_of_acknowledging(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", "--save", "", shards=2)
        r = srv.client()
        acked = {}
        self.fill_disk()
        with self.assertRaises((redis.ConnectionError, OSError)):
            self.write_until_refused(r, acked)
        self.assertEqual(srv.proc.wait(10), 1)
        self.assertIn("Can't recover from AOF write error when the AOF fsync policy is 'always'", srv.log_tail())
        srv.proc = None
        if srv in harness._live_servers:
            harness._live_servers.remove(srv)
        srv._cleanup()
        os.unlink(self.filler)
        r = self.start("--appendonly", "yes", "--save", "", shards=2).client()
        for k, v in acked.items():
            self.assertEqual(r.get(k), v, "lost the acknowledged write of %s" % k)


class TestSnapshot(PersistenceBase):
    def test_save_and_load_with_another_shard_count(self):
        srv = self.start(shards=4)
        r = srv.client()
        r.set("s", "v")
        r.rpush("l", *range(1000))
        r.hset("h", mapping={str(i): i for i in range(600)})
        r.sadd("set", *range(300))
        r.zadd("z", {str(i): i for i in range(300)})
        r.set("ttl", "v", ex=1000)
        before = snapshot_of(r)
        self.assertTrue(r.save())
        self.assertTrue(os.path.exists(os.path.join(self.data, "dump.rdb")))
        kill9(srv)
        r = self.start(shards=1).client()
        self.assertEqual(snapshot_of(r), before)
        self.assertGreater(r.ttl("ttl"), 990)

    def test_bgsave_is_one_instant_while_clients_write(self):
        """Writers MSET every key of a group to one version at a time; the
        saved file must hold a single version for the whole group."""
        srv = self.start(shards=4)
        r = srv.client()
        fill_filler(r, 100000)
        group = ["g%d" % i for i in range(64)]
        r.mset({k: 0 for k in group})
        stop = threading.Event()
        version = [0]

        def writer():
            c = srv.client()
            while not stop.is_set():
                version[0] += 1
                c.mset({k: version[0] for k in group})
                c.set("filler:%d" % (version[0] % 100000), "y")

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.1)
        lastsave = r.lastsave()
        self.assertEqual(r.bgsave(), True)
        wait_for(lambda: info(r)["rdb_bgsave_in_progress"] == 0, what="BGSAVE")
        stop.set()
        t.join()
        self.assertEqual(info(r)["rdb_last_bgsave_status"], "ok")
        self.assertGreaterEqual(r.lastsave(), lastsave)
        kill9(srv)
        r = self.start(shards=2).client()
        values = set(r.mget(group))
        self.assertEqual(len(values), 1, values)
        self.assertEqual(r.dbsize(), 100000 + len(group))

    def test_bgsave_is_one_instant_while_blocking_moves_run(self):
        """BLMOVE and BLMPOP with their keys on other shards than the client's
        (served at once: the lists are never empty) move elements between
        lists during a BGSAVE; the file must hold every element exactly once.
        A blocking command holds its shards itself, so it must keep the old
        values for the snapshot inside that hold: before that fix the
        client's thread appended to another shard's snapshot chunk while
        that shard walked it (heap corruption, a crash in the allocator;
        ThreadSanitizer names the race)."""
        srv = self.start(shards=4)
        r = srv.client()
        fill_filler(r, 60000)
        lists = ["list:%d" % i for i in range(16)]
        per_list = 200
        for name in lists:
            r.rpush(name, *("%s/%d" % (name, j) for j in range(per_list)))
        stop = threading.Event()
        errors = []

        def mover(seed):
            rnd = random.Random(seed)
            c = srv.client()
            try:
                while not stop.is_set():
                    src, dst = rnd.sample(lists, 2)
                    if rnd.random() < 0.5:
                        c.blmove(src, dst, 1, "LEFT", "RIGHT")
                    else:
                        # A pop and a push back: the element stays in the set.
                        got = c.blmpop(1, 2, src, dst, direction="LEFT")
                        if got:
                            c.rpush(got[0], *got[1])
            except Exception as e:  # reported below
                errors.append(e)
            finally:
                c.close()

        threads = [threading.Thread(target=mover, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        for _ in range(3):
            self.assertEqual(r.bgsave(), True)
            wait_for(lambda: info(r)["rdb_bgsave_in_progress"] == 0, what="BGSAVE")
            self.assertEqual(info(r)["rdb_last_bgsave_status"], "ok")
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        kill9(srv)
        r = self.start(shards=3).client()
        elements = []
        for name in lists:
            elements += r.lrange(name, 0, -1)
        # The last save's instant may fall between a BLMPOP and its push
        # back: every element at most once, and all but those in flight.
        self.assertEqual(len(elements), len(set(elements)))
        self.assertGreaterEqual(len(elements), len(lists) * per_list - len(threads))
        self.assertEqual(r.dbsize(), 60000 + len(lists))

    def test_bgsave_errors_and_lastsave(self):
        srv = self.start()
        r = srv.client()
        r.set("a", 1)
        with self.assertRaisesRegex(redis.ResponseError, "syntax error"):
            r.execute_command("BGSAVE", "NOW")
        self.assertTrue(r.bgsave())
        wait_for(lambda: info(r)["rdb_bgsave_in_progress"] == 0, what="BGSAVE")
        self.assertEqual(info(r)["rdb_saves"], 1)
        self.assertEqual(info(r)["rdb_changes_since_last_save"], 0)
        r.set("b", 2)
        self.assertEqual(info(r)["rdb_changes_since_last_save"], 1)

    def test_failed_bgsave_stops_writes_until_a_save_succeeds(self):
        srv = self.start("--save", "3600 1", "--enable-protected-configs", "yes")
        r = srv.client()
        gone = os.path.join(self.data, "gone")
        os.mkdir(gone)
        r.config_set("dir", gone)
        os.rmdir(gone)
        r.set("k", "v")
        with self.assertRaisesRegex(redis.ResponseError, "Failed opening the temp file"):
            r.bgsave()
        self.assertEqual(info(r)["rdb_last_bgsave_status"], "err")
        with self.assertRaisesRegex(redis.ResponseError, "^MISCONF .*stop-writes-on-bgsave-error"):
            r.set("k", "w")
        self.assertEqual(r.get("k"), b"v")
        r.config_set("dir", self.data)
        self.assertTrue(r.bgsave())
        wait_for(lambda: info(r)["rdb_bgsave_in_progress"] == 0, what="BGSAVE")
        self.assertEqual(info(r)["rdb_last_bgsave_status"], "ok")
        r.set("k", "w")

    def test_expiry_is_absolute_and_expired_keys_are_not_loaded(self):
        srv = self.start()
        r = srv.client()
        r.set("short", "v", px=300)
        r.set("long", "v", ex=100)
        r.set("plain", "v")
        r.save()
        kill9(srv)
        time.sleep(1.2)
        r = self.start().client()
        self.assertIsNone(r.get("short"))
        self.assertEqual(r.dbsize(), 2)
        self.assertLessEqual(r.ttl("long"), 99)

    def test_save_schedule(self):
        srv = self.start("--save", "1 1")
        r = srv.client()
        r.set("a", 1)
        wait_for(lambda: info(r)["rdb_saves"] >= 1, what="the scheduled save")
        self.assertTrue(os.path.exists(os.path.join(self.data, "dump.rdb")))

    def test_shutdown_save_and_nosave(self):
        srv = self.start()
        r = srv.client()
        r.set("a", 1)
        try:
            r.shutdown(save=True)
        except redis.ConnectionError:
            pass
        srv.proc.wait(10)
        srv.stop()
        r = self.start("--save", "3600 1").client()
        self.assertEqual(r.get("a"), b"1")
        r.set("b", 2)
        srv = self.servers[-1]
        srv.stop()  # SIGTERM with a save point: a final snapshot
        r = self.start().client()
        self.assertEqual(r.get("b"), b"2")
        r.set("c", 3)
        try:
            r.shutdown(nosave=True)
        except redis.ConnectionError:
            pass
        self.servers[-1].proc.wait(10)
        self.servers[-1].stop()
        r = self.start().client()
        self.assertIsNone(r.get("c"))

    def test_corrupt_or_truncated_snapshot_is_refused(self):
        srv = self.start()
        r = srv.client()
        p = r.pipeline(transaction=False)
        for i in range(5000):
            p.set("k%d" % i, "v" * 20)
        p.execute()
        r.save()
        kill9(srv)
        path = os.path.join(self.data, "dump.rdb")
        good = open(path, "rb").read()
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0x10
        open(path, "wb").write(bytes(bad))
        code, log = self.start_fails()
        self.assertEqual(code, 1, log)
        self.assertIn(path, log)
        self.assertIn("offset", log)
        self.assertEqual(open(path, "rb").read(), bytes(bad))
        open(path, "wb").write(good[:len(good) - 10])
        code, log = self.start_fails()
        self.assertEqual(code, 1, log)
        self.assertIn(path, log)
        open(path, "wb").write(b"not a snapshot at all")
        code, log = self.start_fails()
        self.assertEqual(code, 1, log)
        self.assertIn("bad magic", log)


class TestModuleValues(PersistenceBase):
    """A module's data type persists through its serialize callbacks; its
    commands replay from the AOF."""

    def vector_args(self):
        return ["--loadmodule", harness.module_path("vector")]

    def fill(self, r):
        for i in range(50):
            r.execute_command("VADD", "vs", "p%d" % i, i * 0.5, 1.0, -i * 0.25)
        r.execute_command("VREM", "vs", "p7")

    def check(self, r):
        self.assertEqual(r.type("vs"), b"vectorset")
        self.assertEqual(r.execute_command("VCARD", "vs"), 49)
        for got, want in zip([float(x) for x in r.execute_command("VGET", "vs", "p3")], [1.5, 1.0, -0.75]):
            self.assertAlmostEqual(got, want, places=5)
        self.assertEqual(r.execute_command("VSIM", "vs", 1.5, 1.0, -0.75, "COUNT", 1)[0], b"p3")

    def test_snapshot(self):
        srv = self.start(*self.vector_args())
        self.fill(srv.client())
        srv.client().save()
        kill9(srv)
        self.check(self.start(*self.vector_args(), shards=3).client())

    def test_aof_and_rewrite(self):
        srv = self.start("--appendonly", "yes", "--appendfsync", "always", *self.vector_args())
        r = srv.client()
        self.fill(r)
        kill9(srv)
        srv = self.start("--appendonly", "yes", *self.vector_args())
        r = srv.client()
        self.check(r)
        r.bgrewriteaof()
        wait_for(lambda: info(r)["aof_rewrites"] == 1, what="the rewrite")
        kill9(srv)
        self.check(self.start("--appendonly", "yes", *self.vector_args()).client())

    def test_without_the_module_startup_stops(self):
        srv = self.start(*self.vector_args())
        self.fill(srv.client())
        srv.client().save()
        kill9(srv)
        code, log = self.start_fails()
        self.assertEqual(code, 1, log)
        self.assertIn("vectorset", log)


if __name__ == "__main__":
    unittest.main()
