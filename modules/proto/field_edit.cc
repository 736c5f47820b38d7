#include "field_edit.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace protomod {

namespace gp = google::protobuf;
using gp::FieldDescriptor;

namespace {

template <typename T>
bool ParseInteger(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || s.size() > 320 || s.front() == ' ' || s.front() == '\t') return false;
  std::string text(s);
  char* end = nullptr;
  errno = 0;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE;
}

bool ParseBool(std::string_view s, bool* out) {
  auto is = [s](std::string_view word) {
    if (s.size() != word.size()) return false;
    for (size_t i = 0; i < s.size(); i++) {
      if ((s[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (is("true") || s == "1") {
    *out = true;
  } else if (is("false") || s == "0") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

// Structurally valid UTF-8 (no overlongs, surrogates or code points past
// U+10FFFF): what proto3 requires of a string field.
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; k++) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

std::string WrongKind(const FieldDescriptor* f, const char* wanted) {
  return "ERR field '" + f->name() + "' is " + f->type_name() + ": value is not " + wanted;
}

// The message holding the path's last field, creating the messages on the
// way (create) or nullptr when one is absent (!create).
gp::Message* Holder(gp::Message* root, const FieldPath& path, bool create) {
  gp::Message* m = root;
  auto fields = path.fields();
  for (size_t i = 0; i + 1 < fields.size(); i++) {
    if (!create && !m->GetReflection()->HasField(*m, fields[i])) return nullptr;
    m = m->GetReflection()->MutableMessage(m, fields[i]);
  }
  return m;
}

}  // namespace

std::string SetScalar(gp::Message* root, const FieldPath& path, std::string_view value) {
  const FieldDescriptor* f = path.last();
  if (f->is_map()) return "ERR field '" + f->name() + "' is a map: SETFIELD sets scalar fields only";
  if (f->is_repeated()) return "ERR field '" + f->name() + "' is repeated: SETFIELD sets scalar fields only";
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return "ERR field '" + f->name() + "' is a message: SETFIELD sets scalar fields only";
  }
  // Checked before the path's messages are created: a refused value
  // leaves the message as it was.
  int32_t i32 = 0;
  int64_t i64 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  double d = 0;
  bool b = false;
  const gp::EnumValueDescriptor* enum_value = nullptr;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      if (!ParseInteger(value, &i32)) return WrongKind(f, "an integer in its range");
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      if (!ParseInteger(value, &i64)) return WrongKind(f, "an integer in its range");
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      if (!ParseInteger(value, &u32)) return WrongKind(f, "an integer in its range");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      if (!ParseInteger(value, &u64)) return WrongKind(f, "an integer in its range");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      if (!ParseDouble(value, &d)) return WrongKind(f, "a number");
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT && std::isfinite(d) &&
          std::abs(d) > std::numeric_limits<float>::max()) {
        return WrongKind(f, "a number in its range");
      }
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!ParseBool(value, &b)) return WrongKind(f, "a bool (true, false, 1 or 0)");
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      enum_value = f->enum_type()->FindValueByName(std::string(value));
      if (enum_value == nullptr) {
        if (!ParseInteger(value, &i32)) {
          return "ERR no value '" + std::string(value) + "' in enum " + f->enum_type()->full_name();
        }
        enum_value = f->enum_type()->FindValueByNumber(i32);
        // A proto2 enum is closed: only its declared numbers are values.
        if (enum_value == nullptr && f->file()->syntax() != gp::FileDescriptor::SYNTAX_PROTO3) {
          return "ERR no value " + std::string(value) + " in enum " + f->enum_type()->full_name();
        }
      }
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      if (f->type() == FieldDescriptor::TYPE_STRING && f->file()->syntax() == gp::FileDescriptor::SYNTAX_PROTO3 &&
          !ValidUtf8(value)) {
        return WrongKind(f, "valid UTF-8");
      }
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  gp::Message* m = Holder(root, path, /*create=*/true);
  const gp::Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: r->SetInt32(m, f, i32); break;
    case FieldDescriptor::CPPTYPE_INT64: r->SetInt64(m, f, i64); break;
    case FieldDescriptor::CPPTYPE_UINT32: r->SetUInt32(m, f, u32); break;
    case FieldDescriptor::CPPTYPE_UINT64: r->SetUInt64(m, f, u64); break;
    case FieldDescriptor::CPPTYPE_DOUBLE: r->SetDouble(m, f, d); break;
    case FieldDescriptor::CPPTYPE_FLOAT: r->SetFloat(m, f, static_cast<float>(d)); break;
    case FieldDescriptor::CPPTYPE_BOOL: r->SetBool(m, f, b); break;
    case FieldDescriptor::CPPTYPE_ENUM:
      r->SetEnumValue(m, f, enum_value != nullptr ? enum_value->number() : i32);
      break;
    case FieldDescriptor::CPPTYPE_STRING: r->SetString(m, f, std::string(value)); break;
    case FieldDescriptor::CPPTYPE_MESSAGE: break;
  }
  return "";
}

bool ClearField(gp::Message* root, const FieldPath& path) {
  gp::Message* m = Holder(root, path, /*create=*/false);
  if (m == nullptr) return false;
  const FieldDescriptor* f = path.last();
  const gp::Reflection* r = m->GetReflection();
  bool was_set = f->is_repeated() ? r->FieldSize(*m, f) > 0 : r->HasField(*m, f);
  r->ClearField(m, f);
  return was_set;
}

}  // namespace protomod
