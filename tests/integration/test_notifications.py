#!/usr/bin/python3
"""Keyspace notifications (notify-keyspace-events): Redis 7.0's event names,
classes and order for the core and data-type commands, on
__keyspace@0__:<key> and __keyevent@0__:<event>."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402


class TestNotifications(ServerTestCase):
    # One shard: events reach a subscriber in exactly the order Redis sends
    # them. (Across shards, events of different keys come from different
    # threads and may interleave differently; TestNotificationsSharded.)
    shards = 1

    def setUp(self):
        super().setUp()
        self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "KEA")
        self.sub = self.server.raw()
        self.sub.execute("PSUBSCRIBE", "__keyevent@0__:*")

    def tearDown(self):
        self.sub.close()
        self.cmd("CONFIG", "SET", "notify-keyspace-events", "")

    def events(self, *commands, expect=None):
        """Runs the commands, then returns the (event, key) pairs seen (at
        least `expect` of them when given)."""
        for c in commands:
            self.cmd(*c)
        if expect is not None:
            return [self.read_event() for _ in range(expect)]
        self.cmd("PUBLISH", "__keyevent@0__:zzz-end", "end")
        out = []
        while True:
            event = self.read_event()
            if event[0] == "zzz-end":
                return out
            out.append(event)

    def read_event(self):
        msg = self.sub.read()
        return (msg[2].decode().split(":", 1)[1], msg[3].decode())

    def assertEvents(self, commands, expected):
        self.assertEqual(self.events(*commands), expected)

    def test_config_round_trip(self):
        self.assertEqual(self.cmd("CONFIG", "GET", "notify-keyspace-events"), [b"notify-keyspace-events", b"AKE"])
        self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "Kgx")
        self.assertEqual(self.cmd("CONFIG", "GET", "notify-keyspace-events"), [b"notify-keyspace-events", b"gxK"])
        self.assertCmdError("ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
                            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
                            "CONFIG", "SET", "notify-keyspace-events", "KQ")
        self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "KEA")

    def test_strings_and_keys(self):
        self.assertEvents((
            ("SET", "a", "1"), ("SET", "a", "2", "EX", "100"), ("INCR", "a"), ("APPEND", "a", "x"),
            ("SETRANGE", "a", "0", "z"), ("EXPIRE", "a", "50"), ("PERSIST", "a"), ("RENAME", "a", "b"),
            ("COPY", "b", "c"), ("DEL", "b", "c", "nokey"), ("MSET", "m1", "1", "m2", "2"),
            ("INCRBYFLOAT", "m1", "1.5"), ("GETDEL", "m2"), ("SETEX", "s", "100", "v"), ("EXPIRE", "s", "0")),
            [("set", "a"), ("set", "a"), ("expire", "a"), ("incrby", "a"), ("append", "a"), ("setrange", "a"),
             ("expire", "a"), ("persist", "a"), ("rename_from", "a"), ("rename_to", "b"), ("copy_to", "c"),
             ("del", "b"), ("del", "c"), ("set", "m1"), ("set", "m2"), ("incrbyfloat", "m1"), ("del", "m2"),
             ("set", "s"), ("expire", "s"), ("del", "s")])

    def test_collections(self):
        self.assertEvents((
            ("RPUSH", "l", "a", "b"), ("LPOP", "l"), ("LMOVE", "l", "l2", "LEFT", "RIGHT"),
            ("HSET", "h", "f", "1"), ("HINCRBY", "h", "f", "2"), ("HDEL", "h", "f"),
            ("SADD", "s", "x", "y"), ("SREM", "s", "x"), ("SADD", "s", "y"), ("SINTERSTORE", "dst", "s"),
            ("ZADD", "z", "1", "m"), ("ZINCRBY", "z", "1", "m"), ("ZPOPMIN", "z")),
            [("rpush", "l"), ("lpop", "l"), ("rpush", "l2"), ("lpop", "l"), ("del", "l"),
             ("hset", "h"), ("hincrby", "h"), ("hdel", "h"), ("del", "h"),
             ("sadd", "s"), ("srem", "s"), ("sinterstore", "dst"),
             ("zadd", "z"), ("zincr", "z"), ("zpopmin", "z"), ("del", "z")])

    def test_expired(self):
        self.cmd("SET", "e", "1", "PX", "30")
        time.sleep(0.3)
        self.assertIsNone(self.cmd("GET", "e"))
        self.assertEqual(sorted(self.events(expect=3)), [("expire", "e"), ("expired", "e"), ("set", "e")])

    def test_keyspace_channel(self):
        ks = self.server.raw()
        ks.execute("SUBSCRIBE", "__keyspace@0__:k1")
        self.cmd("SET", "k1", "v")
        self.assertEqual(ks.read(), [b"message", b"__keyspace@0__:k1", b"set"])

    def test_keymiss(self):
        self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "Em")
        self.cmd("SET", "present", "1")
        self.assertEvents((("GET", "nokey"), ("GET", "present"), ("HGET", "nohash", "f"),
                           ("HSET", "newhash", "f", "v")),
                          [("keymiss", "nokey"), ("keymiss", "nohash")])

    def test_classes_filter(self):
        self.assertCmdOk("CONFIG", "SET", "notify-keyspace-events", "El")
        self.assertEvents((("SET", "x", "1"), ("LPUSH", "q", "a"), ("DEL", "x")), [("lpush", "q")])


class TestNotificationsSharded(TestNotifications):
    """The same events with keys spread over 4 shards: all of them arrive;
    those of one key keep their order."""
    shards = 4

    def assertEvents(self, commands, expected):
        got = self.events(*commands, expect=len(expected))
        self.assertEqual(sorted(got), sorted(expected))
        for key in {k for _, k in expected}:
            self.assertEqual([e for e in got if e[1] == key], [e for e in expected if e[1] == key], key)


if __name__ == "__main__":
    main()
