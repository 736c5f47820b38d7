// The byte form of one value, whatever its encoding: what DUMP/RESTORE
// carry, and what snapshots and AOF rewrite write per key. The key and its
// expire time are not part of it (each user frames those itself).
//
// A value is a type byte and its body; every integer is an unsigned LEB128
// varint in its shortest form, and a collection's items are a pack
// (pack.h: varint length + bytes each):
//
//   0 string   len, bytes
//   1 int      zigzag(v)                    (a string kept as an int64)
//   2 list     count, nbytes, pack          items in order
//   3 hash     pairs, nbytes, pack          field, value, ...; fields distinct
//   4 set      count, nbytes, pack          members distinct
//   5 intset   count, count x int64 LE      strictly ascending
//   6 zset     count, nbytes, pack          member, score as its shortest
//                                           round-trip decimal text, ...;
//                                           strictly ascending by (score,
//                                           member), members distinct, no NaN
//   7 module   nbytes, bytes                SerializeModuleValue's bytes
//
// A packed list, hash or set is written as its own bytes (its pack already
// is this format); the reader rebuilds whichever encoding the current
// thresholds pick, so a value moves freely between servers configured
// differently. kValueFormatVersion names this layout: a change to it bumps
// the version, and readers keep accepting the older ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config.h"
#include "entry.h"

namespace ember {

inline constexpr uint16_t kValueFormatVersion = 1;

// Appends e's value to *out. False (with nothing appended) when the value
// cannot be serialized: a module type without a serialize callback.
bool SerializeValue(const Entry& e, std::string* out);

// Builds an entry for key from exactly one serialized value (trailing bytes
// are an error), in the encoding `live`'s thresholds pick, with expire_ms
// (absolute, or Entry::kNoExpire). Every byte is checked: on bad input it
// returns nullptr with *error set, and never reads outside `in`.
Entry* DeserializeValue(std::string_view key, std::string_view in, int64_t expire_ms, const Config::Live& live,
                        std::string* error);

}  // namespace ember
