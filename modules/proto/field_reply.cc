#include "field_reply.h"

#include <google/protobuf/wire_format_lite.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "host.h"

namespace protomod {

namespace gp = google::protobuf;
using gp::FieldDescriptor;
using gp::internal::WireFormatLite;

namespace {

void ReplyU64(EmberCtx* ctx, uint64_t v) {
  if (v <= static_cast<uint64_t>(INT64_MAX)) {
    g_api->reply_integer(ctx, static_cast<int64_t>(v));
    return;
  }
  // Beyond a RESP integer: its decimal text.
  std::string text = std::to_string(v);
  g_api->reply_bulk(ctx, text.data(), text.size());
}

// A float as the double its shortest decimal form names (0.1f answers
// 0.1, not 0.100000001490116).
void ReplyFloat(EmberCtx* ctx, float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 1, v);
  *end = '\0';
  g_api->reply_double(ctx, ec == std::errc() ? std::strtod(buf, nullptr) : static_cast<double>(v));
}

void ReplyEnum(EmberCtx* ctx, const gp::EnumDescriptor* type, int number) {
  const gp::EnumValueDescriptor* value = type->FindValueByNumber(number);
  if (value == nullptr) {
    g_api->reply_integer(ctx, number);  // an open enum's unknown number
    return;
  }
  g_api->reply_bulk(ctx, value->name().data(), value->name().size());
}

void ReplyBytes(EmberCtx* ctx, const std::string& s) { g_api->reply_bulk(ctx, s.data(), s.size()); }

void ReplyDefault(EmberCtx* ctx, const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: return g_api->reply_integer(ctx, f->default_value_int32());
    case FieldDescriptor::CPPTYPE_INT64: return g_api->reply_integer(ctx, f->default_value_int64());
    case FieldDescriptor::CPPTYPE_UINT32: return g_api->reply_integer(ctx, f->default_value_uint32());
    case FieldDescriptor::CPPTYPE_UINT64: return ReplyU64(ctx, f->default_value_uint64());
    case FieldDescriptor::CPPTYPE_DOUBLE: return g_api->reply_double(ctx, f->default_value_double());
    case FieldDescriptor::CPPTYPE_FLOAT: return ReplyFloat(ctx, f->default_value_float());
    case FieldDescriptor::CPPTYPE_BOOL: return g_api->reply_integer(ctx, f->default_value_bool() ? 1 : 0);
    case FieldDescriptor::CPPTYPE_ENUM: return ReplyEnum(ctx, f->enum_type(), f->default_value_enum()->number());
    case FieldDescriptor::CPPTYPE_STRING: return ReplyBytes(ctx, f->default_value_string());
    case FieldDescriptor::CPPTYPE_MESSAGE: return g_api->reply_bulk(ctx, "", 0);
  }
}

// One value of a parsed message's field: index -1 for a singular field.
void ReplyValue(EmberCtx* ctx, const gp::Message& msg, const FieldDescriptor* f, int index) {
  const gp::Reflection* r = msg.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return g_api->reply_integer(ctx, rep ? r->GetRepeatedInt32(msg, f, index) : r->GetInt32(msg, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return g_api->reply_integer(ctx, rep ? r->GetRepeatedInt64(msg, f, index) : r->GetInt64(msg, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return g_api->reply_integer(ctx, rep ? r->GetRepeatedUInt32(msg, f, index) : r->GetUInt32(msg, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return ReplyU64(ctx, rep ? r->GetRepeatedUInt64(msg, f, index) : r->GetUInt64(msg, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return g_api->reply_double(ctx, rep ? r->GetRepeatedDouble(msg, f, index) : r->GetDouble(msg, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return ReplyFloat(ctx, rep ? r->GetRepeatedFloat(msg, f, index) : r->GetFloat(msg, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return g_api->reply_integer(ctx, (rep ? r->GetRepeatedBool(msg, f, index) : r->GetBool(msg, f)) ? 1 : 0);
    case FieldDescriptor::CPPTYPE_ENUM:
      return ReplyEnum(ctx, f->enum_type(), rep ? r->GetRepeatedEnumValue(msg, f, index) : r->GetEnumValue(msg, f));
    case FieldDescriptor::CPPTYPE_STRING:
      return ReplyBytes(ctx, rep ? r->GetRepeatedString(msg, f, index) : r->GetString(msg, f));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ReplyBytes(ctx, (rep ? r->GetRepeatedMessage(msg, f, index) : r->GetMessage(msg, f)).SerializeAsString());
  }
}

}  // namespace

void ReplyWireValue(EmberCtx* ctx, const FieldDescriptor* f, const WireValue& v) {
  if (!v.found) {
    if (f->has_presence()) return g_api->reply_null(ctx);
    return ReplyDefault(ctx, f);
  }
  const uint64_t n = v.number;
  switch (f->type()) {
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SFIXED32: return g_api->reply_integer(ctx, static_cast<int32_t>(n));
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SFIXED64: return g_api->reply_integer(ctx, static_cast<int64_t>(n));
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32: return g_api->reply_integer(ctx, static_cast<uint32_t>(n));
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64: return ReplyU64(ctx, n);
    case FieldDescriptor::TYPE_SINT32:
      return g_api->reply_integer(ctx, WireFormatLite::ZigZagDecode32(static_cast<uint32_t>(n)));
    case FieldDescriptor::TYPE_SINT64: return g_api->reply_integer(ctx, WireFormatLite::ZigZagDecode64(n));
    case FieldDescriptor::TYPE_BOOL: return g_api->reply_integer(ctx, n != 0 ? 1 : 0);
    case FieldDescriptor::TYPE_ENUM: return ReplyEnum(ctx, f->enum_type(), static_cast<int32_t>(n));
    case FieldDescriptor::TYPE_FLOAT: return ReplyFloat(ctx, WireFormatLite::DecodeFloat(static_cast<uint32_t>(n)));
    case FieldDescriptor::TYPE_DOUBLE: return g_api->reply_double(ctx, WireFormatLite::DecodeDouble(n));
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES: return g_api->reply_bulk(ctx, v.bytes.data(), v.bytes.size());
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP: return ReplyBytes(ctx, v.message);
  }
}

void ReplyField(EmberCtx* ctx, const gp::Message& msg, const FieldDescriptor* f) {
  const gp::Reflection* r = msg.GetReflection();
  if (!f->is_repeated()) {
    if (f->has_presence() && !r->HasField(msg, f)) return g_api->reply_null(ctx);
    return ReplyValue(ctx, msg, f, -1);
  }
  int n = r->FieldSize(msg, f);
  if (!f->is_map()) {
    g_api->reply_array(ctx, static_cast<size_t>(n));
    for (int i = 0; i < n; i++) ReplyValue(ctx, msg, f, i);
    return;
  }
  // A map's entries are messages of two fields, key (1) and value (2).
  const FieldDescriptor* key = f->message_type()->map_key();
  const FieldDescriptor* value = f->message_type()->map_value();
  g_api->reply_map(ctx, static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    const gp::Message& entry = r->GetRepeatedMessage(msg, f, i);
    ReplyValue(ctx, entry, key, -1);
    ReplyValue(ctx, entry, value, -1);
  }
}

}  // namespace protomod
