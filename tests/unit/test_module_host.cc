// ModuleHost in-process, with the hooks test module (tests/modules/hooks.c)
// and the failure fixtures: persistence codec frames, module values'
// serialization, copy, digest and memory, load failures and what a failed
// init leaves behind, INFO text, and the API table itself.
//
// ModuleHost and the command table are process-wide, so every scenario runs
// in a forked child (RunIsolated) on a fresh host: nothing a module
// registers leaks into the other unit tests.
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "command.h"
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

// Runs fn with a real Config and Server (constructed, not run) whose host
// has hooks.so loaded; fn returns "" or what went wrong.
template <typename Fn>
void WithHooks(Fn fn) {
  auto result = ember_test::RunIsolated([&]() -> std::string {
    spdlog::set_level(spdlog::level::off);  // modules log as they load
    ember::Config config;
    config.Set("shards", "2", true);
    ember::Server server(config);
    ModuleHost& host = ModuleHost::Get();
    host.set_server(&server);
    std::string err = host.Load(ModulePath("hooks"), {});
    if (!err.empty()) return "loading hooks.so: " + err;
    return fn(host, server, config);
  });
  INFO(result.what);
  CHECK(result.ok);
}

#define EXPECT(cond, what) \
  do {                     \
    if (!(cond)) return std::string(what) + " (" #cond ")"; \
  } while (0)

// A module value's bytes as SerializeModuleValue writes them: type name,
// encoding version, then hooktype's fields (i64, u64, double, float, string).
std::string HookValueBytes(int64_t i, uint64_t u, double d, float f, std::string_view s, uint64_t encver = 1,
                           std::string_view type = "hooktype") {
  const EmberApi* api = ember::ModuleApiTable();
  std::string out;
  EmberIO io;
  io.out = &out;
  api->save_string(&io, type.data(), type.size());
  api->save_u64(&io, encver);
  api->save_i64(&io, i);
  api->save_u64(&io, u);
  api->save_double(&io, d);
  api->save_float(&io, f);
  api->save_string(&io, s.data(), s.size());
  return out;
}

uint64_t Digest(const ember::ModuleValue& v) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  EmberDigest d{state};
  v.module_type()->def.digest(&d, v.value());
  uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

}  // namespace

TEST_CASE("module host: the API table is complete", "[module]") {
  const EmberApi* api = ember::ModuleApiTable();
  CHECK(api->size == sizeof(EmberApi));
  CHECK(api->abi_version == EMBER_ABI_VERSION);
  // Every entry after the two header fields is a function pointer, and set.
  size_t first = offsetof(EmberApi, set_load_error);
  size_t n = (sizeof(EmberApi) - first) / sizeof(void (*)());
  CHECK(first + n * sizeof(void (*)()) == sizeof(EmberApi));
  for (size_t i = 0; i < n; ++i) {
    void (*fn)();
    std::memcpy(&fn, reinterpret_cast<const char*>(api) + first + i * sizeof(fn), sizeof(fn));
    INFO("entry " << i);
    CHECK(fn != nullptr);
  }
  CHECK(EMBER_HAS(api, free));
}

TEST_CASE("module host: codec frames round trip", "[module]") {
  WithHooks([](ModuleHost& host, ember::Server&, ember::Config&) -> std::string {
    EXPECT(host.has_codecs(), "hooks registered a codec");
    EXPECT(host.CodecNames() == std::vector<std::string>{"hooks-codec"}, "CodecNames");
    for (std::string in : {std::string(), std::string("hello"), std::string("a\0b\r\n", 5), std::string(100000, 'x')}) {
      std::string encoded, decoded;
      std::string err = host.EncodeFrame(in, &encoded);
      EXPECT(err.empty(), "encode: " + err);
      EXPECT(encoded.size() == in.size() + 4 && encoded.compare(0, 4, "HKC1") == 0, "the codec's frame");
      EXPECT(in.empty() || encoded.substr(4) != in, "the frame is transformed");
      err = host.DecodeFrame(encoded, &decoded);
      EXPECT(err.empty(), "decode: " + err);
      EXPECT(decoded == in, "decode(encode(x)) == x");
    }
    return "";
  });
}

TEST_CASE("module host: codec errors", "[module]") {
  WithHooks([](ModuleHost& host, ember::Server&, ember::Config& config) -> std::string {
    std::string out = "untouched";
    std::string err = host.DecodeFrame("not a frame", &out);
    EXPECT(err == "hooks-codec: not a hooks-codec frame", "decode error: " + err);
    EXPECT(out == "untouched", "a failed decode leaves out alone");
    err = host.DecodeFrame("", &out);
    EXPECT(err == "hooks-codec: not a hooks-codec frame", "empty frame: " + err);
    EXPECT(config.Set("hooks.codec-fail", "yes", false).empty(), "CONFIG SET hooks.codec-fail yes");
    err = host.EncodeFrame("data", &out);
    EXPECT(err == "hooks-codec: encoding refused by hooks.codec-fail", "encode error: " + err);
    EXPECT(config.Set("hooks.codec-fail", "no", false).empty(), "CONFIG SET hooks.codec-fail no");
    EXPECT(host.EncodeFrame("data", &out).empty(), "encode works again");
    return "";
  });
}

