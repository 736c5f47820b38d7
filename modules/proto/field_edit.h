// PROTO.SETFIELD and PROTO.DELFIELD on a parsed message, through
// reflection: the value's text checked against the field's type, the path's
// messages created as needed (set) or left absent (clear).
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "field_path.h"

namespace protomod {

// Sets the scalar field at the end of `path` from `value` (numbers as
// decimal text, bools as true/false/1/0, enums by name or number, strings
// and bytes as they are). Returns "" or an error reply ("ERR ...").
std::string SetScalar(google::protobuf::Message* root, const FieldPath& path, std::string_view value);

// Clears the field at the end of `path` to its default; whether it was set
// (for a repeated field or map: had elements).
bool ClearField(google::protobuf::Message* root, const FieldPath& path);

}  // namespace protomod
