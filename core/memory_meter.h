// MemoryMeter: used memory as maxmemory counts it, from the allocator's own
// statistics rather than a formula: jemalloc's stats.allocated plus the
// hash tables Dict maps straight from the kernel.
//
// Reading stats.allocated means refreshing jemalloc's statistics epoch
// (tens of microseconds), so it is done by the cron, at most twice per cron
// period server-wide. Between refreshes each shard thread adds its own
// change since: jemalloc keeps per-thread counts of bytes allocated and
// freed (thread.allocatedp / thread.deallocatedp, two loads). A thread
// publishes its change to the shared figure in 64 KB steps (and on every
// check near the limit), so a write's check costs a few loads and the
// shared figure is off by at most 64 KB per shard until the next refresh. Under the sanitizers (system allocator) the
// exact process figure is read instead.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ember {

// The allocator's process-wide figures, in bytes (jemalloc's stats.*).
struct AllocatorStats {
  size_t allocated = 0;  // held by the program (not counting the threads' caches)
  size_t active = 0;     // in pages holding such allocations
  size_t resident = 0;   // the allocator's pages in RAM
};

// Refreshes the statistics epoch first: not for the request path.
AllocatorStats ReadAllocatorStats();
// allocated plus Dict's mapped tables: used_memory.
size_t AllocatedBytes();
// The process's resident set (/proc/self/statm).
size_t ResidentBytes();
// "jemalloc-5.3.0", or "libc" under the sanitizers.
const char* AllocatorName();
// jemalloc's malloc_stats_print text (MEMORY MALLOC-STATS).
std::string AllocatorStatsText();
// Returns dirty pages of every arena to the kernel (MEMORY PURGE).
void PurgeAllocator();
// 1.50M style, as Redis's bytesToHuman.
std::string Human(double bytes);

class MemoryMeter {
 public:
  // Process-wide, as the allocator is.
  static MemoryMeter& Get();

  // The shared figure: the last refresh plus the changes published since.
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  // used memory when the first shard started (INFO used_memory_startup).
  int64_t startup() const { return startup_.load(std::memory_order_relaxed); }
  // Re-reads the allocator's figure; returns it. Each refresh is a new
  // epoch: changes a thread had not published are in the new figure.
  int64_t Refresh();
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  // Refresh, unless one ran within the last min_interval_ms.
  bool MaybeRefresh(int64_t now_ms, int64_t min_interval_ms);
  void Publish(int64_t delta) { NotePeak(used_.fetch_add(delta, std::memory_order_relaxed) + delta); }
  void MarkStartup();

 private:
  void NotePeak(int64_t v);

  std::atomic<int64_t> used_{0};
  std::atomic<int64_t> peak_{0};
  std::atomic<int64_t> startup_{0};
  std::atomic<int64_t> last_refresh_ms_{0};
  std::atomic<uint64_t> epoch_{0};
};

// One thread's view of used memory (a shard's); made and used on that
// thread only.
class ThreadMeter {
 public:
  ThreadMeter();
  // Used memory now: the shared figure plus this thread's change not yet
  // published. The change is published once it reaches 64 KB, and on every
  // call within 64 KB of limit: there all shards see one figure, so each
  // evicts in proportion to the writes it serves (a shard whose view stayed
  // a little lower would never evict and would grow at the others' cost).
  int64_t Used(int64_t limit);
  // Called by the cron: refreshes the shared figure when due; this
  // thread's count then starts over from it.
  void Tick(int64_t now_ms, int64_t period_ms);

 private:
  static constexpr int64_t kPublishStep = 64 * 1024;
  // Bytes allocated minus bytes freed by this thread so far (wrapping).
  uint64_t Net() const;

  const uint64_t* allocated_ = nullptr;
  const uint64_t* deallocated_ = nullptr;
  uint64_t published_net_ = 0;  // Net() at the last publish or refresh
  uint64_t epoch_ = 0;          // the refresh published_net_ follows
};

}  // namespace ember