TEST_CASE("module host: module values serialize, copy, digest, measure", "[module]") {
  WithHooks([](ModuleHost& host, ember::Server&, ember::Config&) -> std::string {
    EXPECT(host.FindType("hooktype") != nullptr, "hooktype is registered");
    EXPECT(host.FindType("hookbare") != nullptr, "hookbare is registered");
    EXPECT(host.FindType("nosuch") == nullptr, "no such type");
    std::string bytes = HookValueBytes(-3, 1ull << 60, 2.5, -0.75f, std::string("bin\0ary", 7));
    std::string error;
    auto v = ember::DeserializeModuleValue(bytes, &error);
    EXPECT(v && error.empty(), "deserialize: " + error);
    EXPECT(v->module_type() == host.FindType("hooktype"), "its type");
    std::string again;
    EXPECT(ember::SerializeModuleValue(*v, &again), "serialize");
    EXPECT(again == bytes, "serialize(deserialize(x)) == x");
    // mem_usage: the struct, the string, and the 10000 bytes hooks adds.
    EXPECT(v->MemoryUsage(0) >= 10000 + 7, "MemoryUsage counts mem_usage");
    // copy: a deep, equal copy.
    auto copy = v->Clone();
    EXPECT(copy != nullptr, "Clone");
    auto* cv = static_cast<ember::ModuleValue*>(copy.get());
    EXPECT(cv->value() != v->value(), "a new value");
    std::string copied;
    EXPECT(ember::SerializeModuleValue(*cv, &copied) && copied == bytes, "the copy serializes the same");
    // digest: equal values, equal digests; a different value, another.
    EXPECT(Digest(*v) == Digest(*cv), "equal digests");
    auto other = ember::DeserializeModuleValue(HookValueBytes(-4, 1ull << 60, 2.5, -0.75f, "x"), &error);
    EXPECT(other && Digest(*other) != Digest(*v), "a different digest");
    // hookbare has no serialize and no copy.
    ember::ModuleValue bare(host.FindType("hookbare"), std::malloc(8));
    std::string none;
    EXPECT(!ember::SerializeModuleValue(bare, &none), "no serialize callback");
    EXPECT(bare.Clone() == nullptr, "no copy callback");
    EXPECT(bare.MemoryUsage(0) == 0, "no mem_usage callback counts 0");
    return "";
  });
}

TEST_CASE("module host: bad module value bytes are refused, not crashed on", "[module]") {
  WithHooks([](ModuleHost&, ember::Server&, ember::Config&) -> std::string {
    std::string good = HookValueBytes(1, 2, 3.0, 4.0f, "five");
    std::string error;
    for (size_t n = 0; n < good.size(); ++n) {
      error.clear();
      auto v = ember::DeserializeModuleValue(std::string_view(good).substr(0, n), &error);
      EXPECT(!v && !error.empty(), "truncated to " + std::to_string(n) + " bytes");
    }
    auto v = ember::DeserializeModuleValue(good + "x", &error);
    EXPECT(!v && error == "bad payload for module data type 'hooktype'", "trailing bytes: " + error);
    v = ember::DeserializeModuleValue(HookValueBytes(1, 2, 3.0, 4.0f, "five", 1, "nosuchtype"), &error);
    EXPECT(!v && error == "module data type 'nosuchtype' is not loaded", "unknown type: " + error);
    v = ember::DeserializeModuleValue(HookValueBytes(1, 2, 3.0, 4.0f, "five", 2), &error);
    EXPECT(!v && error == "module data type 'hooktype' encoding version 2 is newer than the loaded module's",
           "newer encoding: " + error);
    v = ember::DeserializeModuleValue("", &error);
    EXPECT(!v && error == "bad module value header", "empty: " + error);
    // The io reports bad input through io_error: a string longer than the input.
    const EmberApi* api = ember::ModuleApiTable();
    std::string tail;
    EmberIO w;
    w.out = &tail;
    api->save_u64(&w, 1000);
    EmberIO r;
    r.in = tail;
    EmberStr s = api->load_string(&r);
    EXPECT(api->io_error(&r) == 1 && s.len == 0, "load_string past the end");
    EXPECT(api->load_u64(&r) == 0 && api->load_i64(&r) == 0 && api->load_double(&r) == 0.0 &&
               api->load_float(&r) == 0.0f,
           "loads after an error return 0");
    // Every save_* round trips through its load_*.
    std::string all;
    EmberIO o;
    o.out = &all;
    api->save_u64(&o, UINT64_MAX);
    api->save_i64(&o, INT64_MIN);
    api->save_i64(&o, -1);
    api->save_double(&o, -1.0 / 3);
    api->save_float(&o, 1.5f);
    api->save_string(&o, "", 0);
    EmberIO in;
    in.in = all;
    EXPECT(api->load_u64(&in) == UINT64_MAX, "u64");
    EXPECT(api->load_i64(&in) == INT64_MIN, "i64 min");
    EXPECT(api->load_i64(&in) == -1, "i64 -1");
    EXPECT(api->load_double(&in) == -1.0 / 3, "double");
    EXPECT(api->load_float(&in) == 1.5f, "float");
    EXPECT(api->load_string(&in).len == 0, "empty string");
    EXPECT(!api->io_error(&in) && in.in.empty(), "all consumed, no error");
    return "";
  });
}

