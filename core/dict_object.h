// DictObject: a large hash (field → value) or set (member → empty value),
// held in a Dict of Entries: the same incremental rehashing, SCAN cursor
// and O(1) random sampling as the keyspace itself.
#pragma once

#include <memory>
#include <string_view>

#include "dict.h"
#include "object.h"

namespace ember {

class DictObject : public Object {
 public:
  explicit DictObject(ValueType type);
  ValueType type() const override { return type_; }
  const char* encoding_name() const override { return "hashtable"; }
  std::unique_ptr<Object> Clone() const override;
  size_t MemoryUsage(size_t samples) const override;

  size_t size() const { return dict_.size(); }
  Entry* Find(std::string_view key);
  // Sets key's value; returns true if key is new.
  bool Set(std::string_view key, std::string_view value);
  bool Remove(std::string_view key);
  Entry* Random(std::mt19937_64& rng) const { return dict_.Random(rng); }
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const { return dict_.Scan(cursor, fn); }
  void ForEach(const std::function<void(Entry*)>& fn) const { dict_.ForEach(fn); }

 private:
  ValueType type_;
  Dict dict_;
};

// The process-wide seed for collection hash tables.
uint64_t CollectionSeed();

}  // namespace ember
