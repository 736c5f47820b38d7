// Modules: shared libraries built against module-api/ember_module.h, loaded
// at start-up (loadmodule lines, --loadmodule) or by MODULE LOAD.
//
// ModuleHost owns every loaded Module and everything modules registered:
// commands (in the one CommandTable, flagged as module commands), data
// types, config parameters, INFO sections, metrics, and the hooks
// (transports, persistence codecs, command filters, write listeners).
// Its tables change only at start-up or while MODULE LOAD/UNLOAD holds
// every shard, so shard threads read them without locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../module-api/ember_module.h"
#include "module_value.h"

namespace boost::dll {
class shared_library;
}

namespace ember {

class Server;
class Shard;
struct CmdCtx;
struct CommandSpec;

// A command a module registered; CommandSpec::module points here. It
// outlives its module: after MODULE UNLOAD, handler is nullptr and a call
// still in flight answers an error instead of entering unloaded code.
struct ModuleCommand {
  Module* module;
  EmberCommandFn handler;
  EmberGetKeysFn get_keys;
};

struct ModuleTransport {
  Module* module;
  std::string name;
  EmberTransportDef def;
};

struct ModuleCodec {
  Module* module;
  std::string name;
  EmberCodecDef def;
};

struct ModuleMetric {
  Module* module;
  std::string name, help;
  int kind;
  EmberMetricFn fn;
  void* state;
};

class Module {
 public:
  Module(std::string path, std::vector<std::string> args);
  ~Module();

  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }
  const std::vector<std::string>& args() const { return args_; }
  int version() const { return version_; }
  uint32_t abi() const { return abi_; }

 private:
  friend class ModuleHost;
  friend struct ModuleApi;
  std::string path_;
  std::vector<std::string> args_;
  std::string name_;
  int version_ = 0;
  uint32_t abi_ = 0;
  std::string load_error_;
  bool initializing_ = false;
  std::unique_ptr<boost::dll::shared_library> lib_;
  EmberDeinitFn deinit_ = nullptr;
  std::vector<std::string> commands_;
  std::vector<ModuleType*> types_;
  std::vector<std::string> configs_;
  std::vector<EmberInfoFn> info_fns_;
  // Ports init asked to listen on: opened only once the load succeeds, so
  // a failed load leaves no listener behind.
  struct PendingListen {
    const ModuleTransport* transport;
    std::string bind;
    int port;
  };
  std::vector<PendingListen> pending_listens_;
  bool listening_ = false;
  // Hooks, timers and fd watches tie the server to the module's code:
  // a module with any of them is not unloaded.
  int hooks_ = 0;
  std::atomic<int> timers_{0};
  std::atomic<int> fd_watches_{0};
};

class ModuleHost {
 public:
  // The one host (a plain static: the request path asks for it without
  // a function-local static's guard).
  static ModuleHost& Get() { return instance_; }

  void set_server(Server* s) { server_ = s; }
  Server* server() const { return server_; }

  // Loads and initializes a module, then sets `configs` (MODULE LOADEX's
  // parameters of the module); returns "" or why it could not, having
  // unloaded it.
  std::string Load(const std::string& path, const std::vector<std::string>& args,
                   const std::vector<std::pair<std::string, std::string>>& configs = {});
  // Unloads a module by name; returns "" or why it may not.
  std::string Unload(std::string_view name);
  // At exit, after the keyspace is gone: every module's deinit, in reverse
  // load order, then the libraries are unmapped.
  void UnloadAll();
  // At shutdown, before the shards' event loops are freed: drops the
  // timers and fd watches modules left.
  void DropEvents();
  const std::vector<std::unique_ptr<Module>>& modules() const { return modules_; }

  ModuleType* FindType(std::string_view name) const;

  // Module-global data for persistence: every type's aux_save output as
  // one self-delimiting block (a record count, then per record the type
  // name, its encoding version and the bytes), written once per snapshot
  // or AOF rewrite before any key.
  void SaveAux(std::string* out) const;
  // Feeds each record of a SaveAux block to its type's aux_load; false
  // with *err set when a type is not loaded, is newer than the loaded
  // module's, or refuses its bytes, or the block is malformed.
  bool LoadAux(std::string_view in, std::string* err) const;

