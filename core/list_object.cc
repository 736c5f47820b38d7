#include "list_object.h"

#include <malloc.h>

#include "pack.h"

namespace ember {

bool ListPackFits(int64_t limit, size_t items, size_t bytes) {
  if (limit > 0) return items <= static_cast<size_t>(limit);
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

void ListObject::Assign(const std::vector<std::string>& items) {
  chunks_.clear();
  size_ = 0;
  for (const std::string& item : items) PushBack(item);
}

}  // namespace ember
