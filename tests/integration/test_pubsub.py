#!/usr/bin/python3
"""Pub/sub: SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE, PUBLISH/SPUBLISH, PUBSUB
introspection, RESP2 subscribed mode and RESP3 pushes, delivery across
shards, and a slow subscriber cut off by client-output-buffer-limit."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, main  # noqa: E402


class TestPubSub(ServerTestCase):
    shards = 4

    def test_subscribe_publish_unsubscribe(self):
        sub = self.server.raw()
        self.assertEqual(sub.execute("SUBSCRIBE", "news", "sport"), [b"subscribe", b"news", 1])
        self.assertEqual(sub.read(), [b"subscribe", b"sport", 2])
        self.assertEqual(self.cmd("PUBLISH", "news", "hello"), 1)
        self.assertEqual(sub.read(), [b"message", b"news", b"hello"])
        self.assertEqual(self.cmd("PUBLISH", "nobody", "x"), 0)
        self.assertEqual(sub.execute("UNSUBSCRIBE", "news"), [b"unsubscribe", b"news", 1])
        self.assertEqual(self.cmd("PUBLISH", "news", "again"), 0)
        self.assertEqual(sub.execute("UNSUBSCRIBE"), [b"unsubscribe", b"sport", 0])
        self.assertEqual(sub.execute("UNSUBSCRIBE"), [b"unsubscribe", None, 0])
        self.assertEqual(sub.execute("GET", "k"), None)  # out of subscribed mode

    def test_patterns(self):
        sub = self.server.raw()
        self.assertEqual(sub.execute("PSUBSCRIBE", "n*"), [b"psubscribe", b"n*", 1])
        self.assertEqual(self.cmd("PUBLISH", "news", "hi"), 1)
        self.assertEqual(sub.read(), [b"pmessage", b"n*", b"news", b"hi"])
        self.assertEqual(self.cmd("PUBSUB", "NUMPAT"), 1)
        self.assertEqual(sub.execute("PUNSUBSCRIBE", "n*"), [b"punsubscribe", b"n*", 0])

    def test_many_subscribers_across_shards(self):
        subs = [self.server.raw() for _ in range(8)]
        for s in subs:
            s.execute("SUBSCRIBE", "fan")
        self.assertEqual(self.cmd("PUBLISH", "fan", "out"), 8)
        for s in subs:
            self.assertEqual(s.read(), [b"message", b"fan", b"out"])
        # order of messages from one publisher is kept for every subscriber
        pub = self.server.raw()
        for i in range(50):
            pub.execute("PUBLISH", "fan", str(i))
        for s in subs:
            self.assertEqual([s.read()[2] for _ in range(50)], [str(i).encode() for i in range(50)])

    def test_resp2_subscribed_mode(self):
        sub = self.server.raw()
        sub.execute("SUBSCRIBE", "c")
        self.assertEqual(sub.execute("GET", "x"), harness.RespError(
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
            "this context"))
        self.assertEqual(sub.execute("PING"), [b"pong", b""])
        self.assertEqual(sub.execute("PING", "hi"), [b"pong", b"hi"])
        self.assertEqual(sub.execute("RESET"), "RESET")
        self.assertEqual(self.cmd("PUBSUB", "NUMSUB", "c"), [b"c", 0])

    def test_resp3_push(self):
        sub = self.server.raw(protocol=3)
        reply = sub.execute("SUBSCRIBE", "c")
        self.assertIsInstance(reply, harness.RespPush)
        self.assertEqual(list(reply), [b"subscribe", b"c", 1])
        # RESP3 clients may run any command while subscribed
        self.assertIs(sub.execute("GET", "x"), harness.RESP3_NULL)
        self.cmd("PUBLISH", "c", "m")
        msg = sub.read()
        self.assertIsInstance(msg, harness.RespPush)
        self.assertEqual(list(msg), [b"message", b"c", b"m"])

    def test_introspection(self):
        a, b = self.server.raw(), self.server.raw()
        a.execute("SUBSCRIBE", "x1", "x2")
        b.execute("SUBSCRIBE", "x1")
        self.assertEqual(sorted(self.cmd("PUBSUB", "CHANNELS")), [b"x1", b"x2"])
        self.assertEqual(self.cmd("PUBSUB", "CHANNELS", "*2"), [b"x2"])
        self.assertEqual(self.cmd("PUBSUB", "NUMSUB", "x1", "x2", "x3"), [b"x1", 2, b"x2", 1, b"x3", 0])

    def test_sharded(self):
        sub = self.server.raw()
        self.assertEqual(sub.execute("SSUBSCRIBE", "{u1}.events"), [b"ssubscribe", b"{u1}.events", 1])
        self.assertEqual(self.cmd("SPUBLISH", "{u1}.events", "e"), 1)
        self.assertEqual(sub.read(), [b"smessage", b"{u1}.events", b"e"])
        self.assertEqual(self.cmd("PUBLISH", "{u1}.events", "plain"), 0)  # a different namespace
        self.assertEqual(self.cmd("PUBSUB", "SHARDCHANNELS"), [b"{u1}.events"])
        self.assertEqual(self.cmd("PUBSUB", "SHARDNUMSUB", "{u1}.events"), [b"{u1}.events", 1])
        self.assertEqual(sub.execute("SUNSUBSCRIBE"), [b"sunsubscribe", b"{u1}.events", 0])

    def test_disconnected_subscriber_is_forgotten(self):
        sub = self.server.raw()
        sub.execute("SUBSCRIBE", "gone")
        sub.close()
        time.sleep(0.2)
        self.assertEqual(self.cmd("PUBLISH", "gone", "x"), 0)


class TestSlowSubscriber(ServerTestCase):
    server_args = ("--client-output-buffer-limit", "pubsub 1mb 256kb 1")

    def test_cut_off_and_memory_bounded(self):
        self.assertEqual(self.cmd("CONFIG", "GET", "client-output-buffer-limit"),
                         [b"client-output-buffer-limit", b"normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 262144 1"])
        slow = self.server.raw()
        slow.execute("SUBSCRIBE", "firehose")
        payload = "x" * 65536
        pub = self.server.raw()
        delivered_to = []
        for _ in range(400):  # 25 MB in all, never read by the subscriber
            delivered_to.append(pub.execute("PUBLISH", "firehose", payload))
            if delivered_to[-1] == 0:
                break
        # the subscriber was dropped long before 25 MB piled up for it
        self.assertEqual(delivered_to[-1], 0)
        self.assertLess(len(delivered_to), 200)
        self.assertEqual(self.cmd("PUBSUB", "NUMSUB", "firehose"), [b"firehose", 0])
        used = self.server.client().info("memory")["used_memory"]
        self.assertLess(used, 20 * 1024 * 1024)
        # what reached the subscriber before the cut ends with the close
        self.assertTrue(slow.is_closed(timeout=10))


class TestNormalOutputLimit(ServerTestCase):
    server_args = ("--client-output-buffer-limit", "normal 1mb 0 0")

    def test_client_not_reading_is_cut_off(self):
        self.cmd("SET", "big", "x" * 100000)
        greedy = self.server.raw()
        greedy.sock.setsockopt(harness.socket.SOL_SOCKET, harness.socket.SO_RCVBUF, 65536)
        # 2000 GETs of 100 KB each, never read: 200 MB of replies
        greedy.send_raw(greedy.encode("GET", "big") * 2000)
        self.assertTrue(greedy.is_closed(timeout=10))
        self.assertLess(self.server.client().info("memory")["used_memory"], 30 * 1024 * 1024)
        self.assertEqual(self.server.client().ping(), True)


if __name__ == "__main__":
    main()
