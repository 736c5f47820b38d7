#include "zset_object.h"

#include <malloc.h>

#include <cstdlib>
#include <unordered_map>

#include "dict_object.h"

namespace ember {

namespace {

// (a's score, a's member) < (score, member), Redis's order.
inline bool Before(const ZSetObject::Node* a, double score, std::string_view member) {
  return a->score < score || (a->score == score && a->member() < member);
}

}  // namespace

ZSetObject::ZSetObject() : head_(NewNode(kMaxLevel, 0, nullptr)), dict_(CollectionSeed()) {
  for (int i = 0; i < kMaxLevel; ++i) head_->level()[i] = {nullptr, 0};
  head_->backward = nullptr;
}

ZSetObject::~ZSetObject() {
  Node* n = First();
  while (n) {
    Node* next = n->next();
    free(n);
    n = next;
  }
  free(head_);
  // dict_ frees the index entries.
}

std::unique_ptr<Object> ZSetObject::Clone() const {
  auto copy = std::make_unique<ZSetObject>();
  // From the greatest down: each insertion stops at the head.
  for (const Node* n = tail_; n; n = n->backward) copy->Insert(n->member(), n->score);
  return copy;
}

size_t ZSetObject::MemoryUsage(size_t samples) const {
  // Index bucket arrays are allocated at exactly their power-of-two size.
  size_t bytes = sizeof(*this) + malloc_usable_size(head_) + dict_.bucket_count() * sizeof(Entry*);
  size_t seen = 0, measured = 0;
  // Each member costs its skiplist node and its index entry.
  for (const Node* x = First(); x && (samples == 0 || seen < samples); x = x->next()) {
    measured += malloc_usable_size(const_cast<Node*>(x)) + malloc_usable_size(x->entry);
    ++seen;
  }
  if (seen == length_) return bytes + measured;
  return bytes + static_cast<size_t>(static_cast<double>(measured) / seen * length_);
}

ZSetObject::Node* ZSetObject::NewNode(int height, double score, Entry* entry) {
  auto* n = static_cast<Node*>(malloc(sizeof(Node) + static_cast<size_t>(height) * sizeof(Level)));
  if (!n) abort();
  n->score = score;
  n->backward = nullptr;
  n->entry = entry;
  n->height = static_cast<uint32_t>(height);
  return n;
}

int ZSetObject::RandomLevel() {
  // Redis's distribution: each further level with probability 1/4.
  thread_local std::mt19937 rng(std::random_device{}());
  int level = 1;
  while (level < kMaxLevel && (rng() & 0xFFFF) < (0xFFFF / 4)) ++level;
  return level;
}

bool ZSetObject::Score(std::string_view member, double* score) {
  if (dict_.rehashing()) dict_.RehashStep();
  Entry* e = dict_.Find(member, dict_.Hash(member));
  if (!e) return false;
  *score = EntryScore(e);
  return true;
}

void ZSetObject::Insert(std::string_view member, double score) {
  Entry* e = Entry::Create(member, std::string_view(reinterpret_cast<const char*>(&score), 8), Encoding::kRaw,
                           Entry::kNoExpire);
  dict_.Insert(e, dict_.Hash(member));
  LinkNode(NewNode(RandomLevel(), score, e));
}

bool ZSetObject::Set(std::string_view member, double score) {
  if (dict_.rehashing()) dict_.RehashStep();
  Entry* e = dict_.Find(member, dict_.Hash(member));
  if (!e) {
    Insert(member, score);
    return true;
  }
  double old = EntryScore(e);
  if (old == score) return false;
  Node* update[kMaxLevel];
  Node* x = Seek(old, member, update);
  // Stays in place when it remains between its neighbours.
  if ((x->backward == nullptr || x->backward->score < score) && (x->next() == nullptr || x->next()->score > score)) {
    x->score = score;
  } else {
    UnlinkNode(x, update);
    x->score = score;
    LinkNode(x);
  }
  memcpy(e->mutable_value(), &score, 8);
  return false;
}

bool ZSetObject::Remove(std::string_view member) {
  if (dict_.rehashing()) dict_.RehashStep();
  Dict::Slot slot = dict_.FindSlot(member, dict_.Hash(member));
  if (!slot) return false;
  Entry* e = *slot.link;
  Node* update[kMaxLevel];
  Node* x = Seek(EntryScore(e), member, update);
  UnlinkNode(x, update);
  free(x);
  Entry::Destroy(dict_.UnlinkAt(slot));
  dict_.MaybeShrink();
  return true;
}

size_t ZSetObject::RemoveRange(size_t start, size_t count) {
  if (start >= length_ || count == 0) return 0;
  Node* update[kMaxLevel];
  Node* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level()[i].forward && traversed + x->level()[i].span <= start) {
      traversed += x->level()[i].span;
      x = x->level()[i].forward;
    }
    update[i] = x;
  }
  x = x->next();
  size_t removed = 0;
  while (x && removed < count) {
    Node* next = x->next();
    UnlinkNode(x, update);
    DropIndexEntry(x->entry);
    free(x);
    ++removed;
    x = next;
  }
  dict_.MaybeShrink();
  return removed;
}

