// Object: the value of a large collection, owned by its Entry (whose 8
// value bytes point to it). Each collection type has its own subclass in
// its family's file.
#pragma once

#include <memory>

#include "entry.h"

namespace ember {

class Object {
 public:
  virtual ~Object() = default;
  virtual ValueType type() const = 0;
  // Redis's name for the representation (OBJECT ENCODING).
  virtual const char* encoding_name() const = 0;
  // A deep copy (COPY).
  virtual std::unique_ptr<Object> Clone() const = 0;
  // Bytes this object holds beyond its entry (MEMORY USAGE). Collections
  // measure up to `samples` elements and scale by their count (as Redis's
  // MEMORY USAGE ... SAMPLES); 0 measures every element.
  virtual size_t MemoryUsage(size_t samples) const = 0;
};

// TYPE's word for a value type.
const char* TypeName(ValueType t);
// TYPE's word for an entry's value: for a module value, its type's name.
const char* TypeName(const Entry* e);
// OBJECT ENCODING's word for an entry's representation.
const char* EncodingName(const Entry* e);
// A deep copy of e under another key (COPY); e is unchanged. nullptr when
// the value cannot be copied (a module type without a copy callback).
Entry* CloneEntry(const Entry* e, std::string_view key);

}  // namespace ember
