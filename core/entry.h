// Entry: one key with its value and metadata in a single allocation.
//
//   offset 0  Entry* next        hash-chain link (Dict)
//   offset 8  uint8  flags       kWide, kHuge, kHasExpire, value encoding
//   offset 9  uint24 access      eviction's LRU clock or LFU counter (eviction.h)
//   offset 12 key and value lengths: 1 byte each, 4 bytes each if kWide, or
//             8 bytes each if kWide and kHuge (a key or value of 4 GiB or
//             more: proto-max-bulk-len may allow one, as in Redis)
//   then      if kHasExpire: int64 expire time (unix ms), uint32 index in
//             the shard's volatile-key array
//   then      key bytes, value bytes
//
// A 16-byte key with a 64-byte value takes 94 bytes: one 96-byte allocation.
// Entries are immutable in size: a value that changes length means a new
// entry (Db replaces it in the chain), so readers may hold views into one
// only until the next write to that key.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace ember {

class Object;

// How an entry's value bytes are to be read. Small collections live packed
// in the entry itself (see pack.h); large ones are an Object the entry
// points to.
enum class Encoding : uint8_t {
  kRaw = 0,         // a string: the bytes
  kInt = 1,         // a string that is a canonical integer, kept as an int64
  kPackedList = 2,  // list: its elements, in order
  kPackedHash = 3,  // hash: field, value, field, value ...
  kPackedSet = 4,   // set: its members
  kIntSet = 5,      // set of integers: sorted int64s (8 bytes each)
  kPackedZSet = 6,  // sorted set: member, score (8-byte double), ... by score
  kObject = 7,      // the value is an Object* (a large collection)
};

// kModule: a value of a data type a module registered (see module_value.h).
enum class ValueType : uint8_t { kString, kList, kHash, kSet, kZSet, kModule };

class Entry {
 public:
  static constexpr int64_t kNoExpire = -1;

  // Allocates an entry with a copy of the value bytes (for kObject, the
  // 8-byte pointer: the new entry then owns that object).
  static Entry* Create(std::string_view key, std::string_view value, Encoding enc, int64_t expire_ms);
  static Entry* CreateInt(std::string_view key, int64_t v, int64_t expire_ms);
  // An entry whose value_len bytes the caller fills through mutable_value().
  static Entry* CreateUninit(std::string_view key, size_t value_len, Encoding enc, int64_t expire_ms);
  // An entry that owns obj.
  static Entry* CreateObject(std::string_view key, Object* obj, int64_t expire_ms);
  // Frees the entry and the object it owns.
  static void Destroy(Entry* e);
  // Frees only the entry: its object now belongs to another entry.
  static void DestroyShell(Entry* e);

  Entry* next() const { return next_; }
  void set_next(Entry* n) { next_ = n; }

  std::string_view key() const { return {data() + KeyOffset(), KeyLen()}; }
  Encoding encoding() const { return static_cast<Encoding>((flags_ >> 2) & 7); }
  // The raw value bytes (for kInt: the 8-byte integer).
  std::string_view raw_value() const { return {data() + KeyOffset() + KeyLen(), ValueLen()}; }
  char* mutable_value() { return data() + KeyOffset() + KeyLen(); }
  int64_t int_value() const {
    int64_t v;
    memcpy(&v, raw_value().data(), 8);
    return v;
  }
  // The value as a string: for kInt it is printed into buf (24 bytes).
  std::string_view StringValue(char* buf) const;
  size_t StringLength() const;

  bool is_string() const { return encoding() == Encoding::kRaw || encoding() == Encoding::kInt; }
  ValueType type() const;
  Object* object() const {
    Object* o;
    memcpy(&o, raw_value().data(), sizeof(o));
    return o;
  }

  bool has_expire() const { return flags_ & kHasExpire; }
  int64_t expire_ms() const {
    if (!has_expire()) return kNoExpire;
    int64_t v;
    memcpy(&v, data() + ExpireOffset(), 8);
    return v;
  }
  // Only on entries created with an expire time.
  void set_expire_ms(int64_t ms) { memcpy(data() + ExpireOffset(), &ms, 8); }
  uint32_t volatile_index() const {
    uint32_t v;
    memcpy(&v, data() + ExpireOffset() + 8, 4);
    return v;
  }
  void set_volatile_index(uint32_t i) { memcpy(data() + ExpireOffset() + 8, &i, 4); }

  // Eviction's 24 bits (eviction.h): beside flags_, so the lookup that
  // reads the flags touches them without another cache miss.
  uint32_t access() const {
    uint32_t w;
    memcpy(&w, data() + kFlagsOffset, 4);
    return w >> 8;
  }
  void set_access(uint32_t bits) {
    uint32_t w = static_cast<uint32_t>(flags_) | (bits << 8);
    memcpy(data() + kFlagsOffset, &w, 4);
  }

  // Bytes this entry occupies (as requested from the allocator).
  size_t AllocSize() const { return KeyOffset() + KeyLen() + ValueLen(); }

 private:
  static constexpr uint8_t kWide = 1;
  static constexpr uint8_t kHasExpire = 2;  // bits 2-4: Encoding
  static constexpr uint8_t kHuge = 32;      // only with kWide
  static constexpr size_t kFlagsOffset = sizeof(Entry*);
  static constexpr size_t kLenOffset = kFlagsOffset + 4;

  Entry() = default;
  char* data() { return reinterpret_cast<char*>(this); }
  const char* data() const { return reinterpret_cast<const char*>(this); }
  bool wide() const { return flags_ & kWide; }
  bool huge() const { return flags_ & kHuge; }
  // Small entries take the first branch alone: huge() is read only for
  // wide ones.
  size_t LengthsSize() const { return wide() ? (huge() ? 16 : 8) : 2; }
  size_t ExpireOffset() const { return kLenOffset + LengthsSize(); }
  size_t KeyOffset() const { return ExpireOffset() + (has_expire() ? 12 : 0); }
  size_t KeyLen() const {
    if (!wide()) return static_cast<uint8_t>(data()[kLenOffset]);
    if (huge()) [[unlikely]] {
      uint64_t v;
      memcpy(&v, data() + kLenOffset, 8);
      return v;
    }
    uint32_t v;
    memcpy(&v, data() + kLenOffset, 4);
    return v;
  }
  size_t ValueLen() const {
    if (!wide()) return static_cast<uint8_t>(data()[kLenOffset + 1]);
    if (huge()) [[unlikely]] {
      uint64_t v;
      memcpy(&v, data() + kLenOffset + 8, 8);
      return v;
    }
    uint32_t v;
    memcpy(&v, data() + kLenOffset + 4, 4);
    return v;
  }

  Entry* next_;
  uint8_t flags_;
};

}  // namespace ember
