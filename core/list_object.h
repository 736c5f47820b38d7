// ListObject: a large list as a deque of packed chunks (pack.h), each cut at
// list-max-listpack-size. Pushes and pops at either end touch one chunk of
// bounded size, so they are O(1) in the length of the list; indexing walks
// chunk counts.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "object.h"
#include "pack.h"

namespace ember {

class ListObject : public Object {
 public:
  // chunk_limit: list-max-listpack-size (negative: bytes class, positive:
  // elements per chunk).
  explicit ListObject(int64_t chunk_limit) : chunk_limit_(chunk_limit) {}
  ValueType type() const override { return ValueType::kList; }
  const char* encoding_name() const override { return "quicklist"; }
  std::unique_ptr<Object> Clone() const override;
  size_t MemoryUsage(size_t samples) const override;

  size_t size() const { return size_; }
  void PushFront(std::string_view item);
  void PushBack(std::string_view item);
  std::string PopFront();  // the list is not empty
  std::string PopBack();
  // fn(item) for items [start, stop] (clamped indexes, start <= stop).
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn fn) const;
  std::vector<std::string> ToVector() const;
  void Assign(const std::vector<std::string>& items);

 private:
  struct Chunk {
    std::string pack;
    uint32_t count = 0;
  };
  bool Full(const Chunk& c, size_t item_size) const;

  int64_t chunk_limit_;
  std::deque<Chunk> chunks_;
  size_t size_ = 0;
};

// Bytes or elements a packed list (or chunk) may hold at this
// list-max-listpack-size: -1..-5 are 4kb..64kb, positive values count
// elements.
bool ListPackFits(int64_t limit, size_t items, size_t bytes);

template <typename Fn>
void ListObject::ForRange(size_t start, size_t stop, Fn fn) const {
  size_t index = 0;
  for (const Chunk& c : chunks_) {
    if (index + c.count <= start) {
      index += c.count;
      continue;
    }
    for (PackReader r(c.pack); !r.Done(); ++index) {
      std::string_view item = r.Next();
      if (index > stop) return;
      if (index >= start) fn(item);
    }
  }
}

}  // namespace ember
