// ember-cli benchmark's parts: the latency histogram, the reply counter, the
// request batches.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "cli/bench/histogram.h"
#include "cli/bench/reply_scanner.h"
#include "cli/bench/workload.h"

using ember::cli::bench::LatencyHistogram;
using ember::cli::bench::ReplyScanner;
using ember::cli::bench::Rng;
using ember::cli::bench::Workload;

TEST_CASE("cli LatencyHistogram: percentiles within 1%", "[cli]") {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1 us .. 100 ms
  CHECK(h.count() == 100000);
  CHECK(h.min() == 1000);
  CHECK(h.max() == 100000000);
  CHECK(h.mean() == Approx(50000500.0));
  for (double p : {50.0, 99.0, 99.9}) {
    double expected = p / 100 * 100000 * 1000;
    CHECK(static_cast<double>(h.Percentile(p)) == Approx(expected).epsilon(0.01));
  }
  CHECK(h.Percentile(100) == h.max());
  LatencyHistogram small;
  small.Record(7, 3);
  small.Record(250);
  CHECK(small.Percentile(50) == 7);  // small values are exact
  h.Merge(small);
  CHECK(h.count() == 100004);
  CHECK(h.min() == 7);
}

TEST_CASE("cli ReplyScanner: counts replies across any split", "[cli]") {
  std::string stream = "+OK\r\n:1\r\n$3\r\nabc\r\n$-1\r\n*2\r\n*1\r\n:1\r\n-ERR x\r\n*0\r\n%1\r\n+k\r\n$2\r\nv\n\r\n"
                       "|1\r\n+a\r\n+b\r\n-WRONGTYPE y\r\n";
  const size_t total = 8;
  ReplyScanner whole;
  CHECK(whole.Feed(stream.data(), stream.size()) == total);
  CHECK(whole.errors() == 2);
  CHECK(whole.first_error() == "ERR x");
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    ReplyScanner s;
    size_t n = s.Feed(stream.data(), cut);
    n += s.Feed(stream.data() + cut, stream.size() - cut);
    INFO("split at " << cut);
    CHECK(n == total);
    CHECK(s.errors() == 2);
  }
}

TEST_CASE("cli Workload: batches and random keys", "[cli]") {
  CHECK_FALSE(Workload::Make("nosuch", 3, 1).has_value());
  auto set = Workload::Make("SET", 5, 3);
  REQUIRE(set.has_value());
  CHECK(set->title() == "SET");
  std::string batch = set->batch();
  CHECK(batch == "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$5\r\nxxxxx\r\n"
                     "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$5\r\nxxxxx\r\n"
                     "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$5\r\nxxxxx\r\n");
  Rng rng(42);
  std::set<std::string> keys;
  for (int i = 0; i < 50; ++i) {
    std::string_view two = set->Prepare(batch, 2, rng, 1000);
    CHECK(two.size() == batch.size() / 3 * 2);
    std::string key(two.substr(two.find("key:"), 16));
    CHECK(key.substr(0, 13) == "key:000000000");  // below the keyspace of 1000
    keys.insert(key);
  }
  CHECK(keys.size() > 20);
  auto multi = Workload::Make("multi", 3, 1);
  REQUIRE(multi.has_value());
  CHECK(multi->replies_per_request() == 3);
  CHECK(multi->batch().rfind("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n", 0) == 0);
}
