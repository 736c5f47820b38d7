#!/usr/bin/python3
"""MULTI/EXEC/DISCARD/WATCH/UNWATCH: Redis 7.0's replies and errors, WATCH
raised by writes, deletes, expiry and FLUSHALL, and EXEC atomic across
shards under concurrent clients."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402

import redis  # noqa: E402


class TestMultiExec(ServerTestCase):

    def test_queue_and_exec(self):
        c = self.server.raw()
        self.assertEqual(c.execute("MULTI"), "OK")
        self.assertEqual(c.execute("SET", "a", "1"), "QUEUED")
        self.assertEqual(c.execute("INCR", "a"), "QUEUED")
        self.assertEqual(c.execute("GET", "a"), "QUEUED")
        self.assertEqual(c.execute("EXEC"), ["OK", 2, b"2"])
        self.assertEqual(self.cmd("GET", "a"), b"2")

    def test_empty_exec(self):
        c = self.server.raw()
        self.assertEqual(c.execute("MULTI"), "OK")
        self.assertEqual(c.execute("EXEC"), [])

    def test_errors_outside_multi(self):
        self.assertCmdError("ERR EXEC without MULTI", "EXEC")
        self.assertCmdError("ERR DISCARD without MULTI", "DISCARD")

    def test_nested_multi_and_watch_inside(self):
        c = self.server.raw()
        c.execute("MULTI")
        self.assertEqual(c.execute("MULTI"), harness.RespError("ERR MULTI calls can not be nested"))
        self.assertEqual(c.execute("WATCH", "x"), harness.RespError("ERR WATCH inside MULTI is not allowed"))
        self.assertEqual(c.execute("SET", "x", "1"), "QUEUED")
        # the transaction is still usable after those errors
        self.assertEqual(c.execute("EXEC"), ["OK"])

    def test_queue_time_error_aborts(self):
        c = self.server.raw()
        c.execute("MULTI")
        self.assertEqual(c.execute("SET", "a", "1"), "QUEUED")
        self.assertEqual(c.execute("SET", "a"), harness.RespError("ERR wrong number of arguments for 'set' command"))
        self.assertEqual(c.execute("NOSUCHCMD"),
                         harness.RespError("ERR unknown command 'NOSUCHCMD', with args beginning with: "))
        self.assertEqual(c.execute("EXEC"),
                         harness.RespError("EXECABORT Transaction discarded because of previous errors."))
        self.assertIsNone(self.cmd("GET", "a"))
        self.assertEqual(c.execute("EXEC"), harness.RespError("ERR EXEC without MULTI"))

    def test_run_time_error_keeps_the_rest(self):
        self.cmd("SET", "s", "text")
        c = self.server.raw()
        c.execute("MULTI")
        c.execute("SET", "a", "1")
        c.execute("INCR", "s")
        c.execute("SET", "b", "2")
        reply = c.execute("EXEC")
        self.assertEqual(reply[0], "OK")
        self.assertEqual(reply[1], harness.RespError("ERR value is not an integer or out of range"))
        self.assertEqual(reply[2], "OK")
        self.assertEqual(self.cmd("MGET", "a", "b"), [b"1", b"2"])

    def test_discard(self):
        c = self.server.raw()
        c.execute("MULTI")
        c.execute("SET", "a", "1")
        self.assertEqual(c.execute("DISCARD"), "OK")
        self.assertIsNone(self.cmd("GET", "a"))
        self.assertEqual(c.execute("PING"), "PONG")

    def test_reset_discards(self):
        c = self.server.raw()
        c.execute("MULTI")
        c.execute("SET", "a", "1")
        self.assertEqual(c.execute("RESET"), "RESET")
        self.assertEqual(c.execute("EXEC"), harness.RespError("ERR EXEC without MULTI"))
        self.assertIsNone(self.cmd("GET", "a"))

    def test_connection_commands_inside(self):
        c = self.server.raw()
        c.execute("MULTI")
        c.execute("PING")
        c.execute("CLIENT", "SETNAME", "tx")
        c.execute("DBSIZE")
        self.assertEqual(c.execute("EXEC"), ["PONG", "OK", 0])
        self.assertEqual(c.execute("CLIENT", "GETNAME"), b"tx")


class TestWatch(ServerTestCase):

    def exec_after(self, c, *cmd):
        c.execute("MULTI")
        c.execute(*cmd)
        return c.execute("EXEC")

    def test_unchanged_key_execs(self):
        self.cmd("SET", "w", "1")
        c = self.server.raw()
        self.assertEqual(c.execute("WATCH", "w", "other"), "OK")
        self.assertEqual(self.exec_after(c, "INCR", "w"), [2])

    def test_changes_abort(self):
        for change in (("SET", "w", "x"), ("DEL", "w"), ("INCR", "w"), ("EXPIRE", "w", "100"),
                       ("RENAME", "w", "w2"), ("APPEND", "w", "z")):
            self.cmd("FLUSHALL")
            self.cmd("SET", "w", "1")
            c = self.server.raw()
            c.execute("WATCH", "w")
            self.cmd(*change)
            self.assertIsNone(self.exec_after(c, "SET", "w", "mine"), change)
            # the watch is gone after EXEC
            self.assertEqual(self.exec_after(c, "PING"), ["PONG"])

    def test_missing_key_created_aborts(self):
        c = self.server.raw()
        c.execute("WATCH", "nokey")
        self.cmd("SET", "nokey", "1")
        self.assertIsNone(self.exec_after(c, "GET", "nokey"))

    def test_delete_and_recreate_aborts(self):
        self.cmd("SET", "w", "1")
        c = self.server.raw()
        c.execute("WATCH", "w")
        self.cmd("DEL", "w")
        self.cmd("SET", "w", "1")
        self.assertIsNone(self.exec_after(c, "GET", "w"))

    def test_flushall_aborts(self):
        self.cmd("SET", "w", "1")
        c = self.server.raw()
        c.execute("WATCH", "w")
        self.cmd("FLUSHALL")
        self.assertIsNone(self.exec_after(c, "GET", "w"))

    def test_expiry_aborts(self):
        self.cmd("SET", "w", "1", "PX", "50")
        c = self.server.raw()
        c.execute("WATCH", "w")
        time.sleep(0.2)
        self.assertIsNone(self.exec_after(c, "GET", "w"))

    def test_unwatch_and_discard_forget(self):
        self.cmd("SET", "w", "1")
        c = self.server.raw()
        c.execute("WATCH", "w")
        self.assertEqual(c.execute("UNWATCH"), "OK")
        self.cmd("SET", "w", "2")
        self.assertEqual(self.exec_after(c, "GET", "w"), [b"2"])
        c.execute("WATCH", "w")
        c.execute("MULTI")
        self.assertEqual(c.execute("DISCARD"), "OK")
        self.cmd("SET", "w", "3")
        self.assertEqual(self.exec_after(c, "GET", "w"), [b"3"])

    def test_own_write_before_multi_aborts(self):
        # a write by the watching client itself also counts
        self.cmd("SET", "w", "1")
        c = self.server.raw()
        c.execute("WATCH", "w")
        c.execute("SET", "w", "2")
        self.assertIsNone(self.exec_after(c, "GET", "w"))

    def test_redis_py_optimistic_lock(self):
        self.cmd("SET", "counter", "0")

        def incr():
            with self.server.client().pipeline() as p:
                while True:
                    try:
                        p.watch("counter")
                        v = int(p.get("counter"))
                        p.multi()
                        p.set("counter", v + 1)
                        p.execute()
                        return
                    except redis.WatchError:
                        continue

        threads = [threading.Thread(target=lambda: [incr() for _ in range(25)]) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(self.cmd("GET", "counter"), b"100")


class TestAtomicAcrossShards(ServerTestCase):
    shards = 4

    def test_exec_never_seen_half_done(self):
        keys = ["tx:%d" % i for i in range(12)]  # spread over the shards
        self.cmd("MSET", *sum(([k, "0"] for k in keys), []))
        stop = threading.Event()
        errors = []

        def writer(n):
            c = self.server.raw()
            v = 0
            while not stop.is_set():
                v += 1
                c.execute("MULTI")
                for k in keys:
                    c.execute("SET", k, "%d-%d" % (n, v))
                if c.execute("EXEC") != ["OK"] * len(keys):
                    errors.append("bad EXEC reply")

        def reader():
            c = self.server.raw()
            while not stop.is_set():
                c.execute("MULTI")
                for k in keys:
                    c.execute("GET", k)
                values = c.execute("EXEC")
                if len(set(values)) != 1:
                    errors.append(values)
                values = c.execute("MGET", *keys)
                if len(set(values)) != 1:
                    errors.append(values)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        threads += [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(2.5)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors[:3], [])

    def test_transfers_keep_the_total(self):
        accounts = ["acct:%d" % i for i in range(8)]
        self.cmd("MSET", *sum(([a, "100"] for a in accounts), []))

        def transfers(seed):
            c = self.server.raw()
            for i in range(200):
                a, b = accounts[(seed + i) % 8], accounts[(seed * 3 + i * 5 + 1) % 8]
                if a == b:
                    continue
                c.execute("MULTI")
                c.execute("DECRBY", a, "7")
                c.execute("INCRBY", b, "7")
                c.execute("EXEC")

        threads = [threading.Thread(target=transfers, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sum(int(v) for v in self.cmd("MGET", *accounts)), 800)


class TestNoMulti(ServerTestCase):
    """Commands Redis flags no-multi are refused when queued; EXEC then
    aborts, and the server and the reply stream go on."""

    NOT_ALLOWED = "ERR Command not allowed inside a transaction"
    EXECABORT = "EXECABORT Transaction discarded because of previous errors."

    def test_shutdown_and_save_refused_when_queued(self):
        for command in (("SHUTDOWN",), ("SHUTDOWN", "NOSAVE"), ("SAVE",)):
            c = self.server.raw()
            self.assertEqual(c.execute("MULTI"), "OK")
            self.assertEqual(c.execute("SET", "nm:a", "1"), "QUEUED")
            self.assertEqual(c.execute(*command), harness.RespError(self.NOT_ALLOWED))
            self.assertEqual(c.execute("EXEC"), harness.RespError(self.EXECABORT))
            self.assertIsNone(self.cmd("GET", "nm:a"))
            self.assertEqual(self.server.client().ping(), True)
            c.close()

    def test_pipelined_replies_stay_in_order(self):
        c = self.server.raw()
        c.send_raw(c.encode("MULTI") + c.encode("SHUTDOWN") + c.encode("EXEC") + c.encode("SET", "nm:b", "2") +
                   c.encode("GET", "nm:b"))
        self.assertEqual([c.read() for _ in range(5)],
                         ["OK", harness.RespError(self.NOT_ALLOWED), harness.RespError(self.EXECABORT), "OK", b"2"])

    def test_command_info_flags(self):
        info = self.server.raw().execute("COMMAND", "INFO", "shutdown", "save")
        for entry in info:
            self.assertIn("no_multi", entry[2], entry[0])

    def test_rejections_counted(self):
        self.cmd("CONFIG", "RESETSTAT")
        c = self.server.raw()
        c.execute("MULTI")
        c.execute("SAVE")
        c.execute("DISCARD")
        stats = self.server.client().info("commandstats")
        self.assertEqual(stats["cmdstat_save"]["rejected_calls"], 1)
        self.assertEqual(stats["cmdstat_save"]["calls"], 0)


if __name__ == "__main__":
    main()
