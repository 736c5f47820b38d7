#include "latency.h"

#include "util.h"

namespace ember {

void LatencyMonitor::Add(std::string_view event, int64_t latency_ms) {
  int64_t now = NowMs() / 1000;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), Event{}).first;
  Event& e = it->second;
  if (latency_ms > e.max_ms) e.max_ms = latency_ms;
  // One sample a second: the worst of that second.
  if (!e.history.empty() && e.history.back().time_sec == now) {
    if (latency_ms > e.history.back().latency_ms) e.history.back().latency_ms = latency_ms;
    return;
  }
  e.history.push_back({now, latency_ms});
  if (e.history.size() > kHistoryLen) e.history.pop_front();
}

std::map<std::string, LatencyMonitor::Event> LatencyMonitor::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::map<std::string, Event>(events_.begin(), events_.end());
}

size_t LatencyMonitor::Reset(const std::vector<std::string>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  if (events.empty()) {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (const std::string& name : events) n += events_.erase(name);
  return n;
}

}  // namespace ember