int64_t ZSetObject::Rank(std::string_view member) {
  double score;
  if (!Score(member, &score)) return -1;
  return static_cast<int64_t>(CountWhile([&](const Node* n) { return Before(n, score, member); }));
}

ZSetObject::Node* ZSetObject::AtRank(size_t rank) const {
  if (rank >= length_) return nullptr;
  size_t target = rank + 1;  // the head is position 0
  Node* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level()[i].forward && traversed + x->level()[i].span <= target) {
      traversed += x->level()[i].span;
      x = x->level()[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

ZSetObject::Node* ZSetObject::Seek(double score, std::string_view member, Node** update) const {
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level()[i].forward && Before(x->level()[i].forward, score, member)) x = x->level()[i].forward;
    update[i] = x;
  }
  x = x->next();
  return x && x->score == score && x->member() == member ? x : nullptr;
}

void ZSetObject::LinkNode(Node* node) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  std::string_view member = node->member();
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->level()[i].forward && Before(x->level()[i].forward, node->score, member)) {
      rank[i] += x->level()[i].span;
      x = x->level()[i].forward;
    }
    update[i] = x;
  }
  int height = static_cast<int>(node->height);
  if (height > level_) {
    for (int i = level_; i < height; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->level()[i].span = length_;
    }
    level_ = height;
  }
  for (int i = 0; i < height; ++i) {
    Level& up = update[i]->level()[i];
    node->level()[i].forward = up.forward;
    up.forward = node;
    node->level()[i].span = up.span - (rank[0] - rank[i]);
    up.span = rank[0] - rank[i] + 1;
  }
  for (int i = height; i < level_; ++i) ++update[i]->level()[i].span;
  node->backward = update[0] == head_ ? nullptr : update[0];
  if (node->next())
    node->next()->backward = node;
  else
    tail_ = node;
  ++length_;
}

void ZSetObject::UnlinkNode(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    Level& up = update[i]->level()[i];
    if (up.forward == x) {
      up.span += x->level()[i].span - 1;
      up.forward = x->level()[i].forward;
    } else {
      up.span -= 1;
    }
  }
  if (x->next())
    x->next()->backward = x->backward;
  else
    tail_ = x->backward;
  while (level_ > 1 && head_->level()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

void ZSetObject::DropIndexEntry(Entry* e) {
  std::string_view member = e->key();
  Dict::Slot slot = dict_.FindSlot(member, dict_.Hash(member));
  Entry::Destroy(dict_.UnlinkAt(slot));
}

bool ZSetObject::Validate(std::string* why) const {
  auto fail = [&](std::string msg) {
    *why = std::move(msg);
    return false;
  };
  std::unordered_map<const Node*, size_t> pos;
  pos[head_] = 0;
  size_t n = 0;
  const Node* prev = nullptr;
  for (const Node* x = First(); x; x = x->next()) {
    ++n;
    pos[x] = n;
    if (x->backward != prev) return fail("bad backward link at position " + std::to_string(n));
    if (prev && !Before(prev, x->score, x->member())) return fail("out of order at position " + std::to_string(n));
    if (x->height < 1 || x->height > kMaxLevel) return fail("bad height");
    prev = x;
  }
  if (tail_ != prev) return fail("bad tail");
  if (n != length_) return fail("length " + std::to_string(length_) + " but " + std::to_string(n) + " nodes");
  if (level_ < 1 || level_ > kMaxLevel) return fail("bad level");
  for (int i = 0; i < kMaxLevel; ++i) {
    const Node* x = head_;
    while (x->level()[i].forward) {
      const Node* f = x->level()[i].forward;
      if (i >= level_) return fail("link above the list's level");
      if (static_cast<int>(f->height) <= i) return fail("link to a node lower than its level");
      if (pos[f] - pos[x] != x->level()[i].span) return fail("bad span at level " + std::to_string(i));
      x = f;
    }
  }
  if (dict_.size() != length_) return fail("index size differs");
  for (const Node* x = First(); x; x = x->next()) {
    Dict& d = const_cast<Dict&>(dict_);
    Entry* e = d.Find(x->member(), d.Hash(x->member()));
    if (e != x->entry) return fail("index entry differs");
    double s = EntryScore(e);
    if (memcmp(&s, &x->score, 8) != 0) return fail("index score differs");
  }
  return true;
}

}  // namespace ember
