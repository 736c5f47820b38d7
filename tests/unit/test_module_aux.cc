// ModuleHost::SaveAux / LoadAux with the auxdata test module
// (tests/modules/aux_data.c), whose module-global state is the word on its
// loadmodule line: saved from one load, restored into another, and every
// way a block can be refused. Each scenario runs in a forked child on a
// fresh host (RunIsolated), as in test_module_host.cc.
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "config.h"
#include "isolate.h"
#include "module.h"
#include "module_internal.h"
#include "server.h"

#ifndef EMBER_TEST_MODULE_DIR
#error "EMBER_TEST_MODULE_DIR must name the directory the test modules are built in"
#endif

namespace {

using ember::ModuleHost;

std::string ModulePath(const char* name) { return std::string(EMBER_TEST_MODULE_DIR) + "/" + name + ".so"; }

// Runs fn on a host with hooks.so (types without aux data) and auxdata.so
// loaded with `word` as its state; fn returns "" or what went wrong.
template <typename Fn>
std::string WithAuxModule(const std::string& word, Fn fn) {
  auto result = ember_test::RunIsolated([&]() -> std::string {
    spdlog::set_level(spdlog::level::off);
    ember::Config config;
    ember::Server server(config);
    ModuleHost& host = ModuleHost::Get();
    host.set_server(&server);
    for (const char* name : {"hooks", "auxdata"}) {
      std::vector<std::string> args;
      if (std::string(name) == "auxdata") args.push_back(word);
      std::string err = host.Load(ModulePath(name), args);
      if (!err.empty()) return std::string("loading ") + name + ": " + err;
    }
    return fn(host);
  });
  return result.ok ? "" : (result.what.empty() ? "failed" : result.what);
}

#define EXPECT(cond, what) \
  do {                     \
    if (!(cond)) return std::string(what) + " (" #cond ")"; \
  } while (0)

// A block as SaveAux writes it, built with the stream functions: one record.
std::string Block(std::string_view type, uint64_t encver, std::string_view state, uint64_t loads) {
  const EmberApi* api = ember::ModuleApiTable();
  std::string payload, out;
  EmberIO p;
  p.out = &payload;
  api->save_string(&p, state.data(), state.size());
  api->save_u64(&p, loads);
  EmberIO io;
  io.out = &out;
  api->save_u64(&io, 1);
  api->save_string(&io, type.data(), type.size());
  api->save_u64(&io, encver);
  api->save_string(&io, payload.data(), payload.size());
  return out;
}

}  // namespace

TEST_CASE("module aux data: saved once per type that has it", "[module]") {
  std::string what = WithAuxModule("first", [](ModuleHost& host) -> std::string {
    std::string block;
    host.SaveAux(&block);
    EXPECT(block == Block("auxtype", 3, "first", 0), "one record: auxtype, encver 3, its state");
    return "";
  });
  INFO(what);
  CHECK(what.empty());
}

// Each scenario runs in its own child, so the block another load saved is
// rebuilt here (the test above shows SaveAux writes exactly these bytes).
TEST_CASE("module aux data: a block round-trips into another load", "[module]") {
  const std::string saved = Block("auxtype", 3, "saved-state", 0);
  std::string what = WithAuxModule("other", [&](ModuleHost& host) -> std::string {
    std::string err;
    EXPECT(host.LoadAux(saved, &err), "LoadAux: " + err);
    std::string again;
    host.SaveAux(&again);
    EXPECT(again == Block("auxtype", 3, "saved-state", 1), "the loaded state replaced the module's own");
    // An older encoding version is handed to aux_load as such.
    EXPECT(host.LoadAux(Block("auxtype", 2, "older", 5), &err), "LoadAux encver 2: " + err);
    again.clear();
    host.SaveAux(&again);
    EXPECT(again == Block("auxtype", 3, "older", 6), "state from the encver 2 record");
    // A block without records loads and changes nothing.
    std::string empty;
    EmberIO io;
    io.out = &empty;
    ember::ModuleApiTable()->save_u64(&io, 0);
    EXPECT(host.LoadAux(empty, &err), "an empty block: " + err);
    return "";
  });
  INFO(what);
  CHECK(what.empty());
}

TEST_CASE("module aux data: bad blocks are refused with a reason", "[module]") {
  std::string what = WithAuxModule("kept", [](ModuleHost& host) -> std::string {
    std::string err;
    EXPECT(!host.LoadAux(Block("nosuchtype", 1, "x", 0), &err), "an unknown type");
    EXPECT(err == "module data type 'nosuchtype' is not loaded", "unknown type error: " + err);
    EXPECT(!host.LoadAux(Block("hooktype", 1, "x", 0), &err), "a type without aux_load");
    EXPECT(err == "module data type 'hooktype' has no aux_load", "no aux_load error: " + err);
    EXPECT(!host.LoadAux(Block("auxtype", 4, "x", 0), &err), "a newer encoding version");
    EXPECT(err == "module data type 'auxtype' encoding version 4 is newer than the loaded module's",
           "newer encver error: " + err);
    EXPECT(!host.LoadAux(Block("auxtype", 3, "refuse me", 0), &err), "aux_load refuses");
    EXPECT(err == "bad module data for type 'auxtype'", "refused error: " + err);
    EXPECT(!host.LoadAux(Block("auxtype", 1, "x", 0), &err), "aux_load refuses encver 1");
    std::string block = Block("auxtype", 3, "x", 0);
    EXPECT(!host.LoadAux(block + "z", &err), "trailing bytes");
    EXPECT(err == "bad module data block", "trailing bytes error: " + err);
    EXPECT(!host.LoadAux(block.substr(0, block.size() - 1), &err), "a truncated block");
    EXPECT(!host.LoadAux("", &err), "no block at all");
    std::string state;
    host.SaveAux(&state);
    EXPECT(state == Block("auxtype", 3, "kept", 0), "refused blocks left the state alone");
    return "";
  });
  INFO(what);
  CHECK(what.empty());
}
