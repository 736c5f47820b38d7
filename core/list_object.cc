#include "list_object.h"

#include <malloc.h>

#include <algorithm>

#include "pack.h"

namespace ember {

bool ListPackFits(int64_t limit, size_t items, size_t bytes) {
  // 0 is a count limit as Redis's fill 0: a chunk of one item each.
  if (limit >= 0) return items <= static_cast<size_t>(std::max<int64_t>(limit, 1));
  int64_t cls = limit < -5 ? 5 : -limit;
  return bytes <= (static_cast<size_t>(4096) << (cls - 1));
}

bool ListObject::Full(const Chunk& c, size_t item_size) const {
  return !ListPackFits(chunk_limit_, c.count + 1, c.pack.size() + PackItemSize(item_size));
}

std::unique_ptr<Object> ListObject::Clone() const { return std::make_unique<ListObject>(*this); }

size_t ListObject::MemoryUsage(size_t samples) const {
  size_t bytes = sizeof(*this) + chunks_.size() * sizeof(Chunk);
  size_t n = chunks_.size();
  size_t seen = 0, measured = 0;
  for (const Chunk& c : chunks_) {
    if (samples != 0 && seen >= samples) break;
    // A short pack sits in the string itself (small-string buffer): only a
    // buffer outside it is a separate allocation.
    const char* d = c.pack.data();
    const char* self = reinterpret_cast<const char*>(&c.pack);
    if (d < self || d >= self + sizeof(c.pack)) measured += malloc_usable_size(const_cast<char*>(d));
    ++seen;
  }
  if (seen == n) return bytes + measured;
  return bytes + static_cast<size_t>(static_cast<double>(measured) / seen * n);
}

void ListObject::PushBack(std::string_view item) {
  if (chunks_.empty() || Full(chunks_.back(), item.size())) chunks_.emplace_back();
  PackAppend(&chunks_.back().pack, item);
  ++chunks_.back().count;
  ++size_;
}

void ListObject::PushFront(std::string_view item) {
  if (chunks_.empty() || Full(chunks_.front(), item.size())) chunks_.emplace_front();
  Chunk& c = chunks_.front();
  std::string pack;
  pack.reserve(PackItemSize(item.size()) + c.pack.size());
  PackAppend(&pack, item);
  pack += c.pack;
  c.pack.swap(pack);
  ++c.count;
  ++size_;
}

std::string ListObject::PopFront() {
  Chunk& c = chunks_.front();
  PackReader r(c.pack);
  std::string item(r.Next());
  c.pack.erase(0, PackItemSize(item.size()));
  if (--c.count == 0) chunks_.pop_front();
  --size_;
  return item;
}

std::string ListObject::PopBack() {
  Chunk& c = chunks_.back();
  PackReader r(c.pack);
  std::string_view last;
  for (uint32_t i = 0; i < c.count; ++i) last = r.Next();
  std::string item(last);
  c.pack.resize(c.pack.size() - PackItemSize(item.size()));
  if (--c.count == 0) chunks_.pop_back();
  --size_;
  return item;
}

std::vector<std::string> ListObject::ToVector() const {
  std::vector<std::string> out;
  out.reserve(size_);
  if (size_) ForRange(0, size_ - 1, [&](std::string_view item) { out.emplace_back(item); });
  return out;
}

namespace {

// Bytes of the item that starts at pack[offset].
size_t ItemBytesAt(std::string_view pack, size_t offset) {
  return PackItemSize(PackReader(pack.substr(offset)).Next().size());
}

std::string PackOne(std::string_view item) {
  std::string out;
  out.reserve(PackItemSize(item.size()));
  PackAppend(&out, item);
  return out;
}

}  // namespace

bool ListObject::Fits(const Chunk& c) const {
  return c.count <= 1 || ListPackFits(chunk_limit_, c.count, c.pack.size());
}

ListObject::Position ListObject::Locate(size_t index) const {
  Position p{0, 0, 0};
  if (index < size_ / 2) {
    size_t base = 0;
    while (base + chunks_[p.chunk].count <= index) base += chunks_[p.chunk++].count;
    p.item = index - base;
  } else {
    size_t base = size_;
    p.chunk = chunks_.size() - 1;
    while (base - chunks_[p.chunk].count > index) base -= chunks_[p.chunk--].count;
    p.item = index - (base - chunks_[p.chunk].count);
  }
  PackReader r(chunks_[p.chunk].pack);
  for (size_t i = 0; i < p.item; ++i) p.offset += PackItemSize(r.Next().size());
  return p;
}

void ListObject::SplitIfOver(size_t i) {
  if (Fits(chunks_[i])) return;
  Chunk& c = chunks_[i];
  // Cut in the middle (by items or by bytes, as the limit counts), so
  // both halves have room for the next edits.
  bool by_count = chunk_limit_ > 0;
  size_t offset = 0, k = 0;
  PackReader r(c.pack);
  while (k + 1 < c.count) {
    offset += PackItemSize(r.Next().size());
    ++k;
    if (by_count ? k >= c.count / 2 : offset >= c.pack.size() / 2) break;
  }
  Chunk tail{c.pack.substr(offset), c.count - static_cast<uint32_t>(k)};
  c.pack = c.pack.substr(0, offset);
  c.count = static_cast<uint32_t>(k);
  chunks_.insert(chunks_.begin() + static_cast<ptrdiff_t>(i) + 1, std::move(tail));
  SplitIfOver(i + 1);
  SplitIfOver(i);
}

void ListObject::Compact(const std::vector<bool>& touched) {
  size_t w = 0;
  bool last_touched = false;
  for (size_t r = 0; r < chunks_.size(); ++r) {
    Chunk& c = chunks_[r];
    if (c.count == 0) continue;
    if (w > 0 && (touched[r] || last_touched)) {
      Chunk& prev = chunks_[w - 1];
      if (ListPackFits(chunk_limit_, prev.count + c.count, prev.pack.size() + c.pack.size())) {
        prev.pack += c.pack;
        prev.count += c.count;
        last_touched = true;
        continue;
      }
    }
    if (w != r) chunks_[w] = std::move(c);
    ++w;
    last_touched = touched[r];
  }
  chunks_.resize(w);
}

void ListObject::Set(size_t index, std::string_view item) {
  Position p = Locate(index);
  Chunk& c = chunks_[p.chunk];
  c.pack.replace(p.offset, ItemBytesAt(c.pack, p.offset), PackOne(item));
  SplitIfOver(p.chunk);
}

void ListObject::Insert(size_t index, std::string_view item) {
  if (index == size_) return PushBack(item);
  Position p = Locate(index);
  Chunk& c = chunks_[p.chunk];
  c.pack.insert(p.offset, PackOne(item));
  ++c.count;
  ++size_;
  SplitIfOver(p.chunk);
}

size_t ListObject::RemoveEqual(std::string_view item, size_t limit, bool from_tail) {
  std::vector<bool> touched(chunks_.size());
  size_t removed = 0;
  for (size_t n = 0; n < chunks_.size() && (limit == 0 || removed < limit); ++n) {
    size_t i = from_tail ? chunks_.size() - 1 - n : n;
    Chunk& c = chunks_[i];
    size_t matches = 0;
    for (PackReader r(c.pack); !r.Done();) matches += r.Next() == item;
    if (matches == 0) continue;
    size_t take = limit == 0 ? matches : std::min(matches, limit - removed);
    // From the tail, the matches nearest the head of this chunk stay.
    size_t keep_first = from_tail ? matches - take : 0;
    std::string kept;
    kept.reserve(c.pack.size());
    size_t seen = 0, taken = 0;
    for (PackReader r(c.pack); !r.Done();) {
      std::string_view v = r.Next();
      if (v == item && seen++ >= keep_first && taken < take) {
        ++taken;
        continue;
      }
      PackAppend(&kept, v);
    }
    kept.shrink_to_fit();
    c.pack.swap(kept);
    c.count -= static_cast<uint32_t>(take);
    size_ -= take;
    removed += take;
    touched[i] = true;
  }
  if (removed) Compact(touched);
  return removed;
}

void ListObject::Trim(size_t front, size_t back) {
  size_ -= front + back;
  while (front && chunks_.front().count <= front) {
    front -= chunks_.front().count;
    chunks_.pop_front();
  }
  if (front) {
    Chunk& c = chunks_.front();
    size_t offset = 0;
    PackReader r(c.pack);
    for (size_t i = 0; i < front; ++i) offset += PackItemSize(r.Next().size());
    c.pack.erase(0, offset);
    c.count -= static_cast<uint32_t>(front);
  }
  while (back && chunks_.back().count <= back) {
    back -= chunks_.back().count;
    chunks_.pop_back();
  }
  if (back) {
    Chunk& c = chunks_.back();
    size_t offset = 0;
    PackReader r(c.pack);
    for (size_t i = 0; i + back < c.count; ++i) offset += PackItemSize(r.Next().size());
    c.pack.resize(offset);
    c.count -= static_cast<uint32_t>(back);
  }
}

std::vector<uint32_t> ListObject::ChunkCounts() const {
  std::vector<uint32_t> out;
  for (const Chunk& c : chunks_) out.push_back(c.count);
  return out;
}

}  // namespace ember
