// ModuleValue: the value of a key holding a module data type: the module's
// own pointer and the type whose callbacks free, copy, measure and
// serialize it. The key's Entry owns it like any large collection.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "../module-api/ember_module.h"
#include "object.h"

namespace ember {

class Module;

// A data type registered by a module (EmberType in the ABI).
struct ModuleType {
  Module* owner;
  std::string name;
  EmberTypeDef def;                 // the module's definition, zero-extended to the current size
  std::atomic<int64_t> values{0};   // live values: MODULE UNLOAD waits for none
};

class ModuleValue final : public Object {
 public:
  ModuleValue(ModuleType* type, void* value) : type_(type), value_(value) { type_->values.fetch_add(1); }
  ~ModuleValue() override;
  ValueType type() const override { return ValueType::kModule; }
  const char* encoding_name() const override { return "raw"; }
  // nullptr when the type has no copy callback (COPY then refuses).
  std::unique_ptr<Object> Clone() const override;

  ModuleType* module_type() const { return type_; }
  void* value() const { return value_; }
  // Replaces the value, freeing the old one.
  void Reset(ModuleType* type, void* value);
  // The module's mem_usage callback (0 without one).
  size_t MemoryUsage(size_t samples) const override;

 private:
  ModuleType* type_;
  void* value_;
};

// The bytes of a module value for DUMP, snapshots and AOF rewrite: the type
// name, its encoding version and what the type's serialize wrote. False
// when the type has no serialize callback.
bool SerializeModuleValue(const ModuleValue& v, std::string* out);
// Reads what SerializeModuleValue wrote; nullptr with *error set when the
// type is not loaded or the bytes are bad.
std::unique_ptr<ModuleValue> DeserializeModuleValue(std::string_view in, std::string* error);

}  // namespace ember
