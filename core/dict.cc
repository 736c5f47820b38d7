#include "dict.h"

#include <xxhash.h>

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace ember {

namespace {
constexpr size_t kInitialSize = 4;

size_t NextPower(size_t n) {
  size_t s = kInitialSize;
  while (s < n) s <<= 1;
  return s;
}

// Big bucket arrays come straight from mmap and go straight back with
// munmap: a table freed after a resize must not linger as allocator pages
// the process still holds (8 bytes a key at a million keys).
constexpr size_t kMmapTableBytes = 1 << 20;

}  // namespace

std::atomic<size_t> Dict::mapped_bytes_{0};

Entry** Dict::AllocTable(size_t n) {
  size_t bytes = n * sizeof(Entry*);
  void* p;
  if (bytes >= kMmapTableBytes) {
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      p = nullptr;
    else
      mapped_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    p = calloc(n, sizeof(Entry*));
  }
  if (!p) throw std::bad_alloc();
  return static_cast<Entry**>(p);
}

void Dict::FreeTable(Entry** t, size_t n) {
  if (!t) return;
  size_t bytes = n * sizeof(Entry*);
  if (bytes >= kMmapTableBytes) {
    munmap(t, bytes);
    mapped_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  } else {
    free(t);
  }
}

namespace {

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

// The reverse-binary cursor after v in a table of mask m.
uint64_t NextCursor(uint64_t v, uint64_t m) { return ReverseBits(ReverseBits(v | ~m) + 1); }
}  // namespace

Dict::Dict(uint64_t seed) : seed_(seed) {}

Dict::~Dict() {
  Clear([](Entry* e) { Entry::Destroy(e); });
}

uint64_t Dict::Hash(std::string_view key) const { return XXH3_64bits_withSeed(key.data(), key.size(), seed_); }

Dict::Slot Dict::FindSlot(std::string_view key, uint64_t hash) {
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) continue;
    size_t idx = hash & (size_[t] - 1);
    if (t == 0 && static_cast<int64_t>(idx) < rehash_idx_) continue;  // already moved
    Entry** link = &table_[t][idx];
    while (*link) {
      std::string_view k = (*link)->key();
      if (k.size() == key.size() && memcmp(k.data(), key.data(), key.size()) == 0) return {link, t};
      link = reinterpret_cast<Entry**>(*link);  // next is at offset 0
    }
    if (!rehashing()) break;
  }
  return {};
}

void Dict::Expand(size_t min_size) {
  size_t n = NextPower(min_size);
  Entry** t = AllocTable(n);
  if (table_[0] == nullptr) {
    table_[0] = t;
    size_[0] = n;
    return;
  }
  table_[1] = t;
  size_[1] = n;
  used_[1] = 0;
  rehash_idx_ = 0;
}

void Dict::Insert(Entry* e, uint64_t hash) {
  if (!rehashing()) {
    if (size_[0] == 0)
      Expand(kInitialSize);
    else if (used_[0] >= size_[0])
      Expand(used_[0] + 1);
  }
  if (rehashing()) RehashStep();
  int t = rehashing() ? 1 : 0;
  size_t idx = hash & (size_[t] - 1);
  e->set_next(table_[t][idx]);
  table_[t][idx] = e;
  ++used_[t];
}

Entry* Dict::UnlinkAt(Slot slot) {
  Entry* e = *slot.link;
  *slot.link = e->next();
  e->set_next(nullptr);
  --used_[slot.table];
  return e;
}

void Dict::MaybeShrink() {
  if (rehashing() || size_[0] <= kInitialSize) return;
  if (used_[0] * 8 >= size_[0]) return;
  size_t target = NextPower(used_[0]);
  if (target >= size_[0]) return;
  table_[1] = AllocTable(target);
  size_[1] = target;
  used_[1] = 0;
  rehash_idx_ = 0;
}

