// A key's value: a message, kept as the encoded bytes it was validated as
// (PROTO.GET answers them as they are), and its type, in one allocation:
// reading a value touches one block beyond the server's own.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace protomod {

class ProtoValue {
 public:
  // Throws std::bad_alloc.
  static ProtoValue* Create(const google::protobuf::Descriptor* type, std::string_view bytes);
  static void Destroy(ProtoValue* v);

  const google::protobuf::Descriptor* type() const { return type_; }
  std::string_view bytes() const { return {data_, size_}; }
  // The allocation's size, for MEMORY USAGE.
  size_t footprint() const { return offsetof(ProtoValue, data_) + size_; }

 private:
  ProtoValue(const google::protobuf::Descriptor* type, size_t size) : type_(type), size_(size) {}

  const google::protobuf::Descriptor* type_;  // owned by the registry's pool, never freed
  size_t size_;
  char data_[1];  // size_ bytes follow
};

// Owns a value until the key takes it.
struct ProtoValueDeleter {
  void operator()(ProtoValue* v) const { ProtoValue::Destroy(v); }
};
using ProtoValuePtr = std::unique_ptr<ProtoValue, ProtoValueDeleter>;

}  // namespace protomod
