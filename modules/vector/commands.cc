// The vector commands. Each handler parses and validates everything first,
// then touches the key, then replies once; only the index work in between
// can throw (allocation), and RunGuarded turns that into an error reply.
#include "commands.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "args.h"
#include "host.h"
#include "vector_set.h"

namespace vset {

namespace {

constexpr const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

int Error(EmberCtx* ctx, const std::string& message) {
  g_api->reply_error(ctx, message.c_str());
  return EMBER_ERR;
}

// A key opened for one command and closed on every way out of it.
class KeyHandle {
 public:
  enum class Holds { kNothing, kVectorSet, kOther };

  KeyHandle(EmberCtx* ctx, const EmberStr& name, int mode) : key_(g_api->open_key(ctx, name, mode)) {}
  ~KeyHandle() { g_api->close_key(key_); }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;

  EmberKey* get() const { return key_; }

  // What the key holds; *set is its vector set when kVectorSet.
  Holds Lookup(VectorSet** set) const {
    int type = g_api->key_type(key_);
    if (type == EMBER_KEYTYPE_EMPTY) return Holds::kNothing;
    if (type != EMBER_KEYTYPE_MODULE || g_api->key_module_type(key_) != g_type) return Holds::kOther;
    *set = static_cast<VectorSet*>(g_api->key_module_value(key_));
    return Holds::kVectorSet;
  }

  // Stores a new set at the (empty) key; the key owns it from then on.
  bool Store(std::unique_ptr<VectorSet> set) {
    if (g_api->key_set_module_value(key_, g_type, set.get()) != EMBER_OK) return false;
    set.release();
    return true;
  }

 private:
  EmberKey* key_;
};

// ---- VADD key element f32 [f32 ...] [METRIC m] [QUANT q] [M n] [EF n] ------

int Vadd(EmberCtx* ctx, int argc, const EmberStr* argv) {
  int i = 3;
  std::vector<float> v;
  if (std::string err = ParseVector(argc, argv, &i, &v); !err.empty()) return Error(ctx, err);
  IndexOptions opts;
  while (i < argc) {
    if (std::string err = opts.Parse(argc, argv, &i); !err.empty()) return Error(ctx, err);
  }
  if (std::string err = CheckDimension(v.size()); !err.empty()) return Error(ctx, err);

  KeyHandle key(ctx, argv[1], EMBER_WRITE);
  VectorSet* set = nullptr;
  switch (key.Lookup(&set)) {
    case KeyHandle::Holds::kOther:
      return Error(ctx, kWrongType);
    case KeyHandle::Holds::kVectorSet: {
      if (std::string err = opts.CheckAgainst(set->settings()); !err.empty()) return Error(ctx, err);
      if (v.size() != set->settings().dim) return Error(ctx, DimensionMismatch(v.size(), set->settings().dim));
      if (std::string err = CheckVector(set->codec(), v.data()); !err.empty()) return Error(ctx, err);
      bool added = set->Add(View(argv[2]), v.data());
      g_api->key_touched(key.get(), "vadd");
      g_api->reply_integer(ctx, added ? 1 : 0);
      return EMBER_OK;
    }
    case KeyHandle::Holds::kNothing:
      break;
  }
  Settings settings = opts.ForNewKey(static_cast<uint32_t>(v.size()));
  if (std::string err = CheckVector(Codec(settings.metric, settings.quant, settings.dim), v.data()); !err.empty()) {
    return Error(ctx, err);
  }
  auto fresh = std::make_unique<VectorSet>(settings);
  fresh->Add(View(argv[2]), v.data());
  if (!key.Store(std::move(fresh))) return Error(ctx, "ERR could not store the vector set");
  g_api->key_touched(key.get(), "vadd");
  g_api->reply_integer(ctx, 1);
  return EMBER_OK;
}

// ---- VADD_BATCH key DIM n [BLOB] elem vector elem vector ... [options] ------

struct Batch {
  std::vector<EmberStr> names;
  std::vector<float> values;  // names.size() * dim, in order
};

// Little-endian f32s to native floats.
void AppendBlob(const EmberStr& blob, std::vector<float>* out) {
  size_t n = blob.len / sizeof(float);
  size_t at = out->size();
  out->resize(at + n);
  std::memcpy(out->data() + at, blob.ptr, n * sizeof(float));
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t j = at; j < at + n; j++) {
      uint32_t u;
      std::memcpy(&u, &(*out)[j], sizeof u);
      u = __builtin_bswap32(u);
      std::memcpy(&(*out)[j], &u, sizeof u);
    }
  }
}

