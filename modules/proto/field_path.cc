#include "field_path.h"

#include <algorithm>
#include <cstdint>
#include <functional>

namespace protomod {

namespace gp = google::protobuf;

namespace {

// Paths this thread resolved lately, by type and text: a client reading
// one field of many keys resolves it once, not by two descriptor lookups
// per call. Descriptors are never freed, so an entry stays right forever;
// slots are plain data, so the thread-local array needs no destructor.
struct CachedPath {
  static constexpr size_t kMaxText = 62;
  static constexpr size_t kMaxFields = 8;
  const gp::Descriptor* type = nullptr;
  uint8_t text_len = 0;
  uint8_t depth = 0;
  char text[kMaxText];
  const gp::FieldDescriptor* fields[kMaxFields];
};
constexpr size_t kCacheSlots = 64;
thread_local CachedPath path_cache[kCacheSlots];

CachedPath& SlotFor(const gp::Descriptor* type, std::string_view path) {
  size_t h = std::hash<std::string_view>()(path) ^ (reinterpret_cast<uintptr_t>(type) >> 4);
  return path_cache[h % kCacheSlots];
}

}  // namespace

std::string FieldPath::Resolve(const gp::Descriptor* type, std::string_view path) {
  text_ = path;
  size_ = 0;
  CachedPath& slot = SlotFor(type, path);
  if (slot.type == type && std::string_view(slot.text, slot.text_len) == path) {
    std::copy(slot.fields, slot.fields + slot.depth, fields_.begin());
    size_ = slot.depth;
    return "";
  }
  std::string err = ResolveUncached(type, path);
  if (err.empty() && path.size() <= CachedPath::kMaxText && size_ <= CachedPath::kMaxFields) {
    slot.type = type;
    slot.text_len = static_cast<uint8_t>(path.size());
    std::copy(path.begin(), path.end(), slot.text);
    slot.depth = static_cast<uint8_t>(size_);
    std::copy(fields_.begin(), fields_.begin() + size_, slot.fields);
  }
  return err;
}

std::string FieldPath::ResolveUncached(const gp::Descriptor* type, std::string_view path) {
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
