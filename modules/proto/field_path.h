// A dotted field path ("address.city") resolved against a message type:
// every step but the last is a singular message field.
#pragma once

#include <google/protobuf/descriptor.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace protomod {

class FieldPath {
 public:
  static constexpr size_t kMaxDepth = 32;

  // Resolves `path` in `type`; "" or an error reply ("ERR ...").
  std::string Resolve(const google::protobuf::Descriptor* type, std::string_view path);

  std::span<const google::protobuf::FieldDescriptor* const> fields() const { return {fields_.data(), size_}; }
  const google::protobuf::FieldDescriptor* last() const { return fields_[size_ - 1]; }
  // The path as the client wrote it, for error messages.
  std::string_view text() const { return text_; }

 private:
  std::string ResolveUncached(const google::protobuf::Descriptor* type, std::string_view path);

  std::array<const google::protobuf::FieldDescriptor*, kMaxDepth> fields_;  // [0, size_) are set
  size_t size_ = 0;
  std::string_view text_;
};

}  // namespace protomod
