// A key's value: a message, kept as the encoded bytes it was validated as
// (PROTO.GET answers them as they are), and its type.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>

namespace protomod {

struct ProtoValue {
  const google::protobuf::Descriptor* type;  // owned by the registry's pool, never freed
  std::string bytes;
};

}  // namespace protomod
