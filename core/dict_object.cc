#include "dict_object.h"

#include <malloc.h>

#include <random>

namespace ember {

uint64_t CollectionSeed() {
  static const uint64_t seed = (static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
  return seed;
}

DictObject::DictObject(ValueType type) : type_(type), dict_(CollectionSeed()) {}

std::unique_ptr<Object> DictObject::Clone() const {
  auto copy = std::make_unique<DictObject>(type_);
  dict_.ForEach([&](Entry* e) { copy->Set(e->key(), e->raw_value()); });
  return copy;
}

size_t DictObject::MemoryUsage(size_t samples) const {
  // Bucket arrays are allocated at exactly their power-of-two size.
  size_t bytes = sizeof(*this) + dict_.bucket_count() * sizeof(Entry*);
  size_t n = dict_.size();
  size_t seen = 0, measured = 0;
  auto measure = [&](Entry* e) {
    measured += malloc_usable_size(e);
    ++seen;
  };
  if (samples == 0 || samples >= n) {
    dict_.ForEach(measure);
    return bytes + measured;
  }
  // A scan from cursor 0 visits whole buckets, so it may measure a few more
  // than asked; the average is scaled by the count either way.
  uint64_t cursor = 0;
  do {
    cursor = dict_.Scan(cursor, measure);
  } while (cursor != 0 && seen < samples);
  return bytes + (seen ? static_cast<size_t>(static_cast<double>(measured) / seen * n) : 0);
}

Entry* DictObject::Find(std::string_view key) {
  if (dict_.rehashing()) dict_.RehashStep();
  return dict_.Find(key, dict_.Hash(key));
}

bool DictObject::Set(std::string_view key, std::string_view value) {
  uint64_t h = dict_.Hash(key);
  Dict::Slot slot = dict_.FindSlot(key, h);
  Entry* fresh = Entry::Create(key, value, Encoding::kRaw, Entry::kNoExpire);
  if (slot) {
    Entry* old = *slot.link;
    dict_.ReplaceAt(slot, fresh);
    Entry::Destroy(old);
    return false;
  }
  dict_.Insert(fresh, h);
  return true;
}

bool DictObject::Remove(std::string_view key) {
  Dict::Slot slot = dict_.FindSlot(key, dict_.Hash(key));
  if (!slot) return false;
  Entry::Destroy(dict_.UnlinkAt(slot));
  dict_.MaybeShrink();
  return true;
}

}  // namespace ember
