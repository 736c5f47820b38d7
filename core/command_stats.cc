#include "command_stats.h"

namespace ember {

uint64_t LatencyHistogram::BucketUpper(int b) {
  if (b < kSub) return static_cast<uint64_t>(b);
  int exp = b / kSub + kSubBits - 1;
  uint64_t sub = static_cast<uint64_t>(b % kSub);
  uint64_t step = uint64_t{1} << (exp - kSubBits);
  return (uint64_t{1} << exp) + sub * step + step - 1;
}

uint64_t LatencyHistogram::Percentile(double p) const {
  if (total_ == 0) return 0;
  // The rank of the sample at the percentile, 1-based, rounded up.
  double want = p / 100.0 * static_cast<double>(total_);
  uint64_t rank = static_cast<uint64_t>(want);
  if (static_cast<double>(rank) < want || rank == 0) ++rank;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return BucketUpper(i);
  }
  return BucketUpper(kBuckets - 1);
}

uint64_t LatencyHistogram::CountAtMost(uint64_t ns) const {
  uint64_t n = 0;
  for (int i = 0; i < kBuckets && BucketUpper(i) <= ns; ++i) n += counts_[i];
  return n;
}

void CommandStats::Merge(const CommandStats& other) {
  calls += other.calls;
  nsec += other.nsec;
  rejected_calls += other.rejected_calls;
  failed_calls += other.failed_calls;
  if (other.latency) {
    if (!latency) latency = std::make_unique<LatencyHistogram>();
    latency->Merge(*other.latency);
  }
}

void CommandStatsTable::CountError(std::string_view reply_line) {
  if (!reply_line.empty() && reply_line[0] == '-') reply_line.remove_prefix(1);
  size_t end = reply_line.find_first_of(" \r");
  std::string_view code = reply_line.substr(0, end == std::string_view::npos ? reply_line.size() : end);
  ++total_errors_;
  auto it = errors_.find(code);
  if (it == errors_.end())
    errors_.emplace(std::string(code), 1);
  else
    ++it->second;
}

void CommandStatsTable::MergeInto(CommandStatsTable* out) const {
  for (uint32_t id = 0; id < stats_.size(); ++id)
    if (stats_[id].calls || stats_[id].rejected_calls || stats_[id].failed_calls) out->at(id).Merge(stats_[id]);
  for (const auto& [code, n] : errors_) out->errors_[code] += n;
  out->total_errors_ += total_errors_;
}

}  // namespace ember
