// The slow log: commands that ran for at least slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len of them. One log for
// the server; shards reach its lock only for a slow command.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct SlowLogEntry {
  uint64_t id;
  int64_t time_sec;
  int64_t duration_us;
  std::vector<std::string> args;  // cut as Redis cuts them
  std::string peer, name;
};

class SlowLog {
 public:
  // Redis's limits on what an entry keeps of the command line.
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgLen = 128;

  // An entry for a command that has just run, its arguments cut as Redis
  // cuts them; the client's name is filled in by the client's own thread.
  static SlowLogEntry MakeEntry(std::span<const std::string_view> argv, int64_t duration_us, std::string_view peer);
  void Add(SlowLogEntry entry, size_t max_len);
  // The newest `count` entries (all when count < 0), newest first.
  std::vector<SlowLogEntry> Newest(int64_t count) const;
  size_t size() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // newest at the front
  uint64_t next_id_ = 0;
};

}  // namespace ember
