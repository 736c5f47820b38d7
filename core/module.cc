#include "module.h"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>
#include <event2/event.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "command.h"
#include "config.h"
#include "module_internal.h"
#include "server.h"
#include "util.h"

namespace ember {

Module::Module(std::string path, std::vector<std::string> args) : path_(std::move(path)), args_(std::move(args)) {}

Module::~Module() = default;

ModuleHost ModuleHost::instance_;

Module* ModuleHost::FindModule(std::string_view name) const {
  for (const auto& m : modules_)
    if (EqualsIgnoreCase(m->name_, name)) return m.get();
  return nullptr;
}

ModuleType* ModuleHost::FindType(std::string_view name) const {
  for (const auto& t : types_)
    if (t->name == name) return t.get();
  return nullptr;
}

const ModuleTransport* ModuleHost::FindTransport(std::string_view name) const {
  for (const auto& t : transports_)
    if (t->name == name) return t.get();
  return nullptr;
}

std::string ModuleHost::Load(const std::string& path, const std::vector<std::string>& args,
                             const std::vector<std::pair<std::string, std::string>>& configs) {
  auto m = std::make_unique<Module>(path, args);
  namespace dll = boost::dll;
  try {
    m->lib_ = std::make_unique<dll::shared_library>(path, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    // Boost wraps dlerror()'s text, which is the useful part.
    std::string why = e.what();
    size_t at = why.find("dlerror system message: ");
    if (at != std::string::npos) {
      why = why.substr(at + 24);
      size_t end = why.rfind("): ");
      if (end != std::string::npos) why.resize(end);
    }
    return "cannot load module '" + path + "': " + why;
  }
  if (!m->lib_->has("ember_module_info"))
    return "'" + path + "' is not an ember module: it does not define ember_module_info (EMBER_MODULE)";
  const auto& info = m->lib_->get<const EmberModuleInfo>("ember_module_info");
  if (info.size < sizeof(EmberModuleInfo) || info.abi_version == 0 || !info.name)
    return "'" + path + "' has a malformed ember_module_info";
  if (info.abi_version > EMBER_ABI_VERSION)
    return "module '" + std::string(info.name) + "' (" + path + ") needs module ABI v" +
           std::to_string(info.abi_version) + ", this server implements v" + std::to_string(EMBER_ABI_VERSION);
  if (FindModule(info.name)) return "a module named '" + std::string(info.name) + "' is already loaded";
  if (!m->lib_->has("ember_module_init")) return "'" + path + "' does not export ember_module_init";
  auto& init = m->lib_->get<int(EmberModule*, const EmberApi*, int, const EmberStr*)>("ember_module_init");
  if (m->lib_->has("ember_module_deinit")) m->deinit_ = &m->lib_->get<void(EmberModule*)>("ember_module_deinit");
  m->name_ = info.name;
  m->version_ = info.version;
  m->abi_ = info.abi_version;

  std::vector<EmberStr> argv;
  for (const std::string& a : m->args_) argv.push_back({a.data(), a.size()});
  Module* raw = m.get();
  modules_.push_back(std::move(m));
  raw->initializing_ = true;
  int rc = init(reinterpret_cast<EmberModule*>(raw), ModuleApiTable(), static_cast<int>(argv.size()), argv.data());
  raw->initializing_ = false;
  std::string why;
  if (rc != EMBER_OK) why = raw->load_error_.empty() ? "ember_module_init returned an error" : raw->load_error_;
  for (size_t i = 0; why.empty() && i < configs.size(); ++i) {
    std::string err = server_ ? server_->config().Set(configs[i].first, configs[i].second, true) : "no server";
    if (!err.empty()) why = "CONFIG " + configs[i].first + ": " + (err == "unknown" ? "no such parameter" : err);
  }
  for (size_t i = 0; why.empty() && i < raw->pending_listens_.size(); ++i) {
    const Module::PendingListen& l = raw->pending_listens_[i];
    std::string err = server_ ? server_->ListenTransport(l.transport, l.bind, l.port) : "no server";
    if (!err.empty()) why = "listen: " + err;
    raw->listening_ = raw->listening_ || err.empty();
  }
  raw->pending_listens_.clear();
  if (!why.empty()) {
    std::string name = raw->name_;  // Forget may unmap the library that holds info.name
    Forget(raw);
    return "module '" + name + "' failed to initialize: " + why;
  }
  spdlog::info("module {} version {} (ABI v{}) loaded from {}", raw->name_, raw->version_, raw->abi_, raw->path_);
  return "";
}

std::string ModuleHost::Unload(std::string_view name) {
  Module* m = FindModule(name);
  if (!m) return "no such module with that name";
  for (ModuleType* t : m->types_)
    if (t->values.load() > 0) return "the module's data type '" + t->name + "' holds keys; delete them first";
  if (m->hooks_ > 0) return "the module hooks into the server (transport, codec, command filter or write listener)";
  if (m->timers_.load() > 0) return "the module holds timer that is not fired";
  if (m->fd_watches_.load() > 0) return "the module watches file descriptors";
  if (m->deinit_) m->deinit_(reinterpret_cast<EmberModule*>(m));
  spdlog::info("module {} unloaded", m->name_);
  Forget(m);
  return "";
}

void ModuleHost::Forget(Module* m) {
  CommandTable& table = CommandTable::Get();
  for (const std::string& name : m->commands_) table.Remove(name);
  for (ModuleCommand& c : commands_)
    if (c.module == m) c.handler = nullptr;
  if (server_)
    for (const std::string& name : m->configs_) server_->config().RemoveParam(name);
  std::erase_if(metrics_, [m](const ModuleMetric& x) { return x.module == m; });
  std::erase_if(filters_, [m](const Filter& x) { return x.module == m; });
  std::erase_if(write_listeners_, [m](const WriteListener& x) { return x.module == m; });
  std::erase_if(codecs_, [m](const ModuleCodec& x) { return x.module == m; });
  // A module that failed to initialize after opening a transport's port,
  // or after starting timers, stays mapped: code of it may still be called.
  bool keep_code = m->listening_ || m->timers_.load() > 0 || m->fd_watches_.load() > 0;
  if (!m->listening_) std::erase_if(transports_, [m](const auto& t) { return t->module == m; });
  for (ModuleType* t : m->types_)
    if (t->values.load() > 0) keep_code = true;
  if (!keep_code) std::erase_if(types_, [m](const auto& t) { return t->owner == m; });
  auto it = std::find_if(modules_.begin(), modules_.end(), [m](const auto& p) { return p.get() == m; });
  if (keep_code) retained_.push_back(std::move(*it));
  modules_.erase(it);
}

void ModuleHost::UnloadAll() {
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it)
    if ((*it)->deinit_) (*it)->deinit_(reinterpret_cast<EmberModule*>(it->get()));
  filters_.clear();
  write_listeners_.clear();
  codecs_.clear();
  transports_.clear();
  metrics_.clear();
  types_.clear();
  modules_.clear();
  retained_.clear();
}

void ModuleHost::InfoModulesSection(std::string* out) const {
  out->append("# Modules\r\n");
  for (const auto& m : modules_)
    out->append("module:name=" + m->name_ + ",ver=" + std::to_string(m->version_) + ",api=" + std::to_string(m->abi_) +
                ",filters=" + std::to_string(std::count_if(filters_.begin(), filters_.end(),
                                                           [&](const Filter& f) { return f.module == m.get(); })) +
                ",usedby=[],using=[],options=[]\r\n");
}

bool ModuleHost::InfoModuleSections(std::string_view section, std::string* out) const {
  bool any = false;
  for (const auto& m : modules_) {
    std::string text;
    EmberInfoCtx ctx{m.get(), &text};
    for (EmberInfoFn fn : m->info_fns_) fn(&ctx, 0);
    std::string metrics;
    for (const ModuleMetric& x : metrics_)
      if (x.module == m.get()) metrics += x.name + ":" + DoubleToString(x.fn(x.state)) + "\r\n";
    if (!metrics.empty()) text += (text.empty() ? "" : "\r\n") + ("# " + m->name_ + "_metrics\r\n") + metrics;
    if (text.empty()) continue;
    bool whole = EqualsIgnoreCase(section, "everything") || EqualsIgnoreCase(section, m->name_);
    if (!whole) {
      // Only the section named: "# <name>\r\n" up to the next header.
      std::string lower = "\n# " + ToLower(section) + "\r\n";
      std::string folded = "\n" + ToLower(text);
      size_t at = folded.find(lower);
      if (at == std::string::npos) continue;
      size_t end = folded.find("\n# ", at + 1);
      text = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
      while (text.size() >= 4 && text.compare(text.size() - 4, 4, "\r\n\r\n") == 0) text.resize(text.size() - 2);
    }
    if (!out->empty()) out->append("\r\n");
    out->append(text);
    any = true;
  }
  return any;
}

bool ModuleHost::RunFilters(CmdCtx& ctx, int slot) {
  thread_local std::vector<EmberStr> args;
  args.resize(ctx.argc());
  for (size_t i = 0; i < ctx.argc(); ++i) args[i] = EmberStr{ctx.argv[i].data(), ctx.argv[i].size()};
  for (const Filter& f : filters_) {
    EmberCtx ectx(&ctx, &ctx.shard, &ctx.reply, f.module);
    size_t before = ctx.reply.buffer()->size();
    int rc = f.fn(f.state, &ectx, ctx.spec.flags, slot, static_cast<int>(args.size()), args.data());
    CloseCtxKeys(ectx);
    if (rc != EMBER_OK) {
      if (ctx.reply.buffer()->size() == before) ctx.reply.Error("command refused by module " + f.module->name_);
      return false;
    }
  }
  return true;
}

namespace {
// The transaction this thread is running (EXEC), and whether MULTI went
// to the write listeners yet.
thread_local bool tx_open = false;
thread_local bool tx_announced = false;

}  // namespace

void ModuleHost::BeginTransaction() {
  tx_open = true;
  tx_announced = false;
}

void ModuleHost::EndTransaction(uint32_t shard) {
  if (tx_open && tx_announced) {
    EmberStr exec{"EXEC", 4};
    for (const WriteListener& l : write_listeners_) l.fn(l.state, shard, 1, &exec);
  }
  tx_open = tx_announced = false;
}

void ModuleHost::NotifyWrite(uint32_t shard, std::span<const std::string_view> argv, uint32_t db) {
  if (tx_open && !tx_announced) {
    tx_announced = true;
    EmberStr multi{"MULTI", 5};
    for (const WriteListener& l : write_listeners_) l.fn(l.state, shard, 1, &multi);
  }
  thread_local uint64_t stream_epoch = 0;
  thread_local uint32_t stream_db = 0;
  if (uint64_t epoch = listeners_epoch_.load(std::memory_order_relaxed); epoch != stream_epoch) {
    stream_epoch = epoch;
    stream_db = 0;
  }
  if (db != stream_db) {
    stream_db = db;
    std::string index = std::to_string(db);
    EmberStr select[] = {{"SELECT", 6}, {index.data(), index.size()}};
    for (const WriteListener& l : write_listeners_) l.fn(l.state, shard, 2, select);
  }
  thread_local std::vector<EmberStr> args;
  args.resize(argv.size());
  for (size_t i = 0; i < argv.size(); ++i) args[i] = EmberStr{argv[i].data(), argv[i].size()};
  for (const WriteListener& l : write_listeners_) l.fn(l.state, shard, static_cast<int>(args.size()), args.data());
}

std::string ModuleHost::EncodeFrame(std::string_view in, std::string* out) const {
  return Transcode(in, out, /*encode=*/true);
}

std::string ModuleHost::DecodeFrame(std::string_view in, std::string* out) const {
  return Transcode(in, out, /*encode=*/false);
}

std::string ModuleHost::Transcode(std::string_view in, std::string* out, bool encode) const {
  std::string current(in), next;
  for (size_t i = 0; i < codecs_.size(); ++i) {
    const ModuleCodec& c = codecs_[encode ? i : codecs_.size() - 1 - i];
    next.clear();
    EmberBuf buf{&next, {}};
    auto fn = encode ? c.def.encode : c.def.decode;
    if (fn(c.def.state, EmberStr{current.data(), current.size()}, &buf) != EMBER_OK)
      return c.name + ": " + (buf.error.empty() ? (encode ? "encode failed" : "decode failed") : buf.error);
    current.swap(next);
  }
  *out = std::move(current);
  return "";
}

std::vector<std::string> ModuleHost::CodecNames() const {
  std::vector<std::string> out;
  for (const ModuleCodec& c : codecs_) out.push_back(c.name);
  return out;
}

void ModuleHost::TrackTimer(EmberTimer* t) {
  std::lock_guard lock(mu_);
  timers_.insert(t);
}

bool ModuleHost::ForgetTimer(EmberTimer* t) {
  std::lock_guard lock(mu_);
  return timers_.erase(t) > 0;
}

bool ModuleHost::TimerLive(EmberTimer* t) const {
  std::lock_guard lock(mu_);
  return timers_.count(t) > 0;
}

void ModuleHost::TrackFdWatch(EmberFdWatch* w) {
  std::lock_guard lock(mu_);
  fd_watches_.insert(w);
}

bool ModuleHost::ForgetFdWatch(EmberFdWatch* w) {
  std::lock_guard lock(mu_);
  return fd_watches_.erase(w) > 0;
}

void ModuleHost::DropEvents() {
  std::lock_guard lock(mu_);
  for (EmberTimer* t : timers_) {
    if (t->ev) event_free(t->ev);
    delete t;
  }
  timers_.clear();
  for (EmberFdWatch* w : fd_watches_) {
    event_free(w->ev);
    delete w;
  }
  fd_watches_.clear();
}

// ---- module values ----

ModuleValue::~ModuleValue() {
  type_->def.free(value_);
  type_->values.fetch_sub(1);
}

std::unique_ptr<Object> ModuleValue::Clone() const {
  if (!type_->def.copy) return nullptr;
  void* copy = type_->def.copy(value_);
  if (!copy) return nullptr;
  return std::make_unique<ModuleValue>(type_, copy);
}

void ModuleValue::Reset(ModuleType* type, void* value) {
  if (value != value_) type_->def.free(value_);
  if (type != type_) {
    type_->values.fetch_sub(1);
    type->values.fetch_add(1);
    type_ = type;
  }
  value_ = value;
}

size_t ModuleValue::MemoryUsage(size_t) const { return type_->def.mem_usage ? type_->def.mem_usage(value_) : 0; }

bool SerializeModuleValue(const ModuleValue& v, std::string* out) {
  const ModuleType& t = *v.module_type();
  if (!t.def.serialize) return false;
  // The header goes through the same stream functions that read it back.
  EmberIO io;
  io.out = out;
  const EmberApi* api = ModuleApiTable();
  api->save_string(&io, t.name.data(), t.name.size());
  api->save_u64(&io, static_cast<uint64_t>(t.def.encver));
  t.def.serialize(&io, v.value());
  return true;
}

void ModuleHost::SaveAux(std::string* out) const {
  const EmberApi* api = ModuleApiTable();
  EmberIO io;
  io.out = out;
  uint64_t records = std::count_if(types_.begin(), types_.end(), [](const auto& t) { return t->def.aux_save; });
  api->save_u64(&io, records);
  std::string bytes;
  for (const auto& t : types_) {
    if (!t->def.aux_save) continue;
    bytes.clear();
    EmberIO aux;
    aux.out = &bytes;
    t->def.aux_save(&aux);
    api->save_string(&io, t->name.data(), t->name.size());
    api->save_u64(&io, static_cast<uint64_t>(t->def.encver));
    api->save_string(&io, bytes.data(), bytes.size());
  }
}

bool ModuleHost::LoadAux(std::string_view in, std::string* err) const {
  const EmberApi* api = ModuleApiTable();
  // The whole block is read and checked before any aux_load runs, so a
  // malformed block changes no module's data.
  struct Record {
    ModuleType* type;
    uint64_t encver;
    std::string bytes;  // copied: a load's bytes last until the next load
  };
  std::vector<Record> records;
  EmberIO io;
  io.in = in;
  uint64_t count = api->load_u64(&io);
  for (uint64_t i = 0; i < count && !io.error; ++i) {
    EmberStr name = api->load_string(&io);
    std::string type_name(name.ptr, name.len);  // the next load invalidates name
    uint64_t encver = api->load_u64(&io);
    EmberStr bytes = api->load_string(&io);
    if (io.error) break;
    ModuleType* t = FindType(type_name);
    if (!t || !t->def.aux_load) {
      *err = "module data type '" + type_name + "' " + (t ? "has no aux_load" : "is not loaded");
      return false;
    }
    if (encver > static_cast<uint64_t>(t->def.encver)) {
      *err = "module data type '" + t->name + "' encoding version " + std::to_string(encver) +
             " is newer than the loaded module's";
      return false;
    }
    records.push_back({t, encver, std::string(bytes.ptr, bytes.len)});
  }
  if (io.error || !io.in.empty()) {
    *err = "bad module data block";
    return false;
  }
  for (const Record& r : records) {
    EmberIO aux;
    aux.in = r.bytes;
    if (r.type->def.aux_load(&aux, static_cast<int>(r.encver)) != EMBER_OK || aux.error || !aux.in.empty()) {
      *err = "bad module data for type '" + r.type->name + "'";
      return false;
    }
  }
  return true;
}

std::unique_ptr<ModuleValue> DeserializeModuleValue(std::string_view in, std::string* error) {
  EmberIO io;
  io.in = in;
  const EmberApi* api = ModuleApiTable();
  EmberStr name = api->load_string(&io);
  uint64_t encver = api->load_u64(&io);
  if (io.error) {
    *error = "bad module value header";
    return nullptr;
  }
  ModuleType* t = ModuleHost::Get().FindType({name.ptr, name.len});
  if (!t) {
    *error = "module data type '" + std::string(name.ptr, name.len) + "' is not loaded";
    return nullptr;
  }
  if (!t->def.deserialize) {
    *error = "module data type '" + t->name + "' cannot be deserialized";
    return nullptr;
  }
  if (encver > static_cast<uint64_t>(t->def.encver)) {
    *error = "module data type '" + t->name + "' encoding version " + std::to_string(encver) +
             " is newer than the loaded module's";
    return nullptr;
  }
  void* value = t->def.deserialize(&io, static_cast<int>(encver));
  if (!value || io.error || !io.in.empty()) {
    if (value) t->def.free(value);
    *error = "bad payload for module data type '" + t->name + "'";
    return nullptr;
  }
  return std::make_unique<ModuleValue>(t, value);
}

}  // namespace ember
