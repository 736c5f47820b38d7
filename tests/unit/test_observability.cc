// The latency histogram, SLOWLOG's truncation and MONITOR's line format.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "command_stats.h"
#include "monitor.h"
#include "slowlog.h"

using ember::LatencyHistogram;
using ember::MonitorRegistry;
using ember::SlowLog;

TEST_CASE("histogram buckets are contiguous and within 1/8 of their values") {
  int last = -1;
  for (uint64_t v = 0; v < 1000000; v += (v < 100 ? 1 : v / 50)) {
    int b = LatencyHistogram::Bucket(v);
    REQUIRE(b >= last);
    last = b;
    REQUIRE(LatencyHistogram::BucketUpper(b) >= v);
    REQUIRE(LatencyHistogram::BucketUpper(b) <= v + v / 8 + 1);
  }
  REQUIRE(LatencyHistogram::Bucket(UINT64_MAX) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("histogram percentiles and cumulative counts") {
  LatencyHistogram h;
  for (uint64_t i = 1; i <= 1000; ++i) h.Add(i * 1000);  // 1 us .. 1 ms
  REQUIRE(h.total() == 1000);
  uint64_t p50 = h.Percentile(50), p99 = h.Percentile(99), p999 = h.Percentile(99.9);
  REQUIRE(p50 >= 500000);
  REQUIRE(p50 <= 500000 + 500000 / 8);
  REQUIRE(p99 >= 990000);
  REQUIRE(p999 >= p99);
  REQUIRE(h.CountAtMost(UINT64_MAX) == 1000);
  REQUIRE(h.CountAtMost(0) == 0);
  LatencyHistogram other;
  other.Add(5);
  h.Merge(other);
  REQUIRE(h.total() == 1001);
  REQUIRE(h.CountAtMost(5) == 1);
}

TEST_CASE("slowlog keeps Redis's truncation and its length") {
  SlowLog log;
  std::vector<std::string> args = {"RPUSH", "list"};
  for (int i = 0; i < 40; ++i) args.push_back("e" + std::to_string(i));
  args[2] = std::string(200, 'x');
  std::vector<std::string_view> argv(args.begin(), args.end());
  ember::SlowLogEntry first = SlowLog::MakeEntry(argv, 12345, "127.0.0.1:1");
  first.name = "name";
  log.Add(std::move(first), 2);
  auto entries = log.Newest(-1);
  REQUIRE(entries.size() == 1);
  const auto& e = entries[0];
  REQUIRE(e.duration_us == 12345);
  REQUIRE(e.name == "name");
  REQUIRE(e.peer == "127.0.0.1:1");
  REQUIRE(e.args.size() == 32);
  REQUIRE(e.args[2] == std::string(128, 'x') + "... (72 more bytes)");
  REQUIRE(e.args[31] == "... (11 more arguments)");
  log.Add(SlowLog::MakeEntry(argv, 1, ""), 2);
  log.Add(SlowLog::MakeEntry(argv, 2, ""), 2);
  REQUIRE(log.size() == 2);
  REQUIRE(log.Newest(1)[0].duration_us == 2);
  REQUIRE(log.Newest(1)[0].id == 2);
}

TEST_CASE("monitor lines quote as sdscatrepr") {
  std::vector<std::string_view> argv = {"SET", "k", std::string_view("a\"b\\\n\x01", 6)};
  REQUIRE(MonitorRegistry::FormatLine(1700000000123456, 0, "127.0.0.1:5000", argv) ==
          "+1700000000.123456 [0 127.0.0.1:5000] \"SET\" \"k\" \"a\\\"b\\\\\\n\\x01\"\r\n");
  // The client's selected database, as Redis shows it.
  REQUIRE(MonitorRegistry::FormatLine(1700000000123456, 9, "127.0.0.1:5000", argv).starts_with("+1700000000.123456 [9 "));
}
