// What the module keeps from the server: the API table and the registered
// type, set once in ember_module_init and read from every shard thread
// afterwards.
#pragma once

#include "ember_module.h"

namespace protomod {

extern const EmberApi* g_api;
extern EmberType* g_type;

}  // namespace protomod
