#include "wire_lookup.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace protomod {

namespace gp = google::protobuf;
using gp::internal::WireFormatLite;

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
  const auto expected = last ? WireFormatLite::WireTypeForFieldType(
                                   static_cast<WireFormatLite::FieldType>(field->type()))
                             : WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
  const auto* data = reinterpret_cast<const uint8_t*>(encoded.data());
  gp::io::CodedInputStream in(data, static_cast<int>(encoded.size()));
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) return in.CurrentPosition() == static_cast<int>(encoded.size());
    int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    auto wire_type = WireFormatLite::GetTagWireType(tag);
    if (number != field->number() || wire_type != expected) {
      if (oneof != nullptr && number != field->number()) {
        const gp::FieldDescriptor* other = field->containing_type()->FindFieldByNumber(number);
        if (other != nullptr && other->real_containing_oneof() == oneof) *out = WireValue{};
      }
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    switch (wire_type) {
      case WireFormatLite::WIRETYPE_VARINT:
        if (!in.ReadVarint64(&out->number)) return false;
        break;
      case WireFormatLite::WIRETYPE_FIXED32: {
        uint32_t v;
        if (!in.ReadLittleEndian32(&v)) return false;
        out->number = v;
        break;
      }
      case WireFormatLite::WIRETYPE_FIXED64:
        if (!in.ReadLittleEndian64(&out->number)) return false;
        break;
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t len;
        if (!in.ReadVarint32(&len)) return false;
        int at = in.CurrentPosition();
        if (!in.Skip(static_cast<int>(len))) return false;
        std::string_view inner = encoded.substr(static_cast<size_t>(at), len);
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
      default:
        return false;
    }
    out->found = true;
  }
}

}  // namespace protomod
