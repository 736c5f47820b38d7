// What the module keeps from the server: the API table and the registered
// type (set once in ember_module_init, read from every shard thread
// afterwards), and the config parameters' current values.
#pragma once

#include <atomic>
#include <cstdint>

#include "ember_module.h"

namespace vset {

extern const EmberApi* g_api;
extern EmberType* g_type;

// CONFIG SET runs on one thread while shards read: hence atomics.
struct Defaults {
  static std::atomic<int64_t> ef_search;        // vector.default-ef
  static std::atomic<int64_t> m;                // vector.default-m
  static std::atomic<int64_t> ef_construction;  // vector.default-ef-construction
};

}  // namespace vset
