// vector.so: HNSW vector search for ember, built only against
// module-api/ember_module.h. This file is the module's face to the server:
// its identity, init, the "vectorset" data type's callbacks, its config
// parameters, its INFO section and its metrics.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "commands.h"
#include "ember_module.h"
#include "host.h"
#include "vector_set.h"

EMBER_MODULE("vector", 1);

namespace vset {

const EmberApi* g_api = nullptr;
EmberType* g_type = nullptr;

namespace {

// Defaults of the config parameters, as numbers and as the text
// register_config takes.
constexpr int64_t kDefaultEfSearch = 100;
constexpr int64_t kDefaultM = 16;
constexpr int64_t kDefaultEfConstruction = 200;
constexpr const char* kDefaultEfSearchText = "100";
constexpr const char* kDefaultMText = "16";
constexpr const char* kDefaultEfConstructionText = "200";

}  // namespace

std::atomic<int64_t> Defaults::ef_search{kDefaultEfSearch};
std::atomic<int64_t> Defaults::m{kDefaultM};
std::atomic<int64_t> Defaults::ef_construction{kDefaultEfConstruction};

namespace {

// ---- the "vectorset" type ---------------------------------------------------

// Serialized form, encoding version 1: dim, metric, quant, M,
// ef_construction, element count, then each element's name and its stored
// bytes (the codec's layout: exact, and as compact as the key's QUANT).
// The graph is not saved; deserialize rebuilds it (see README.md).
constexpr int kEncver = 1;
// A payload's element count is trusted for preallocation only up to this
// many bytes of vectors: a corrupt count must not reserve gigabytes before
// the loads that follow show the payload short. Past it, the index doubles.
constexpr uint64_t kMaxReserveBytes = 64 << 20;

void TypeFree(void* value) { delete static_cast<VectorSet*>(value); }

size_t TypeMemUsage(const void* value) { return static_cast<const VectorSet*>(value)->MemoryUsage(); }

void TypeSerialize(EmberIO* io, const void* value) {
  auto set = static_cast<const VectorSet*>(value);
  const Settings& s = set->settings();
  g_api->save_u64(io, s.dim);
  g_api->save_u64(io, static_cast<uint64_t>(s.metric));
  g_api->save_u64(io, static_cast<uint64_t>(s.quant));
  g_api->save_u64(io, s.m);
  g_api->save_u64(io, s.ef_construction);
  g_api->save_u64(io, set->size());
  size_t stored = set->codec().stored_size();
  set->ForEach([io, stored](std::string_view name, const uint8_t* bytes) {
    g_api->save_string(io, name.data(), name.size());
    g_api->save_string(io, reinterpret_cast<const char*>(bytes), stored);
  });
}

// Reads and checks the settings header; false on a bad payload.
bool LoadSettings(EmberIO* io, Settings* s, uint64_t* count) {
  uint64_t dim = g_api->load_u64(io), metric = g_api->load_u64(io), quant = g_api->load_u64(io);
  uint64_t m = g_api->load_u64(io), ef = g_api->load_u64(io);
  *count = g_api->load_u64(io);
  if (g_api->io_error(io)) return false;
  if (dim < 1 || dim > kMaxDim || metric > 2 || quant > 2 || m < kMinM || m > kMaxM || ef < 1 || ef > kMaxEf) {
    return false;
  }
  s->dim = static_cast<uint32_t>(dim);
  s->metric = static_cast<Metric>(metric);
  s->quant = static_cast<Quant>(quant);
  s->m = static_cast<uint32_t>(m);
  s->ef_construction = static_cast<uint32_t>(ef);
  return true;
}

void* TypeDeserialize(EmberIO* io, int encver) {
  if (encver != kEncver) return nullptr;
  try {
    Settings settings;
    uint64_t count;
    if (!LoadSettings(io, &settings, &count)) return nullptr;
    auto set = std::make_unique<VectorSet>(settings);
    set->Reserve(std::min(count, kMaxReserveBytes / set->codec().stored_size()));
    std::string name;
    for (uint64_t e = 0; e < count; e++) {
      EmberStr n = g_api->load_string(io);
      if (g_api->io_error(io)) return nullptr;
      name.assign(n.ptr, n.len);  // valid only until the next load
      EmberStr bytes = g_api->load_string(io);
      if (g_api->io_error(io) || bytes.len != set->codec().stored_size()) return nullptr;
      auto stored = reinterpret_cast<const uint8_t*>(bytes.ptr);
      // Bad bytes would poison every distance; a repeated name means the
      // payload was not written by TypeSerialize.
      if (!set->codec().Valid(stored) || !set->AddEncoded(name, stored)) return nullptr;
    }
    return set.release();
  } catch (const std::exception&) {
    return nullptr;
  }
}

void* TypeCopy(const void* value) {
  try {
    return static_cast<const VectorSet*>(value)->Clone().release();
  } catch (const std::exception&) {
    return nullptr;
  }
}

void TypeDigest(EmberDigest* digest, const void* value) {
  auto set = static_cast<const VectorSet*>(value);
  const Settings& s = set->settings();
  char header[96];
  int n = std::snprintf(header, sizeof header, "%u:%u:%u:%u:%u", s.dim, static_cast<unsigned>(s.metric),
                        static_cast<unsigned>(s.quant), s.m, s.ef_construction);
  g_api->digest_add(digest, header, static_cast<size_t>(n));
  // By name, so equal sets digest alike whatever slots their history left.
  std::vector<std::pair<std::string_view, const uint8_t*>> elements;
  elements.reserve(set->size());
  set->ForEach([&elements](std::string_view name, const uint8_t* bytes) { elements.emplace_back(name, bytes); });
  std::sort(elements.begin(), elements.end());
  size_t stored = set->codec().stored_size();
  for (const auto& [name, bytes] : elements) {
    g_api->digest_add(digest, name.data(), name.size());
    g_api->digest_add(digest, reinterpret_cast<const char*>(bytes), stored);
  }
}

// ---- config parameters ------------------------------------------------------

// The server validated the value against the bounds already; it may still
// carry a unit suffix (the INT type accepts 1k/1mb/1gb).
int ConfigSet(void* state, const char*, EmberStr value, char* err, size_t err_cap) {
  std::string_view s(value.ptr, value.len);
  int64_t multiplier = 1;
  auto strip = [&s](std::string_view suffix) {
    if (s.size() <= suffix.size()) return false;
    std::string_view tail = s.substr(s.size() - suffix.size());
    for (size_t i = 0; i < suffix.size(); i++) {
      if ((tail[i] | 0x20) != suffix[i]) return false;
    }
    s.remove_suffix(suffix.size());
    return true;
  };
  if (strip("kb")) {
    multiplier = 1024;
  } else if (strip("mb")) {
    multiplier = 1024 * 1024;
  } else if (strip("gb")) {
    multiplier = 1024 * 1024 * 1024;
  } else if (strip("k")) {
    multiplier = 1000;
  } else if (strip("m")) {
    multiplier = 1000 * 1000;
  } else if (strip("g")) {
    multiplier = 1000 * 1000 * 1000;
  }
  int64_t v;
  if (!ParseInt(s, &v)) {
    std::snprintf(err, err_cap, "not an integer");
    return EMBER_ERR;
  }
  static_cast<std::atomic<int64_t>*>(state)->store(v * multiplier, std::memory_order_relaxed);
  return EMBER_OK;
}

int RegisterConfigs(EmberModule* m) {
  struct Param {
    const char* name;
    const char* default_text;
    int64_t min, max;
    std::atomic<int64_t>* value;
  };
  const Param params[] = {
      {"vector.default-ef", kDefaultEfSearchText, 1, kMaxEf, &Defaults::ef_search},
      {"vector.default-m", kDefaultMText, kMinM, kMaxM, &Defaults::m},
      {"vector.default-ef-construction", kDefaultEfConstructionText, 1, kMaxEf, &Defaults::ef_construction},
  };
  for (const Param& p : params) {
    EmberConfigDef def{};
    def.size = sizeof def;
    def.name = p.name;
    def.type = EMBER_CONFIG_INT;
    def.default_value = p.default_text;
    def.min = p.min;
    def.max = p.max;
    def.on_set = ConfigSet;
    def.state = p.value;
    if (g_api->register_config(m, &def) != EMBER_OK) return EMBER_ERR;
  }
  return EMBER_OK;
}

// ---- INFO and metrics -------------------------------------------------------

void Info(EmberInfoCtx* ctx, int) {
  g_api->info_section(ctx, "vector");
  g_api->info_field_i64(ctx, "vector_keys", Totals::keys());
  g_api->info_field_i64(ctx, "vector_elements", Totals::elements());
}

double MetricKeys(void*) { return static_cast<double>(Totals::keys()); }
double MetricElements(void*) { return static_cast<double>(Totals::elements()); }

int Fail(EmberModule* m, const char* message) {
  g_api->set_load_error(m, message);
  return EMBER_ERR;
}

}  // namespace

}  // namespace vset

