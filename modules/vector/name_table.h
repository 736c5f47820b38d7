// NameTable: element names <-> hnswlib labels, in about 30 bytes a name.
//
// The labels are dense (0 .. capacity-1, the index's slots), so label ->
// name is a vector of pointers to length-prefixed names, and name -> label
// is an open-addressing table of 8-byte slots (label plus hash bits)
// probed linearly and deleted by backward shift, so it has no tombstones.
// A std::unordered_map<std::string, label> would cost ~100 bytes a name,
// which against HNSW's ~750 bytes a 128-dim vector is too much to hide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vset {

class NameTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  NameTable() = default;
  NameTable(const NameTable&) = delete;
  NameTable& operator=(const NameTable&) = delete;

  // Labels below n may be used.
  void Resize(size_t n) { names_.resize(n); }

  // The label of name, or kNone.
  uint32_t Find(std::string_view name) const;
  // Binds a name that is not in the table to a label that has none.
  void Insert(std::string_view name, uint32_t label);
  // Unbinds the label's name.
  void Erase(uint32_t label);

  bool Has(uint32_t label) const { return label < names_.size() && names_[label] != nullptr; }
  std::string_view Name(uint32_t label) const;
  size_t size() const { return count_; }

  // Bytes allocated: the two arrays and every name.
  size_t MemoryUsage() const;

 private:
  struct Slot {
    uint32_t label;  // kNone: empty
    uint32_t tag;    // the hash's high bits: most mismatches skip the name
  };

  static uint64_t Hash(std::string_view name);
  size_t Home(uint64_t hash) const { return static_cast<size_t>(hash) & (slots_.size() - 1); }
  void Place(uint32_t label, uint64_t hash);
  void Rehash(size_t slot_count);

  std::vector<std::unique_ptr<char[]>> names_;  // by label; varint length + bytes
  std::vector<Slot> slots_;                      // power of two, at most 3/4 full
  size_t count_ = 0;
  size_t name_bytes_ = 0;
};

}  // namespace vset
