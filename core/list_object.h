// ListObject: a large list as a deque of packed chunks (pack.h), each cut at
// list-max-listpack-size. Pushes and pops at either end touch one chunk of
// bounded size, so they are O(1) in the length of the list. Every chunk
// keeps its item count, so finding index i walks chunk counts (from the
// nearer end), not items: LINDEX, LSET and LINSERT are O(chunks) plus one
// chunk's bytes. An edit rewrites only its chunk, splitting it when it
// outgrows the limit; removals drop emptied chunks and merge small
// neighbours, so chunks stay near their limit and memory per item does not
// grow.
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
  // fn(index, item) from the head (or, reverse, from the tail) while it
  // returns true.
  template <typename Fn>
  void Walk(bool reverse, Fn fn) const;
  std::vector<std::string> ToVector() const;

  // Replaces the item at index (< size()).
  void Set(size_t index, std::string_view item);
  // Inserts item before the one at index; index size() appends.
  void Insert(size_t index, std::string_view item);
  // Removes up to limit items equal to item (0: all of them), the first
  // ones from the head, or from the tail; returns how many.
  size_t RemoveEqual(std::string_view item, size_t limit, bool from_tail);
  // Removes `front` items from the head and `back` from the tail (their
  // sum at most size()).
  void Trim(size_t front, size_t back);

  // For tests: the items in each chunk, head first.
  std::vector<uint32_t> ChunkCounts() const;

 private:
  struct Chunk {
    std::string pack;
    uint32_t count = 0;
  };
  // Where item `index` is: its chunk, and its byte offset and index in it.
  struct Position {
    size_t chunk;
    size_t offset;
    size_t item;
  };
  bool Full(const Chunk& c, size_t item_size) const;
  bool Fits(const Chunk& c) const;
  Position Locate(size_t index) const;
  // Cuts chunks_[i] into pieces that fit, when an edit made it outgrow the
  // limit.
  void SplitIfOver(size_t i);
  // Joins each chunk marked in `touched` with a neighbour when the two fit
  // in one, and drops empty chunks.
  void Compact(const std::vector<bool>& touched);

  int64_t chunk_limit_;
  std::deque<Chunk> chunks_;
  size_t size_ = 0;
};

// Bytes or elements a packed list (or chunk) may hold at this
// list-max-listpack-size: -1..-5 are 4kb..64kb (below -5 as -5), positive
// values count elements, 0 is one element.
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

template <typename Fn>
void ListObject::Walk(bool reverse, Fn fn) const {
  if (!reverse) {
    size_t index = 0;
    for (const Chunk& c : chunks_)
      for (PackReader r(c.pack); !r.Done(); ++index)
        if (!fn(index, r.Next())) return;
    return;
  }
  // A pack reads forwards only: each chunk's items are listed, then
  // visited backwards. One buffer serves every chunk.
  std::vector<std::string_view> items;
  size_t index = size_;
  for (auto c = chunks_.rbegin(); c != chunks_.rend(); ++c) {
    items.clear();
    for (PackReader r(c->pack); !r.Done();) items.push_back(r.Next());
    for (auto it = items.rbegin(); it != items.rend(); ++it)
      if (!fn(--index, *it)) return;
  }
}

}  // namespace ember
