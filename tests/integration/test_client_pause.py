#!/usr/bin/python3
"""CLIENT PAUSE [WRITE|ALL] and CLIENT UNPAUSE as Redis 7.0: paused commands
wait (reads go on under WRITE), run in order when the pause ends or is
lifted, on every shard; nothing expires while paused."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402


class TestClientPause(ServerTestCase):
    shards = 4  # the pausing client and the paused ones on different shards

    def tearDown(self):
        # A pause left by a failed test would stall the next one.
        c = self.server.raw()
        c.execute("CLIENT", "UNPAUSE")
        c.close()
        super().tearDown()

    def blocked_clients(self):
        return self.server.client().info("clients")["blocked_clients"]

    def assertWaits(self, client):
        self.assertEqual(client.read_raw(timeout=0.3), b"")

    def test_write_pause_lets_reads_through(self):
        self.cmd("SET", "k", "v")
        self.assertEqual(self.cmd("CLIENT", "PAUSE", "100000", "WRITE"), "OK")
        others = [self.server.raw() for _ in range(4)]
        for c in others:
            self.assertEqual(c.execute("GET", "k"), b"v")
            self.assertEqual(c.execute("PING"), "PONG")
        self.assertEqual(self.blocked_clients(), 0)
        for i, c in enumerate(others):
            c.send("SET", "k", str(i))
        for c in others:
            self.assertWaits(c)
        self.assertEqual(self.blocked_clients(), 4)
        self.assertEqual(self.cmd("GET", "k"), b"v")
        self.assertEqual(self.cmd("CLIENT", "UNPAUSE"), "OK")
        for c in others:
            self.assertEqual(c.read(), "OK")
        self.assertIn(self.cmd("GET", "k"), [b"0", b"1", b"2", b"3"])
        for c in others:
            c.close()

    def test_pipeline_waits_in_order(self):
        self.cmd("CLIENT", "PAUSE", "100000", "WRITE")
        c = self.server.raw()
        c.send_raw(c.encode("INCR", "n") + c.encode("GET", "n") + c.encode("INCR", "n"))
        self.assertWaits(c)
        self.cmd("CLIENT", "UNPAUSE")
        self.assertEqual([c.read(), c.read(), c.read()], [1, b"1", 2])
        c.close()

    def test_publish_waits_under_write(self):
        self.cmd("CLIENT", "PAUSE", "100000", "WRITE")
        c = self.server.raw()
        c.send("PUBLISH", "ch", "m")
        self.assertWaits(c)
        self.cmd("CLIENT", "UNPAUSE")
        self.assertEqual(c.read(), 0)
        c.close()

    def test_multi_under_write_pause(self):
        c = self.server.raw()
        c.execute("MULTI")
        self.assertEqual(c.execute("SET", "a", "1"), "QUEUED")
        reader = self.server.raw()
        reader.execute("MULTI")
        reader.execute("GET", "a")
        self.cmd("CLIENT", "PAUSE", "100000", "WRITE")
        # EXEC of reads runs; EXEC of a queued write waits.
        self.assertEqual(reader.execute("EXEC"), [None])
        c.send("EXEC")
        self.assertWaits(c)
        # Queuing a write waits too, as in Redis.
        q = self.server.raw()
        q.execute("MULTI")
        q.send("SET", "b", "2")
        self.assertWaits(q)
        self.cmd("CLIENT", "UNPAUSE")
        self.assertEqual(c.read(), ["OK"])
        self.assertEqual(q.read(), "QUEUED")
        self.assertEqual(q.execute("EXEC"), ["OK"])
        for x in (c, reader, q):
            x.close()

    def test_all_pause_holds_every_command_until_it_ends(self):
        self.assertEqual(self.cmd("CLIENT", "PAUSE", "1500"), "OK")
        c = self.server.raw()
        c.send("PING")
        self.assertWaits(c)
        # CLIENT UNPAUSE is a command like any other: it waits too.
        u = self.server.raw()
        u.send("CLIENT", "UNPAUSE")
        self.assertWaits(u)
        self.assertEqual(c.read(), "PONG")
        self.assertEqual(u.read(), "OK")
        for x in (c, u):
            x.close()

    def test_stricter_and_longer_pause_wins(self):
        # A pause on top of another keeps the later end and the stricter mode.
        self.cmd("CLIENT", "PAUSE", "1500", "WRITE")
        self.cmd("CLIENT", "PAUSE", "10", "ALL")
        c = self.server.raw()
        c.send("PING")
        self.assertWaits(c)
        self.assertEqual(c.read(), "PONG")
        c.close()

    def test_nothing_expires_while_paused(self):
        self.cmd("SET", "gone", "v", "PX", "100")
        self.cmd("SET", "kept", "v")
        self.cmd("CLIENT", "PAUSE", "100000", "WRITE")
        time.sleep(0.3)
        self.assertIsNone(self.cmd("GET", "gone"))
        self.assertEqual(self.cmd("EXISTS", "gone"), 0)
        self.assertEqual(self.cmd("DBSIZE"), 2)  # found expired, but not deleted
        self.cmd("CLIENT", "UNPAUSE")
        self.assertIsNone(self.cmd("GET", "gone"))
        self.assertEqual(self.cmd("DBSIZE"), 1)

    def test_client_leaving_while_paused(self):
        self.cmd("CLIENT", "PAUSE", "100000", "WRITE")
        c = self.server.raw()
        c.send("SET", "left", "1")
        self.assertWaits(c)
        c.close()
        time.sleep(0.1)
        self.cmd("CLIENT", "UNPAUSE")
        self.assertEqual(self.cmd("PING"), "PONG")
        self.assertIsNone(self.cmd("GET", "left"))

    def test_errors(self):
        self.assertCmdError("ERR timeout is not an integer or out of range", "CLIENT", "PAUSE", "x")
        self.assertCmdError("ERR timeout is negative", "CLIENT", "PAUSE", "-1")
        self.assertCmdError("ERR CLIENT PAUSE mode must be WRITE or ALL", "CLIENT", "PAUSE", "10", "foo")
        self.assertCmdError("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.",
                            "CLIENT", "PAUSE", "10", "WRITE", "x")
        self.assertCmdError("ERR wrong number of arguments for 'client|unpause' command", "CLIENT", "UNPAUSE", "x")
        self.assertEqual(self.cmd("CLIENT", "UNPAUSE"), "OK")


if __name__ == "__main__":
    main()
