#include "object.h"

namespace ember {

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kHash: return "hash";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
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
  return Entry::CreateObject(key, e->object()->Clone().release(), e->expire_ms());
}

}  // namespace ember
