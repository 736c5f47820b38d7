// proto.so: schema-validated protobuf values for ember, built only against
// module-api/ember_module.h (and libprotobuf). This file is the module's
// face to the server: its identity, init, and the "protomsg" data type's
// callbacks, including the schema registry's persistence (aux_save and
// aux_load), which runs before any value is loaded.
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "ember_module.h"
#include "host.h"
#include "registry.h"
#include "value.h"

EMBER_MODULE("proto", 1);

namespace protomod {

const EmberApi* g_api = nullptr;
EmberType* g_type = nullptr;

namespace {

EmberModule* g_module = nullptr;  // for log

// Values: the message type's full name, then the encoded message.
// Registry (aux data): the schema count, then each schema's name and its
// canonical FileDescriptorSet, in registration order.
constexpr int kEncver = 1;

void TypeFree(void* value) { ProtoValue::Destroy(static_cast<ProtoValue*>(value)); }

size_t TypeMemUsage(const void* value) {
  return static_cast<const ProtoValue*>(value)->footprint();
}

void TypeSerialize(EmberIO* io, const void* value) {
  auto v = static_cast<const ProtoValue*>(value);
  const std::string& name = v->type()->full_name();
  g_api->save_string(io, name.data(), name.size());
  g_api->save_string(io, v->bytes().data(), v->bytes().size());
}

void* TypeDeserialize(EmberIO* io, int encver) {
  if (encver != kEncver) return nullptr;
  try {
    EmberStr name = g_api->load_string(io);
    if (g_api->io_error(io)) return nullptr;
    const google::protobuf::Descriptor* type = SchemaRegistry::Get().FindType({name.ptr, name.len});
    EmberStr bytes = g_api->load_string(io);
    if (type == nullptr || g_api->io_error(io)) return nullptr;
    // Checked like PROTO.SET's: RESTORE may bring bytes from anywhere.
    std::unique_ptr<google::protobuf::Message> msg = SchemaRegistry::Get().NewMessage(type);
    if (!msg->ParseFromArray(bytes.ptr, static_cast<int>(bytes.len))) return nullptr;
    return ProtoValue::Create(type, {bytes.ptr, bytes.len});
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void* TypeCopy(const void* value) {
  try {
    auto v = static_cast<const ProtoValue*>(value);
    return ProtoValue::Create(v->type(), v->bytes());
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void TypeDigest(EmberDigest* digest, const void* value) {
  auto v = static_cast<const ProtoValue*>(value);
  const std::string& name = v->type()->full_name();
  g_api->digest_add(digest, name.data(), name.size());
  g_api->digest_add(digest, v->bytes().data(), v->bytes().size());
}

void AuxSave(EmberIO* io) {
  std::vector<std::pair<std::string, std::string>> schemas;
  SchemaRegistry::Get().ForEach([&schemas](const std::string& name, const std::string& set) { schemas.emplace_back(name, set); });
  g_api->save_u64(io, schemas.size());
  for (const auto& [name, set] : schemas) {
    g_api->save_string(io, name.data(), name.size());
    g_api->save_string(io, set.data(), set.size());
  }
}

// Registers every saved schema; one already registered identically (an AOF
// that replays PROTO.REGISTER too) is fine.
int AuxLoad(EmberIO* io, int encver) {
  if (encver != kEncver) return EMBER_ERR;
  try {
    uint64_t count = g_api->load_u64(io);
    for (uint64_t i = 0; i < count && !g_api->io_error(io); i++) {
      EmberStr name = g_api->load_string(io);
      std::string schema_name(name.ptr, name.len);  // the next load invalidates name
      EmberStr set = g_api->load_string(io);
      if (g_api->io_error(io)) return EMBER_ERR;
      std::string err = SchemaRegistry::Get().Register(schema_name, {set.ptr, set.len});
      if (!err.empty()) {
        g_api->log(g_module, EMBER_LOG_WARNING, ("proto: schema '" + schema_name + "': " + err).c_str());
        return EMBER_ERR;
      }
    }
    return g_api->io_error(io) ? EMBER_ERR : EMBER_OK;
  } catch (const std::bad_alloc&) {
    return EMBER_ERR;
  }
}

int Fail(EmberModule* m, const char* message) {
  g_api->set_load_error(m, message);
  return EMBER_ERR;
}

}  // namespace

}  // namespace protomod

EMBER_EXPORT int ember_module_init(EmberModule* m, const EmberApi* api, int argc, const EmberStr*) {
  using namespace protomod;
  g_api = api;
  g_module = m;
  if (argc != 0) return Fail(m, "proto takes no arguments");
  EmberTypeDef type{};
  type.size = sizeof type;
  type.name = "protomsg";
  type.encver = kEncver;
  type.free = TypeFree;
  type.mem_usage = TypeMemUsage;
  type.serialize = TypeSerialize;
  type.deserialize = TypeDeserialize;
  type.copy = TypeCopy;
  type.digest = TypeDigest;
  type.aux_save = AuxSave;
  type.aux_load = AuxLoad;
  g_type = api->register_type(m, &type);
  if (g_type == nullptr) return Fail(m, "proto: could not register the protomsg type");
  if (RegisterCommands(m) != EMBER_OK) return Fail(m, "proto: could not register its commands");
  return EMBER_OK;
}