std::string ParseBatchElements(int argc, const EmberStr* argv, int* i, uint32_t dim, Batch* batch) {
  bool binary = *i < argc && Is(argv[*i], "BLOB");
  if (binary) ++*i;
  // An element starts wherever the previous one ended; a word there that
  // is an option name starts the options instead.
  while (*i < argc && !IndexOptions::IsOption(argv[*i])) {
    const EmberStr& name = argv[(*i)++];
    auto who = [&name] { return " (element '" + std::string(View(name).substr(0, 64)) + "')"; };
    batch->names.push_back(name);
    if (binary) {
      if (*i >= argc) return "ERR missing blob" + who();
      const EmberStr& blob = argv[(*i)++];
      if (blob.len != size_t{dim} * sizeof(float)) {
        return "ERR blob has " + std::to_string(blob.len) + " bytes, DIM " + std::to_string(dim) + " needs " +
               std::to_string(size_t{dim} * sizeof(float)) + who();
      }
      size_t at = batch->values.size();
      AppendBlob(blob, &batch->values);
      for (size_t j = at; j < batch->values.size(); j++) {
        if (!std::isfinite(batch->values[j])) return "ERR vector components must be finite numbers" + who();
      }
      continue;
    }
    for (uint32_t d = 0; d < dim; d++, ++*i) {
      if (*i >= argc) return "ERR expected " + std::to_string(dim) + " values" + who();
      float f;
      switch (ParseFloat(View(argv[*i]), &f)) {
        case FloatParse::kOk:
          batch->values.push_back(f);
          break;
        case FloatParse::kNotFinite:
          return "ERR vector components must be finite numbers" + who();
        case FloatParse::kNotNumber:
          return "ERR expected " + std::to_string(dim) + " values, got '" +
                 std::string(View(argv[*i]).substr(0, 64)) + "'" + who();
      }
    }
  }
  return "";
}

int VaddBatch(EmberCtx* ctx, int argc, const EmberStr* argv) {
  if (!Is(argv[2], "DIM")) return Error(ctx, "ERR DIM n must follow the key");
  int64_t dim64;
  if (!ParseInt(View(argv[3]), &dim64) || dim64 < 1 || dim64 > kMaxDim) {
    return Error(ctx, "ERR DIM must be an integer between 1 and " + std::to_string(kMaxDim));
  }
  auto dim = static_cast<uint32_t>(dim64);
  int i = 4;
  Batch batch;
  if (std::string err = ParseBatchElements(argc, argv, &i, dim, &batch); !err.empty()) return Error(ctx, err);
  IndexOptions opts;
  while (i < argc) {
    if (std::string err = opts.Parse(argc, argv, &i); !err.empty()) return Error(ctx, err);
  }
  if (batch.names.empty()) return Error(ctx, "ERR VADD_BATCH needs at least one element");

  KeyHandle key(ctx, argv[1], EMBER_WRITE);
  VectorSet* set = nullptr;
  std::unique_ptr<VectorSet> fresh;
  switch (key.Lookup(&set)) {
    case KeyHandle::Holds::kOther:
      return Error(ctx, kWrongType);
    case KeyHandle::Holds::kVectorSet:
      if (std::string err = opts.CheckAgainst(set->settings()); !err.empty()) return Error(ctx, err);
      if (dim != set->settings().dim) return Error(ctx, DimensionMismatch(dim, set->settings().dim));
      break;
    case KeyHandle::Holds::kNothing:
      fresh = std::make_unique<VectorSet>(opts.ForNewKey(dim));
      set = fresh.get();
      break;
  }
  // All or nothing: every vector is checked before the first is added.
  for (size_t e = 0; e < batch.names.size(); e++) {
    if (std::string err = CheckVector(set->codec(), &batch.values[e * dim]); !err.empty()) {
      return Error(ctx, err + " (element '" + std::string(View(batch.names[e]).substr(0, 64)) + "')");
    }
  }
  set->Reserve(batch.names.size());
  int64_t added = 0;
  for (size_t e = 0; e < batch.names.size(); e++) added += set->Add(View(batch.names[e]), &batch.values[e * dim]);
  if (fresh && !key.Store(std::move(fresh))) return Error(ctx, "ERR could not store the vector set");
  g_api->key_touched(key.get(), "vadd");
  g_api->reply_integer(ctx, added);
  return EMBER_OK;
}

// ---- VSIM key f32 [f32 ...] COUNT k [EF n] [WITHSCORES] --------------------

