// Pack: a compact sequence of byte strings in one buffer, each item a
// varint length followed by its bytes. Small hashes, sets, sorted sets and
// lists live in this form inside their Entry, so a 10-field hash is one
// allocation with two or three bytes of overhead per item (Redis's
// listpack spends more, plus separate key, object and dict-entry
// allocations).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ember {

// Appends v as an unsigned LEB128 varint (7 bits a byte, low first).
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Appends one item to a pack being built.
inline void PackAppend(std::string* pack, std::string_view item) {
  PutVarint(pack, item.size());
  pack->append(item);
}

// Bytes PackAppend adds for an item of this size.
inline size_t PackItemSize(size_t n) {
  size_t header = 1;
  for (uint64_t v = n; v >= 0x80; v >>= 7) ++header;
  return header + n;
}

// Walks the items of a pack in order.
class PackReader {
 public:
  explicit PackReader(std::string_view pack) : p_(pack.data()), end_(pack.data() + pack.size()) {}
  bool Done() const { return p_ >= end_; }
  std::string_view Next() {
    uint64_t n = 0;
    int shift = 0;
    unsigned char c;
    do {
      c = static_cast<unsigned char>(*p_++);
      n |= static_cast<uint64_t>(c & 0x7f) << shift;
      shift += 7;
    } while (c & 0x80);
    std::string_view item(p_, n);
    p_ += n;
    return item;
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace ember
