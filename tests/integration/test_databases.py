"""Databases (SELECT 0-15, `databases 16` by default), as Redis 7.0: each
database is a keyspace of its own, MOVE / COPY ... DB / SWAPDB between
them, FLUSHDB and FLUSHALL, INFO keyspace per database, keyspace events
with the database's number, WATCH and blocking per database, and every
database kept by the AOF and by snapshots. The server has 4 shards, so the
keys of one command are on several of them."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import ServerTestCase, ember_only, run_server_to_exit, start_server

REDIS_CLI = "/usr/bin/redis-cli"
KEYS = ["key:%d" % i for i in range(64)]  # spread over every shard
INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"


def keyspace(r):
    return {k: v for k, v in r.info("keyspace").items() if k.startswith("db")}


class TestSelect(ServerTestCase):
    shards = 4

    def test_select_range_and_errors(self):
        for db in (0, 1, 9, 15):
            self.assertCmdOk("SELECT", db)
        self.assertCmdError("ERR DB index is out of range", "SELECT", "16")
        self.assertCmdError("ERR DB index is out of range", "SELECT", "-1")
        self.assertCmdError("ERR value is not an integer or out of range", "SELECT", "one")
        self.assertCmdError(INT_RANGE, "SELECT", "9223372036854775807")
        self.assertCmdError(INT_RANGE, "SELECT", "-2147483649")
        self.assertEqual(self.s.client().config_get("databases"), {"databases": "16"})

    def test_each_database_has_its_own_keys(self):
        c = self.c
        for db in range(16):
            self.assertEqual(c.execute("SELECT", db), "OK")
            for k in KEYS:
                c.send("SET", k, "%s@%d" % (k, db))
            for _ in KEYS:
                self.assertEqual(c.read(), "OK")
        for db in (0, 7, 15):
            r = self.s.client(db=db)
            self.assertEqual(r.dbsize(), len(KEYS))
            self.assertEqual(r.mget(KEYS), [("%s@%d" % (k, db)).encode() for k in KEYS])
            self.assertEqual(sorted(r.keys("*")), sorted(k.encode() for k in KEYS))
            self.assertEqual(sorted(r.scan_iter(count=7)), sorted(k.encode() for k in KEYS))
            self.assertIn(r.randomkey().decode(), KEYS)
            r.close()
        r3 = self.s.client(db=3)
        r3.delete(*KEYS[:10])
        self.assertEqual(r3.dbsize(), len(KEYS) - 10)
        self.assertEqual(self.s.client(db=4).dbsize(), len(KEYS))
        self.assertEqual(self.r.exists(*KEYS[:10]), 10)

    def test_empty_database_answers_empty(self):
        r = self.s.client(db=12)
        self.assertEqual(r.dbsize(), 0)
        self.assertIsNone(r.randomkey())
        self.assertEqual(r.keys("*"), [])
        self.assertEqual(r.scan(0), (0, []))
        self.assertIsNone(r.get("nothing"))

    def test_flushdb_only_the_selected_database_flushall_every_one(self):
        for db in (0, 1, 2):
            r = self.s.client(db=db)
            r.mset({k: db for k in KEYS})
        r1 = self.s.client(db=1)
        r1.flushdb()
        self.assertEqual(r1.dbsize(), 0)
        self.assertEqual(self.r.dbsize(), len(KEYS))
        self.assertEqual(self.s.client(db=2).dbsize(), len(KEYS))
        self.r.flushall()
        for db in range(16):
            self.assertEqual(self.s.client(db=db).dbsize(), 0)

    def test_info_keyspace_per_database(self):
        self.assertEqual(keyspace(self.r), {})
        self.s.client(db=0).set("a", 1)
        r5 = self.s.client(db=5)
        r5.mset({k: 1 for k in KEYS[:20]})
        r5.expire(KEYS[0], 1000)
        r5.expire(KEYS[1], 1000)
        ks = keyspace(self.r)
        self.assertEqual(sorted(ks), ["db0", "db5"])
        self.assertEqual((ks["db0"]["keys"], ks["db0"]["expires"]), (1, 0))
        self.assertEqual((ks["db5"]["keys"], ks["db5"]["expires"]), (20, 2))
        self.assertIn("avg_ttl", ks["db5"])
        r5.flushdb()
        self.assertEqual(sorted(keyspace(self.r)), ["db0"])

    def test_memory_stats_names_each_database_with_keys(self):
        self.r.set("a", 1)
        self.s.client(db=5).mset({k: 1 for k in KEYS})

        def dbs(reply):
            names = [k.decode() for k in reply[::2]]
            return sorted(n for n in names if n.startswith("db."))

        self.assertEqual(dbs(self.cmd("MEMORY", "STATS")), ["db.0", "db.5"])
        # Inside a transaction too (it reads every shard's tables).
        c = self.c
        c.execute("MULTI")
        c.execute("MEMORY", "STATS")
        c.execute("SET", "b", "2")
        stats, ok = c.execute("EXEC")
        self.assertEqual(dbs(stats), ["db.0", "db.5"])
        self.assertEqual(ok, "OK")

    def test_client_list_shows_the_database_and_reset_goes_back_to_0(self):
        c = self.c
        c.execute("SELECT", "6")
        me = c.execute("CLIENT", "INFO").decode()
        self.assertIn(" db=6 ", me)
        c.execute("SET", "here", "6")
        self.assertEqual(c.execute("RESET"), "RESET")
        self.assertIn(" db=0 ", c.execute("CLIENT", "INFO").decode())
        self.assertIsNone(c.execute("GET", "here"))

    def test_expiry_in_another_database(self):
        r = self.s.client(db=3)
        for k in KEYS:
            r.set(k, "v", px=50)
        r.set("stays", "v")
        deadline = time.time() + 10
        # Active expiry deletes them without any access.
        while r.dbsize() > 1 and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(r.dbsize(), 1)

    def test_redis_cli_n(self):
        out = subprocess.run([REDIS_CLI, "-p", str(self.s.port), "-n", "4", "SET", "cli", "four"],
                             capture_output=True, timeout=10)
        self.assertEqual(out.stdout.strip(), b"OK")
        self.assertEqual(self.s.client(db=4).get("cli"), b"four")
        self.assertIsNone(self.r.get("cli"))


class TestMoveCopySwap(ServerTestCase):
    shards = 4

    def test_move(self):
        r0, r2 = self.r, self.s.client(db=2)
        r0.mset({k: k for k in KEYS})
        r0.expire(KEYS[0], 1000)
        for k in KEYS:
            self.assertEqual(self.cmd("MOVE", k, "2"), 1)
        self.assertEqual(r0.dbsize(), 0)
        self.assertEqual(r2.mget(KEYS), [k.encode() for k in KEYS])
        self.assertGreater(r2.ttl(KEYS[0]), 900)
        self.assertEqual(r2.ttl(KEYS[1]), -1)
        # Missing source, or a destination that has the key: nothing moves.
        self.assertEqual(self.cmd("MOVE", "absent", "2"), 0)
        r0.set(KEYS[3], "zero")
        self.assertEqual(self.cmd("MOVE", KEYS[3], "2"), 0)
        self.assertEqual(r0.get(KEYS[3]), b"zero")
        self.assertEqual(r2.get(KEYS[3]), KEYS[3].encode())
        self.assertCmdError("ERR source and destination objects are the same", "MOVE", KEYS[3], "0")
        self.assertCmdError("ERR DB index is out of range", "MOVE", KEYS[3], "16")
        self.assertCmdError("ERR DB index is out of range", "MOVE", KEYS[3], "-1")
        self.assertCmdError("ERR value is not an integer or out of range", "MOVE", KEYS[3], "x")
        self.assertCmdError(INT_RANGE, "MOVE", KEYS[3], "2147483648")
        self.assertCmdError("ERR source and destination objects are the same", "MOVE", "absent", "0")
        # Types other than strings move whole.
        r0.rpush("list", *range(300))
        r0.hset("hash", mapping={"f%d" % i: i for i in range(200)})
        self.assertEqual(self.cmd("MOVE", "list", "2"), 1)
        self.assertEqual(self.cmd("MOVE", "hash", "2"), 1)
        self.assertEqual(r2.llen("list"), 300)
        self.assertEqual(r2.hlen("hash"), 200)

    def test_copy_to_another_database(self):
        r0, r1 = self.r, self.s.client(db=1)
        r0.set("a", "1")
        self.assertEqual(self.cmd("COPY", "a", "a", "DB", "1"), 1)
        self.assertEqual(r1.get("a"), b"1")
        self.assertEqual(self.cmd("COPY", "a", "a", "DB", "1"), 0)
        r0.set("a", "2")
        self.assertEqual(self.cmd("COPY", "a", "a", "DB", "1", "REPLACE"), 1)
        self.assertEqual(r1.get("a"), b"2")
        self.assertEqual(r0.get("a"), b"2")
        self.assertEqual(self.cmd("COPY", "a", "b", "DB", "15"), 1)
        self.assertEqual(self.s.client(db=15).get("b"), b"2")
        self.assertIsNone(r0.get("b"))
        self.assertCmdError("ERR source and destination objects are the same", "COPY", "a", "a", "DB", "0")
        self.assertCmdError("ERR DB index is out of range", "COPY", "a", "b", "DB", "16")
        self.assertCmdError(INT_RANGE, "COPY", "a", "b", "DB", "9223372036854775807")

    def test_swapdb(self):
        r0, r1 = self.r, self.s.client(db=1)
        r0.mset({k: "zero" for k in KEYS})
        r1.mset({k: "one" for k in KEYS[:8]})
        r0.expire(KEYS[0], 1000)
        self.assertCmdOk("SWAPDB", "0", "1")
        self.assertEqual(r0.dbsize(), 8)
        self.assertEqual(r1.dbsize(), len(KEYS))
        self.assertEqual(r0.get(KEYS[0]), b"one")
        self.assertEqual(r1.get(KEYS[0]), b"zero")
        self.assertGreater(r1.ttl(KEYS[0]), 900)
        self.assertEqual(r0.ttl(KEYS[0]), -1)
        self.assertEqual(keyspace(r0)["db1"]["expires"], 1)
        self.assertCmdOk("SWAPDB", "1", "1")
        self.assertCmdOk("SWAPDB", "1", "14")
        self.assertEqual(self.s.client(db=14).dbsize(), len(KEYS))
        self.assertEqual(r1.dbsize(), 0)
        self.assertCmdError("ERR invalid first DB index", "SWAPDB", "a", "1")
        self.assertCmdError("ERR invalid second DB index", "SWAPDB", "1", "b")
        self.assertCmdError("ERR DB index is out of range", "SWAPDB", "0", "16")
        self.assertCmdError("ERR DB index is out of range", "SWAPDB", "-1", "0")
        self.assertCmdError("ERR invalid first DB index", "SWAPDB", "9223372036854775807", "0")
        self.assertCmdError("ERR invalid second DB index", "SWAPDB", "0", "2147483648")

    def test_swapdb_raises_watches_of_keys_in_either_database(self):
        self.s.client(db=1).set("w", "in one")
        c = self.s.raw()
        c.execute("WATCH", "w")  # db 0, where w does not exist
        self.cmd("SWAPDB", "0", "1")
        c.execute("MULTI")
        c.execute("SET", "w", "x")
        self.assertIsNone(c.execute("EXEC"))
        # A watch on a key in neither database stays.
        c.execute("WATCH", "nowhere")
        self.cmd("SWAPDB", "0", "1")
        c.execute("MULTI")
        c.execute("SET", "nowhere", "x")
        self.assertEqual(c.execute("EXEC"), ["OK"])
        c.close()

    def test_swapdb_serves_a_client_blocked_in_the_other_database(self):
        self.s.client(db=1).rpush("q", "from-one")
        c = self.s.raw()
        c.send("BLPOP", "q", "5")
        time.sleep(0.2)
        self.cmd("SWAPDB", "0", "1")
        self.assertEqual(c.read(), [b"q", b"from-one"])
        c.close()

    def test_swapdb_under_concurrent_load_on_both(self):
        # Clients increment counters in db 0 and db 1 while SWAPDB swaps
        # them: no increment is lost or applied twice, so the counters of
        # both databases add up to the number of increments.
        counters = ["c:%d" % i for i in range(16)]
        per_client, clients = 300, 4
        errors = []

        def worker(db):
            r = self.s.client(db=db)
            try:
                for i in range(per_client):
                    r.incr(counters[i % len(counters)])
            except Exception as e:  # reported below
                errors.append(e)
            finally:
                r.close()

        threads = [threading.Thread(target=worker, args=(i % 2,)) for i in range(clients)]
        for t in threads:
            t.start()
        swaps = 0
        swapper = self.s.client()
        while any(t.is_alive() for t in threads):
            swapper.swapdb(0, 1)
            swaps += 1
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertGreater(swaps, 0)
        total = 0
        for db in (0, 1):
            r = self.s.client(db=db)
            total += sum(int(v or 0) for v in r.mget(counters))
        self.assertEqual(total, per_client * clients)


class TestPerDatabaseState(ServerTestCase):
    shards = 4

    def test_transaction_select_moves_the_commands_after_it(self):
        c = self.c
        c.execute("MULTI")
        c.execute("SET", "t", "zero")
        c.execute("SELECT", "3")
        c.execute("SET", "t", "three")
        c.execute("GET", "t")
        self.assertEqual(c.execute("EXEC"), ["OK", "OK", "OK", b"three"])
        # The client stays in database 3 after EXEC, as in Redis.
        self.assertEqual(c.execute("GET", "t"), b"three")
        self.assertEqual(self.r.get("t"), b"zero")

    def test_watch_is_per_database(self):
        c = self.s.raw()
        c.execute("SELECT", "2")
        c.execute("WATCH", "w")
        self.r.set("w", "db0 changes nothing watched")
        c.execute("MULTI")
        c.execute("SET", "w", "1")
        self.assertEqual(c.execute("EXEC"), ["OK"])
        c.execute("WATCH", "w")
        self.s.client(db=2).set("w", "changed")
        c.execute("MULTI")
        c.execute("SET", "w", "2")
        self.assertIsNone(c.execute("EXEC"))
        c.close()

    def test_blocking_is_per_database(self):
        c = self.s.raw()
        c.execute("SELECT", "5")
        c.send("BLPOP", "bq", "5")
        time.sleep(0.2)
        self.r.rpush("bq", "in zero")
        time.sleep(0.2)
        self.s.client(db=5).rpush("bq", "in five")
        self.assertEqual(c.read(), [b"bq", b"in five"])
        self.assertEqual(self.r.lrange("bq", 0, -1), [b"in zero"])
        c.close()

    def test_blmove_stays_in_its_database(self):
        c = self.s.raw()
        c.execute("SELECT", "7")
        c.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "5")
        time.sleep(0.2)
        r7 = self.s.client(db=7)
        r7.rpush("src", "x")
        self.assertEqual(c.read(), b"x")
        self.assertEqual(r7.lrange("dst", 0, -1), [b"x"])
        self.assertEqual(self.r.exists("dst", "src"), 0)
        c.close()

    def test_keyspace_events_name_the_database(self):
        self.r.config_set("notify-keyspace-events", "KEA")
        try:
            sub = self.s.raw()
            sub.execute("PSUBSCRIBE", "__key*@*__:*")
            r4 = self.s.client(db=4)
            r4.set("ev", "1")
            self.assertEqual(sub.read(), [b"pmessage", b"__key*@*__:*", b"__keyspace@4__:ev", b"set"])
            self.assertEqual(sub.read(), [b"pmessage", b"__key*@*__:*", b"__keyevent@4__:set", b"ev"])
            c = self.s.raw()
            c.execute("SELECT", "4")
            self.assertEqual(c.execute("MOVE", "ev", "9"), 1)
            self.assertEqual(sub.read(), [b"pmessage", b"__key*@*__:*", b"__keyspace@4__:ev", b"move_from"])
            self.assertEqual(sub.read(), [b"pmessage", b"__key*@*__:*", b"__keyevent@4__:move_from", b"ev"])
            self.assertEqual(sub.read(), [b"pmessage", b"__key*@*__:*", b"__keyspace@9__:ev", b"move_to"])
            self.assertEqual(sub.read(), [b"pmessage", b"__key*@*__:*", b"__keyevent@9__:move_to", b"ev"])
            sub.close()
            c.close()
        finally:
            self.r.config_set("notify-keyspace-events", "")


@ember_only
class TestDatabasesPersist(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="ember-dbs-")

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def fill(self, srv):
        for db in (0, 3, 15):
            r = srv.client(db=db)
            r.mset({k: "%s@%d" % (k, db) for k in KEYS})
            r.expire(KEYS[0], 1000)
            r.rpush("list@%d" % db, *range(db + 1))
            r.close()
        c = srv.raw()
        c.execute("SELECT", "3")
        c.execute("MOVE", KEYS[1], "4")
        c.execute("MULTI")
        c.execute("SET", "tx", "three")
        c.execute("SELECT", "6")
        c.execute("SET", "tx", "six")
        c.execute("EXEC")
        c.close()

    def check(self, srv):
        for db in (0, 3, 15):
            r = srv.client(db=db)
            want = {k: ("%s@%d" % (k, db)).encode() for k in KEYS}
            if db == 3:
                del want[KEYS[1]]
            got = dict(zip(KEYS, r.mget(KEYS)))
            self.assertEqual({k: v for k, v in got.items() if v is not None}, want, "db %d" % db)
            self.assertGreater(r.ttl(KEYS[0]), 900)
            self.assertEqual(r.llen("list@%d" % db), db + 1)
            r.close()
        self.assertEqual(srv.client(db=4).get(KEYS[1]), ("%s@3" % KEYS[1]).encode())
        self.assertEqual(srv.client(db=3).get("tx"), b"three")
        self.assertEqual(srv.client(db=6).get("tx"), b"six")
        self.assertEqual(srv.client(db=1).dbsize(), 0)

    def test_aof_replays_every_database(self):
        args = ["--dir", self.data, "--appendonly", "yes", "--appendfsync", "always"]
        with start_server(args, shards=3) as srv:
            self.fill(srv)
            srv.client(db=15).swapdb(15, 2)
            srv.client().swapdb(2, 15)
        with start_server(args, shards=2) as srv:
            self.check(srv)
            # A rewrite (a snapshot as the base) keeps them too.
            srv.client().bgrewriteaof()
            deadline = time.time() + 20
            while srv.client().info("persistence")["aof_rewrite_in_progress"] and time.time() < deadline:
                time.sleep(0.05)
        with start_server(args, shards=4) as srv:
            self.check(srv)

    def test_snapshot_keeps_every_database(self):
        args = ["--dir", self.data, "--appendonly", "no"]
        with start_server(args, shards=3) as srv:
            self.fill(srv)
            srv.client().save()
        with start_server(args, shards=1) as srv:
            self.check(srv)

    def test_aof_selecting_a_database_past_databases_is_refused(self):
        args = ["--dir", self.data, "--appendonly", "yes"]
        with start_server(args, shards=2) as srv:
            srv.client(db=9).set("k", "v")
        code, log = run_server_to_exit(args + ["--databases", "4"])
        self.assertNotEqual(code, 0)
        self.assertIn("SELECT 9 in frame at offset", log)
        self.assertIn("is out of range (databases is 4)", log)

    def test_snapshot_with_more_databases_than_configured_is_refused(self):
        with start_server(["--dir", self.data, "--appendonly", "no"], shards=2) as srv:
            srv.client(db=12).set("k", "v")
            srv.client().save()
        code, log = run_server_to_exit(["--dir", self.data, "--appendonly", "no", "--databases", "4"])
        self.assertNotEqual(code, 0)
        self.assertIn("keys of database 12, but databases is 4", log)
        self.assertTrue(os.path.exists(os.path.join(self.data, "dump.rdb")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