TEST_CASE("module host: configs, INFO and the module list", "[module]") {
  WithHooks([](ModuleHost& host, ember::Server&, ember::Config& config) -> std::string {
    EXPECT(host.modules().size() == 1 && host.modules()[0]->name() == "hooks", "MODULE LIST");
    EXPECT(host.modules()[0]->version() == 3 && host.modules()[0]->abi() == 1, "version and ABI");
    EXPECT(config.Known("hooks.limit") && config.Known("hooks.mode"), "module params are known");
    EXPECT(config.Set("hooks.limit", "13", false) == "13 is unlucky", "on_set's message");
    std::string v;
    EXPECT(config.Get("hooks.limit", &v) && v == "10", "a refused value is not kept");
    EXPECT(config.Set("hooks.boot-only", "3", false) == "can't set immutable config", "immutable");
    std::string text;
    host.InfoModulesSection(&text);
    EXPECT(text.find("module:name=hooks,ver=3,api=1,filters=1,") != std::string::npos, "# Modules: " + text);
    text.clear();
    EXPECT(host.InfoModuleSections("hooks_extra", &text), "a section by name");
    EXPECT(text.rfind("# hooks_extra\r\n", 0) == 0 && text.find("hooks_stats") == std::string::npos, text);
    text.clear();
    EXPECT(host.InfoModuleSections("everything", &text), "everything");
    for (const char* want : {"# hooks_stats\r\n", "greeting:hello  world\r\n", "ratio:0.5\r\n", "# hooks_metrics\r\n",
                             "hooks_writes_total:", "hooks_live_values:0\r\n"})
      EXPECT(text.find(want) != std::string::npos, std::string("INFO everything lacks ") + want + ": " + text);
    text.clear();
    EXPECT(!host.InfoModuleSections("nosuchsection", &text) && text.empty(), "an unknown section");
    EXPECT(host.metrics().size() == 2, "two metrics");
    EXPECT(host.FindTransport("xor") != nullptr && host.FindTransport("tls") == nullptr, "transports");
    EXPECT(host.has_filters() && host.has_write_listeners(), "hooks");
    EXPECT(host.Unload("hooks").find("hooks into the server") != std::string::npos, "a hook module stays");
    EXPECT(host.Unload("nosuch") == "no such module with that name", "unknown module");
    return "";
  });
}

TEST_CASE("module host: load failures", "[module]") {
  auto result = ember_test::RunIsolated([]() -> std::string {
    spdlog::set_level(spdlog::level::off);
    ember::Config config;
    config.Set("shards", "1", true);
    ember::Server server(config);
    ModuleHost& host = ModuleHost::Get();
    host.set_server(&server);
    struct Case {
      std::string path, want;
    } cases[] = {
        {"/nonexistent/missing.so", "cannot load module '/nonexistent/missing.so': "},
        {ModulePath("no_info"), "'" + ModulePath("no_info") + "' is not an ember module"},
        {ModulePath("newer_abi"), "module 'newerabi' (" + ModulePath("newer_abi") + ") needs module ABI v" +
                                      std::to_string(EMBER_ABI_VERSION + 1) + ", this server implements v" +
                                      std::to_string(EMBER_ABI_VERSION)},
        {ModulePath("no_init"), "'" + ModulePath("no_init") + "' does not export ember_module_init"},
        {ModulePath("init_fails"), "module 'initfails' failed to initialize: init_fails refuses to initialize, as designed"},
    };
    for (const Case& c : cases)
      for (int attempt = 0; attempt < 2; ++attempt) {
        std::string err = host.Load(c.path, {"arg"});
        EXPECT(err.rfind(c.want, 0) == 0, "loading " + c.path + ": got '" + err + "', want '" + c.want + "...'");
        EXPECT(host.modules().empty(), "nothing loaded after " + c.path);
      }
    // init_fails registered a command, a type and a parameter: all gone.
    EXPECT(ember::CommandTable::Get().Find("initfails.cmd") == nullptr, "its command");
    EXPECT(host.FindType("initfailstype") == nullptr, "its type");
    EXPECT(!config.Known("initfails.param"), "its parameter");
    // A good module still loads afterwards.
    std::string err = host.Load(ModulePath("abi_v1"), {});
    EXPECT(err.empty(), "abi_v1: " + err);
    EXPECT(host.Load(ModulePath("abi_v1"), {}) == "a module named 'abiv1' is already loaded", "twice");
    EXPECT(host.Unload("ABIV1").empty(), "unload by name, any case");
    EXPECT(ember::CommandTable::Get().Find("v1.ping") == nullptr, "its commands are gone");
    return "";
  });
  INFO(result.what);
  CHECK(result.ok);
}