int Vsim(EmberCtx* ctx, int argc, const EmberStr* argv) {
  int i = 2;
  std::vector<float> v;
  if (std::string err = ParseVector(argc, argv, &i, &v); !err.empty()) return Error(ctx, err);
  int64_t count = 0;
  int64_t ef = Defaults::ef_search.load(std::memory_order_relaxed);
  bool with_scores = false;
  while (i < argc) {
    if (Is(argv[i], "WITHSCORES")) {
      with_scores = true;
      i++;
    } else if (Is(argv[i], "COUNT")) {
      if (i + 1 >= argc || !ParseInt(View(argv[i + 1]), &count) || count < 1) {
        return Error(ctx, "ERR COUNT must be a positive integer");
      }
      i += 2;
    } else if (Is(argv[i], "EF")) {
      if (i + 1 >= argc || !ParseInt(View(argv[i + 1]), &ef) || ef < 1 || ef > kMaxEf) {
        return Error(ctx, "ERR EF must be an integer between 1 and " + std::to_string(kMaxEf));
      }
      i += 2;
    } else {
      return Error(ctx, "ERR unknown option '" + std::string(View(argv[i]).substr(0, 64)) + "'");
    }
  }
  if (count == 0) return Error(ctx, "ERR COUNT k is required");
  if (std::string err = CheckDimension(v.size()); !err.empty()) return Error(ctx, err);

  KeyHandle key(ctx, argv[1], EMBER_READ);
  VectorSet* set = nullptr;
  std::vector<VectorSet::Hit> hits;
  switch (key.Lookup(&set)) {
    case KeyHandle::Holds::kOther:
      return Error(ctx, kWrongType);
    case KeyHandle::Holds::kVectorSet: {
      if (v.size() != set->settings().dim) return Error(ctx, DimensionMismatch(v.size(), set->settings().dim));
      if (std::string err = CheckVector(set->codec(), v.data()); !err.empty()) return Error(ctx, err);
      size_t k = std::min(static_cast<size_t>(count), set->size());
      hits = set->Search(v.data(), k, std::max(static_cast<size_t>(ef), k));
      break;
    }
    case KeyHandle::Holds::kNothing:
      break;
  }
  if (with_scores) {
    // A map in RESP3 (name -> double), name/score pairs in RESP2.
    g_api->reply_map(ctx, hits.size());
  } else {
    g_api->reply_array(ctx, hits.size());
  }
  for (const VectorSet::Hit& hit : hits) {
    std::string_view name = set->Name(hit.label);
    g_api->reply_bulk(ctx, name.data(), name.size());
    if (with_scores) g_api->reply_double(ctx, set->codec().Score(hit.distance));
  }
  return EMBER_OK;
}

// ---- VREM key element -------------------------------------------------------

int Vrem(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_WRITE);
  VectorSet* set = nullptr;
  switch (key.Lookup(&set)) {
    case KeyHandle::Holds::kOther:
      return Error(ctx, kWrongType);
    case KeyHandle::Holds::kNothing:
      g_api->reply_integer(ctx, 0);
      return EMBER_OK;
    case KeyHandle::Holds::kVectorSet:
      break;
  }
  bool removed = set->Remove(View(argv[2]));
  if (removed) {
    g_api->key_touched(key.get(), "vrem");
    // As with every Redis collection, the last element takes the key along,
    // with a "del" event as SREM's or HDEL's.
    if (set->size() == 0) {
      g_api->key_touched(key.get(), "del");
      g_api->key_delete(key.get());
    }
  }
  g_api->reply_integer(ctx, removed ? 1 : 0);
  return EMBER_OK;
}

// ---- VGET key element / VCARD key / VDIM key / VINFO key --------------------

int Vget(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  VectorSet* set = nullptr;
  KeyHandle::Holds holds = key.Lookup(&set);
  if (holds == KeyHandle::Holds::kOther) return Error(ctx, kWrongType);
  std::vector<float> v;
  if (holds == KeyHandle::Holds::kVectorSet) {
    v.resize(set->settings().dim);
    if (!set->Get(View(argv[2]), v.data())) v.clear();
  }
  if (v.empty()) {
    g_api->reply_null(ctx);
    return EMBER_OK;
  }
  g_api->reply_array(ctx, v.size());
  for (float f : v) g_api->reply_double(ctx, f);
  return EMBER_OK;
}

