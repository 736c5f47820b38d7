#include "field_path.h"

#include <algorithm>

namespace protomod {

namespace gp = google::protobuf;

std::string FieldPath::Resolve(const gp::Descriptor* type, std::string_view path) {
  text_ = path;
  size_ = 0;
  if (static_cast<size_t>(std::count(path.begin(), path.end(), '.')) >= kMaxDepth) {
    return "ERR field path '" + std::string(path) + "' is deeper than 32 fields";
  }
  std::string name;
  size_t at = 0;
  while (true) {
    size_t dot = path.find('.', at);
    std::string_view part = path.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
    if (part.empty()) return "ERR bad field path '" + std::string(path) + "'";
    if (size_ > 0) {
      const gp::FieldDescriptor* parent = fields_[size_ - 1];
      if (parent->is_repeated()) {
        return "ERR field '" + parent->name() + "' is " + (parent->is_map() ? "a map" : "repeated") +
               ": a path goes through singular message fields only";
      }
      if (parent->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) {
        return "ERR field '" + parent->name() + "' is not a message: no field '" + std::string(part) + "' in it";
      }
      type = parent->message_type();
    }
    name.assign(part);
    const gp::FieldDescriptor* field = type->FindFieldByName(name);
    if (field == nullptr) return "ERR no field '" + name + "' in message " + type->full_name();
    fields_[size_++] = field;
    if (dot == std::string_view::npos) return "";
    at = dot + 1;
  }
}

}  // namespace protomod
