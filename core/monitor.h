// MONITOR: clients that receive every command the server runs, as Redis's
// lines (+1700000000.123456 [0 127.0.0.1:6000] "SET" "k" "v"). While no
// client monitors, the dispatcher pays one relaxed load.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class Server;
struct CmdCtx;
struct CommandSpec;

class MonitorRegistry {
 public:
  bool active() const { return count_.load(std::memory_order_relaxed) > 0; }
  void Add(uint32_t shard, uint64_t conn_id);
  void Remove(uint32_t shard, uint64_t conn_id);
  // Feeds a command the client runs, unless its flags keep it from
  // monitors; secrets redacted.
  void FeedCommand(Server& server, uint32_t from_shard, uint32_t db, std::string_view peer, const CommandSpec& spec,
                   std::span<const std::string_view> argv);
  // Sends the command line to every monitor (on its own shard's thread).
  void Feed(Server& server, uint32_t from_shard, uint32_t db, std::string_view peer,
            std::span<const std::string_view> argv);

  // Redis's line for a command: "+<sec>.<usec> [0 <peer>] "arg" ...\r\n".
  static std::string FormatLine(int64_t now_us, uint32_t db, std::string_view peer,
                                std::span<const std::string_view> argv);

 private:
  struct Monitor {
    uint32_t shard;
    uint64_t conn_id;
  };
  std::atomic<int> count_{0};
  std::mutex mu_;
  std::vector<Monitor> monitors_;
};

// Ends MONITOR for the client (RESET).
void StopMonitoring(CmdCtx& ctx);

}  // namespace ember
