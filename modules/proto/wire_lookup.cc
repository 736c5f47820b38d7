#include "wire_lookup.h"

#include <bit>
#include <cstring>

namespace protomod {

namespace gp = google::protobuf;

namespace {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// The wire type a singular field of this type is written with.
WireType WireTypeOf(gp::FieldDescriptor::Type type) {
  switch (type) {
    case gp::FieldDescriptor::TYPE_DOUBLE:
    case gp::FieldDescriptor::TYPE_FIXED64:
    case gp::FieldDescriptor::TYPE_SFIXED64: return kFixed64;
    case gp::FieldDescriptor::TYPE_FLOAT:
    case gp::FieldDescriptor::TYPE_FIXED32:
    case gp::FieldDescriptor::TYPE_SFIXED32: return kFixed32;
    case gp::FieldDescriptor::TYPE_STRING:
    case gp::FieldDescriptor::TYPE_BYTES:
    case gp::FieldDescriptor::TYPE_MESSAGE: return kLengthDelimited;
    case gp::FieldDescriptor::TYPE_GROUP: return kStartGroup;
    default: return kVarint;
  }
}

// A cursor over encoded bytes: each read checks the bounds and says
// whether the bytes were well formed. Small enough to live in registers,
// which libprotobuf's CodedInputStream is not.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      uint8_t b = *p_++;
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  // A field's tag: its number (1 or more) and wire type.
  bool Tag(uint32_t* number, uint32_t* wire_type) {
    uint64_t tag;
    if (!Varint(&tag) || tag > UINT32_MAX || (tag >> 3) == 0) return false;
    *number = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return true;
  }

  template <typename T>
  bool Fixed(T* v) {
    if (static_cast<size_t>(end_ - p_) < sizeof(T)) return false;
    std::memcpy(v, p_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) *v = __builtin_bswap64(*v) >> (64 - 8 * sizeof(T));
    p_ += sizeof(T);
    return true;
  }

  bool LengthDelimited(std::string_view* out) {
    uint64_t len;
    if (!Varint(&len) || len > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(len));
    p_ += len;
    return true;
  }

  // Skips the value of a field whose tag was just read.
  bool Skip(uint32_t number, uint32_t wire_type, int depth = 0) {
    uint64_t u64;
    uint32_t u32;
    std::string_view bytes;
    switch (wire_type) {
      case kVarint: return Varint(&u64);
      case kFixed64: return Fixed(&u64);
      case kFixed32: return Fixed(&u32);
      case kLengthDelimited: return LengthDelimited(&bytes);
      case kStartGroup: {
        if (depth >= 64) return false;
        uint32_t n, w;
        while (Tag(&n, &w)) {
          if (w == kEndGroup) return n == number;
          if (!Skip(n, w, depth + 1)) return false;
        }
        return false;
      }
      default: return false;  // an end group without its start, or no wire type
    }
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace

bool WireReadable(std::span<const gp::FieldDescriptor* const> path) {
  for (const gp::FieldDescriptor* f : path) {
    if (f->is_repeated() || f->type() == gp::FieldDescriptor::TYPE_GROUP) return false;
  }
  return true;
}

bool LookupWire(std::string_view encoded, std::span<const gp::FieldDescriptor* const> path, WireValue* out) {
  const gp::FieldDescriptor* field = path.front();
  const gp::OneofDescriptor* oneof = field->real_containing_oneof();
  const bool last = path.size() == 1;
  const uint32_t wanted = static_cast<uint32_t>(field->number());
  const uint32_t expected = last ? WireTypeOf(field->type()) : kLengthDelimited;
  WireReader in(encoded);
  while (!in.done()) {
    uint32_t number, wire_type;
    if (!in.Tag(&number, &wire_type)) return false;
    if (number != wanted || wire_type != expected) {
      // A field of the wrong wire type is an unknown field to the parser.
      if (oneof != nullptr && number != wanted) {
        const gp::FieldDescriptor* other = field->containing_type()->FindFieldByNumber(static_cast<int>(number));
        if (other != nullptr && other->real_containing_oneof() == oneof) *out = WireValue{};
      }
      if (!in.Skip(number, wire_type)) return false;
      continue;
    }
    switch (wire_type) {
      case kVarint:
        if (!in.Varint(&out->number)) return false;
        break;
      case kFixed32: {
        uint32_t v;
        if (!in.Fixed(&v)) return false;
        out->number = v;
        break;
      }
      case kFixed64:
        if (!in.Fixed(&out->number)) return false;
        break;
      default: {
        std::string_view inner;
        if (!in.LengthDelimited(&inner)) return false;
        if (!last) {
          if (!LookupWire(inner, path.subspan(1), out)) return false;
          continue;
        }
        if (field->cpp_type() == gp::FieldDescriptor::CPPTYPE_MESSAGE) {
          out->message.append(inner);
        } else {
          out->bytes = inner;
        }
        break;
      }
    }
    out->found = true;
  }
  return true;
}

}  // namespace protomod
