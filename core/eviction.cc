#include "eviction.h"

#include <algorithm>

namespace ember {

namespace lru {
uint64_t IdleMs(uint32_t clock, int64_t now_ms) {
  uint32_t now = Clock(now_ms);
  uint64_t ticks = now >= clock ? now - clock : now + (kClockMax - clock);
  return ticks * 1000;
}
}  // namespace lru

namespace lfu {
namespace {
constexpr uint32_t kMinutesMask = 0xffff;

uint32_t Minutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60000) & kMinutesMask; }

uint32_t MinutesSince(uint32_t then, int64_t now_ms) {
  uint32_t now = Minutes(now_ms);
  return now >= then ? now - then : kMinutesMask - then + now;
}
}  // namespace

uint32_t Initial(int64_t now_ms) { return Minutes(now_ms) << 8 | kInitCounter; }

uint8_t Counter(uint32_t bits, int64_t now_ms, int64_t decay_time) {
  uint32_t counter = bits & 0xff;
  if (decay_time <= 0) return static_cast<uint8_t>(counter);
  uint64_t periods = MinutesSince(bits >> 8, now_ms) / static_cast<uint64_t>(decay_time);
  return static_cast<uint8_t>(periods >= counter ? 0 : counter - periods);
}

uint32_t Touch(uint32_t bits, int64_t now_ms, int64_t log_factor, int64_t decay_time, double random01) {
  uint32_t counter = Counter(bits, now_ms, decay_time);
  if (counter < 255) {
    double base = counter > kInitCounter ? counter - kInitCounter : 0;
    if (random01 < 1.0 / (base * static_cast<double>(log_factor) + 1)) ++counter;
  }
  return Minutes(now_ms) << 8 | counter;
}
}  // namespace lfu

void EvictionPool::Offer(uint64_t score, std::string_view key) {
  // Where it goes: after every candidate scored lower or the same.
  size_t pos = 0;
  while (pos < size_ && slots_[pos].score <= score) ++pos;
  if (size_ == kSize) {
    if (pos == 0) return;  // worse than all of a full pool
    // Drop the worst (slot 0) and shift the lower ones down; the rotation
    // swaps strings, so capacity moves along and nothing is allocated.
    std::rotate(slots_.begin(), slots_.begin() + 1, slots_.begin() + static_cast<std::ptrdiff_t>(pos));
    --pos;
  } else {
    std::rotate(slots_.begin() + static_cast<std::ptrdiff_t>(pos), slots_.begin() + static_cast<std::ptrdiff_t>(size_),
                slots_.begin() + static_cast<std::ptrdiff_t>(size_) + 1);
    ++size_;
  }
  slots_[pos].score = score;
  slots_[pos].key.assign(key);
}

bool EvictionPool::PopBest(std::string* key) {
  if (size_ == 0) return false;
  --size_;
  key->swap(slots_[size_].key);
  return true;
}

}  // namespace ember
