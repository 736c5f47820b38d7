// What the TLS module keeps from the server: the API table and its own
// handle, set once in ember_module_init and read from every shard thread
// afterwards.
#pragma once

#include <string>

#include "ember_module.h"

namespace tls {

extern const EmberApi* g_api;
extern EmberModule* g_module;

// Logs through the server's log ("<tls> message").
void Log(int level, const std::string& message);

}  // namespace tls
