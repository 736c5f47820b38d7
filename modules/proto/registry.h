// The schema registry: compiled FileDescriptorSets by name, built into one
// DescriptorPool, so a message type's full name ("shop.Order") names the
// same Descriptor on every shard. Schemas are only ever added, so a
// Descriptor* stays valid for the module's life: values keep one, and
// reading it needs no lock. The registry's own tables are read on shard
// threads (and by persistence) while PROTO.REGISTER may write them: a
// reader-writer lock guards them.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace protomod {

class SchemaRegistry {
 public:
  // The one registry of the module.
  static SchemaRegistry& Get();

  // Registers a FileDescriptorSet under `name`. Returns "" or an error
  // reply ("ERR ..."). Registering the same set again under the same name
  // is a no-op; a different one, or files clashing with registered ones,
  // is refused and changes nothing.
  std::string Register(std::string_view name, std::string_view descriptor_set);

  // A message type of a registered schema by its full name, or nullptr.
  const google::protobuf::Descriptor* FindType(std::string_view full_name) const;
  // Registered schema names, in registration order.
  std::vector<std::string> Names() const;
  // The message types (full names) of a schema; false if there is none.
  bool Describe(std::string_view name, std::vector<std::string>* types) const;
  // Every schema as (name, canonical descriptor set), in registration
  // order: what Register needs to rebuild the registry.
  void ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const;

  // A new, empty message of a registered type. Any thread.
  std::unique_ptr<google::protobuf::Message> NewMessage(const google::protobuf::Descriptor* type) const;

 private:
  struct Schema {
    std::string name;
    std::string canonical;  // the set without source info, re-encoded
    std::vector<const google::protobuf::Descriptor*> types;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  mutable std::shared_mutex mu_;
  google::protobuf::DescriptorPool pool_;
  // Declared after pool_: its prototypes point into the pool's descriptors.
  mutable google::protobuf::DynamicMessageFactory factory_;
  std::vector<Schema> schemas_;
  // Every file built into pool_, as registered, in build order.
  std::vector<std::string> file_order_;
  std::map<std::string, std::string, std::less<>> files_;  // name -> FileDescriptorProto bytes
  std::unordered_map<std::string, const google::protobuf::Descriptor*, Hash, std::equal_to<>> types_;
};

}  // namespace protomod
