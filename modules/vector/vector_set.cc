// The one translation unit that includes hnswlib (its hnswlib.h defines
// non-inline functions, so a second includer would not link).
#include "vector_set.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "alloc_size.h"

namespace vset {

namespace {

std::atomic<int64_t> g_keys{0};
std::atomic<int64_t> g_elements{0};

using Hnsw = hnswlib::HierarchicalNSW<float>;

// Small first: a cache holds many small keys, and doubling is cheap.
constexpr size_t kInitialCapacity = 16;
constexpr size_t kUpdateLocks = Hnsw::max_update_element_locks;
// An entry of hnswlib's label_lookup_ (std::unordered_map<size_t,
// unsigned>): next pointer, key, value, padded into a 32-byte class.
constexpr size_t kLookupNodeBytes = 32;

}  // namespace

int64_t Totals::keys() { return g_keys.load(std::memory_order_relaxed); }
int64_t Totals::elements() { return g_elements.load(std::memory_order_relaxed); }

// The hnswlib space: hnswlib's own (SIMD) distances for F32, the codec's
// kernels over quantized bytes for F16 and Q8. data_size is the codec's
// stored size, which for COSINE includes the trailing norm that the
// distance (reading dim values) never looks at.
class Space final : public hnswlib::SpaceInterface<float> {
 public:
  explicit Space(const Codec& codec) : data_size_(codec.stored_size()) {
    if (codec.quant() == Quant::kF32) {
      if (codec.metric() == Metric::kL2) {
        f32_ = std::make_unique<hnswlib::L2Space>(codec.dim());
      } else {
        f32_ = std::make_unique<hnswlib::InnerProductSpace>(codec.dim());
      }
      distance_ = f32_->get_dist_func();
      param_ = f32_->get_dist_func_param();
    } else {
      distance_ = codec.quantized_distance();
      // hnswlib passes the parameter back as const void*; it is never written.
      param_ = const_cast<void*>(codec.distance_param());
    }
  }

  size_t get_data_size() override { return data_size_; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
  void* get_dist_func_param() override { return param_; }

 private:
  size_t data_size_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> f32_;
  hnswlib::DISTFUNC<float> distance_;
  void* param_;
};

class HnswIndex {
 public:
  HnswIndex(const Codec& codec, const Settings& s, size_t capacity)
      : space_(codec), hnsw_(&space_, capacity, s.m, s.ef_construction) {
    FitUpdateLocks();
  }

  Hnsw& hnsw() { return hnsw_; }
  const Hnsw& hnsw() const { return hnsw_; }

  void Resize(size_t capacity) {
    hnsw_.resizeIndex(capacity);
    FitUpdateLocks();
  }

  // Bytes of the upper-layer link lists hnswlib has malloc'd, counted as
  // elements are created so that MemoryUsage stays O(1).
  size_t upper_link_bytes = 0;

 private:
  // hnswlib 0.6.2 gives every index 65,536 "update" mutexes (2.6 MB), but
  // only ever locks update_locks[id & 65535] for an id below max_elements_:
  // keeping min(capacity, 65536) of them lets a small key stay small.
  void FitUpdateLocks() {
    size_t want = std::min(hnsw_.max_elements_, kUpdateLocks);
    if (hnsw_.link_list_update_locks_.size() != want) {
      std::vector<std::mutex>(want).swap(hnsw_.link_list_update_locks_);
    }
  }