void Dict::RehashStep(size_t n) {
  if (!rehashing()) return;
  size_t empty_visits = n * 10;
  while (n-- && used_[0] != 0) {
    while (table_[0][rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return;
    }
    Entry* e = table_[0][rehash_idx_];
    while (e) {
      Entry* next = e->next();
      size_t idx = Hash(e->key()) & (size_[1] - 1);
      e->set_next(table_[1][idx]);
      table_[1][idx] = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    table_[0][rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  if (used_[0] == 0) {
    FreeTable(table_[0], size_[0]);
    table_[0] = table_[1];
    size_[0] = size_[1];
    used_[0] = used_[1];
    table_[1] = nullptr;
    size_[1] = 0;
    used_[1] = 0;
    rehash_idx_ = -1;
  }
}

Entry* Dict::Random(std::mt19937_64& rng) const {
  if (size() == 0) return nullptr;
  Entry* head = nullptr;
  if (rehashing()) {
    size_t span = size_[0] + size_[1] - static_cast<size_t>(rehash_idx_);
    while (!head) {
      size_t h = static_cast<size_t>(rehash_idx_) + rng() % span;
      head = h >= size_[0] ? table_[1][h - size_[0]] : table_[0][h];
    }
  } else {
    while (!head) head = table_[0][rng() & (size_[0] - 1)];
  }
  size_t len = 0;
  for (Entry* e = head; e; e = e->next()) ++len;
  size_t pick = rng() % len;
  while (pick--) head = head->next();
  return head;
}

uint64_t Dict::Scan(uint64_t v, const std::function<void(Entry*)>& fn) const {
  if (size() == 0) return 0;
  auto emit = [&](Entry* e) {
    while (e) {
      Entry* next = e->next();
      fn(e);
      e = next;
    }
  };
  if (!rehashing()) {
    uint64_t m0 = size_[0] - 1;
    emit(table_[0][v & m0]);
    return NextCursor(v, m0);
  }
  int t0 = 0, t1 = 1;
  if (size_[0] > size_[1]) std::swap(t0, t1);
  uint64_t m0 = size_[t0] - 1, m1 = size_[t1] - 1;
  emit(table_[t0][v & m0]);
  do {
    emit(table_[t1][v & m1]);
    v |= ~m1;
    v = ReverseBits(v);
    ++v;
    v = ReverseBits(v);
  } while (v & (m0 ^ m1));
  return v;
}

uint64_t Dict::ScanMany(uint64_t v, size_t steps, const std::function<void(Entry*)>& fn) const {
  if (rehashing() || size() == 0) {
    for (size_t i = 0; i < steps && (v = Scan(v, fn)) != 0; ++i) {
    }
    return v;
  }
  // Buckets are visited in reverse-binary order, so each is a cache miss,
  // and so is its first entry: bucket slots are prefetched 8 steps ahead
  // and chain heads 4 steps ahead.
  uint64_t m = size_[0] - 1;
  Entry** t = table_[0];
  uint64_t head_ahead = v, slot_ahead = v;
  for (int i = 0; i < 4 && head_ahead; ++i) head_ahead = NextCursor(head_ahead, m);
  for (int i = 0; i < 8 && slot_ahead; ++i) slot_ahead = NextCursor(slot_ahead, m);
  for (size_t i = 0; i < steps; ++i) {
    if (slot_ahead) {
      __builtin_prefetch(&t[slot_ahead & m]);
      slot_ahead = NextCursor(slot_ahead, m);
    }
    if (head_ahead) {
      if (Entry* h = t[head_ahead & m]) __builtin_prefetch(h);
      head_ahead = NextCursor(head_ahead, m);
    }
    for (Entry* e = t[v & m]; e;) {
      Entry* next = e->next();
      fn(e);
      e = next;
    }
    v = NextCursor(v, m);
    if (v == 0) break;
  }
  return v;
}

void Dict::Reserve(size_t n) {
  if (table_[0] != nullptr || rehashing() || n <= kInitialSize) return;
  Expand(n);
}

void Dict::Clear(const std::function<void(Entry*)>& fn) {
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i) {
      Entry* e = table_[t][i];
      while (e) {
        Entry* next = e->next();
        fn(e);
        e = next;
      }
    }
    FreeTable(table_[t], size_[t]);
    table_[t] = nullptr;
    size_[t] = 0;
    used_[t] = 0;
  }
  rehash_idx_ = -1;
}

void Dict::ForEach(const std::function<void(Entry*)>& fn) const {
  for (int t = 0; t < 2; ++t)
    for (size_t i = 0; i < size_[t]; ++i)
      for (Entry* e = table_[t][i]; e;) {
        Entry* next = e->next();
        fn(e);
        e = next;
      }
}

}  // namespace ember