  // INFO: the "# Modules" section, and the sections modules add (all of
  // them, or those of the module or section named).
  void InfoModulesSection(std::string* out) const;
  // Appends module sections matching `section` ("everything" for all);
  // returns whether any matched.
  bool InfoModuleSections(std::string_view section, std::string* out) const;
  const std::deque<ModuleMetric>& metrics() const { return metrics_; }

  // Hooks on the request path.
  bool has_filters() const { return !filters_.empty(); }
  // Runs the command filters; false when one answered for the command.
  bool RunFilters(CmdCtx& ctx, int slot);
  bool has_write_listeners() const { return !write_listeners_.empty(); }
  // A write of database db: a thread's stream gets SELECT db first when db
  // is not the database of its last write (each thread's stream starts in
  // database 0 when a listener registers), as Redis's replication stream.
  void NotifyWrite(uint32_t shard, std::span<const std::string_view> argv, uint32_t db);
  // EXEC brackets its commands with these: listeners then see MULTI before
  // the transaction's first write and EXEC after its last (none if it
  // wrote nothing), as Redis propagates a transaction.
  void BeginTransaction();
  void EndTransaction(uint32_t shard);

  const ModuleTransport* FindTransport(std::string_view name) const;

  // Persistence frames through every codec: encode in load order, decode
  // in reverse. Return "" or the error a codec reported.
  bool has_codecs() const { return !codecs_.empty(); }
  std::string EncodeFrame(std::string_view in, std::string* out) const;
  std::string DecodeFrame(std::string_view in, std::string* out) const;
  // The codecs' names, in encode order, for a file header.
  std::vector<std::string> CodecNames() const;

 private:
  friend struct ModuleApi;
  struct Filter {
    Module* module;
    EmberFilterFn fn;
    void* state;
  };
  struct WriteListener {
    Module* module;
    EmberWriteFn fn;
    void* state;
  };

  Module* FindModule(std::string_view name) const;
  // Through every codec: encode in load order, decode in reverse.
  std::string Transcode(std::string_view in, std::string* out, bool encode) const;
  // Removes what m registered and m itself (its library is unmapped unless
  // code of it may still run).
  void Forget(Module* m);
  void TrackTimer(EmberTimer* t);
  bool ForgetTimer(EmberTimer* t);  // false if already fired or deleted
  bool TimerLive(EmberTimer* t) const;
  void TrackFdWatch(EmberFdWatch* w);
  bool ForgetFdWatch(EmberFdWatch* w);

  static ModuleHost instance_;
  Server* server_ = nullptr;
  std::vector<std::unique_ptr<Module>> modules_;
  std::vector<std::unique_ptr<Module>> retained_;  // failed, but code of them may still run
  std::deque<ModuleCommand> commands_;  // never shrinks: see ModuleCommand
  std::vector<std::unique_ptr<ModuleType>> types_;
  std::deque<ModuleMetric> metrics_;
  std::vector<std::unique_ptr<ModuleTransport>> transports_;
  std::vector<ModuleCodec> codecs_;
  std::vector<Filter> filters_;
  std::vector<WriteListener> write_listeners_;
  // Bumped when a listener registers: every thread's stream restarts in db 0.
  std::atomic<uint64_t> listeners_epoch_{0};
  // Timers and fd watches are created and fired on shard threads.
  mutable std::mutex mu_;
  std::unordered_set<EmberTimer*> timers_;
  std::unordered_set<EmberFdWatch*> fd_watches_;
};

// The handler of every module command: calls the module's handler.
void RunModuleCommand(CmdCtx& ctx);
// Key positions of a module command whose module finds them (get_keys).
void ModuleCommandKeys(const ModuleCommand& cmd, std::span<const std::string_view> argv, std::vector<size_t>* out);

// A connection's transport state (a module's per-connection pointer).
struct TransportConn {
  const ModuleTransport* transport;
  void* conn;
};

}  // namespace ember
