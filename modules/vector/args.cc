#include "args.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "host.h"

namespace vset {

namespace {

std::string Quoted(std::string_view s) {
  // Error lines must stay one line: show at most 64 bytes, no CR/LF.
  std::string out = "'";
  for (char c : s.substr(0, 64)) out += (c == '\r' || c == '\n') ? ' ' : c;
  if (s.size() > 64) out += "...";
  return out + "'";
}

std::string RangeError(std::string_view what, int64_t lo, int64_t hi) {
  return "ERR " + std::string(what) + " must be an integer between " + std::to_string(lo) + " and " +
         std::to_string(hi);
}

bool ParseBounded(const EmberStr& arg, int64_t lo, int64_t hi, uint32_t* out) {
  int64_t v;
  if (!ParseInt(View(arg), &v) || v < lo || v > hi) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

bool Is(const EmberStr& arg, std::string_view keyword) {
  if (arg.len != keyword.size()) return false;
  for (size_t i = 0; i < arg.len; i++) {
    char c = arg.ptr[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  return true;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

FloatParse ParseFloat(std::string_view s, float* out) {
  // from_chars takes no '+', but clients and Redis's strtod accept one.
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
  if (s.empty()) return FloatParse::kNotNumber;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (end != s.data() + s.size()) return FloatParse::kNotNumber;
  if (ec == std::errc::result_out_of_range) return FloatParse::kNotFinite;
  if (ec != std::errc()) return FloatParse::kNotNumber;
  return std::isfinite(*out) ? FloatParse::kOk : FloatParse::kNotFinite;
}

bool LooksNumeric(std::string_view s) {
  if (s.empty()) return false;
  char c = s[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

std::string ParseVector(int argc, const EmberStr* argv, int* i, std::vector<float>* out) {
  out->clear();
  for (; *i < argc; ++*i) {
    float f;
    switch (ParseFloat(View(argv[*i]), &f)) {
      case FloatParse::kOk:
        out->push_back(f);
        continue;
      case FloatParse::kNotFinite:
        return "ERR vector components must be finite numbers, got " + Quoted(View(argv[*i]));
      case FloatParse::kNotNumber:
        if (LooksNumeric(View(argv[*i]))) return "ERR invalid vector component " + Quoted(View(argv[*i]));
        break;
    }
    break;
  }
  if (out->empty()) return "ERR missing vector: expected at least one number";
  return "";
}

bool IndexOptions::IsOption(const EmberStr& arg) {
  return Is(arg, "METRIC") || Is(arg, "QUANT") || Is(arg, "M") || Is(arg, "EF");
}

std::string IndexOptions::Parse(int argc, const EmberStr* argv, int* i) {
  const EmberStr& opt = argv[*i];
  bool has_value = *i + 1 < argc;
  const EmberStr* value = has_value ? &argv[*i + 1] : nullptr;
  if (Is(opt, "METRIC")) {
    if (value && Is(*value, "COSINE")) {
      metric = Metric::kCosine;
    } else if (value && Is(*value, "L2")) {
      metric = Metric::kL2;
    } else if (value && Is(*value, "IP")) {
      metric = Metric::kIp;
    } else {
      return "ERR METRIC must be COSINE, L2 or IP";
    }
  } else if (Is(opt, "QUANT")) {
    if (value && Is(*value, "F32")) {
      quant = Quant::kF32;
    } else if (value && Is(*value, "F16")) {
      quant = Quant::kF16;
    } else if (value && Is(*value, "Q8")) {
      quant = Quant::kQ8;
    } else {
      return "ERR QUANT must be F32, F16 or Q8";
    }
  } else if (Is(opt, "M")) {
    uint32_t v;
    if (!value || !ParseBounded(*value, kMinM, kMaxM, &v)) return RangeError("M", kMinM, kMaxM);
    m = v;
  } else if (Is(opt, "EF")) {
    uint32_t v;
    if (!value || !ParseBounded(*value, 1, kMaxEf, &v)) return RangeError("EF", 1, kMaxEf);
    ef_construction = v;
  } else {
    return "ERR unknown option " + Quoted(View(opt));
  }
  *i += 2;
  return "";
}

Settings IndexOptions::ForNewKey(uint32_t dim) const {
  Settings s;
  s.metric = metric.value_or(Metric::kCosine);
  s.quant = quant.value_or(Quant::kF32);
  s.m = m.value_or(static_cast<uint32_t>(Defaults::m.load(std::memory_order_relaxed)));
  s.ef_construction =
      ef_construction.value_or(static_cast<uint32_t>(Defaults::ef_construction.load(std::memory_order_relaxed)));
  s.dim = dim;
  return s;
}

std::string IndexOptions::CheckAgainst(const Settings& s) const {
  auto fixed = [](std::string_view what, std::string_view value) {
    return "ERR the key's " + std::string(what) + " is " + std::string(value) +
           "; index settings are fixed by the first VADD";
  };
  if (metric && *metric != s.metric) return fixed("METRIC", MetricName(s.metric));
  if (quant && *quant != s.quant) return fixed("QUANT", QuantName(s.quant));
  if (m && *m != s.m) return fixed("M", std::to_string(s.m));
  if (ef_construction && *ef_construction != s.ef_construction) return fixed("EF", std::to_string(s.ef_construction));
  return "";
}

std::string CheckVector(const Codec& codec, const float* v) {
  float limit = codec.max_component();
  for (size_t i = 0; i < codec.dim(); i++) {
    if (std::fabs(v[i]) > limit) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "ERR vector component %g is out of range: METRIC %s QUANT %s allows |x| <= %g",
                    static_cast<double>(v[i]), std::string(MetricName(codec.metric())).c_str(),
                    std::string(QuantName(codec.quant())).c_str(), static_cast<double>(limit));
      return buf;
    }
  }
  if (codec.metric() == Metric::kCosine && !HasNorm(v, codec.dim())) {
    return "ERR a zero vector has no direction: METRIC COSINE cannot index or query it";
  }
  return "";
}

std::string DimensionMismatch(size_t got, uint32_t want) {
  return "ERR vector dimension " + std::to_string(got) + " does not match the key's dimension " +
         std::to_string(want);
}

std::string CheckDimension(size_t dim) {
  if (dim >= 1 && dim <= kMaxDim) return "";
  return "ERR vector dimension must be between 1 and " + std::to_string(kMaxDim);
}

}  // namespace vset
