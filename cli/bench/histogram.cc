#include "cli/bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ember::cli::bench {

namespace {

constexpr int kSubBits = 7;                      // 128 buckets per power of two
constexpr uint64_t kExact = 2ULL << kSubBits;    // values below are exact
constexpr int kMaxExponent = 44;                 // ~4.9 hours in ns; larger values share the last bucket
constexpr size_t kBuckets = kExact + (kMaxExponent - kSubBits) * (1ULL << kSubBits);

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

size_t LatencyHistogram::Index(uint64_t ns) {
  if (ns < kExact) return ns;
  int exponent = std::min(63 - std::countl_zero(ns), kMaxExponent - 1);
  int shift = exponent - kSubBits;
  uint64_t sub = std::min<uint64_t>(ns >> shift, (2ULL << kSubBits) - 1) - (1ULL << kSubBits);
  return kExact + (exponent - kSubBits - 1) * (1ULL << kSubBits) + sub;
}

uint64_t LatencyHistogram::BucketTop(size_t index) {
  if (index < kExact) return index;
  size_t rest = index - kExact;
  int exponent = static_cast<int>(rest >> kSubBits) + kSubBits + 1;
  uint64_t sub = (rest & ((1ULL << kSubBits) - 1)) + (1ULL << kSubBits);
  int shift = exponent - kSubBits;
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t ns, uint64_t count) {
  buckets_[Index(ns)] += count;
  count_ += count;
  sum_ += ns * count;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::Percentile(double percent) const {
  if (count_ == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(percent / 100.0 * count_));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(BucketTop(i), max_);
  }
  return max_;
}

}  // namespace ember::cli::bench
