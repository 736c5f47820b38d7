// ZSetObject: a large sorted set. A skiplist ordered by (score, member) with
// span counts (Redis's zskiplist: O(log n) insert, delete, rank and access
// by rank) plus an index member → score, a Dict of Entries whose key is the
// member and whose 8 value bytes are the score. Each skiplist node points
// at its member's index entry, so a member's bytes are stored once.
//
// Small sorted sets are not objects: they are packed in their key's entry
// (Encoding::kPackedZSet, see zset_family.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "dict.h"
#include "object.h"

namespace ember {

class ZSetObject : public Object {
 public:
  static constexpr int kMaxLevel = 32;

  struct Node;
  struct Level {
    Node* forward;
    size_t span;  // nodes crossed by following forward (0 past the tail)
  };
  // A skiplist node; its `height` levels follow it in the same allocation.
  struct Node {
    double score;
    Node* backward;
    Entry* entry;  // the member's index entry; nullptr for the head
    uint32_t height;

    Level* level() { return reinterpret_cast<Level*>(reinterpret_cast<char*>(this) + sizeof(Node)); }
    const Level* level() const {
      return reinterpret_cast<const Level*>(reinterpret_cast<const char*>(this) + sizeof(Node));
    }
    std::string_view member() const { return entry->key(); }
    Node* next() const { return level()[0].forward; }
    Node* prev() const { return backward; }
  };

  ZSetObject();
  ~ZSetObject() override;
  ZSetObject(const ZSetObject&) = delete;
  ZSetObject& operator=(const ZSetObject&) = delete;

  ValueType type() const override { return ValueType::kZSet; }
  const char* encoding_name() const override { return "skiplist"; }
  std::unique_ptr<Object> Clone() const override;
  size_t MemoryUsage(size_t samples) const override;

  size_t size() const { return length_; }

  // The member's score, if present.
  bool Score(std::string_view member, double* score);
  // Adds a member that is not present.
  void Insert(std::string_view member, double score);
  // Adds the member or changes its score; returns true if it is new.
  bool Set(std::string_view member, double score);
  bool Remove(std::string_view member);
  // Removes count members from 0-based rank start on; returns how many.
  size_t RemoveRange(size_t start, size_t count);

  // 0-based rank of the member in (score, member) order, or -1.
  int64_t Rank(std::string_view member);
  // The node at 0-based rank (nullptr past the end).
  Node* AtRank(size_t rank) const;
  Node* First() const { return head_->level()[0].forward; }
  Node* Last() const { return tail_; }

  // How many leading nodes satisfy pred(const Node*): pred must hold for a
  // prefix of the order and fail after it (e.g. "score < min").
  template <typename Pred>
  size_t CountWhile(Pred pred) const {
    const Node* x = head_;
    size_t rank = 0;
    for (int i = level_ - 1; i >= 0; --i) {
      while (x->level()[i].forward && pred(static_cast<const Node*>(x->level()[i].forward))) {
        rank += x->level()[i].span;
        x = x->level()[i].forward;
      }
    }
    return rank;
  }

  // A member's index entry at random (nullptr when empty).
  Entry* Random(std::mt19937_64& rng) const { return dict_.Random(rng); }
  // ZSCAN over the index: fn(entry) for the entries of the cursor's bucket(s)
  // (the member is entry->key(), its score EntryScore(entry)).
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const { return dict_.Scan(cursor, fn); }

  static double EntryScore(const Entry* e) {
    double s;
    memcpy(&s, e->raw_value().data(), 8);
    return s;
  }

  // Checks every invariant (order, spans, back links, index); for tests.
  bool Validate(std::string* why) const;

 private:
  static Node* NewNode(int height, double score, Entry* entry);
  static int RandomLevel();
  // Links node (score already set) at its place.
  void LinkNode(Node* node);
  // Unlinks x given update[] (the rightmost node before x at each level).
  void UnlinkNode(Node* x, Node** update);
  // Descends to (score, member): fills update[]; returns the node there
  // if it holds exactly that member, else nullptr.
  Node* Seek(double score, std::string_view member, Node** update) const;
  void DropIndexEntry(Entry* e);

  Node* head_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  Dict dict_;
};

}  // namespace ember
