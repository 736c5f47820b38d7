#include "name_table.h"

#include <cstring>
#include <functional>

#include "alloc_size.h"

namespace vset {

namespace {

size_t VarintSize(size_t n) {
  size_t bytes = 1;
  while (n >= 0x80) {
    n >>= 7;
    bytes++;
  }
  return bytes;
}

}  // namespace

uint64_t NameTable::Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

std::string_view NameTable::Name(uint32_t label) const {
  const char* p = names_[label].get();
  size_t len = 0;
  int shift = 0;
  while (true) {
    auto byte = static_cast<unsigned char>(*p++);
    len |= static_cast<size_t>(byte & 0x7f) << shift;
    if (byte < 0x80) break;
    shift += 7;
  }
  return {p, len};
}

uint32_t NameTable::Find(std::string_view name) const {
  if (count_ == 0) return kNone;
  uint64_t hash = Hash(name);
  auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = Home(hash);; i = (i + 1) & (slots_.size() - 1)) {
    const Slot& s = slots_[i];
    if (s.label == kNone) return kNone;
    if (s.tag == tag && Name(s.label) == name) return s.label;
  }
}

void NameTable::Place(uint32_t label, uint64_t hash) {
  size_t i = Home(hash);
  while (slots_[i].label != kNone) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = {label, static_cast<uint32_t>(hash >> 32)};
}

void NameTable::Rehash(size_t slot_count) {
  slots_.assign(slot_count, Slot{kNone, 0});
  for (size_t label = 0; label < names_.size(); label++) {
    if (names_[label]) Place(static_cast<uint32_t>(label), Hash(Name(static_cast<uint32_t>(label))));
  }
}

void NameTable::Insert(std::string_view name, uint32_t label) {
  if ((count_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.empty() ? 16 : slots_.size() * 2);
  size_t header = VarintSize(name.size());
  auto bytes = std::make_unique<char[]>(header + name.size());
  size_t len = name.size();
  char* p = bytes.get();
  while (len >= 0x80) {
    *p++ = static_cast<char>((len & 0x7f) | 0x80);
    len >>= 7;
  }
  *p++ = static_cast<char>(len);
  if (!name.empty()) std::memcpy(p, name.data(), name.size());
  names_[label] = std::move(bytes);
  name_bytes_ += AllocatedSize(header + name.size());
  count_++;
  Place(label, Hash(name));
}

void NameTable::Erase(uint32_t label) {
  std::string_view name = Name(label);
  size_t mask = slots_.size() - 1;
  size_t i = Home(Hash(name));
  while (slots_[i].label != label) i = (i + 1) & mask;
  // Backward-shift deletion: pull later entries of the probe run into the
  // hole when the hole lies between their home and where they sit, so
  // every remaining name is still reachable from its home slot.
  for (size_t j = (i + 1) & mask; slots_[j].label != kNone; j = (j + 1) & mask) {
    size_t home = Home(Hash(Name(slots_[j].label)));
    bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{kNone, 0};
  name_bytes_ -= AllocatedSize(VarintSize(name.size()) + name.size());
  names_[label].reset();
  count_--;
}

size_t NameTable::MemoryUsage() const {
  return names_.capacity() * sizeof(names_[0]) + slots_.capacity() * sizeof(Slot) + name_bytes_;
}

}  // namespace vset
