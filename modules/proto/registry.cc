#include "registry.h"

#include <google/protobuf/descriptor.pb.h>

#include <mutex>

namespace protomod {

namespace gp = google::protobuf;

namespace {

// Keeps the first error a DescriptorPool reports while building a file.
class FirstError : public gp::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name, const gp::Message*, ErrorLocation,
                const std::string& message) override {
    if (!text.empty()) return;
    text = filename + (element_name.empty() ? "" : ": " + element_name) + ": " + message;
  }
  std::string text;
};

// Every message type declared in `m` and below it, map entries excepted
// (they are not types a user names).
void CollectTypes(const gp::Descriptor* m, std::vector<const gp::Descriptor*>* out) {
  if (m->options().map_entry()) return;
  out->push_back(m);
  for (int i = 0; i < m->nested_type_count(); i++) CollectTypes(m->nested_type(i), out);
}

}  // namespace

SchemaRegistry& SchemaRegistry::Get() {
  static SchemaRegistry registry;
  return registry;
}

std::string SchemaRegistry::Register(std::string_view name, std::string_view descriptor_set) {
  if (name.empty()) return "ERR the schema name is empty";
  gp::FileDescriptorSet set;
  if (!set.ParseFromArray(descriptor_set.data(), static_cast<int>(descriptor_set.size())) || set.file_size() == 0) {
    return "ERR the descriptor is not a compiled FileDescriptorSet "
           "(protoc --descriptor_set_out --include_imports)";
  }
  // Source locations (protoc --include_source_info) do not change what a
  // schema means: identical schemas compare equal without them.
  for (gp::FileDescriptorProto& file : *set.mutable_file()) {
    file.clear_source_code_info();
    if (file.name().empty()) return "ERR the descriptor set has a file without a name";
  }
  std::string canonical = set.SerializeAsString();

  std::unique_lock lock(mu_);
  for (const Schema& s : schemas_) {
    if (s.name != name) continue;
    if (s.canonical == canonical) return "";
    return "ERR schema '" + s.name + "' is already registered with a different descriptor";
  }
  // Built first into a scratch pool beside copies of every file already
  // registered, so a bad or clashing set fails without touching pool_.
  gp::DescriptorPool scratch;
  for (const std::string& file_name : file_order_) {
    gp::FileDescriptorProto proto;
    proto.ParseFromString(files_.find(file_name)->second);
    scratch.BuildFile(proto);
  }
  std::vector<const gp::FileDescriptorProto*> fresh;
  for (const gp::FileDescriptorProto& file : set.file()) {
    auto known = files_.find(file.name());
    if (known != files_.end()) {
      if (known->second != file.SerializeAsString()) {
        return "ERR file '" + file.name() + "' is already registered with different content";
      }
      continue;
    }
    FirstError error;
    if (scratch.BuildFileCollectingErrors(file, &error) == nullptr) return "ERR invalid schema: " + error.text;
    fresh.push_back(&file);
  }
  for (const gp::FileDescriptorProto* file : fresh) {
    FirstError error;
    if (pool_.BuildFileCollectingErrors(*file, &error) == nullptr) return "ERR invalid schema: " + error.text;
    file_order_.push_back(file->name());
    files_.emplace(file->name(), file->SerializeAsString());
  }
  Schema schema{std::string(name), std::move(canonical), {}};
  for (const gp::FileDescriptorProto& file : set.file()) {
    const gp::FileDescriptor* built = pool_.FindFileByName(file.name());
    for (int i = 0; i < built->message_type_count(); i++) CollectTypes(built->message_type(i), &schema.types);
  }
  for (const gp::Descriptor* type : schema.types) types_.emplace(type->full_name(), type);
  schemas_.push_back(std::move(schema));
  return "";
}

const gp::Descriptor* SchemaRegistry::FindType(std::string_view full_name) const {
  std::shared_lock lock(mu_);
  auto it = types_.find(full_name);
  return it == types_.end() ? nullptr : it->second;
}

std::vector<std::string> SchemaRegistry::Names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const Schema& s : schemas_) out.push_back(s.name);
  return out;
}

bool SchemaRegistry::Describe(std::string_view name, std::vector<std::string>* types) const {
  std::shared_lock lock(mu_);
  for (const Schema& s : schemas_) {
    if (s.name != name) continue;
    for (const gp::Descriptor* t : s.types) types->push_back(t->full_name());
    return true;
  }
  return false;
}

void SchemaRegistry::ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const {
  std::shared_lock lock(mu_);
  for (const Schema& s : schemas_) fn(s.name, s.canonical);
}

std::unique_ptr<gp::Message> SchemaRegistry::NewMessage(const gp::Descriptor* type) const {
  // DynamicMessageFactory::GetPrototype locks internally.
  return std::unique_ptr<gp::Message>(factory_.GetPrototype(type)->New());
}

}  // namespace protomod
