#include "entry.h"

#include <cstdlib>
#include <new>

#include "object.h"
#include "util.h"

namespace ember {

Entry* Entry::CreateUninit(std::string_view key, size_t value_len, Encoding enc, int64_t expire_ms) {
  bool wide = key.size() > 255 || value_len > 255;
  bool huge = key.size() > UINT32_MAX || value_len > UINT32_MAX;
  bool has_expire = expire_ms != kNoExpire;
  size_t header = kLenOffset + (huge ? 16 : wide ? 8 : 2) + (has_expire ? 12 : 0);
  if (value_len > SIZE_MAX - header - key.size()) throw std::bad_alloc();
  size_t size = header + key.size() + value_len;
  void* mem = malloc(size);
  if (!mem) throw std::bad_alloc();
  Entry* e = static_cast<Entry*>(mem);
  e->next_ = nullptr;
  e->flags_ = static_cast<uint8_t>((wide ? kWide : 0) | (huge ? kHuge : 0) | (has_expire ? kHasExpire : 0) |
                                   (static_cast<uint8_t>(enc) << 2));
  e->set_access(0);
  char* p = e->data() + kLenOffset;
  if (huge) {
    uint64_t k = key.size(), v = value_len;
    memcpy(p, &k, 8);
    memcpy(p + 8, &v, 8);
  } else if (wide) {
    uint32_t k = static_cast<uint32_t>(key.size()), v = static_cast<uint32_t>(value_len);
    memcpy(p, &k, 4);
    memcpy(p + 4, &v, 4);
  } else {
    p[0] = static_cast<char>(key.size());
    p[1] = static_cast<char>(value_len);
  }
  if (has_expire) {
    e->set_expire_ms(expire_ms);
    e->set_volatile_index(0);
  }
  if (!key.empty()) memcpy(e->data() + e->KeyOffset(), key.data(), key.size());
  return e;
}

Entry* Entry::Create(std::string_view key, std::string_view value, Encoding enc, int64_t expire_ms) {
  Entry* e = CreateUninit(key, value.size(), enc, expire_ms);
  if (!value.empty()) memcpy(e->mutable_value(), value.data(), value.size());
  return e;
}

Entry* Entry::CreateInt(std::string_view key, int64_t v, int64_t expire_ms) {
  Entry* e = CreateUninit(key, 8, Encoding::kInt, expire_ms);
  memcpy(e->mutable_value(), &v, 8);
  return e;
}

Entry* Entry::CreateObject(std::string_view key, Object* obj, int64_t expire_ms) {
  return Create(key, std::string_view(reinterpret_cast<const char*>(&obj), sizeof(obj)), Encoding::kObject,
                expire_ms);
}

void Entry::Destroy(Entry* e) {
  if (e->encoding() == Encoding::kObject) delete e->object();
  free(e);
}

void Entry::DestroyShell(Entry* e) { free(e); }

ValueType Entry::type() const {
  switch (encoding()) {
    case Encoding::kRaw:
    case Encoding::kInt:
      return ValueType::kString;
    case Encoding::kPackedList:
      return ValueType::kList;
    case Encoding::kPackedHash:
      return ValueType::kHash;
    case Encoding::kPackedSet:
    case Encoding::kIntSet:
      return ValueType::kSet;
    case Encoding::kPackedZSet:
      return ValueType::kZSet;
    case Encoding::kObject:
      return object()->type();
  }
  return ValueType::kString;
}

std::string_view Entry::StringValue(char* buf) const {
  if (encoding() == Encoding::kInt) return {buf, FormatInt64(int_value(), buf)};
  return raw_value();
}

size_t Entry::StringLength() const {
  if (encoding() == Encoding::kInt) {
    char buf[24];
    return FormatInt64(int_value(), buf);
  }
  return ValueLen();
}

}  // namespace ember
