#include "object.h"

#include "module_value.h"

namespace ember {

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kHash: return "hash";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kModule: return "module";
  }
  return "none";
}

const char* EncodingName(const Entry* e) {
  switch (e->encoding()) {
    case Encoding::kInt: return "int";
    // Redis: strings up to 44 bytes are "embstr", longer ones "raw".
    case Encoding::kRaw: return e->raw_value().size() <= 44 ? "embstr" : "raw";
    case Encoding::kPackedList:
    case Encoding::kPackedHash:
    case Encoding::kPackedSet:
    case Encoding::kPackedZSet: return "listpack";
    case Encoding::kIntSet: return "intset";
    case Encoding::kObject: return e->object()->encoding_name();
  }
  return "unknown";
}

Entry* CloneEntry(const Entry* e, std::string_view key) {
  if (e->encoding() != Encoding::kObject) return Entry::Create(key, e->raw_value(), e->encoding(), e->expire_ms());
  std::unique_ptr<Object> copy = e->object()->Clone();
  return copy ? Entry::CreateObject(key, copy.release(), e->expire_ms()) : nullptr;
}

const char* TypeName(const Entry* e) {
  if (e->encoding() == Encoding::kObject && e->object()->type() == ValueType::kModule)
    return static_cast<const ModuleValue*>(e->object())->module_type()->name.c_str();
  return TypeName(e->type());
}

}  // namespace ember
