#!/usr/bin/python3
"""Blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP and
CLIENT UNBLOCK, with Redis 7.0's replies; first come first served; no
element lost or handed out twice when pushes land on several shards at
once."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402


def later(delay, fn, *args):
    t = threading.Timer(delay, fn, args)
    t.start()
    return t


class TestBlockingPops(ServerTestCase):

    def test_immediate(self):
        self.cmd("RPUSH", "l", "a", "b")
        self.assertEqual(self.cmd("BLPOP", "none", "l", "0"), [b"l", b"a"])
        self.assertEqual(self.cmd("BRPOP", "l", "0"), [b"l", b"b"])
        self.assertEqual(self.cmd("EXISTS", "l"), 0)

    def test_blocks_until_push(self):
        c = self.server.raw()
        t = later(0.2, self.cmd, "RPUSH", "q2", "x")
        self.assertEqual(c.execute("BLPOP", "q1", "q2", "5"), [b"q2", b"x"])
        t.join()
        self.assertEqual(self.cmd("EXISTS", "q2"), 0)

    def test_timeout(self):
        c = self.server.raw()
        start = time.time()
        self.assertIsNone(c.execute("BLPOP", "nothing", "0.2"))
        self.assertGreaterEqual(time.time() - start, 0.15)
        self.assertIsNone(c.execute("BLMOVE", "nothing", "dst", "LEFT", "RIGHT", "0.1"))
        self.assertIsNone(c.execute("BLMPOP", "0.1", "1", "nothing", "LEFT"))
        # the connection is usable afterwards
        self.assertEqual(c.execute("PING"), "PONG")

    def test_resp3_timeout_is_null(self):
        c = self.server.raw(protocol=3)
        self.assertIs(c.execute("BLPOP", "nothing", "0.1"), harness.RESP3_NULL)

    def test_errors(self):
        self.assertCmdError("ERR timeout is negative", "BLPOP", "l", "-1")
        self.assertCmdError("ERR timeout is not a float or out of range", "BLPOP", "l", "abc")
        self.assertCmdError("ERR syntax error", "BLMOVE", "a", "b", "UP", "LEFT", "0")
        self.assertCmdError("ERR numkeys should be greater than 0", "BLMPOP", "0", "0", "l", "LEFT")
        self.cmd("SET", "s", "v")
        self.assertCmdError("WRONGTYPE Operation against a key holding the wrong kind of value", "BLPOP", "s", "0")

    def test_pipelined_commands_wait(self):
        # commands after a blocked one run only once it is answered
        c = self.server.raw()
        c.send_raw(c.encode("BLPOP", "pq", "5") + c.encode("RPUSH", "pq", "mine"))
        time.sleep(0.2)
        self.assertEqual(self.cmd("LLEN", "pq"), 0)
        self.cmd("RPUSH", "pq", "theirs")
        self.assertEqual(c.read(), [b"pq", b"theirs"])
        self.assertEqual(c.read(), 1)

    def test_first_come_first_served(self):
        clients = [self.server.raw() for _ in range(3)]
        for i, c in enumerate(clients):
            c.send_raw(c.encode("BLPOP", "fifo", "5"))
            time.sleep(0.05)
        self.cmd("RPUSH", "fifo", "1", "2", "3")
        self.assertEqual([c.read()[1] for c in clients], [b"1", b"2", b"3"])

    def test_blmove_and_brpoplpush(self):
        c = self.server.raw()
        t = later(0.2, self.cmd, "RPUSH", "src", "v")
        self.assertEqual(c.execute("BLMOVE", "src", "dst", "LEFT", "LEFT", "5"), b"v")
        t.join()
        self.assertEqual(self.cmd("LRANGE", "dst", "0", "-1"), [b"v"])
        t = later(0.2, self.cmd, "RPUSH", "src", "w")
        self.assertEqual(c.execute("BRPOPLPUSH", "src", "dst", "5"), b"w")
        t.join()
        self.assertEqual(self.cmd("LRANGE", "dst", "0", "-1"), [b"w", b"v"])

    def test_blmpop(self):
        c = self.server.raw()
        t = later(0.2, self.cmd, "RPUSH", "m2", "a", "b", "c")
        self.assertEqual(c.execute("BLMPOP", "5", "2", "m1", "m2", "RIGHT", "COUNT", "2"), [b"m2", [b"c", b"b"]])
        t.join()

    def test_bzpopmin_bzpopmax(self):
        self.cmd("ZADD", "z", "1", "a", "2", "b")
        self.assertEqual(self.cmd("BZPOPMIN", "none", "z", "0"), [b"z", b"a", b"1"])
        self.assertEqual(self.cmd("BZPOPMAX", "z", "0"), [b"z", b"b", b"2"])
        c = self.server.raw()
        t = later(0.2, self.cmd, "ZADD", "z2", "5", "m")
        self.assertEqual(c.execute("BZPOPMAX", "z1", "z2", "5"), [b"z2", b"m", b"5"])
        t.join()
        self.assertIsNone(c.execute("BZPOPMIN", "nothing", "0.1"))
        self.cmd("SET", "s", "v")
        self.assertCmdError("WRONGTYPE Operation against a key holding the wrong kind of value", "BZPOPMIN", "s", "0")

    def test_bzmpop(self):
        c = self.server.raw()
        t = later(0.2, self.cmd, "ZADD", "bz", "1", "a", "2", "b", "3", "c")
        self.assertEqual(c.execute("BZMPOP", "5", "2", "none", "bz", "MAX", "COUNT", "2"),
                         [b"bz", [[b"c", b"3"], [b"b", b"2"]]])
        t.join()
        self.assertIsNone(c.execute("BZMPOP", "0.1", "1", "nothing", "MIN"))

    def test_resp3_bzpopmin_score_is_double(self):
        c = self.server.raw(protocol=3)
        self.cmd("ZADD", "z3", "1.5", "a")
        self.assertEqual(c.execute("BZPOPMIN", "z3", "0"), [b"z3", b"a", 1.5])

    def test_inside_multi_does_not_block(self):
        c = self.server.raw()
        c.execute("MULTI")
        c.execute("BLPOP", "nothing", "0")
        self.assertEqual(c.execute("EXEC"), [None])

    def test_client_unblock(self):
        c = self.server.raw()
        cid = c.execute("CLIENT", "ID")
        c.send_raw(c.encode("BLPOP", "nothing", "0"))
        time.sleep(0.2)
        self.assertEqual(self.cmd("CLIENT", "UNBLOCK", str(cid)), 1)
        self.assertIsNone(c.read())
        self.assertEqual(self.cmd("CLIENT", "UNBLOCK", str(cid)), 0)
        c.send_raw(c.encode("BLPOP", "nothing", "0"))
        time.sleep(0.2)
        self.assertEqual(self.cmd("CLIENT", "UNBLOCK", str(cid), "ERROR"), 1)
        self.assertEqual(c.read(), harness.RespError("UNBLOCKED client unblocked via CLIENT UNBLOCK"))

    def test_blocked_clients_in_info(self):
        c = self.server.raw()
        c.send_raw(c.encode("BLPOP", "nothing", "0"))
        time.sleep(0.2)
        self.assertEqual(self.server.client().info("clients")["blocked_clients"], 1)
        self.cmd("RPUSH", "nothing", "x")
        self.assertEqual(c.read(), [b"nothing", b"x"])
        self.assertEqual(self.server.client().info("clients")["blocked_clients"], 0)

    def test_disconnect_while_blocked(self):
        c = self.server.raw()
        c.send_raw(c.encode("BLPOP", "gone", "0"))
        time.sleep(0.1)
        c.close()
        time.sleep(0.1)
        self.cmd("RPUSH", "gone", "kept")
        # the element was not handed to the closed client
        self.assertEqual(self.cmd("LRANGE", "gone", "0", "-1"), [b"kept"])


class TestNoLostElements(ServerTestCase):
    shards = 4

    def test_many_blockers_many_shards(self):
        keys = ["bl:%d" % i for i in range(6)]  # spread over the shards
        got = []
        lock = threading.Lock()
        stop = threading.Event()

        def consumer():
            c = self.server.raw()
            while not stop.is_set():
                r = c.execute("BLPOP", *keys, "0.2")
                if r is not None:
                    with lock:
                        got.append(r[1])

        def producer(n):
            c = self.server.raw()
            for i in range(300):
                c.execute("RPUSH", keys[(n + i) % len(keys)], "%d:%d" % (n, i))

        consumers = [threading.Thread(target=consumer) for _ in range(6)]
        for t in consumers:
            t.start()
        producers = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
        for t in producers:
            t.start()
        for t in producers:
            t.join()
        deadline = time.time() + 10
        while time.time() < deadline:
            with lock:
                if len(got) >= 1200:
                    break
            time.sleep(0.05)
        stop.set()
        for t in consumers:
            t.join()
        left = sum(self.cmd("LLEN", k) for k in keys)
        self.assertEqual(len(got) + left, 1200)
        self.assertEqual(len(set(got)), len(got))  # nothing handed out twice

    def test_blmove_across_shards(self):
        c = self.server.raw()
        t = later(0.2, self.cmd, "RPUSH", "from:a", "v")
        self.assertEqual(c.execute("BLMOVE", "from:a", "to:zzz", "LEFT", "RIGHT", "5"), b"v")
        t.join()
        self.assertEqual(self.cmd("LRANGE", "to:zzz", "0", "-1"), [b"v"])

    def test_rename_and_lmove_into_the_key_serve(self):
        self.cmd("RPUSH", "rn:src", "a", "b")
        c = self.server.raw()
        c.send_raw(c.encode("BLPOP", "rn:wait", "5"))
        time.sleep(0.1)
        self.assertCmdOk("RENAME", "rn:src", "rn:wait")
        self.assertEqual(c.read(), [b"rn:wait", b"a"])
        c.send_raw(c.encode("BLPOP", "lm:wait", "5"))
        time.sleep(0.1)
        self.assertEqual(self.cmd("LMOVE", "rn:wait", "lm:wait", "LEFT", "LEFT"), b"b")
        self.assertEqual(c.read(), [b"lm:wait", b"b"])

    def test_push_inside_exec_serves(self):
        c = self.server.raw()
        c.send_raw(c.encode("BLPOP", "ex:1", "5"))
        time.sleep(0.1)
        tx = self.server.raw()
        tx.execute("MULTI")
        tx.execute("RPUSH", "ex:1", "a")
        tx.execute("SET", "ex:other", "1")
        self.assertEqual(tx.execute("EXEC"), [1, "OK"])
        self.assertEqual(c.read(), [b"ex:1", b"a"])


class WakeUpAfterAFailedWaiter(object):
    """A waiter that fails or leaves must not keep the element from the next
    one (Redis serves the next client in line)."""

    WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"

    def _two_waiters(self, first, second):
        c1, c2 = self.server.raw(), self.server.raw()
        c1.send_raw(c1.encode(*first))
        time.sleep(0.1)
        c2.send_raw(c2.encode(*second))
        time.sleep(0.1)
        return c1, c2

    def test_wrongtype_destination_passes_the_element_on(self):
        for name, tail in (("BRPOPLPUSH", ()), ("BLMOVE", ("RIGHT", "LEFT"))):
            self.r.flushall()
            self.cmd("SET", "wt:dst1", "a string")
            c1, c2 = self._two_waiters((name, "wt:src", "wt:dst1") + tail + ("5",),
                                       (name, "wt:src", "wt:dst2") + tail + ("5",))
            self.assertEqual(self.cmd("LPUSH", "wt:src", "foo"), 1)
            self.assertEqual(c1.read(), harness.RespError(self.WRONGTYPE), name)
            self.assertEqual(c2.read(), b"foo", name)
            self.assertEqual(self.cmd("LRANGE", "wt:dst2", "0", "-1"), [b"foo"], name)
            self.assertEqual(self.cmd("EXISTS", "wt:src"), 0, name)
            self.assertEqual(self.cmd("GET", "wt:dst1"), b"a string", name)

    def test_disconnected_waiter_passes_the_element_on(self):
        for first, second, push, expect in (
                (("BLPOP", "dc:k", "5"), ("BLPOP", "dc:k", "5"), ("RPUSH", "dc:k", "x"), [b"dc:k", b"x"]),
                (("BLMPOP", "5", "1", "dc:k", "LEFT"), ("BLMOVE", "dc:k", "dc:d", "LEFT", "LEFT", "5"),
                 ("RPUSH", "dc:k", "y"), b"y"),
                (("BZMPOP", "5", "1", "dc:z", "MIN"), ("BZPOPMIN", "dc:z", "5"), ("ZADD", "dc:z", "1", "m"),
                 [b"dc:z", b"m", b"1"])):
            self.r.flushall()
            c1, c2 = self._two_waiters(first, second)
            c1.close()
            time.sleep(0.1)
            self.cmd(*push)
            self.assertEqual(c2.read(), expect, first)


class TestWakeUpOneShard(WakeUpAfterAFailedWaiter, ServerTestCase):
    shards = 1


class TestWakeUpFourShards(WakeUpAfterAFailedWaiter, ServerTestCase):
    shards = 4


if __name__ == "__main__":
    main()
