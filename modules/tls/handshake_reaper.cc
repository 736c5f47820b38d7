#include "handshake_reaper.h"

#include <sys/socket.h>

#include <chrono>

#include "host.h"

namespace tls {

namespace {
constexpr auto kSweepPeriod = std::chrono::milliseconds(100);
}

void HandshakeReaper::Start() { thread_ = std::thread([this] { Run(); }); }

void HandshakeReaper::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

HandshakeReaper::Handle HandshakeReaper::Add(int fd, int64_t now_ms) {
  std::lock_guard lock(mu_);
  entries_.emplace_back();
  entries_.back().fd = fd;
  entries_.back().started_ms = now_ms;
  return std::prev(entries_.end());
}

void HandshakeReaper::Remove(Handle h) {
  std::lock_guard lock(mu_);
  entries_.erase(h);
}

void HandshakeReaper::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, kSweepPeriod);
    int64_t timeout = timeout_ms_.load(std::memory_order_relaxed);
    if (stop_ || timeout <= 0) continue;
    int64_t now = g_api->milliseconds();
    // Entries are in start order: stop at the first one still in time.
    // The fd stays open while its entry exists (Remove comes first), so
    // shutdown never reaches a socket that was closed and reused.
    for (Entry& e : entries_) {
      if (now - e.started_ms < timeout) break;
      if (e.timed_out.exchange(true)) continue;
      shutdown(e.fd, SHUT_RDWR);
    }
  }
}

}  // namespace tls
