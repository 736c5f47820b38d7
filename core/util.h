// Number parsing and formatting with Redis's exact rules, and small helpers.
#pragma once

#include <time.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// Strict decimal int64 as Redis's string2ll: no spaces, no '+', no leading
// zeros (except "0"), no overflow.
bool ParseInt64(std::string_view s, int64_t* out);
// A long double as Redis's string2ld: rejects spaces, NaN and empty input.
bool ParseLongDouble(std::string_view s, long double* out);
// A double as Redis's string2d (accepts "inf", "-inf", rejects NaN).
bool ParseDouble(std::string_view s, double* out);

// Decimal text of v; returns the length written into buf (at least 21 bytes).
size_t FormatInt64(int64_t v, char* buf);
std::string Int64ToString(int64_t v);
// INCRBYFLOAT's humanfriendly format: %.17Lf with trailing zeros removed.
std::string LongDoubleToString(long double v);
// Double as Redis prints scores and RESP3 doubles (%.17g, inf, -inf).
std::string DoubleToString(double v);

// Redis's stringmatchlen: glob with * ? [..] [^..] ranges and \ escapes,
// binary-safe.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// Memory value such as "256mb", "1gb", "100" (bytes) as Redis's memtoull.
std::optional<int64_t> ParseMemory(std::string_view s);

// The barrier of every event callback and of a shard's loop: libevent's C
// frames cannot pass an exception (std::terminate), and one that got past a
// command's own barrier (Shard::Execute) is a bug to see, not a crash. It
// is logged at critical level and counted (INFO stats
// event_loop_exceptions); false is returned so the caller can drop what
// the exception left half done.
void NoteEscapedException(const char* where, const char* what) noexcept;
uint64_t EscapedExceptions();
template <class F>
bool RunGuarded(const char* where, F&& body) noexcept {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    NoteEscapedException(where, e.what());
  } catch (...) {
    NoteEscapedException(where, "unknown exception");
  }
  return false;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// Words of a config line as Redis's sdssplitargs: separated by spaces,
// "double" (with \\ escapes) or 'single' quoted.
std::vector<std::string> SplitArgs(std::string_view line);

// Milliseconds since the Unix epoch, and microseconds.
int64_t NowMs();
int64_t NowUs();
// A steady clock in nanoseconds, for durations (inline: it times every
// command).
inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace ember
