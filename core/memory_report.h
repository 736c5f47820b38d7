// MemoryReport: the server-wide memory figures INFO memory and MEMORY
// STATS / DOCTOR show, gathered without holding any shard (memory_family.cc).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "memory_meter.h"

namespace ember {

class Server;

struct MemoryReport {
  int64_t used = 0;     // used_memory: allocated plus mapped tables
  int64_t peak = 0;
  int64_t startup = 0;  // used when the shards started
  int64_t rss = 0;
  AllocatorStats allocator;
  // Sums of what each shard's cron published (ShardMemory).
  uint64_t keys = 0;
  uint64_t table_bytes = 0;
  uint64_t expires_bytes = 0;
  uint64_t client_bytes = 0;

  // Redis's split: what the server needs whatever the data, and the rest.
  int64_t overhead() const {
    return startup + static_cast<int64_t>(table_bytes + expires_bytes + client_bytes);
  }
  int64_t dataset() const { return std::max<int64_t>(used - overhead(), 0); }
  double fragmentation() const { return used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0; }

  static MemoryReport Collect(Server& server);
};

// INFO's "# Memory" section, Redis's field names, CRLF line ends.
std::string InfoMemorySection(Server& server);

}  // namespace ember
