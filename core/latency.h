// The latency monitor: for each event ("command", "fast-command"), the
// worst latency of each second that had one at or over
// latency-monitor-threshold milliseconds; the last 160 such seconds.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class LatencyMonitor {
 public:
  static constexpr size_t kHistoryLen = 160;
  struct Sample {
    int64_t time_sec;
    int64_t latency_ms;
  };
  struct Event {
    std::deque<Sample> history;  // oldest first
    int64_t max_ms = 0;
  };

  void Add(std::string_view event, int64_t latency_ms);
  // A copy of every event's data, by name.
  std::map<std::string, Event> Snapshot() const;
  // Forgets the named events (all when empty); returns how many it had.
  size_t Reset(const std::vector<std::string>& events);

 private:
  mutable std::mutex mu_;
  std::map<std::string, Event, std::less<>> events_;
};

}  // namespace ember