EMBER_EXPORT int ember_module_init(EmberModule* m, const EmberApi* api, int argc, const EmberStr*) {
  using namespace vset;
  g_api = api;
  if (argc != 0) {
    return Fail(m, "vector takes no arguments; set vector.default-* with CONFIG SET or in ember.conf");
  }
  EmberTypeDef type{};
  type.size = sizeof type;
  type.name = "vectorset";
  type.encver = kEncver;
  type.free = TypeFree;
  type.mem_usage = TypeMemUsage;
  type.serialize = TypeSerialize;
  type.deserialize = TypeDeserialize;
  type.copy = TypeCopy;
  type.digest = TypeDigest;
  g_type = api->register_type(m, &type);
  if (g_type == nullptr) return Fail(m, "vector: could not register the vectorset type");
  if (RegisterConfigs(m) != EMBER_OK) return Fail(m, "vector: could not register its config parameters");
  if (api->register_info(m, Info) != EMBER_OK) return Fail(m, "vector: could not register its INFO section");
  if (api->register_metric(m, "vector_keys", "Keys holding a vector set", EMBER_METRIC_GAUGE, MetricKeys, nullptr) !=
          EMBER_OK ||
      api->register_metric(m, "vector_elements", "Elements in all vector sets", EMBER_METRIC_GAUGE, MetricElements,
                           nullptr) != EMBER_OK) {
    return Fail(m, "vector: could not register its metrics");
  }
  if (RegisterCommands(m) != EMBER_OK) return Fail(m, "vector: could not register its commands");
  return EMBER_OK;
}
