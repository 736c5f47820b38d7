#include "value.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace protomod {

ProtoValue* ProtoValue::Create(const google::protobuf::Descriptor* type, std::string_view bytes) {
  void* mem = ::operator new(std::max(sizeof(ProtoValue), offsetof(ProtoValue, data_) + bytes.size()));
  auto* v = new (mem) ProtoValue(type, bytes.size());
  std::memcpy(v->data_, bytes.data(), bytes.size());
  return v;
}

void ProtoValue::Destroy(ProtoValue* v) {
  v->~ProtoValue();
  ::operator delete(v);
}

}  // namespace protomod
