// What the ABI's opaque handles are inside the server. Only the module
// host (module.cc, module_api.cc) sees these.
#pragma once

#include <xxhash.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../module-api/ember_module.h"
#include "module.h"
#include "reply.h"

struct event;

namespace ember {

class Db;
class Entry;
class Shard;
struct CmdCtx;

}  // namespace ember

struct EmberKey {
  EmberCtx* ctx = nullptr;
  ember::Db* db = nullptr;
  std::string key;
  int mode = 0;
  bool open = false;
  // The key's entry as last looked up, valid while ctx->writes is still
  // entry_writes: a call asks key_type, key_module_type, key_module_value
  // ... of one key without a hash lookup each.
  bool entry_cached = false;
  uint64_t entry_writes = 0;
  ember::Entry* entry = nullptr;
  char int_buf[24];  // a kInt string value printed for key_string_get
};

// One command call, or one shard task (cmd == nullptr, replies discarded).
struct EmberCtx {
  EmberCtx(ember::CmdCtx* c, ember::Shard* s, ember::Reply* r, ember::Module* m)
      : cmd(c), shard(s), reply(r), module(m) {}
  ember::CmdCtx* cmd;
  ember::Shard* shard;
  ember::Reply* reply;
  ember::Module* module;
  // Writes through this ctx's keys so far (see EmberKey::entry): any of
  // them may move or free an entry another key of the call cached.
  uint64_t writes = 0;
  // Keys opened during the call (closed with it if the module did not):
  // the first few live here, so a typical call allocates nothing.
  EmberKey inline_keys[2];
  size_t inline_used = 0;
  std::vector<std::unique_ptr<EmberKey>> more_keys;
  EmberKey& NewKey() {
    if (inline_used < 2) return inline_keys[inline_used++];
    return *more_keys.emplace_back(std::make_unique<EmberKey>());
  }
};

// A serialization stream: writes append to out; reads consume in.
struct EmberIO {
  std::string* out = nullptr;
  std::string_view in;
  bool error = false;
};

struct EmberDigest {
  XXH3_state_t* state;
};

struct EmberInfoCtx {
  ember::Module* module;
  std::string* out;
};

struct EmberBuf {
  std::string* out;
  std::string error;
};

struct EmberTimer {
  ember::Module* module;
  ember::Shard* shard;
  EmberShardFn fn;
  void* data;
  event* ev;
};

struct EmberFdWatch {
  ember::Module* module;
  ember::Shard* shard;
  EmberFdFn fn;
  void* data;
  event* ev;
};

namespace ember {

// The table handed to every module's init.
const EmberApi* ModuleApiTable();
// Closes the keys a call left open.
void CloseCtxKeys(EmberCtx& ctx);

}  // namespace ember
