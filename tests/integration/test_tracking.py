#!/usr/bin/python3
"""Client-side caching: CLIENT TRACKING (default, BCAST, OPTIN, OPTOUT,
NOLOOP, REDIRECT), CLIENT CACHING, GETREDIR, TRACKINGINFO, invalidations as
RESP3 pushes and, for a RESP2 redirect client, __redis__:invalidate
messages; keys on every shard; flushes and expiry invalidate too."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase, RespError, RespPush, main  # noqa: E402


class TestTracking(ServerTestCase):
    shards = 4  # keys and clients on different shards

    def setUp(self):
        super().setUp()
        self.opened = []

    def tearDown(self):
        for c in self.opened:
            c.close()
        self.cmd("CONFIG", "SET", "tracking-table-max-keys", "1000000")
        super().tearDown()

    def client(self, protocol=2):
        c = self.server.raw(protocol=protocol)
        self.opened.append(c)
        return c

    def tracker(self, *options):
        c = self.client(protocol=3)
        self.assertEqual(c.execute("CLIENT", "TRACKING", "ON", *options), "OK")
        return c

    def assertNothingPending(self, c):
        # A PING's reply comes first when nothing was pushed before it.
        self.assertEqual(c.execute("PING"), "PONG")

    def assertInvalidated(self, c, keys):
        got = []
        while len(got) < len(keys):
            push = c.read()
            self.assertIsInstance(push, RespPush, push)
            self.assertEqual(push[0], b"invalidate")
            got.extend(push[1])
        self.assertEqual(sorted(got), sorted(k.encode() for k in keys))

    def test_default_mode_invalidates_once_per_read(self):
        c = self.tracker()
        self.cmd("SET", "k", "1")
        self.assertEqual(c.execute("GET", "k"), b"1")
        self.cmd("SET", "k", "2")
        self.assertInvalidated(c, ["k"])
        # Not read again: no second invalidation.
        self.cmd("SET", "k", "3")
        self.assertNothingPending(c)
        self.assertEqual(c.execute("GET", "k"), b"3")
        self.cmd("DEL", "k")
        self.assertInvalidated(c, ["k"])

    def test_keys_on_every_shard(self):
        keys = ["key:%d" % i for i in range(16)]
        c = self.tracker()
        self.assertEqual(c.execute("MGET", *keys), [harness.RESP3_NULL] * 16)
        writer = self.client()
        for k in keys:
            writer.execute("SET", k, "v")
        self.assertInvalidated(c, keys)
        self.assertEqual(c.execute("STRLEN", "key:0"), 1)
        writer.execute("MSET", "key:0", "a", "key:1", "b")
        self.assertInvalidated(c, ["key:0"])

    def test_writes_of_every_kind_invalidate(self):
        c = self.tracker()
        self.cmd("RPUSH", "l", "a")
        self.cmd("HSET", "h", "f", "v")
        self.cmd("SET", "s", "v")
        c.execute("LRANGE", "l", "0", "-1")
        c.execute("HGET", "h", "f")
        c.execute("GET", "s")
        self.cmd("LPUSH", "l", "b")
        self.cmd("HDEL", "h", "f")
        self.cmd("EXPIRE", "s", "100")
        self.assertInvalidated(c, ["l", "h", "s"])

    def test_noloop(self):
        c = self.tracker("NOLOOP")
        c.execute("GET", "k")
        c.execute("SET", "k", "mine")
        self.assertNothingPending(c)
        c.execute("GET", "k")
        self.cmd("SET", "k", "theirs")
        self.assertInvalidated(c, ["k"])

    def test_own_write_is_invalidated_after_its_reply(self):
        c = self.tracker()
        c.execute("GET", "k")
        self.assertEqual(c.execute("SET", "k", "v"), "OK")
        self.assertInvalidated(c, ["k"])

    def test_resp2_redirect_to_a_subscriber(self):
        r = self.client()
        rid = r.execute("CLIENT", "ID")
        r.execute("SUBSCRIBE", "__redis__:invalidate")
        c = self.client()
        self.assertEqual(c.execute("CLIENT", "TRACKING", "ON", "REDIRECT", str(rid)), "OK")
        self.assertEqual(c.execute("CLIENT", "GETREDIR"), rid)
        c.execute("GET", "k")
        self.cmd("SET", "k", "v")
        self.assertEqual(r.read(), [b"message", b"__redis__:invalidate", [b"k"]])
        self.assertNothingPending(c)

    def test_redirect_broken(self):
        r = self.client()
        rid = r.execute("CLIENT", "ID")
        c = self.tracker("REDIRECT", str(rid))
        c.execute("GET", "k")
        r.close()
        time.sleep(0.1)
        self.cmd("SET", "k", "v")
        self.assertEqual(c.read(), RespPush([b"tracking-redir-broken", rid]))
        info = c.execute("CLIENT", "TRACKINGINFO")
        self.assertIn(b"broken_redirect", info[b"flags"])

    def test_bcast_prefixes(self):
        c = self.tracker("BCAST", "PREFIX", "user:", "PREFIX", "item:")
        self.cmd("SET", "user:1", "a")
        self.cmd("SET", "other", "b")
        self.cmd("SET", "item:9", "c")
        self.assertInvalidated(c, ["user:1"])
        self.assertInvalidated(c, ["item:9"])
        self.assertNothingPending(c)
        info = c.execute("CLIENT", "TRACKINGINFO")
        self.assertEqual(sorted(info[b"prefixes"]), [b"item:", b"user:"])
        self.assertEqual(list(info[b"flags"]), [b"on", b"bcast"])

    def test_bcast_without_prefix_is_every_key(self):
        c = self.tracker("BCAST")
        self.cmd("SET", "anything", "1")
        self.assertInvalidated(c, ["anything"])

    def test_optin(self):
        c = self.tracker("OPTIN")
        c.execute("GET", "a")
        self.assertEqual(c.execute("CLIENT", "CACHING", "YES"), "OK")
        info = c.execute("CLIENT", "TRACKINGINFO")
        self.assertEqual(sorted(info[b"flags"]), [b"caching-yes", b"on", b"optin"])
        c.execute("GET", "b")
        c.execute("GET", "c")  # CACHING covers one command only
        self.cmd("MSET", "a", "1", "b", "2", "c", "3")
        self.assertInvalidated(c, ["b"])
        self.assertNothingPending(c)

    def test_optout(self):
        c = self.tracker("OPTOUT")
        self.assertEqual(c.execute("CLIENT", "CACHING", "NO"), "OK")
        c.execute("GET", "a")
        c.execute("GET", "b")
        self.cmd("MSET", "a", "1", "b", "2")
        self.assertInvalidated(c, ["b"])
        self.assertNothingPending(c)

    def test_flush_invalidates_every_tracking_client(self):
        c1 = self.tracker()
        c2 = self.tracker("BCAST", "PREFIX", "x")
        self.cmd("SET", "k", "v")
        c1.execute("GET", "k")
        self.cmd("FLUSHALL")
        for c in (c1, c2):
            push = c.read()
            self.assertEqual(push[0], b"invalidate")
            self.assertIs(push[1], harness.RESP3_NULL)
        self.cmd("SET", "k", "v")  # the table was emptied
        self.assertNothingPending(c1)

    def test_expiry_invalidates(self):
        c = self.tracker()
        self.cmd("SET", "t", "v", "PX", "100")
        c.execute("GET", "t")
        time.sleep(0.3)
        self.assertIsNone(self.cmd("GET", "t"))
        self.assertInvalidated(c, ["t"])

    def test_table_limit(self):
        self.cmd("CONFIG", "SET", "tracking-table-max-keys", "1")
        c = self.tracker()
        c.execute("GET", "{t}a")
        c.execute("GET", "{t}b")
        deadline = time.time() + 5
        while time.time() < deadline and int(self.server.client().info("stats")["tracking_total_keys"]) > 1:
            time.sleep(0.05)
        # One of the two made room (Redis picks at random).
        push = c.read()
        self.assertEqual(push[0], b"invalidate")
        self.assertIn(push[1], ([b"{t}a"], [b"{t}b"]))
        self.assertNothingPending(c)

    def test_off_and_info(self):
        c = self.tracker()
        stats = self.server.client().info()
        self.assertEqual(stats["tracking_clients"], 1)
        c.execute("GET", "k")
        self.assertEqual(int(self.server.client().info("stats")["tracking_total_keys"]), 1)
        self.assertEqual(c.execute("CLIENT", "TRACKING", "OFF"), "OK")
        self.assertEqual(c.execute("CLIENT", "GETREDIR"), -1)
        self.cmd("SET", "k", "v")
        self.assertNothingPending(c)
        self.assertEqual(self.server.client().info()["tracking_clients"], 0)
        info = c.execute("CLIENT", "TRACKINGINFO")
        self.assertEqual(list(info[b"flags"]), [b"off"])
        self.assertEqual(info[b"redirect"], -1)
        c.execute("CLIENT", "TRACKING", "ON")
        c.execute("RESET")
        self.assertEqual(self.server.client().info()["tracking_clients"], 0)

    def test_errors(self):
        c = self.client(protocol=3)
        e = lambda *a: c.execute(*a)  # noqa: E731
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "REDIRECT", "999999"),
                         RespError("ERR The client ID you want redirect to does not exist"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "PREFIX", "a"),
                         RespError("ERR PREFIX option requires BCAST mode to be enabled"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"),
                         RespError("ERR OPTIN and OPTOUT are not compatible with BCAST"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"),
                         RespError("ERR You can't specify both OPTIN mode and OPTOUT mode"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "FOO"), RespError("ERR syntax error"))
        self.assertEqual(e("CLIENT", "TRACKING", "MAYBE"), RespError("ERR syntax error"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
                         RespError("ERR Prefix 'ab' overlaps with another provided prefix 'a'. "
                                   "Prefixes for a single client must not overlap."))
        self.assertEqual(e("CLIENT", "CACHING", "YES"),
                         RespError("ERR CLIENT CACHING can be called only when the client is in tracking mode "
                                   "with OPTIN or OPTOUT mode enabled"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "OPTIN"), "OK")
        self.assertEqual(e("CLIENT", "CACHING", "NO"),
                         RespError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."))
        self.assertEqual(e("CLIENT", "CACHING", "MAYBE"), RespError("ERR syntax error"))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "OPTOUT"),
                         RespError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                                   "client, and then re-enabling it with a different mode."))
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "BCAST"),
                         RespError("ERR You can't switch BCAST mode on/off before disabling tracking for this "
                                   "client, and then re-enabling it with a different mode."))
        self.assertEqual(e("CLIENT", "TRACKING", "OFF"), "OK")
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a"), "OK")
        self.assertEqual(e("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"),
                         RespError("ERR Prefix 'ab' overlaps with an existing prefix 'a'. "
                                   "Prefixes for a single client must not overlap."))


if __name__ == "__main__":
    main()
