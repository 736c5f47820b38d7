// Per-command statistics of one shard: calls, time, failures and a latency
// histogram. Each shard counts its own commands without atomics; INFO and
// the metrics endpoint merge the shards' copies.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// Latencies in nanoseconds, log-linear: each power of two is cut into
// kSub equal buckets, so a percentile is off by at most 1/kSub.
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 3;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = 42 * kSub;  // up to 2^42 ns, over an hour

  void Add(uint64_t ns) {
    ++counts_[Bucket(ns)];
    ++total_;
  }
  void Merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }
  uint64_t total() const { return total_; }
  // The upper bound of the bucket holding the p-th percentile (0..100).
  uint64_t Percentile(double p) const;
  // Samples at or below `us` (for cumulative Prometheus buckets).
  uint64_t CountAtMost(uint64_t ns) const;

  static int Bucket(uint64_t ns) {
    if (ns < kSub) return static_cast<int>(ns);
    int exp = std::bit_width(ns) - 1;  // ns >= 2^exp
    int sub = static_cast<int>((ns >> (exp - kSubBits)) & (kSub - 1));
    int b = (exp - kSubBits + 1) * kSub + sub;
    return b < kBuckets ? b : kBuckets - 1;
  }
  // The largest value that falls into bucket b.
  static uint64_t BucketUpper(int b);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
};

struct CommandStats {
  uint64_t calls = 0;
  uint64_t nsec = 0;
  uint64_t rejected_calls = 0;  // refused before running (arity, ACL, auth)
  uint64_t failed_calls = 0;    // ran and answered an error
  std::unique_ptr<LatencyHistogram> latency;  // made on the first call

  void Merge(const CommandStats& other);
};

// One shard's figures per command id (CommandSpec::id) and per error code.
class CommandStatsTable {
 public:
  CommandStats& at(uint32_t id) {
    if (id >= stats_.size()) stats_.resize(id + 1);
    return stats_[id];
  }
  const std::vector<CommandStats>& all() const { return stats_; }
  // The error reply's code: its first word ("ERR", "WRONGTYPE").
  void CountError(std::string_view reply_line);
  const std::map<std::string, uint64_t, std::less<>>& errors() const { return errors_; }
  uint64_t total_errors() const { return total_errors_; }
  void MergeInto(CommandStatsTable* out) const;
  void Clear() {
    stats_.clear();
    errors_.clear();
    total_errors_ = 0;
  }

 private:
  std::vector<CommandStats> stats_;
  std::map<std::string, uint64_t, std::less<>> errors_;
  uint64_t total_errors_ = 0;
};

}  // namespace ember
