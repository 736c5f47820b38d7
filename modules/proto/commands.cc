// The PROTO.* commands. Each handler checks its arguments, then opens its
// key, then replies once. Messages are parsed only where a command needs
// the whole message (validating PROTO.SET's bytes, editing a field);
// PROTO.GET answers the stored bytes and PROTO.GETFIELD reads singular
// fields straight from them.
#include "commands.h"

#include <charconv>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "field_edit.h"
#include "field_path.h"
#include "field_reply.h"
#include "host.h"
#include "registry.h"
#include "value.h"
#include "wire_lookup.h"

namespace protomod {

namespace gp = google::protobuf;

namespace {

constexpr const char* kWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";

std::string_view View(const EmberStr& s) { return {s.ptr, s.len}; }

int Error(EmberCtx* ctx, const std::string& message) {
  g_api->reply_error(ctx, message.c_str());
  return EMBER_ERR;
}

bool EqualsWord(const EmberStr& s, std::string_view upper) {
  if (s.len != upper.size()) return false;
  for (size_t i = 0; i < s.len; i++) {
    char c = s.ptr[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

// A key opened for one command and closed on every way out of it.
class KeyHandle {
 public:
  enum class Holds { kNothing, kMessage, kOther };

  KeyHandle(EmberCtx* ctx, const EmberStr& name, int mode) : key_(g_api->open_key(ctx, name, mode)) {}
  ~KeyHandle() { g_api->close_key(key_); }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;

  EmberKey* get() const { return key_; }

  // A message is the common case: asked for first, it costs two lookups.
  Holds Lookup(ProtoValue** value) const {
    if (g_api->key_module_type(key_) == g_type) {
      *value = static_cast<ProtoValue*>(g_api->key_module_value(key_));
      return Holds::kMessage;
    }
    return g_api->key_type(key_) == EMBER_KEYTYPE_EMPTY ? Holds::kNothing : Holds::kOther;
  }

 private:
  EmberKey* key_;
};

// The parsed message of `type` in `bytes`, or nullptr when they are not
// one (malformed, or a required field missing).
std::unique_ptr<gp::Message> Parse(const gp::Descriptor* type, std::string_view bytes) {
  std::unique_ptr<gp::Message> msg = SchemaRegistry::Get().NewMessage(type);
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return nullptr;
  return msg;
}

std::string NotA(const gp::Descriptor* type) { return "ERR the data is not a valid " + type->full_name() + " message"; }

// ---- PROTO.REGISTER name descriptor_set ------------------------------------

int Register(EmberCtx* ctx, int, const EmberStr* argv) {
  std::string err = SchemaRegistry::Get().Register(View(argv[1]), View(argv[2]));
  if (!err.empty()) return Error(ctx, err);
  g_api->reply_simple(ctx, "OK");
  return EMBER_OK;
}

// ---- PROTO.SCHEMAS ----------------------------------------------------------

int Schemas(EmberCtx* ctx, int, const EmberStr*) {
  std::vector<std::string> names = SchemaRegistry::Get().Names();
  g_api->reply_array(ctx, names.size());
  for (const std::string& n : names) g_api->reply_bulk(ctx, n.data(), n.size());
  return EMBER_OK;
}

// ---- PROTO.DESCRIBE name -----------------------------------------------------

int Describe(EmberCtx* ctx, int, const EmberStr* argv) {
  std::vector<std::string> types;
  if (!SchemaRegistry::Get().Describe(View(argv[1]), &types)) {
    return Error(ctx, "ERR no schema named '" + std::string(View(argv[1])) + "'");
  }
  g_api->reply_array(ctx, types.size());
  for (const std::string& t : types) g_api->reply_bulk(ctx, t.data(), t.size());
  return EMBER_OK;
}

// ---- PROTO.SET key type data [EX s | PX ms] [NX | XX] -------------------------

int Set(EmberCtx* ctx, int argc, const EmberStr* argv) {
  int64_t ttl_ms = -1;
  bool nx = false, xx = false;
  for (int i = 4; i < argc; i++) {
    bool ex = EqualsWord(argv[i], "EX"), px = EqualsWord(argv[i], "PX");
    if ((ex || px) && ttl_ms < 0 && i + 1 < argc) {
      int64_t n;
      std::string_view text = View(argv[++i]);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Error(ctx, "ERR value is not an integer or out of range");
      }
      if (n <= 0 || (ex && n > INT64_MAX / 1000)) return Error(ctx, "ERR invalid expire time in 'proto.set' command");
      ttl_ms = ex ? n * 1000 : n;
    } else if (EqualsWord(argv[i], "NX") && !xx) {
      nx = true;
    } else if (EqualsWord(argv[i], "XX") && !nx) {
      xx = true;
    } else {
      return Error(ctx, "ERR syntax error");
    }
  }
  int64_t expire_at = -1;
  if (ttl_ms > 0) {
    int64_t now = g_api->milliseconds();
    if (ttl_ms > INT64_MAX - now) return Error(ctx, "ERR invalid expire time in 'proto.set' command");
    expire_at = now + ttl_ms;
  }
  std::string_view type_name = View(argv[2]);
  const gp::Descriptor* type = SchemaRegistry::Get().FindType(type_name);
  if (type == nullptr) {
    return Error(ctx, "ERR unknown message type '" + std::string(type_name) + "' (PROTO.REGISTER its schema first)");
  }
  std::string_view data = View(argv[3]);
  if (!Parse(type, data)) return Error(ctx, NotA(type));

  KeyHandle key(ctx, argv[1], EMBER_WRITE);
  bool exists = g_api->key_type(key.get()) != EMBER_KEYTYPE_EMPTY;
  if ((nx && exists) || (xx && !exists)) {
    g_api->reply_null(ctx);
    return EMBER_OK;
  }
  ProtoValuePtr value(ProtoValue::Create(type, data));
  if (g_api->key_set_module_value(key.get(), g_type, value.get()) != EMBER_OK) {
    return Error(ctx, "ERR could not store the message");
  }
  value.release();
  // As SET: a new value drops the key's old expiry unless given one.
  g_api->key_set_expire(key.get(), expire_at);
  g_api->key_touched(key.get(), "proto.set");
  g_api->reply_simple(ctx, "OK");
  return EMBER_OK;
}

// ---- PROTO.GET key / PROTO.TYPE key ---------------------------------------------

int Get(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  ProtoValue* value = nullptr;
  switch (key.Lookup(&value)) {
    case KeyHandle::Holds::kOther: return Error(ctx, kWrongType);
    case KeyHandle::Holds::kNothing: g_api->reply_null(ctx); return EMBER_OK;
    case KeyHandle::Holds::kMessage: break;
  }
  g_api->reply_bulk(ctx, value->bytes().data(), value->bytes().size());
  return EMBER_OK;
}

int Type(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  ProtoValue* value = nullptr;
  switch (key.Lookup(&value)) {
    case KeyHandle::Holds::kOther: return Error(ctx, kWrongType);
    case KeyHandle::Holds::kNothing: g_api->reply_null(ctx); return EMBER_OK;
    case KeyHandle::Holds::kMessage: break;
  }
  const std::string& name = value->type()->full_name();
  g_api->reply_bulk(ctx, name.data(), name.size());
  return EMBER_OK;
}

// ---- PROTO.GETFIELD key path ------------------------------------------------------

int GetField(EmberCtx* ctx, int, const EmberStr* argv) {
  KeyHandle key(ctx, argv[1], EMBER_READ);
  ProtoValue* value = nullptr;
  switch (key.Lookup(&value)) {
    case KeyHandle::Holds::kOther: return Error(ctx, kWrongType);
    case KeyHandle::Holds::kNothing: g_api->reply_null(ctx); return EMBER_OK;
    case KeyHandle::Holds::kMessage: break;
  }
  FieldPath path;
  if (std::string err = path.Resolve(value->type(), View(argv[2])); !err.empty()) return Error(ctx, err);
  if (WireReadable(path.fields())) {
    WireValue found;
    if (!LookupWire(value->bytes(), path.fields(), &found)) return Error(ctx, NotA(value->type()));
    ReplyWireValue(ctx, path.last(), found);
    return EMBER_OK;
  }
  // A repeated field, a map or a group: from the parsed message.
  std::unique_ptr<gp::Message> msg = Parse(value->type(), value->bytes());
  if (!msg) return Error(ctx, NotA(value->type()));
  const gp::Message* holder = msg.get();
  auto fields = path.fields();
  for (size_t i = 0; i + 1 < fields.size(); i++) {
    holder = &holder->GetReflection()->GetMessage(*holder, fields[i]);
  }
  ReplyField(ctx, *holder, path.last());
  return EMBER_OK;
}

// ---- PROTO.SETFIELD key path value / PROTO.DELFIELD key path ---------------------

// Parses the key's message, sets (value != nullptr) or clears the field at
// the path, and stores the message re-encoded when it changed. SETFIELD
// answers OK, DELFIELD whether the field was set.
int EditField(EmberCtx* ctx, const EmberStr* argv, const EmberStr* new_value) {
  KeyHandle key(ctx, argv[1], EMBER_WRITE);
  ProtoValue* value = nullptr;
  switch (key.Lookup(&value)) {
    case KeyHandle::Holds::kOther: return Error(ctx, kWrongType);
    case KeyHandle::Holds::kNothing:
      if (new_value != nullptr) return Error(ctx, "ERR no such key");
      g_api->reply_integer(ctx, 0);
      return EMBER_OK;
    case KeyHandle::Holds::kMessage: break;
  }
  FieldPath path;
  if (std::string err = path.Resolve(value->type(), View(argv[2])); !err.empty()) return Error(ctx, err);
  std::unique_ptr<gp::Message> msg = Parse(value->type(), value->bytes());
  if (!msg) return Error(ctx, NotA(value->type()));
  bool changed = true;
  if (new_value != nullptr) {
    if (std::string err = SetScalar(msg.get(), path, View(*new_value)); !err.empty()) return Error(ctx, err);
  } else {
    changed = ClearField(msg.get(), path);
  }
  if (changed) {
    // proto2 required fields: cleared, or in a message the path created.
    if (!msg->IsInitialized()) {
      return Error(ctx, "ERR the message would miss required fields: " + msg->InitializationErrorString());
    }
    std::string bytes;
    if (!msg->SerializeToString(&bytes)) return Error(ctx, "ERR the edited message cannot be encoded");
    ProtoValuePtr edited(ProtoValue::Create(value->type(), bytes));
    if (g_api->key_set_module_value(key.get(), g_type, edited.get()) != EMBER_OK) {
      return Error(ctx, "ERR could not store the message");
    }
    edited.release();  // the key's now; the old value was freed
    g_api->key_touched(key.get(), new_value != nullptr ? "proto.setfield" : "proto.delfield");
  }
  if (new_value != nullptr) {
    g_api->reply_simple(ctx, "OK");
  } else {
    g_api->reply_integer(ctx, changed ? 1 : 0);
  }
  return EMBER_OK;
}

int SetField(EmberCtx* ctx, int, const EmberStr* argv) { return EditField(ctx, argv, &argv[3]); }

int DelField(EmberCtx* ctx, int, const EmberStr* argv) { return EditField(ctx, argv, nullptr); }

// Runs a handler, answering an error instead of letting an exception
// (out of memory) cross into the server.
template <EmberCommandFn Fn>
int Guarded(EmberCtx* ctx, int argc, const EmberStr* argv) {
  try {
    return Fn(ctx, argc, argv);
  } catch (const std::bad_alloc&) {
    return Error(ctx, "ERR out of memory");
  }
}

}  // namespace

int RegisterCommands(EmberModule* m) {
  struct Row {
    const char* name;
    int arity;
    uint32_t flags;
    int first_key;
    EmberCommandFn handler;
    const char* summary;
  };
  const Row rows[] = {
      {"proto.register", 3, EMBER_CMD_WRITE | EMBER_CMD_DENYOOM, 0, Guarded<Register>,
       "Registers a compiled protobuf schema (a FileDescriptorSet) under a name."},
      {"proto.schemas", 1, EMBER_CMD_READONLY, 0, Guarded<Schemas>, "Lists the registered schema names."},
      {"proto.describe", 2, EMBER_CMD_READONLY, 0, Guarded<Describe>, "Lists the message types of a schema."},
      {"proto.set", -4, EMBER_CMD_WRITE | EMBER_CMD_DENYOOM, 1, Guarded<Set>,
       "Stores a protobuf message after validating it against its type."},
      {"proto.get", 2, EMBER_CMD_READONLY | EMBER_CMD_FAST, 1, Guarded<Get>, "Returns the encoded message."},
      {"proto.type", 2, EMBER_CMD_READONLY | EMBER_CMD_FAST, 1, Guarded<Type>, "Returns the message's type name."},
      {"proto.getfield", 3, EMBER_CMD_READONLY, 1, Guarded<GetField>,
       "Returns one field of the message, by a dotted path."},
      {"proto.setfield", 4, EMBER_CMD_WRITE | EMBER_CMD_DENYOOM, 1, Guarded<SetField>,
       "Sets one scalar field of the message."},
      {"proto.delfield", 3, EMBER_CMD_WRITE, 1, Guarded<DelField>, "Clears one field of the message to its default."},
  };
  for (const Row& row : rows) {
    EmberCommandDef def{};
    def.size = sizeof def;
    def.name = row.name;
    def.arity = row.arity;
    def.flags = row.flags;
    def.first_key = row.first_key;
    def.last_key = row.first_key;
    def.key_step = row.first_key > 0 ? 1 : 0;
    def.handler = row.handler;
    def.summary = row.summary;
    def.acl_categories = "proto";
    if (g_api->register_command(m, &def) != EMBER_OK) return EMBER_ERR;
  }
  return EMBER_OK;
}

}  // namespace protomod