int Vcard(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  VectorSet* set = nullptr;
  KeyHandle::Holds holds = key.Lookup(&set);
  if (holds == KeyHandle::Holds::kOther) return Error(ctx, kWrongType);
  g_api->reply_integer(ctx, holds == KeyHandle::Holds::kVectorSet ? static_cast<int64_t>(set->size()) : 0);
  return EMBER_OK;
}

int Vdim(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  VectorSet* set = nullptr;
  KeyHandle::Holds holds = key.Lookup(&set);
  if (holds == KeyHandle::Holds::kOther) return Error(ctx, kWrongType);
  if (holds == KeyHandle::Holds::kNothing) {
    g_api->reply_null(ctx);
  } else {
    g_api->reply_integer(ctx, set->settings().dim);
  }
  return EMBER_OK;
}

int Vinfo(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  VectorSet* set = nullptr;
  KeyHandle::Holds holds = key.Lookup(&set);
  if (holds == KeyHandle::Holds::kOther) return Error(ctx, kWrongType);
  if (holds == KeyHandle::Holds::kNothing) {
    g_api->reply_null(ctx);
    return EMBER_OK;
  }
  const Settings& s = set->settings();
  auto text = [ctx](const char* field, std::string_view value) {
    g_api->reply_bulk(ctx, field, std::strlen(field));
    g_api->reply_bulk(ctx, value.data(), value.size());
  };
  auto number = [ctx](const char* field, int64_t value) {
    g_api->reply_bulk(ctx, field, std::strlen(field));
    g_api->reply_integer(ctx, value);
  };
  g_api->reply_map(ctx, 10);
  text("metric", MetricName(s.metric));
  text("quant", QuantName(s.quant));
  number("m", s.m);
  number("ef-construction", s.ef_construction);
  number("ef-search", Defaults::ef_search.load(std::memory_order_relaxed));
  number("dim", s.dim);
  number("size", static_cast<int64_t>(set->size()));
  number("capacity", static_cast<int64_t>(set->capacity()));
  number("free-slots", static_cast<int64_t>(set->free_slots()));
  number("memory", static_cast<int64_t>(set->MemoryUsage()));
  return EMBER_OK;
}

// Exceptions must not cross the C ABI. Handlers throw only before they
// reply (see the top of this file), so one error reply is always right.
template <EmberCommandFn Handler>
int RunGuarded(EmberCtx* ctx, int argc, const EmberStr* argv) {
  try {
    return Handler(ctx, argc, argv);
  } catch (const std::bad_alloc&) {
    return Error(ctx, "ERR out of memory");
  } catch (const std::exception& e) {
    return Error(ctx, std::string("ERR vector index: ") + e.what());
  }
}

}  // namespace

int RegisterCommands(EmberModule* m) {
  constexpr uint32_t kWrite = EMBER_CMD_WRITE | EMBER_CMD_DENYOOM;
  constexpr uint32_t kRead = EMBER_CMD_READONLY;
  constexpr uint32_t kReadFast = EMBER_CMD_READONLY | EMBER_CMD_FAST;
  struct Row {
    const char* name;
    int arity;
    uint32_t flags;
    EmberCommandFn handler;
    const char* summary;
  };
  const Row rows[] = {
      {"vadd", -4, kWrite, RunGuarded<Vadd>, "Adds an element with its vector, or replaces its vector."},
      {"vadd_batch", -6, kWrite, RunGuarded<VaddBatch>, "Adds many elements with their vectors in one command."},
      {"vsim", -5, kRead, RunGuarded<Vsim>, "Returns the elements nearest to a vector."},
      {"vrem", 3, EMBER_CMD_WRITE | EMBER_CMD_FAST, RunGuarded<Vrem>, "Removes an element from a vector set."},
      {"vget", 3, kReadFast, RunGuarded<Vget>, "Returns the vector of an element."},
      {"vcard", 2, kReadFast, RunGuarded<Vcard>, "Returns the number of elements in a vector set."},
      {"vdim", 2, kReadFast, RunGuarded<Vdim>, "Returns the dimension of a vector set."},
      {"vinfo", 2, kReadFast, RunGuarded<Vinfo>, "Returns the settings and sizes of a vector set."},
  };
  for (const Row& row : rows) {
    EmberCommandDef def{};
    def.size = sizeof def;
    def.name = row.name;
    def.arity = row.arity;
    def.flags = row.flags;
    def.first_key = 1;
    def.last_key = 1;
    def.key_step = 1;
    def.handler = row.handler;
    def.summary = row.summary;
    if (g_api->register_command(m, &def) != EMBER_OK) return EMBER_ERR;
  }
  return EMBER_OK;
}

}  // namespace vset