  Space space_;  // before hnsw_, which points into it
  Hnsw hnsw_;
};

VectorSet::VectorSet(const Settings& settings)
    : settings_(settings),
      codec_(settings.metric, settings.quant, settings.dim),
      index_(std::make_unique<HnswIndex>(codec_, settings_, kInitialCapacity)),
      encoded_(codec_.stored_size()) {
  names_.Resize(kInitialCapacity);
  g_keys.fetch_add(1, std::memory_order_relaxed);
}

VectorSet::~VectorSet() {
  g_keys.fetch_sub(1, std::memory_order_relaxed);
  g_elements.fetch_sub(static_cast<int64_t>(size()), std::memory_order_relaxed);
}

size_t VectorSet::capacity() const { return index_->hnsw().max_elements_; }

void VectorSet::Reserve(size_t n) {
  const Hnsw& h = index_->hnsw();
  size_t fresh = n > free_.size() ? n - free_.size() : 0;
  size_t needed = h.cur_element_count + fresh;
  if (needed <= h.max_elements_) return;
  size_t cap = h.max_elements_;
  while (cap < needed) cap *= 2;
  index_->Resize(cap);
  names_.Resize(cap);
}

uint32_t VectorSet::NewSlot() {
  if (!free_.empty()) {
    uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  Reserve(1);
  return static_cast<uint32_t>(index_->hnsw().cur_element_count);
}

bool VectorSet::Add(std::string_view name, const float* v) {
  codec_.Encode(v, encoded_.data());
  return Store(name, encoded_.data());
}

bool VectorSet::AddEncoded(std::string_view name, const uint8_t* stored) {
  // The distances read the vector as floats or halves: a payload's bytes
  // (RESTORE) may sit at any address, so give them the scratch's alignment.
  std::memcpy(encoded_.data(), stored, encoded_.size());
  return Store(name, encoded_.data());
}

bool VectorSet::Store(std::string_view name, const uint8_t* stored) {
  Hnsw& h = index_->hnsw();
  uint32_t label = names_.Find(name);
  if (label != NameTable::kNone) {
    // Labels are internal ids (see NewSlot), so the stored bytes are at the
    // label's slot. An identical vector needs no graph repair.
    if (std::memcmp(h.getDataByInternalId(label), stored, codec_.stored_size()) != 0) {
      h.addPoint(stored, label);  // an existing label: hnswlib updates it in place
    }
    return false;
  }
  // A fresh slot is the next internal id, so label == internal id always;
  // a freed slot keeps its label, and addPoint on that (deleted) label
  // unmarks it and rewires it for the new vector: hnswlib 0.7's
  // replace_deleted, which Debian's 0.6.2 does not have by name.
  label = NewSlot();
  bool fresh = label == h.cur_element_count;
  names_.Insert(name, label);
  try {
    h.addPoint(stored, label);
  } catch (...) {
    names_.Erase(label);
    if (!fresh) free_.push_back(label);
    throw;
  }
  if (fresh && h.element_levels_[label] > 0) {
    index_->upper_link_bytes +=
        AllocatedSize(h.size_links_per_element_ * static_cast<size_t>(h.element_levels_[label]) + 1);
  }
  g_elements.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool VectorSet::Remove(std::string_view name) {
  uint32_t label = names_.Find(name);
  if (label == NameTable::kNone) return false;
  index_->hnsw().markDelete(label);
  names_.Erase(label);
  free_.push_back(label);
  g_elements.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool VectorSet::Get(std::string_view name, float* out) const {
  uint32_t label = names_.Find(name);
  if (label == NameTable::kNone) return false;
  codec_.Decode(reinterpret_cast<const uint8_t*>(index_->hnsw().getDataByInternalId(label)), out);
  return true;
}

std::vector<VectorSet::Hit> VectorSet::Search(const float* v, size_t k, size_t ef) {
  Hnsw& h = index_->hnsw();
  codec_.Encode(v, encoded_.data());
  h.setEf(ef);
  auto found = h.searchKnn(encoded_.data(), k);
  std::vector<Hit> hits(found.size());
  // searchKnn's queue pops the farthest first.
  for (size_t i = hits.size(); i-- > 0; found.pop()) {
    hits[i] = {static_cast<uint32_t>(found.top().second), found.top().first};
  }
  // A slot whose insertion failed half-way has no name: never report it.
  std::erase_if(hits, [this](const Hit& hit) { return !names_.Has(hit.label); });
  return hits;
}

void VectorSet::ForEach(const std::function<void(std::string_view, const uint8_t*)>& fn) const {
  const Hnsw& h = index_->hnsw();
  for (uint32_t label = 0; label < h.cur_element_count; label++) {
    if (names_.Has(label)) fn(names_.Name(label), reinterpret_cast<const uint8_t*>(h.getDataByInternalId(label)));
  }
}

std::unique_ptr<VectorSet> VectorSet::Clone() const {
  auto copy = std::make_unique<VectorSet>(settings_);
  copy->Reserve(size());
  ForEach([&copy](std::string_view name, const uint8_t* stored) { copy->AddEncoded(name, stored); });
  return copy;
}

size_t VectorSet::MemoryUsage() const {
  const Hnsw& h = index_->hnsw();
  size_t cap = h.max_elements_;
  size_t hnsw = sizeof(HnswIndex) + cap * h.size_data_per_element_  // level 0: links, vector, label
                + cap * sizeof(char*)                                 // upper link list pointers
                + index_->upper_link_bytes                            // upper link lists
                + h.element_levels_.capacity() * sizeof(int)          //
                + h.link_list_locks_.capacity() * sizeof(std::mutex)  //
                + h.link_list_update_locks_.capacity() * sizeof(std::mutex) +
                cap * sizeof(hnswlib::vl_type)  // the visited list (one thread searches)
                + h.label_lookup_.size() * kLookupNodeBytes + h.label_lookup_.bucket_count() * sizeof(void*);
  return sizeof(VectorSet) + hnsw + names_.MemoryUsage() + free_.capacity() * sizeof(uint32_t) +
         encoded_.capacity();
}

}  // namespace vset
