#include "util.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <strings.h>

namespace ember {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool negative = false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    if (v > (UINT64_MAX / 10)) return false;
    v *= 10;
    if (v > UINT64_MAX - static_cast<uint64_t>(c - '0')) return false;
    v += static_cast<uint64_t>(c - '0');
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

namespace {
// Redis's string2ld/string2d: the whole text must be the number, with no
// leading space, and NaN is refused.
template <typename T, T (*Convert)(const char*, char**)>
bool ParseFloating(std::string_view s, T* out) {
  char buf[5 * 1024];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (isspace(static_cast<unsigned char>(buf[0]))) return false;
  char* end;
  errno = 0;
  T v = Convert(buf, &end);
  if (static_cast<size_t>(end - buf) != s.size() || (errno == ERANGE && (std::isinf(v) || v == 0)) || std::isnan(v))
    return false;
  *out = v;
  return true;
}
}  // namespace

bool ParseLongDouble(std::string_view s, long double* out) { return ParseFloating<long double, strtold>(s, out); }

bool ParseDouble(std::string_view s, double* out) { return ParseFloating<double, strtod>(s, out); }

size_t FormatInt64(int64_t v, char* buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  while (n) buf[len++] = tmp[--n];
  return len;
}

std::string Int64ToString(int64_t v) {
  char buf[24];
  return std::string(buf, FormatInt64(v, buf));
}

std::string LongDoubleToString(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5 * 1024];
  int len = snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len < 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  if (strchr(buf, '.')) {
    char* p = buf + len - 1;
    while (*p == '0') {
      --p;
      --len;
    }
    if (*p == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, static_cast<size_t>(len));
}

std::string DoubleToString(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int len = snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(len));
}

namespace {
inline unsigned char Fold(unsigned char c, bool nocase) { return nocase ? static_cast<unsigned char>(tolower(c)) : c; }

// skip_longer: set once the rest of a pattern after some '*' matched nowhere
// in the remaining string, so earlier stars need not try longer matches
// either (Redis's fix for CVE-2022-36021; without it, "a*a*a*...b" is
// exponential).
bool GlobMatchImpl(const char* p, size_t plen, const char* s, size_t slen, bool nocase, int depth,
                   bool* skip_longer) {
  // Depth bound, as Redis does, keeps pathological patterns from recursing forever.
  if (depth > 1000) return false;
  while (plen && slen) {
    switch (*p) {
      case '*':
        while (plen > 1 && p[1] == '*') {
          ++p;
          --plen;
        }
        if (plen == 1) return true;
        while (slen) {
          if (GlobMatchImpl(p + 1, plen - 1, s, slen, nocase, depth + 1, skip_longer)) return true;
          if (*skip_longer) return false;
          ++s;
          --slen;
        }
        *skip_longer = true;
        return false;
      case '?':
        ++s;
        --slen;
        break;
      case '[': {
        ++p;
        --plen;
        bool negate = plen && *p == '^';
        if (negate) {
          ++p;
          --plen;
        }
        bool match = false;
        while (plen) {
          if (*p == '\\' && plen >= 2) {
            ++p;
            --plen;
            if (*p == *s) match = true;  // an escaped character matches exactly, as in Redis
          } else if (*p == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            unsigned char lo = Fold(p[0], nocase), hi = Fold(p[2], nocase), c = Fold(*s, nocase);
            if (lo > hi) std::swap(lo, hi);
            p += 2;
            plen -= 2;
            if (c >= lo && c <= hi) match = true;
          } else if (Fold(*p, nocase) == Fold(*s, nocase)) {
            match = true;
          }
          ++p;
          --plen;
        }
        if (plen == 0) {
          // Unterminated class: Redis treats the end of pattern as the ']'.
          --p;
          ++plen;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++s;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++p;
          --plen;
        }
        [[fallthrough]];
      default:
        if (Fold(*p, nocase) != Fold(*s, nocase)) return false;
        ++s;
        --slen;
        break;
    }
    ++p;
    --plen;
    if (slen == 0) {
      while (plen && *p == '*') {
        ++p;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}
}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  bool skip_longer = false;
  return GlobMatchImpl(pattern.data(), pattern.size(), str.data(), str.size(), nocase, 0, &skip_longer);
}

std::optional<int64_t> ParseMemory(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t digits = s.size();
  int64_t mul = 1;
  std::string lower = ToLower(s);
  struct Unit {
    const char* suffix;
    int64_t mul;
  };
  static constexpr Unit kUnits[] = {{"kb", 1024},       {"mb", 1024 * 1024}, {"gb", 1024LL * 1024 * 1024},
                                    {"k", 1000},        {"m", 1000 * 1000},  {"g", 1000LL * 1000 * 1000},
                                    {"b", 1}};
  for (const Unit& u : kUnits) {
    size_t n = strlen(u.suffix);
    if (lower.size() > n && lower.compare(lower.size() - n, n, u.suffix) == 0) {
      digits = lower.size() - n;
      mul = u.mul;
      break;
    }
  }
  // Plain digits, leading zeros allowed (Redis's memtoull uses strtoull).
  if (digits == 0) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    char c = lower[i];
    if (c < '0' || c > '9' || v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v != 0 && mul > INT64_MAX / v) return std::nullopt;
  return v * mul;
}

namespace {
std::atomic<uint64_t> escaped_exceptions{0};
}

void NoteEscapedException(const char* where, const char* what) noexcept {
  escaped_exceptions.fetch_add(1, std::memory_order_relaxed);
  try {
    spdlog::critical("exception escaped to the event loop ({}): {}", where, what);
  } catch (...) {
    // Nothing more can be said: the count above still shows it.
  }
}

uint64_t EscapedExceptions() { return escaped_exceptions.load(std::memory_order_relaxed); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

std::vector<std::string> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i == line.size()) break;
    std::string word;
    while (i < line.size() && !isspace(static_cast<unsigned char>(line[i]))) {
      char q = line[i];
      if (q == '"' || q == '\'') {
        for (++i; i < line.size() && line[i] != q; ++i) {
          if (q == '"' && line[i] == '\\' && i + 1 < line.size()) ++i;
          word.push_back(line[i]);
        }
        ++i;  // the closing quote
      } else {
        word.push_back(line[i++]);
      }
    }
    out.push_back(std::move(word));
  }
  return out;
}

}  // namespace ember
