// The EmberApi table: each entry of module-api/ember_module.h implemented
// over the server's own classes. Entries are static members of ModuleApi
// (a friend of Module and ModuleHost) and the table lists them in the
// header's order; new entries are only ever appended.
#include <event2/event.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "command.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "module_internal.h"
#include "pack.h"
#include "server.h"
#include "shard.h"
#include "slot.h"
#include "util.h"

namespace ember {

static_assert(EMBER_CMD_WRITE == kCmdWrite && EMBER_CMD_READONLY == kCmdReadOnly && EMBER_CMD_FAST == kCmdFast &&
                  EMBER_CMD_ADMIN == kCmdAdmin && EMBER_CMD_DENYOOM == kCmdDenyOom &&
                  EMBER_CMD_NOSCRIPT == kCmdNoScript && EMBER_CMD_LOADING == kCmdLoading &&
                  EMBER_CMD_STALE == kCmdStale && EMBER_CMD_NO_AUTH == kCmdNoAuth &&
                  EMBER_CMD_BLOCKING == kCmdBlocking && EMBER_CMD_PUBSUB == kCmdPubSub &&
                  EMBER_CMD_MAY_REPLICATE == kCmdMayReplicate,
              "the ABI's command flags are the command table's");
static constexpr uint32_t kModuleCommandFlags = (1u << 12) - 1;

namespace {

Module* M(EmberModule* m) { return reinterpret_cast<Module*>(m); }

// A module's definition struct, read up to the size the module declared
// and zero-extended: members appended after ABI v1 are optional. A size
// below the v1 struct's (min_size) is a module bug.
template <typename T>
bool CopyDef(const T* def, T* out, size_t min_size = sizeof(T)) {
  if (!def || def->size < min_size) return false;
  *out = T{};
  std::memcpy(static_cast<void*>(out), def, std::min<size_t>(def->size, sizeof(T)));
  out->size = sizeof(T);
  return true;
}

// EmberTypeDef as ABI v1 defined it: everything before aux_save.
constexpr size_t kTypeDefV1Size = offsetof(EmberTypeDef, aux_save);

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool ValidName(std::string_view name, size_t max, bool allow_dot) {
  if (name.empty() || name.size() > max) return false;
  for (char c : name)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && !(allow_dot && c == '.')) return false;
  return true;
}

// Redis's addReplyError: a leading upper-case word (letters, digits, '_')
// is the error code. The
// text must not break the protocol, so line breaks become spaces.
std::string ErrorText(const char* msg) {
  std::string s = msg ? msg : "";
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  size_t sp = s.find(' ');
  std::string_view first = std::string_view(s).substr(0, sp);
  bool coded = sp != std::string::npos && !first.empty() && first[0] >= 'A' && first[0] <= 'Z' &&
               std::all_of(first.begin(), first.end(),
                           [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
  return coded ? "-" + s : s;
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    auto c = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    r |= static_cast<uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

Entry* FindEntry(EmberKey* k) {
  if (k->entry_cached && k->entry_writes == k->ctx->writes) return k->entry;
  k->entry = k->db->Find(k->key);
  k->entry_cached = true;
  k->entry_writes = k->ctx->writes;
  return k->entry;
}

// After a write through k: every key of the call looks its entry up again.
void Wrote(EmberKey* k) { ++k->ctx->writes; }

ModuleValue* AsModuleValue(Entry* e) {
  if (!e || e->encoding() != Encoding::kObject || e->object()->type() != ValueType::kModule) return nullptr;
  return static_cast<ModuleValue*>(e->object());
}

// The Db holding key, if the running call may touch it: keys of the
// current shard, or of a shard the running command holds.
Db* KeyDbFor(EmberCtx* ctx, std::string_view key) {
  Server& server = *ModuleHost::Get().server();
  // A command's keys are in its client's database; a task's or timer's in 0.
  uint32_t db = ctx->cmd ? ctx->cmd->db_index : 0;
  if (server.shard_count() == 1) return &ctx->shard->db(db);
  Db* want = &server.ShardFor(key).db(db);
  if (ctx->cmd) return ctx->cmd->home && ctx->cmd->home != want ? nullptr : want;
  return want == &ctx->shard->db(db) ? want : nullptr;
}

void RunTask(Module* m, Shard& shard, EmberShardFn fn, void* data) {
  std::string discard;
  Reply reply(&discard, 2);
  EmberCtx ctx(nullptr, &shard, &reply, m);
  shard.set_now(NowMs());
  fn(&ctx, data);
  CloseCtxKeys(ctx);
}

}  // namespace

void CloseCtxKeys(EmberCtx& ctx) {
  for (size_t i = 0; i < ctx.inline_used; ++i) ctx.inline_keys[i].open = false;
  for (auto& k : ctx.more_keys) k->open = false;
}

struct ModuleApi {
  static ModuleHost& host() { return ModuleHost::Get(); }

  static void SetLoadError(EmberModule* m, const char* message) { M(m)->load_error_ = message ? message : ""; }

  static int Refuse(Module* m, const std::string& why) {
    spdlog::warn("module {}: {}", m->name_, why);
    return EMBER_ERR;
  }

  // ---- registration ----

  static int RegisterCommand(EmberModule* em, const EmberCommandDef* d) {
    Module* m = M(em);
    EmberCommandDef def;
    if (!m->initializing_) return Refuse(m, "commands may be registered only during init");
    if (!CopyDef(d, &def) || !def.name || !def.handler || def.arity == 0)
      return Refuse(m, "register_command: incomplete definition");
    std::string name = ToLower(def.name);
    if (!ValidName(name, 64, true)) return Refuse(m, "register_command: bad command name '" + name + "'");
    if (CommandTable::Get().Find(name)) return Refuse(m, "register_command: command '" + name + "' exists");
    if (def.first_key < 0 || (def.first_key > 0 && def.key_step < 1))
      return Refuse(m, "register_command: bad key positions for '" + name + "'");
    ModuleCommand& mc = host().commands_.emplace_back(ModuleCommand{m, def.handler, def.get_keys});
    CommandSpec spec;
    spec.name = name;
    spec.arity = def.arity;
    spec.flags = def.flags & kModuleCommandFlags;
    spec.first_key = def.first_key;
    spec.last_key = def.first_key > 0 ? def.last_key : 0;
    spec.key_step = def.first_key > 0 ? def.key_step : 0;
    spec.handler = RunModuleCommand;
    spec.group = "module";
    spec.summary = def.summary ? def.summary : "";
    spec.since = std::to_string(m->version_);
    spec.module = &mc;
    if (def.acl_categories)
      for (const std::string& c : Words(def.acl_categories)) spec.acl_extra.push_back("@" + ToLower(c));
    CommandTable::Get().Add(std::move(spec));
    m->commands_.push_back(name);
    return EMBER_OK;
  }

  static EmberType* RegisterType(EmberModule* em, const EmberTypeDef* d) {
    Module* m = M(em);
    EmberTypeDef def;
    if (!m->initializing_) {
      Refuse(m, "types may be registered only during init");
      return nullptr;
    }
    if (!CopyDef(d, &def, kTypeDefV1Size) || !def.name || !def.free || (def.serialize && !def.deserialize) ||
        (def.aux_save && !def.aux_load)) {
      Refuse(m, "register_type: incomplete definition");
      return nullptr;
    }
    if (!ValidName(def.name, 32, false) || host().FindType(def.name)) {
      Refuse(m, std::string("register_type: bad or taken type name '") + def.name + "'");
      return nullptr;
    }
    auto t = std::make_unique<ModuleType>();
    t->owner = m;
    t->name = def.name;
    t->def = def;
    t->def.name = t->name.c_str();
    ModuleType* raw = t.get();
    host().types_.push_back(std::move(t));
    m->types_.push_back(raw);
    return reinterpret_cast<EmberType*>(raw);
  }

  static int RegisterConfig(EmberModule* em, const EmberConfigDef* d) {
    Module* m = M(em);
    EmberConfigDef def;
    if (!m->initializing_) return Refuse(m, "configs may be registered only during init");
    if (!CopyDef(d, &def) || !def.name) return Refuse(m, "register_config: incomplete definition");
    if (!ValidName(def.name, 128, true)) return Refuse(m, std::string("register_config: bad name '") + def.name + "'");
    ParamSpec spec{};
    spec.name = def.name;
    spec.default_value = def.default_value ? def.default_value : "";
    spec.immutable = def.immutable != 0;
    std::string doc = "A parameter of module " + m->name_ + ".";
    spec.doc = doc.c_str();
    std::string enum_values;
    switch (def.type) {
      case EMBER_CONFIG_BOOL: spec.type = ParamType::kBool; break;
      case EMBER_CONFIG_INT:
        spec.type = ParamType::kMemory;
        spec.min = def.min;
        spec.max = def.max;
        break;
      case EMBER_CONFIG_STRING: spec.type = ParamType::kString; break;
      case EMBER_CONFIG_ENUM:
        if (!def.enum_values) return Refuse(m, "register_config: an enum needs enum_values");
        spec.type = ParamType::kEnum;
        for (const std::string& w : Words(def.enum_values)) enum_values += (enum_values.empty() ? "" : "|") + w;
        spec.enum_values = enum_values.c_str();
        break;
      default: return Refuse(m, "register_config: unknown type");
    }
    Config::Validator validate;
    if (def.on_set) {
      std::string name = ToLower(def.name);
      validate = [on_set = def.on_set, state = def.state, name](const std::string& value) -> std::string {
        char err[256] = {0};
        if (on_set(state, name.c_str(), EmberStr{value.data(), value.size()}, err, sizeof(err)) == EMBER_OK)
          return "";
        err[sizeof(err) - 1] = 0;
        return err[0] ? err : "refused by the module";
      };
    }
    if (!host().server_ || !host().server_->config().AddParam(spec, std::move(validate)))
      return Refuse(m, std::string("register_config: '") + def.name + "' exists");
    m->configs_.push_back(ToLower(def.name));
    return EMBER_OK;
  }

  static int RegisterInfo(EmberModule* em, EmberInfoFn fn) {
    Module* m = M(em);
    if (!m->initializing_ || !fn) return Refuse(m, "register_info: only during init, with a function");
    m->info_fns_.push_back(fn);
    return EMBER_OK;
  }

  static int RegisterMetric(EmberModule* em, const char* name, const char* help, int kind, EmberMetricFn fn,
                            void* state) {
    Module* m = M(em);
    if (!m->initializing_ || !fn || !name || !ValidName(name, 128, false) ||
        (kind != EMBER_METRIC_COUNTER && kind != EMBER_METRIC_GAUGE))
      return Refuse(m, "register_metric: bad definition");
    host().metrics_.push_back({m, name, help ? help : "", kind, fn, state});
    return EMBER_OK;
  }

  static int RegisterTransport(EmberModule* em, const EmberTransportDef* d) {
    Module* m = M(em);
    EmberTransportDef def;
    if (!m->initializing_) return Refuse(m, "transports may be registered only during init");
    if (!CopyDef(d, &def) || !def.name || !def.accept || !def.read || !def.write || !def.close)
      return Refuse(m, "register_transport: incomplete definition");
    if (host().FindTransport(def.name)) return Refuse(m, std::string("register_transport: '") + def.name + "' exists");
    auto t = std::make_unique<ModuleTransport>();
    t->module = m;
    t->name = def.name;
    t->def = def;
    t->def.name = t->name.c_str();
    host().transports_.push_back(std::move(t));
    ++m->hooks_;
    return EMBER_OK;
  }

  static int RegisterCodec(EmberModule* em, const EmberCodecDef* d) {
    Module* m = M(em);
    EmberCodecDef def;
    if (!m->initializing_) return Refuse(m, "codecs may be registered only during init");
    if (!CopyDef(d, &def) || !def.name || !def.encode || !def.decode)
      return Refuse(m, "register_codec: incomplete definition");
    host().codecs_.push_back({m, def.name, def});
    host().codecs_.back().def.name = host().codecs_.back().name.c_str();
    ++m->hooks_;
    return EMBER_OK;
  }

  static int RegisterCommandFilter(EmberModule* em, EmberFilterFn fn, void* state) {
    Module* m = M(em);
    if (!m->initializing_ || !fn) return Refuse(m, "register_command_filter: only during init, with a function");
    host().filters_.push_back({m, fn, state});
    ++m->hooks_;
    return EMBER_OK;
  }

  static int RegisterWriteListener(EmberModule* em, EmberWriteFn fn, void* state) {
    Module* m = M(em);
    if (!m->initializing_ || !fn) return Refuse(m, "register_write_listener: only during init, with a function");
    host().write_listeners_.push_back({m, fn, state});
    host().listeners_epoch_.fetch_add(1, std::memory_order_relaxed);
    ++m->hooks_;
    return EMBER_OK;
  }

  // ---- replies ----

  static void ReplySimple(EmberCtx* c, const char* s) {
    std::string text = s ? s : "";
    for (char& ch : text)
      if (ch == '\r' || ch == '\n') ch = ' ';
    c->reply->Simple(text);
  }
  static void ReplyError(EmberCtx* c, const char* msg) { c->reply->Error(ErrorText(msg)); }
  static void ReplyInteger(EmberCtx* c, int64_t v) { c->reply->Int(v); }
  static void ReplyDouble(EmberCtx* c, double v) { c->reply->Double(v); }
  static void ReplyBool(EmberCtx* c, int v) { c->reply->Bool(v != 0); }
  static void ReplyBulk(EmberCtx* c, const char* p, size_t n) { c->reply->Bulk({p, n}); }
  static void ReplyNull(EmberCtx* c) { c->reply->Null(); }
  static void ReplyVerbatim(EmberCtx* c, const char* p, size_t n) { c->reply->Verbatim({p, n}); }
  static void ReplyArray(EmberCtx* c, size_t n) { c->reply->Array(n); }
  static void ReplyMap(EmberCtx* c, size_t n) { c->reply->Map(n); }
  static void ReplySet(EmberCtx* c, size_t n) { c->reply->Set(n); }
  static size_t ReplyArrayBegin(EmberCtx* c) { return c->reply->BeginDeferredArray(); }
  static void ReplyArrayEnd(EmberCtx* c, size_t token, size_t n) { c->reply->EndDeferredArray(token, n); }
  static int CtxResp(EmberCtx* c) { return c->reply->resp(); }
  static uint64_t CtxClientId(EmberCtx* c) {
    if (!c->cmd) return 0;
    return c->cmd->conn ? c->cmd->conn->id() : c->cmd->client_id;
  }
  static uint32_t CtxShard(EmberCtx* c) { return c->shard->index(); }

  // ---- keys ----

  static EmberKey* OpenKey(EmberCtx* c, EmberStr key, int mode) {
    if (!key.ptr && key.len) return nullptr;
    std::string_view k(key.ptr ? key.ptr : "", key.len);
    Db* db = KeyDbFor(c, k);
    if (!db || !(mode & (EMBER_READ | EMBER_WRITE))) return nullptr;
    EmberKey& ek = c->NewKey();
    ek.ctx = c;
    ek.db = db;
    ek.key.assign(k);
    ek.mode = mode;
    ek.open = true;
    ek.entry_cached = false;
    // A read counts as a keyspace hit or miss, as Redis's lookupKeyRead.
    if (!(mode & EMBER_WRITE)) {
      ek.entry = db->FindRead(k);
      ek.entry_cached = true;
      ek.entry_writes = c->writes;
    }
    return &ek;
  }
  static void CloseKey(EmberKey* k) {
    if (k) k->open = false;
  }
  static bool Writable(EmberKey* k) { return k && k->open && (k->mode & EMBER_WRITE); }

  static int KeyType(EmberKey* k) {
    if (!k || !k->open) return EMBER_KEYTYPE_EMPTY;
    Entry* e = FindEntry(k);
    if (!e) return EMBER_KEYTYPE_EMPTY;
    switch (e->type()) {
      case ValueType::kString: return EMBER_KEYTYPE_STRING;
      case ValueType::kList: return EMBER_KEYTYPE_LIST;
      case ValueType::kHash: return EMBER_KEYTYPE_HASH;
      case ValueType::kSet: return EMBER_KEYTYPE_SET;
      case ValueType::kZSet: return EMBER_KEYTYPE_ZSET;
      case ValueType::kModule: return EMBER_KEYTYPE_MODULE;
    }
    return EMBER_KEYTYPE_EMPTY;
  }
  static int KeyDelete(EmberKey* k) {
    if (!Writable(k)) return EMBER_ERR;
    bool deleted = k->db->Delete(k->key);
    Wrote(k);
    return deleted ? EMBER_OK : EMBER_ERR;
  }
  static int64_t KeyExpire(EmberKey* k) {
    Entry* e = k && k->open ? FindEntry(k) : nullptr;
    return e ? e->expire_ms() : EMBER_NO_EXPIRE;
  }
  static int KeySetExpire(EmberKey* k, int64_t ms) {
    if (!Writable(k)) return EMBER_ERR;
    Entry* e = FindEntry(k);
    if (!e) return EMBER_ERR;
    k->db->SetExpire(e, ms < 0 ? Entry::kNoExpire : ms);
    if (k->ctx && k->ctx->cmd)
      k->ctx->cmd->propagate_after.push_back(ms < 0 ? std::vector<std::string>{"PERSIST", k->key}
                                                    : std::vector<std::string>{"PEXPIREAT", k->key, std::to_string(ms)});
    Wrote(k);
    return EMBER_OK;
  }
  static int KeyStringGet(EmberKey* k, EmberStr* out) {
    Entry* e = k && k->open ? FindEntry(k) : nullptr;
    if (!e || !e->is_string() || !out) return EMBER_ERR;
    std::string_view v = e->StringValue(k->int_buf);
    *out = EmberStr{v.data(), v.size()};
    return EMBER_OK;
  }
  static int KeyStringSet(EmberKey* k, EmberStr value) {
    if (!Writable(k) || (!value.ptr && value.len)) return EMBER_ERR;
    Entry* old = FindEntry(k);
    k->db->SetString(k->key, {value.ptr ? value.ptr : "", value.len}, old ? old->expire_ms() : Entry::kNoExpire);
    Wrote(k);
    return EMBER_OK;
  }
  static EmberType* KeyModuleType(EmberKey* k) {
    ModuleValue* v = k && k->open ? AsModuleValue(FindEntry(k)) : nullptr;
    return v ? reinterpret_cast<EmberType*>(v->module_type()) : nullptr;
  }
  static void* KeyModuleValue(EmberKey* k) {
    ModuleValue* v = k && k->open ? AsModuleValue(FindEntry(k)) : nullptr;
    return v ? v->value() : nullptr;
  }
  static int KeySetModuleValue(EmberKey* k, EmberType* t, void* value) {
    if (!Writable(k) || !t) return EMBER_ERR;
    auto* type = reinterpret_cast<ModuleType*>(t);
    Entry* e = FindEntry(k);
    if (ModuleValue* v = AsModuleValue(e)) {
      v->Reset(type, value);
      return EMBER_OK;
    }
    k->db->Put(Entry::CreateObject(k->key, new ModuleValue(type, value), e ? e->expire_ms() : Entry::kNoExpire));
    Wrote(k);
    return EMBER_OK;
  }
  static void KeyTouched(EmberKey* k, const char* event) {
    if (!k || !k->open) return;
    k->db->Touch(k->key);
    if (!event || !*event) return;
    if (k->ctx->cmd)
      k->ctx->cmd->Notify(kNotifyModule, event, k->key);
    else
      NotifyKeyspaceEvent(*host().server_, *k->ctx->shard, kNotifyModule, event, k->key, k->db->index());
  }

  // ---- serialization ----

  static void SaveU64(EmberIO* io, uint64_t v) { PutVarint(io->out, v); }
  static void SaveI64(EmberIO* io, int64_t v) {
    PutVarint(io->out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  static void SaveDouble(EmberIO* io, double v) { io->out->append(reinterpret_cast<const char*>(&v), 8); }
  static void SaveFloat(EmberIO* io, float v) { io->out->append(reinterpret_cast<const char*>(&v), 4); }
  static void SaveString(EmberIO* io, const char* p, size_t n) {
    PutVarint(io->out, n);
    io->out->append(p, n);
  }
  static uint64_t LoadU64(EmberIO* io) {
    uint64_t v = 0;
    if (io->error || !GetVarint(&io->in, &v)) io->error = true;
    return io->error ? 0 : v;
  }
  static int64_t LoadI64(EmberIO* io) {
    uint64_t z = LoadU64(io);
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  template <typename T>
  static T LoadFixed(EmberIO* io) {
    T v{};
    if (io->error || io->in.size() < sizeof(T)) {
      io->error = true;
      return v;
    }
    memcpy(&v, io->in.data(), sizeof(T));
    io->in.remove_prefix(sizeof(T));
    return v;
  }
  static double LoadDouble(EmberIO* io) { return LoadFixed<double>(io); }
  static float LoadFloat(EmberIO* io) { return LoadFixed<float>(io); }
  static EmberStr LoadString(EmberIO* io) {
    uint64_t n = LoadU64(io);
    if (io->error || n > io->in.size()) {
      io->error = true;
      return EmberStr{"", 0};
    }
    EmberStr s{io->in.data(), static_cast<size_t>(n)};
    io->in.remove_prefix(n);
    return s;
  }
  static int IoError(EmberIO* io) { return io->error ? 1 : 0; }
  static void DigestAdd(EmberDigest* d, const char* p, size_t n) { XXH3_64bits_update(d->state, p, n); }

  // ---- INFO ----

  static void InfoSection(EmberInfoCtx* c, const char* name) {
    std::string n = name ? name : "";
    const std::string& prefix = c->module->name_;
    if (n.compare(0, prefix.size(), prefix) != 0) n = prefix + "_" + n;
    if (!c->out->empty()) c->out->append("\r\n");
    c->out->append("# " + n + "\r\n");
  }
  static void InfoFieldStr(EmberInfoCtx* c, const char* field, const char* value) {
    std::string v = value ? value : "";
    for (char& ch : v)
      if (ch == '\r' || ch == '\n') ch = ' ';
    c->out->append(std::string(field ? field : "") + ":" + v + "\r\n");
  }
  static void InfoFieldI64(EmberInfoCtx* c, const char* field, int64_t v) {
    c->out->append(std::string(field ? field : "") + ":" + std::to_string(v) + "\r\n");
  }
  static void InfoFieldDouble(EmberInfoCtx* c, const char* field, double v) {
    c->out->append(std::string(field ? field : "") + ":" + DoubleToString(v) + "\r\n");
  }

  // ---- transports and codecs ----

  static int Listen(EmberModule* em, const char* transport, const char* bindaddr, int port) {
    Module* m = M(em);
    const ModuleTransport* t = transport ? host().FindTransport(transport) : nullptr;
    if (!t) return Refuse(m, std::string("listen: no transport '") + (transport ? transport : "") + "'");
    if (m->initializing_) {
      if (port <= 0 || port > 65535) return Refuse(m, "listen: bad port " + std::to_string(port));
      m->pending_listens_.push_back({t, bindaddr ? bindaddr : "", port});
      return EMBER_OK;
    }
    std::string err = host().server_->ListenTransport(t, bindaddr ? bindaddr : "", port);
    if (!err.empty()) return Refuse(m, "listen: " + err);
    m->listening_ = true;
    return EMBER_OK;
  }
  static void BufAppend(EmberBuf* b, const void* p, size_t n) { b->out->append(static_cast<const char*>(p), n); }
  static void BufSetError(EmberBuf* b, const char* msg) { b->error = msg ? msg : "codec error"; }

  // ---- threads, timers, events ----

  static uint32_t ShardCount() { return host().server_->shard_count(); }
  static uint32_t KeyShard(EmberStr key) { return host().server_->ShardIndexFor({key.ptr, key.len}); }
  static int KeySlotOf(EmberStr key) { return static_cast<int>(KeySlot({key.ptr, key.len})); }

  static int RunOnShard(EmberModule* em, uint32_t shard, EmberShardFn fn, void* data) {
    Module* m = M(em);
    if (!fn || shard >= ShardCount()) return EMBER_ERR;
    host().server_->shard(shard).Call([m, fn, data](Shard& sh) { RunTask(m, sh, fn, data); });
    return EMBER_OK;
  }

  static void OnTimer(evutil_socket_t, short, void* arg) {
    auto* t = static_cast<EmberTimer*>(arg);
    host().ForgetTimer(t);
    RunGuarded("a module's timer", [t] { RunTask(t->module, *t->shard, t->fn, t->data); });
    t->module->timers_.fetch_sub(1);
    event_free(t->ev);
    delete t;
  }
  static EmberTimer* TimerCreate(EmberModule* em, uint32_t shard, uint64_t ms, EmberShardFn fn, void* data) {
    Module* m = M(em);
    if (!fn || shard >= ShardCount()) return nullptr;
    auto* t = new EmberTimer{m, &host().server_->shard(shard), fn, data, nullptr};
    m->timers_.fetch_add(1);
    host().TrackTimer(t);
    auto arm = [t, ms](Shard& sh) {
      if (!host().TimerLive(t)) {  // deleted before it was armed
        delete t;
        return;
      }
      t->ev = evtimer_new(sh.base(), &ModuleApi::OnTimer, t);
      timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
      evtimer_add(t->ev, &tv);
    };
    if (Shard::Current() == t->shard)
      arm(*t->shard);
    else
      t->shard->Call(arm);
    return t;
  }
  static int TimerDelete(EmberTimer* t) {
    if (!t || !host().ForgetTimer(t)) return EMBER_ERR;
    t->module->timers_.fetch_sub(1);
    // Not armed yet: the pending arm finds it forgotten and frees it.
    if (t->ev) {
      event_free(t->ev);
      delete t;
    }
    return EMBER_OK;
  }

  static void OnFd(evutil_socket_t fd, short what, void* arg) {
    auto* w = static_cast<EmberFdWatch*>(arg);
    RunGuarded("a module's descriptor", [&] { OnFdReady(fd, what, w); });
  }
  static void OnFdReady(evutil_socket_t fd, short what, EmberFdWatch* w) {
    std::string discard;
    Reply reply(&discard, 2);
    EmberCtx ctx(nullptr, w->shard, &reply, w->module);
    int events = ((what & EV_READ) ? EMBER_FD_READABLE : 0) | ((what & EV_WRITE) ? EMBER_FD_WRITABLE : 0);
    w->shard->set_now(NowMs());
    w->fn(&ctx, static_cast<int>(fd), events, w->data);
    CloseCtxKeys(ctx);
  }
  static EmberFdWatch* FdWatch(EmberCtx* c, int fd, int events, EmberFdFn fn, void* data) {
    if (!c || !fn || fd < 0 || !(events & (EMBER_FD_READABLE | EMBER_FD_WRITABLE))) return nullptr;
    short what = EV_PERSIST | ((events & EMBER_FD_READABLE) ? EV_READ : 0) | ((events & EMBER_FD_WRITABLE) ? EV_WRITE : 0);
    auto* w = new EmberFdWatch{c->module, c->shard, fn, data, nullptr};
    w->ev = event_new(c->shard->base(), fd, what, &ModuleApi::OnFd, w);
    event_add(w->ev, nullptr);
    c->module->fd_watches_.fetch_add(1);
    host().TrackFdWatch(w);
    return w;
  }
  static void FdUnwatch(EmberFdWatch* w) {
    if (!w || !host().ForgetFdWatch(w)) return;
    event_free(w->ev);
    w->module->fd_watches_.fetch_sub(1);
    delete w;
  }

  // ---- misc ----

  static void Log(EmberModule* em, int level, const char* message) {
    Module* m = M(em);
    const char* text = message ? message : "";
    switch (level) {
      case EMBER_LOG_DEBUG: spdlog::debug("<{}> {}", m->name_, text); break;
      case EMBER_LOG_VERBOSE:
      case EMBER_LOG_NOTICE: spdlog::info("<{}> {}", m->name_, text); break;
      default: spdlog::warn("<{}> {}", m->name_, text); break;
    }
  }
  static int64_t Milliseconds() { return NowMs(); }
  static void* Alloc(size_t n) { return malloc(n); }
  static void* Calloc(size_t n, size_t size) { return calloc(n, size); }
  static void* Realloc(void* p, size_t n) { return realloc(p, n); }
  static void Free(void* p) { free(p); }

  static const EmberApi kTable;
};

// In the header's order; the compiler checks each entry's signature.
const EmberApi ModuleApi::kTable = {
    sizeof(EmberApi),
    EMBER_ABI_VERSION,
    &ModuleApi::SetLoadError,
    &ModuleApi::RegisterCommand,
    &ModuleApi::RegisterType,
    &ModuleApi::RegisterConfig,
    &ModuleApi::RegisterInfo,
    &ModuleApi::RegisterMetric,
    &ModuleApi::RegisterTransport,
    &ModuleApi::RegisterCodec,
    &ModuleApi::RegisterCommandFilter,
    &ModuleApi::RegisterWriteListener,
    &ModuleApi::ReplySimple,
    &ModuleApi::ReplyError,
    &ModuleApi::ReplyInteger,
    &ModuleApi::ReplyDouble,
    &ModuleApi::ReplyBool,
    &ModuleApi::ReplyBulk,
    &ModuleApi::ReplyNull,
    &ModuleApi::ReplyVerbatim,
    &ModuleApi::ReplyArray,
    &ModuleApi::ReplyMap,
    &ModuleApi::ReplySet,
    &ModuleApi::ReplyArrayBegin,
    &ModuleApi::ReplyArrayEnd,
    &ModuleApi::CtxResp,
    &ModuleApi::CtxClientId,
    &ModuleApi::CtxShard,
    &ModuleApi::OpenKey,
    &ModuleApi::CloseKey,
    &ModuleApi::KeyType,
    &ModuleApi::KeyDelete,
    &ModuleApi::KeyExpire,
    &ModuleApi::KeySetExpire,
    &ModuleApi::KeyStringGet,
    &ModuleApi::KeyStringSet,
    &ModuleApi::KeyModuleType,
    &ModuleApi::KeyModuleValue,
    &ModuleApi::KeySetModuleValue,
    &ModuleApi::KeyTouched,
    &ModuleApi::SaveU64,
    &ModuleApi::SaveI64,
    &ModuleApi::SaveDouble,
    &ModuleApi::SaveFloat,
    &ModuleApi::SaveString,
    &ModuleApi::LoadU64,
    &ModuleApi::LoadI64,
    &ModuleApi::LoadDouble,
    &ModuleApi::LoadFloat,
    &ModuleApi::LoadString,
    &ModuleApi::IoError,
    &ModuleApi::DigestAdd,
    &ModuleApi::InfoSection,
    &ModuleApi::InfoFieldStr,
    &ModuleApi::InfoFieldI64,
    &ModuleApi::InfoFieldDouble,
    &ModuleApi::Listen,
    &ModuleApi::BufAppend,
    &ModuleApi::BufSetError,
    &ModuleApi::ShardCount,
    &ModuleApi::KeyShard,
    &ModuleApi::KeySlotOf,
    &ModuleApi::RunOnShard,
    &ModuleApi::TimerCreate,
    &ModuleApi::TimerDelete,
    &ModuleApi::FdWatch,
    &ModuleApi::FdUnwatch,
    &ModuleApi::Log,
    &ModuleApi::Milliseconds,
    &ModuleApi::Alloc,
    &ModuleApi::Calloc,
    &ModuleApi::Realloc,
    &ModuleApi::Free,
};

const EmberApi* ModuleApiTable() { return &ModuleApi::kTable; }

void RunModuleCommand(CmdCtx& ctx) {
  const ModuleCommand* mc = ctx.spec.module;
  if (!mc->handler) {
    ctx.reply.Error("unknown command '" + ctx.spec.name + "': its module was unloaded");
    return;
  }
  // Handlers do not nest (a module cannot call a command), so one
  // argument array per thread serves every call without allocating.
  thread_local std::vector<EmberStr> args;
  args.resize(ctx.argc());
  for (size_t i = 0; i < ctx.argc(); ++i) args[i] = EmberStr{ctx.argv[i].data(), ctx.argv[i].size()};
  EmberCtx ectx(&ctx, &ctx.shard, &ctx.reply, mc->module);
  size_t before = ctx.reply.buffer()->size();
  mc->handler(&ectx, static_cast<int>(args.size()), args.data());
  CloseCtxKeys(ectx);
  // A handler that forgot to reply would leave the client waiting forever.
  if (ctx.reply.buffer()->size() == before)
    ctx.reply.Error("module command '" + ctx.spec.name + "' did not reply");
}

void ModuleCommandKeys(const ModuleCommand& cmd, std::span<const std::string_view> argv, std::vector<size_t>* out) {
  thread_local std::vector<EmberStr> args;
  thread_local std::vector<int> positions;
  args.resize(argv.size());
  for (size_t i = 0; i < argv.size(); ++i) args[i] = EmberStr{argv[i].data(), argv[i].size()};
  positions.resize(std::max<size_t>(positions.size(), 16));
  int n = cmd.get_keys(static_cast<int>(args.size()), args.data(), positions.data(), static_cast<int>(positions.size()));
  if (n > static_cast<int>(positions.size())) {
    positions.resize(static_cast<size_t>(n));
    n = cmd.get_keys(static_cast<int>(args.size()), args.data(), positions.data(), n);
  }
  for (int i = 0; i < n && i < static_cast<int>(positions.size()); ++i)
    if (positions[i] > 0 && static_cast<size_t>(positions[i]) < argv.size()) out->push_back(static_cast<size_t>(positions[i]));
}

}  // namespace ember
