#include "monitor.h"

#include <algorithm>

#include "acl.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

void MonitorRegistry::Add(uint32_t shard, uint64_t conn_id) {
  std::lock_guard<std::mutex> lock(mu_);
  monitors_.push_back({shard, conn_id});
  count_.store(static_cast<int>(monitors_.size()), std::memory_order_relaxed);
}

void MonitorRegistry::Remove(uint32_t shard, uint64_t conn_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(monitors_, [&](const Monitor& m) { return m.shard == shard && m.conn_id == conn_id; });
  count_.store(static_cast<int>(monitors_.size()), std::memory_order_relaxed);
}

std::string MonitorRegistry::FormatLine(int64_t now_us, uint32_t db, std::string_view peer,
                                        std::span<const std::string_view> argv) {
  char head[64];
  snprintf(head, sizeof(head), "+%lld.%06lld [%u ", static_cast<long long>(now_us / 1000000),
           static_cast<long long>(now_us % 1000000), db);
  std::string out = head;
  out.append(peer);
  out += "]";
  // Each argument as Redis's sdscatrepr quotes it.
  for (std::string_view a : argv) {
    out += " \"";
    for (unsigned char c : a) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        default:
          if (isprint(c)) {
            out += static_cast<char>(c);
          } else {
            char hex[8];
            snprintf(hex, sizeof(hex), "\\x%02x", c);
            out += hex;
          }
      }
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

void MonitorRegistry::FeedCommand(Server& server, uint32_t from_shard, uint32_t db, std::string_view peer,
                                  const CommandSpec& spec, std::span<const std::string_view> argv) {
  if (spec.flags & (kCmdSkipMonitor | kCmdAdmin)) return;
  std::vector<std::string_view> redacted;
  Feed(server, from_shard, db, peer, RedactSecrets(spec, argv, &redacted) ? redacted : argv);
}

void MonitorRegistry::Feed(Server& server, uint32_t from_shard, uint32_t db, std::string_view peer,
                           std::span<const std::string_view> argv) {
  std::string line = FormatLine(NowUs(), db, peer, argv);
  std::vector<Monitor> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    targets = monitors_;
  }
  for (const Monitor& m : targets) {
    if (m.shard == from_shard)
      server.shard(m.shard).DeliverMonitorLine(m.conn_id, line);
    else
      server.shard(m.shard).Call([id = m.conn_id, line](Shard& sh) { sh.DeliverMonitorLine(id, line); });
  }
}

}  // namespace ember
