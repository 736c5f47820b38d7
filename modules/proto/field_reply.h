// PROTO.GETFIELD's replies, in Redis's shapes: integers (bools as 0/1) as
// integers, floating point as doubles (bulk strings in RESP2), strings and
// bytes as bulk strings, an enum as its value's name, a message as its
// encoded bytes; a repeated field as an array, a map as a map.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "ember_module.h"
#include "wire_lookup.h"

namespace protomod {

// The value LookupWire found for `field`: its value, its default when it
// was not set and has no presence, else a null.
void ReplyWireValue(EmberCtx* ctx, const google::protobuf::FieldDescriptor* field, const WireValue& value);

// A field of a parsed message, any kind (a repeated field, a map too).
void ReplyField(EmberCtx* ctx, const google::protobuf::Message& msg, const google::protobuf::FieldDescriptor* field);

}  // namespace protomod
