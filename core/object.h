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
};

// TYPE's word for a value type.
const char* TypeName(ValueType t);
// OBJECT ENCODING's word for an entry's representation.
const char* EncodingName(const Entry* e);
// A deep copy of e under another key (COPY); e is unchanged.
Entry* CloneEntry(const Entry* e, std::string_view key);

}  // namespace ember
