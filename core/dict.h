// Dict: the shard's hash table of Entries, chained, power-of-two sized, with
// Redis's incremental rehashing: while it grows or shrinks both tables are
// live and each operation moves a bucket or so, so no operation ever pays for
// the whole table. Scan() is Redis's reverse-binary cursor, which returns
// every entry present for the whole scan at least once across resizes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>
#include <utility>

#include "entry.h"

namespace ember {

class Dict {
 public:
  explicit Dict(uint64_t seed);
  ~Dict();
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;

  uint64_t Hash(std::string_view key) const;
  size_t size() const { return used_[0] + used_[1]; }
  size_t bucket_count() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }

  // Where an entry sits: the link (bucket head or a predecessor's next
  // field) that points at it, and which of the two tables holds it. Valid
  // until the next Insert/Unlink/RehashStep.
  struct Slot {
    Entry** link = nullptr;
    int table = 0;
    explicit operator bool() const { return link != nullptr; }
  };
  Slot FindSlot(std::string_view key, uint64_t hash);
  Entry* Find(std::string_view key, uint64_t hash) {
    Slot s = FindSlot(key, hash);
    return s ? *s.link : nullptr;
  }
  // Links a new entry whose key is not present.
  void Insert(Entry* e, uint64_t hash);
  // Swaps the entry in slot for fresh (same key).
  void ReplaceAt(Slot slot, Entry* fresh) {
    fresh->set_next((*slot.link)->next());
    *slot.link = fresh;
  }
  // Unlinks and returns the entry in slot; the caller owns it.
  Entry* UnlinkAt(Slot slot);

  // Moves up to n buckets to the new table (if rehashing).
  void RehashStep(size_t n = 1);
  // Shrinks the table when it is mostly empty (called after deletes).
  void MaybeShrink();

  // A random entry in O(1) expected time (nullptr when empty).
  Entry* Random(std::mt19937_64& rng) const;

  // Calls fn for the entries of the bucket(s) at cursor; returns the next
  // cursor, 0 when the scan is complete.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const;

  // Up to `steps` Scan steps at once, prefetching ahead (a bulk walk: a
  // snapshot); the same cursor sequence and guarantee as Scan.
  uint64_t ScanMany(uint64_t cursor, size_t steps, const std::function<void(Entry*)>& fn) const;
  // Starts loading the bucket a key of this hash lives in (bulk inserts).
  void PrefetchBucket(uint64_t hash) const {
    if (!rehashing() && size_[0] != 0) __builtin_prefetch(&table_[0][hash & (size_[0] - 1)], 1);
  }
  // Sizes an empty table for n entries up front (loading a snapshot), so
  // filling it rehashes nothing.
  void Reserve(size_t n);

  // Exchanges the contents (and hash seeds) of two dicts (SWAPDB).
  void Swap(Dict& other) {
    std::swap(seed_, other.seed_);
    std::swap(table_, other.table_);
    std::swap(size_, other.size_);
    std::swap(used_, other.used_);
    std::swap(rehash_idx_, other.rehash_idx_);
  }
  // Unlinks everything, calling fn for each entry.
  void Clear(const std::function<void(Entry*)>& fn);
  // Calls fn for every entry.
  void ForEach(const std::function<void(Entry*)>& fn) const;

  // Bytes of this dict's bucket arrays.
  size_t TableBytes() const { return (size_[0] + size_[1]) * sizeof(Entry*); }
  // Bytes of every dict's bucket arrays that come from mmap, which the
  // allocator's statistics do not see (see MemoryMeter).
  static size_t MappedBytes() { return mapped_bytes_.load(std::memory_order_relaxed); }


 private:
  void Expand(size_t min_size);
  static Entry** AllocTable(size_t n);
  static void FreeTable(Entry** t, size_t n);
  uint64_t seed_;
  Entry** table_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  int64_t rehash_idx_ = -1;
  static std::atomic<size_t> mapped_bytes_;
};

}  // namespace ember
