#include "memory_meter.h"

#ifdef EMBER_SYSTEM_MALLOC
#include <malloc.h>
#else
#include <jemalloc/jemalloc.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "dict.h"

#if defined(EMBER_SYSTEM_MALLOC) && defined(__SANITIZE_ADDRESS__)
// The sanitizer allocator's own count (its malloc replaces libc's, so
// mallinfo2 knows nothing of it).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace ember {

namespace {
#ifndef EMBER_SYSTEM_MALLOC
size_t ReadStat(const char* name) {
  size_t v = 0, sz = sizeof(v);
  mallctl(name, &v, &sz, nullptr, 0);
  return v;
}

void RefreshEpoch() {
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
}
#else
size_t SystemAllocated() {
#ifdef __SANITIZE_ADDRESS__
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#endif
}
#endif
}  // namespace

AllocatorStats ReadAllocatorStats() {
  AllocatorStats s;
#ifdef EMBER_SYSTEM_MALLOC
  s.allocated = s.active = SystemAllocated();
  s.resident = ResidentBytes();
#else
  RefreshEpoch();
  // Objects freed into the threads' caches still count as allocated in
  // stats.allocated; the program holds them no more (Redis's zmalloc count
  // leaves them out too), and the per-thread counts see them freed.
  char cached[64];
  snprintf(cached, sizeof(cached), "stats.arenas.%d.tcache_bytes", MALLCTL_ARENAS_ALL);
  s.allocated = ReadStat("stats.allocated") - ReadStat(cached);
  s.active = ReadStat("stats.active");
  s.resident = ReadStat("stats.resident");
#endif
  return s;
}

size_t AllocatedBytes() { return ReadAllocatorStats().allocated + Dict::MappedBytes(); }

size_t ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

const char* AllocatorName() {
#ifdef EMBER_SYSTEM_MALLOC
  return "libc";
#else
  static const std::string name = "jemalloc-" + std::to_string(JEMALLOC_VERSION_MAJOR) + "." +
                                  std::to_string(JEMALLOC_VERSION_MINOR) + "." +
                                  std::to_string(JEMALLOC_VERSION_BUGFIX);
  return name.c_str();
#endif
}

std::string AllocatorStatsText() {
#ifdef EMBER_SYSTEM_MALLOC
  return "Stats not supported for the current allocator";
#else
  std::string out;
  malloc_stats_print([](void* arg, const char* s) { static_cast<std::string*>(arg)->append(s); }, &out, nullptr);
  return out;
#endif
}

void PurgeAllocator() {
#ifndef EMBER_SYSTEM_MALLOC
  char name[64];
  snprintf(name, sizeof(name), "arena.%d.purge", MALLCTL_ARENAS_ALL);
  mallctl(name, nullptr, nullptr, nullptr, 0);
#endif
}

std::string Human(double bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.2f%s", bytes, units[u]);
  return buf;
}

MemoryMeter& MemoryMeter::Get() {
  static MemoryMeter meter;
  return meter;
}

void MemoryMeter::NotePeak(int64_t v) {
  int64_t p = peak_.load(std::memory_order_relaxed);
  while (v > p && !peak_.compare_exchange_weak(p, v, std::memory_order_relaxed)) {
  }
}

int64_t MemoryMeter::Refresh() {
  std::lock_guard<std::mutex> lock(threads_mu_);
  int64_t v = static_cast<int64_t>(AllocatedBytes());
  int64_t changed = 0;
  for (const ThreadMeter* t : threads_) changed += static_cast<int64_t>(t->Net() - t->start_net_);
  offset_.store(v - changed, std::memory_order_relaxed);
  NotePeak(v);
  return v;
}

void MemoryMeter::Register(const ThreadMeter* t) {
  std::lock_guard<std::mutex> lock(threads_mu_);
  threads_.push_back(t);
}

void MemoryMeter::Unregister(const ThreadMeter* t) {
  std::lock_guard<std::mutex> lock(threads_mu_);
  std::erase(threads_, t);
}

bool MemoryMeter::MaybeRefresh(int64_t now_ms, int64_t min_interval_ms) {
  int64_t last = last_refresh_ms_.load(std::memory_order_relaxed);
  if (now_ms - last < min_interval_ms) return false;
  if (!last_refresh_ms_.compare_exchange_strong(last, now_ms, std::memory_order_relaxed)) return false;
  Refresh();
  return true;
}

void MemoryMeter::MarkStartup() {
  int64_t none = 0;
  startup_.compare_exchange_strong(none, Refresh(), std::memory_order_relaxed);
}

ThreadMeter::ThreadMeter() {
#ifndef EMBER_SYSTEM_MALLOC
  uint64_t* p = nullptr;
  size_t sz = sizeof(p);
  if (mallctl("thread.allocatedp", &p, &sz, nullptr, 0) == 0) allocated_ = p;
  sz = sizeof(p);
  if (mallctl("thread.deallocatedp", &p, &sz, nullptr, 0) == 0) deallocated_ = p;
#endif
  start_net_ = published_net_ = Net();
  MemoryMeter::Get().Register(this);
}

ThreadMeter::~ThreadMeter() { MemoryMeter::Get().Unregister(this); }

uint64_t ThreadMeter::Net() const {
  if (!allocated_ || !deallocated_) return 0;
  // The owning thread writes these words; a relaxed load keeps another
  // thread's read whole.
  return __atomic_load_n(allocated_, __ATOMIC_RELAXED) - __atomic_load_n(deallocated_, __ATOMIC_RELAXED);
}

int64_t ThreadMeter::Used([[maybe_unused]] int64_t limit) {
#ifdef EMBER_SYSTEM_MALLOC
  return static_cast<int64_t>(SystemAllocated() + Dict::MappedBytes());
#else
  MemoryMeter& meter = MemoryMeter::Get();
  uint64_t net = Net();
  int64_t delta = static_cast<int64_t>(net - published_net_);
  // Near the limit by either view (a thread that frees what others
  // allocated, such as the messages a shard receives, has a negative
  // change and would otherwise see itself under the limit while the others
  // are over it, leaving them all the evicting).
  int64_t shared = meter.used();
  if (delta >= kPublishStep || delta <= -kPublishStep || std::max(shared, shared + delta) > limit - kPublishStep) {
    meter.Publish(delta);
    published_net_ = net;
    delta = 0;
  }
  return meter.used() + delta;
#endif
}

void ThreadMeter::Tick(int64_t now_ms, int64_t period_ms) {
  // Twice per cron period server-wide, whichever shard comes first.
  MemoryMeter::Get().MaybeRefresh(now_ms, period_ms / 2);
}

}  // namespace ember
