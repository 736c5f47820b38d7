// CLIENT PAUSE: the server-wide pause that makes clients' commands wait
// (all of them, or only those that write) until a time or CLIENT UNPAUSE.
// Read by every shard's dispatcher, so the check while nothing is paused
// is one relaxed load.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace ember {

class ClientPause {
 public:
  // Whether a pause may be in force (the caller then asks Holds with the
  // time); false on the hot path.
  bool maybe_active() const { return end_ms_.load(std::memory_order_relaxed) != 0; }
  // Whether a command waits at now_ms: under ALL every command, under
  // WRITE those that write or may propagate (PUBLISH, an EXEC of writes).
  bool Holds(bool writes, int64_t now_ms) const {
    return Frozen(now_ms) && (writes || all_.load(std::memory_order_relaxed));
  }
  // Whether keys may expire or be evicted (not while anything is paused,
  // as in Redis: a paused primary's data stays as its replicas saw it).
  bool Frozen(int64_t now_ms) const {
    int64_t end = end_ms_.load(std::memory_order_acquire);
    return end != 0 && now_ms < end;
  }
  // As Redis, a pause on top of another keeps the later end and the
  // stricter mode of the two.
  void Pause(int64_t end_ms, bool all) {
    std::lock_guard<std::mutex> lock(mu_);
    if (end_ms_.load(std::memory_order_relaxed) == 0) all_.store(false, std::memory_order_relaxed);
    if (all) all_.store(true, std::memory_order_relaxed);
    if (end_ms > end_ms_.load(std::memory_order_relaxed)) end_ms_.store(end_ms, std::memory_order_release);
  }
  void Unpause() {
    std::lock_guard<std::mutex> lock(mu_);
    Clear();
  }
  // A pause whose time has passed is cleared, so that dispatch goes back
  // to its one load.
  void ClearIfOver(int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t end = end_ms_.load(std::memory_order_relaxed);
    if (end != 0 && now_ms >= end) Clear();
  }

 private:
  void Clear() {
    end_ms_.store(0, std::memory_order_release);
    all_.store(false, std::memory_order_relaxed);
  }
  std::atomic<int64_t> end_ms_{0};  // unix ms; 0: no pause
  std::atomic<bool> all_{false};
  std::mutex mu_;  // Pause, Unpause and ClearIfOver
};

}  // namespace ember
