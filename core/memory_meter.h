// MemoryMeter: used memory as maxmemory counts it, from the allocator's own
// statistics rather than a formula: jemalloc's stats.allocated plus the
// hash tables Dict maps straight from the kernel.
//
// Reading stats.allocated means refreshing jemalloc's statistics epoch
// (tens of microseconds), so it is done by the cron, at most twice per cron
// period server-wide. Between refreshes each shard thread adds its own
// change since: jemalloc keeps per-thread counts of bytes allocated and
// freed (thread.allocatedp / thread.deallocatedp, two loads). A thread
// publishes its change to a shared sum in 64 KB steps (and on every check
// near the limit), so a write's check costs a few loads. A refresh does not
// reset the threads' counts (a thread that did not check since would lose
// what it did after the refresh: a whole batch of replies, hundreds of KB);
// it reads every shard thread's counts (racy relaxed loads of the words
// jemalloc keeps for each thread) with the allocator's figure and keeps the
// difference, so the shared figure is off only by what the threads have not
// published yet: under 64 KB each, less near the limit. Under the
// sanitizers (system allocator) the exact process figure is read instead.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace ember {

class ThreadMeter;

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
  int64_t used() const {
    return offset_.load(std::memory_order_relaxed) + published_.load(std::memory_order_relaxed);
  }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  // used memory when the first shard started (INFO used_memory_startup).
  int64_t startup() const { return startup_.load(std::memory_order_relaxed); }
  // Re-reads the allocator's figure; returns it.
  int64_t Refresh();
  // Refresh, unless one ran within the last min_interval_ms.
  bool MaybeRefresh(int64_t now_ms, int64_t min_interval_ms);
  void Publish(int64_t delta) {
    int64_t sum = published_.fetch_add(delta, std::memory_order_relaxed) + delta;
    NotePeak(offset_.load(std::memory_order_relaxed) + sum);
  }
  void MarkStartup();

 private:
  void NotePeak(int64_t v);

  friend class ThreadMeter;
  void Register(const ThreadMeter* t);
  void Unregister(const ThreadMeter* t);

  // used = offset_ + published_: the sum of the changes the threads
  // published since they started, and the allocator's figure at the last
  // refresh less those threads' changes as of then.
  std::atomic<int64_t> offset_{0};
  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> peak_{0};
  std::atomic<int64_t> startup_{0};
  std::atomic<int64_t> last_refresh_ms_{0};
  std::mutex threads_mu_;  // guards threads_; held by Refresh while it reads them
  std::vector<const ThreadMeter*> threads_;
};

// One thread's view of used memory (a shard's); made and used on that
// thread only.
class ThreadMeter {
 public:
  ThreadMeter();
  ~ThreadMeter();
  ThreadMeter(const ThreadMeter&) = delete;
  ThreadMeter& operator=(const ThreadMeter&) = delete;
  // Used memory now: the shared figure plus this thread's change not yet
  // published. The change is published once it reaches 64 KB, and on every
  // call within 64 KB of limit: there all shards see one figure, so each
  // evicts in proportion to the writes it serves (a shard whose view stayed
  // a little lower would never evict and would grow at the others' cost).
  int64_t Used(int64_t limit);
  // Called by the cron: refreshes the shared figure when due.
  void Tick(int64_t now_ms, int64_t period_ms);

 private:
  static constexpr int64_t kPublishStep = 64 * 1024;
  friend class MemoryMeter;
  // Bytes allocated minus bytes freed by this thread so far (wrapping);
  // read by Refresh on another thread too.
  uint64_t Net() const;

  const uint64_t* allocated_ = nullptr;
  const uint64_t* deallocated_ = nullptr;
  uint64_t start_net_ = 0;      // Net() when made
  uint64_t published_net_ = 0;  // Net() at the last publish
};

}  // namespace ember
