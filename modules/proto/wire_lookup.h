// Reads one singular field straight from a message's encoded bytes,
// without building the message: what PROTO.GETFIELD does for a path of
// singular fields. It follows the parser's rules: the last occurrence of a
// scalar wins, occurrences of a message merge (their bytes concatenate),
// and a later member of the same oneof clears the field.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace protomod {

struct WireValue {
  bool found = false;
  uint64_t number = 0;     // a varint, fixed32 or fixed64 field's raw value
  std::string_view bytes;  // a string or bytes field (into the message)
  std::string message;     // a message field: every occurrence, concatenated
};

// Whether LookupWire can read the path: singular fields, no groups.
bool WireReadable(std::span<const google::protobuf::FieldDescriptor* const> path);

// Finds the value of path's last field in `encoded`; false if the bytes
// are malformed.
bool LookupWire(std::string_view encoded, std::span<const google::protobuf::FieldDescriptor* const> path,
                WireValue* out);

}  // namespace protomod
