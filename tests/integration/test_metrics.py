"""The metrics endpoint (--metrics-port): Prometheus text format on
/metrics, checked with prometheus_client's own parser, and /health."""

import os
import sys
import unittest
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

import harness
from harness import ember_only


def get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as resp:
        return resp.status, resp.headers.get("Content-Type"), resp.read().decode()


@ember_only
class TestMetrics(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.metrics_port = harness.free_port()
        cls.server = harness.start_server(extra_args=("--metrics-port", cls.metrics_port), shards=2)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def scrape(self):
        status, ctype, body = get(self.metrics_port, "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        families = {f.name: f for f in text_string_to_metric_families(body)}
        # Every sample belongs to a declared family: nothing fell out as untyped.
        for f in families.values():
            self.assertNotEqual(f.type, "untyped", f.name)
        return families

    def samples(self, family, **labels):
        return [s for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]

    def test_health(self):
        status, _, body = get(self.metrics_port, "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body, "OK\n")

    def test_unknown_path(self):
        with self.assertRaises(urllib.error.HTTPError) as e:
            get(self.metrics_port, "/nope")
        self.assertEqual(e.exception.code, 404)

    def test_figures_follow_the_server(self):
        r = self.server.client()
        r.flushall()
        for i in range(50):
            r.set("key:%d" % i, "v")
        r.set("gone", "v", px=1)
        for i in range(10):
            r.get("key:%d" % i)
        r.get("missing")
        with self.assertRaises(harness.redis.ResponseError):
            r.execute_command("INCR", "key:0")
        f = self.scrape()
        self.assertEqual(f["ember_up"].samples[0].value, 1)
        self.assertEqual(f["ember_scrape_complete"].samples[0].value, 1)
        self.assertGreaterEqual(f["ember_keys"].samples[0].value, 50)
        self.assertGreaterEqual(f["ember_connected_clients"].samples[0].value, 1)
        # The sanitizers' allocator keeps no statistics: used may read 0 there.
        self.assertGreaterEqual(f["ember_memory_used_bytes"].samples[0].value, 0)
        self.assertGreater(f["ember_memory_resident_bytes"].samples[0].value, 0)
        self.assertIn("ember_expired_keys", f)
        self.assertIn("ember_evicted_keys", f)
        self.assertEqual(f["ember_commands"].type, "counter")
        self.assertGreaterEqual(self.samples(f["ember_commands"], cmd="set")[0].value, 51)
        self.assertGreaterEqual(self.samples(f["ember_commands"], cmd="get")[0].value, 11)
        self.assertGreaterEqual(self.samples(f["ember_commands_failed"], cmd="incr")[0].value, 1)
        self.assertGreaterEqual(self.samples(f["ember_errors"], code="ERR")[0].value, 1)
        # Per-shard figures add up to the whole.
        shard_keys = f["ember_shard_keys"].samples
        self.assertEqual(sorted(s.labels["shard"] for s in shard_keys), ["0", "1"])
        self.assertEqual(sum(s.value for s in shard_keys), f["ember_keys"].samples[0].value)

    def test_evictions_and_used_memory(self):
        r = self.server.client()
        r.flushall()
        r.config_set("maxmemory-policy", "allkeys-random")
        used = int(self.samples(self.scrape()["ember_memory_used_bytes"])[0].value)
        self.assertGreater(used, 0)
        r.config_set("maxmemory", used + 2 * 1024 * 1024)
        try:
            p = r.pipeline(transaction=False)
            for i in range(20000):
                p.set("fill:%d" % i, "x" * 400)
            p.execute(raise_on_error=False)
        finally:
            r.config_set("maxmemory", 0)
            r.config_set("maxmemory-policy", "noeviction")
        info = r.info("stats")["evicted_keys"]
        self.assertGreater(info, 0)
        evicted = self.samples(self.scrape()["ember_evicted_keys"])[0].value
        self.assertEqual(evicted, info)

    def test_latency_histogram(self):
        r = self.server.client()
        for i in range(20):
            r.set("h%d" % i, "v")
        hist = self.scrape()["ember_command_duration_seconds"]
        self.assertEqual(hist.type, "histogram")
        buckets = [s for s in self.samples(hist, cmd="set") if s.name.endswith("_bucket")]
        # Cumulative, ending at +Inf with the count.
        values = [s.value for s in buckets]
        self.assertEqual(values, sorted(values))
        self.assertEqual(buckets[-1].labels["le"], "+Inf")
        count = [s for s in self.samples(hist, cmd="set") if s.name.endswith("_count")][0]
        self.assertEqual(buckets[-1].value, count.value)
        self.assertGreaterEqual(count.value, 20)

    def test_scrapes_under_load_keep_the_server_serving(self):
        r = self.server.client()
        for _ in range(5):
            pipe = r.pipeline(transaction=False)
            for i in range(500):
                pipe.set("load:%d" % i, "v")
            pipe.execute()
            self.scrape()
        self.assertEqual(r.get("load:499"), b"v")


if __name__ == "__main__":
    unittest.main(verbosity=2)
