// Eviction: what maxmemory-policy means for one entry, and the pool of
// candidates a shard keeps between evictions.
//
// Each entry carries 24 bits (Entry::access) read as Redis reads its
// robj.lru field:
//  - LRU policies: a clock in seconds, modulo 2^24 (194 days);
//  - LFU policies: the minute of the last decrement (16 bits, modulo 2^16)
//    and a logarithmic access counter (8 bits) that starts at 5, grows with
//    probability 1 / ((counter - 5) * lfu-log-factor + 1) per access and
//    loses one per lfu-decay-time minutes without access.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

// In the order of maxmemory-policy's values in config.cc: Config keeps a
// policy as the index of its value.
enum class EvictionPolicy : int64_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoEviction,
};

inline bool IsLfu(EvictionPolicy p) { return p == EvictionPolicy::kVolatileLfu || p == EvictionPolicy::kAllkeysLfu; }
inline bool IsVolatile(EvictionPolicy p) { return p <= EvictionPolicy::kVolatileTtl; }
inline bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kAllkeysRandom;
}

namespace lru {
constexpr uint32_t kClockMax = (1u << 24) - 1;
// The clock for unix time now_ms.
inline uint32_t Clock(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 1000) & kClockMax; }
// Milliseconds since the access that stored `clock` (Redis's
// estimateObjectIdleTime: one wrap of the clock at most).
uint64_t IdleMs(uint32_t clock, int64_t now_ms);
}  // namespace lru

namespace lfu {
constexpr uint8_t kInitCounter = 5;
// The bits of an entry just created.
uint32_t Initial(int64_t now_ms);
// The counter after decay (OBJECT FREQ); does not change the bits.
uint8_t Counter(uint32_t bits, int64_t now_ms, int64_t decay_time);
// The bits after one access: decay, then the logarithmic increment;
// random01 is uniform in [0, 1).
uint32_t Touch(uint32_t bits, int64_t now_ms, int64_t log_factor, int64_t decay_time, double random01);
}  // namespace lfu

// Redis's eviction pool: the best candidates seen by past samplings, so
// each eviction samples maxmemory-samples keys yet picks the best of many
// more. Keys are copied (the entries may change or go before the pool is
// read); each slot's string keeps its capacity, so a warm pool allocates
// nothing.
class EvictionPool {
 public:
  static constexpr size_t kSize = 16;
  // Keeps key if its score is among the kSize highest seen.
  void Offer(uint64_t score, std::string_view key);
  // Moves the highest-scored key into *key; false when empty.
  bool PopBest(std::string* key);
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }

 private:
  struct Candidate {
    uint64_t score = 0;
    std::string key;
  };
  std::array<Candidate, kSize> slots_;  // [0, size_) ascending by score
  size_t size_ = 0;
};

}  // namespace ember
