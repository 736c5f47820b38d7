// Ends handshakes that take too long (tls.handshake-timeout): a client
// that connects and never finishes, or sends nothing, must not keep its
// socket and SSL forever. A module thread looks at the handshakes in
// progress a few times a second and shuts the socket of each one past the
// deadline down; the shard that owns it then finds it readable, the
// handshake fails, and the server closes it as any failed one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <thread>

namespace tls {

class HandshakeReaper {
 public:
  struct Entry {
    int fd;
    int64_t started_ms;
    std::atomic<bool> timed_out{false};
  };
  using Handle = std::list<Entry>::iterator;

  // Starts the thread.
  void Start();
  // Stops and joins it.
  void Stop();

  // 0 turns the timeout off.
  void set_timeout_ms(int64_t ms) { timeout_ms_.store(ms, std::memory_order_relaxed); }

  // A handshake begins on fd; Remove before the fd closes.
  Handle Add(int fd, int64_t now_ms);
  void Remove(Handle h);

 private:
  void Run();

  std::atomic<int64_t> timeout_ms_{10000};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::list<Entry> entries_;  // oldest first
  std::thread thread_;
};

}  // namespace tls
