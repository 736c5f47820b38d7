// Parsing command arguments: words, numbers, vectors, the index options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec.h"
#include "ember_module.h"
#include "vector_set.h"

namespace vset {

inline std::string_view View(const EmberStr& s) { return {s.ptr, s.len}; }

// Case-insensitive comparison with an upper-case keyword.
bool Is(const EmberStr& arg, std::string_view keyword);

// A decimal integer (optional sign), the whole word.
bool ParseInt(std::string_view s, int64_t* out);

enum class FloatParse { kOk, kNotFinite, kNotNumber };
// A float (optional sign, decimal or exponent; "nan"/"inf" are numbers
// but kNotFinite, as are values beyond the float range).
FloatParse ParseFloat(std::string_view s, float* out);

// Whether a word that is not a number looks like a mistyped one ("1.2.3",
// "-x") rather than a keyword: it decides which error to give.
bool LooksNumeric(std::string_view s);

// Reads vector components from argv[*i] on while they are numbers. Returns
// an error message, or "" (then *i is past the vector).
std::string ParseVector(int argc, const EmberStr* argv, int* i, std::vector<float>* out);

// The index options of VADD / VADD_BATCH, as given.
struct IndexOptions {
  std::optional<Metric> metric;
  std::optional<Quant> quant;
  std::optional<uint32_t> m;
  std::optional<uint32_t> ef_construction;

  // Whether argv[i] is one of the option words.
  static bool IsOption(const EmberStr& arg);
  // Parses the option at argv[*i] (and its value), advancing *i. Returns an
  // error message, or "".
  std::string Parse(int argc, const EmberStr* argv, int* i);
  // Settings for a new key: the options over the configured defaults.
  Settings ForNewKey(uint32_t dim) const;
  // "" when the options agree with an existing key's settings.
  std::string CheckAgainst(const Settings& s) const;
};

// The error for v under the codec (range, COSINE's zero vector), or "".
std::string CheckVector(const Codec& codec, const float* v);
std::string DimensionMismatch(size_t got, uint32_t want);
std::string CheckDimension(size_t dim);

}  // namespace vset
