// VectorSet: the value of one vector key. An HNSW index (hnswlib) whose
// labels are slots 0..capacity-1, the names bound to those slots, and the
// slots freed by VREM, which the next new element reuses.
//
// Not thread-safe: a key's value is only touched from its shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "codec.h"
#include "name_table.h"

namespace vset {

struct Settings {
  Metric metric = Metric::kCosine;
  Quant quant = Quant::kF32;
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  uint32_t dim = 0;
};

// Bounds of the settings (the commands and deserialize check them).
constexpr uint32_t kMinM = 2, kMaxM = 512;
constexpr uint32_t kMaxEf = 1u << 20;

class HnswIndex;  // hnswlib lives in vector_set.cc only

class VectorSet {
 public:
  explicit VectorSet(const Settings& settings);
  ~VectorSet();
  VectorSet(const VectorSet&) = delete;
  VectorSet& operator=(const VectorSet&) = delete;

  const Settings& settings() const { return settings_; }
  const Codec& codec() const { return codec_; }
  size_t size() const { return names_.size(); }
  size_t capacity() const;
  size_t free_slots() const { return free_.size(); }

  // Makes room for n more new elements at once (one resize for a batch).
  void Reserve(size_t n);
  // Adds name with vector v (dim floats the codec accepts) or replaces its
  // vector; true when the name is new.
  bool Add(std::string_view name, const float* v);
  // The same with a vector already encoded (deserialize, copy).
  bool AddEncoded(std::string_view name, const uint8_t* stored);
  // Frees name's slot for reuse; false when there is no such element.
  bool Remove(std::string_view name);
  // The vector of name into out (dim floats); false when absent.
  bool Get(std::string_view name, float* out) const;

  struct Hit {
    uint32_t label;
    float distance;
  };
  // The k nearest to v (dim floats), closest first, exploring ef.
  std::vector<Hit> Search(const float* v, size_t k, size_t ef);
  std::string_view Name(uint32_t label) const { return names_.Name(label); }

  // Calls fn(name, stored bytes) for every element, in slot order.
  void ForEach(const std::function<void(std::string_view, const uint8_t*)>& fn) const;

  // A deep copy (COPY): the same elements, the graph rebuilt.
  std::unique_ptr<VectorSet> Clone() const;

  // Bytes this value holds: hnswlib's allocations, names, free list.
  size_t MemoryUsage() const;

 private:
  bool Store(std::string_view name, const uint8_t* stored);
  uint32_t NewSlot();

  Settings settings_;
  Codec codec_;
  std::unique_ptr<HnswIndex> index_;
  NameTable names_;
  std::vector<uint32_t> free_;       // slots VREM freed, reused first
  std::vector<uint8_t> encoded_;     // scratch: one stored vector
};

// Live values and their elements across all shards (INFO, metrics).
struct Totals {
  static int64_t keys();
  static int64_t elements();
};

}  // namespace vset
