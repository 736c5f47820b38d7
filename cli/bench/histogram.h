// Latencies in nanoseconds, in log-linear buckets (128 per power of two, so
// a reported percentile is within 1% of the true value), as HdrHistogram,
// which redis-benchmark uses. One per thread, merged at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ember::cli::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();
  void Record(uint64_t ns, uint64_t count = 1);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // The value at or below which `percent` of the samples lie (the top of its
  // bucket, never above the maximum).
  uint64_t Percentile(double percent) const;

 private:
  static size_t Index(uint64_t ns);
  static uint64_t BucketTop(size_t index);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace ember::cli::bench
