// util: Redis-exact number parsing/formatting, glob matching, memory values.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "util.h"

using namespace std::string_literals;
using ember::GlobMatch;
using ember::LongDoubleToString;
using ember::ParseInt64;
using ember::ParseLongDouble;
using ember::ParseMemory;

namespace {

// Parses, or returns a sentinel that no test expects.
bool Int(std::string_view s, int64_t expected) {
  int64_t v = 12345;
  return ParseInt64(s, &v) && v == expected;
}
bool NotInt(std::string_view s) {
  int64_t v = 777;
  bool ok = ParseInt64(s, &v);
  return !ok && v == 777;  // and the output is untouched on failure
}

long double LD(std::string_view s) {
  long double v = 0;
  REQUIRE(ParseLongDouble(s, &v));
  return v;
}

// INCRBYFLOAT: parse both as long double, add, format.
std::string IncrByFloat(std::string_view cur, std::string_view incr) { return LongDoubleToString(LD(cur) + LD(incr)); }

}  // namespace

TEST_CASE("ParseInt64: Redis string2ll rules", "[util]") {
  CHECK(Int("0", 0));
  CHECK(Int("1", 1));
  CHECK(Int("-1", -1));
  CHECK(Int("1234567890", 1234567890));
  CHECK(Int("9223372036854775807", INT64_MAX));
  CHECK(Int("-9223372036854775808", INT64_MIN));
  CHECK(Int("-9223372036854775807", -INT64_MAX));

  CHECK(NotInt("9223372036854775808"));
  CHECK(NotInt("-9223372036854775809"));
  CHECK(NotInt("18446744073709551615"));
  CHECK(NotInt("18446744073709551616"));
  CHECK(NotInt("99999999999999999999"));    // 20 digits, > UINT64_MAX
  CHECK(NotInt("100000000000000000000"));   // 21 chars
  CHECK(NotInt("-100000000000000000000"));
  CHECK(NotInt("00000000000000000001"));
  CHECK(NotInt(""));
  CHECK(NotInt("-"));
  CHECK(NotInt("+1"));
  CHECK(NotInt("+0"));
  CHECK(NotInt("01"));
  CHECK(NotInt("00"));
  CHECK(NotInt("-0"));
  CHECK(NotInt("-01"));
  CHECK(NotInt(" 1"));
  CHECK(NotInt("1 "));
  CHECK(NotInt("1a"));
  CHECK(NotInt("a1"));
  CHECK(NotInt("1.0"));
  CHECK(NotInt("1e3"));
  CHECK(NotInt("--1"));
  CHECK(NotInt("1\0"s));
  CHECK(NotInt(std::string_view("12", 1).substr(0, 0)));
  // A view is parsed only up to its length.
  CHECK(Int(std::string_view("123abc", 3), 123));
}

TEST_CASE("FormatInt64 / Int64ToString", "[util]") {
  CHECK(ember::Int64ToString(0) == "0");
  CHECK(ember::Int64ToString(-1) == "-1");
  CHECK(ember::Int64ToString(INT64_MAX) == "9223372036854775807");
  CHECK(ember::Int64ToString(INT64_MIN) == "-9223372036854775808");
  char buf[24];
  CHECK(ember::FormatInt64(-42, buf) == 3);
  CHECK(std::string(buf, 3) == "-42");
  // Round trip.
  for (int64_t v : {INT64_MIN, INT64_MIN + 1, int64_t{-1000}, int64_t{7}, INT64_MAX - 1, INT64_MAX}) {
    int64_t back = 0;
    REQUIRE(ParseInt64(ember::Int64ToString(v), &back));
    CHECK(back == v);
  }
}

TEST_CASE("ParseLongDouble / ParseDouble: string2ld / string2d rules", "[util]") {
  long double ld = 0;
  CHECK(ParseLongDouble("1.5", &ld));
  CHECK(ld == 1.5L);
  CHECK(ParseLongDouble("-0.25", &ld));
  CHECK(ld == -0.25L);
  CHECK(ParseLongDouble("5.0e3", &ld));
  CHECK(ld == 5000.0L);
  CHECK(ParseLongDouble("10", &ld));
  CHECK(ld == 10.0L);
  CHECK(ParseLongDouble("inf", &ld));
  CHECK(std::isinf(ld));
  CHECK_FALSE(ParseLongDouble("", &ld));
  CHECK_FALSE(ParseLongDouble(" 1", &ld));
  CHECK_FALSE(ParseLongDouble("1 ", &ld));
  CHECK_FALSE(ParseLongDouble("1x", &ld));
  CHECK_FALSE(ParseLongDouble("abc", &ld));
  CHECK_FALSE(ParseLongDouble("nan", &ld));
  CHECK_FALSE(ParseLongDouble("-nan", &ld));
  CHECK_FALSE(ParseLongDouble("1e999999", &ld));  // overflow
  CHECK_FALSE(ParseLongDouble("1\0"s, &ld));
  CHECK_FALSE(ParseLongDouble(std::string(6000, '1'), &ld));  // longer than Redis's buffer
  // Only the view's bytes count.
  CHECK(ParseLongDouble(std::string_view("2.5xyz", 3), &ld));
  CHECK(ld == 2.5L);

  double d = 0;
  CHECK(ember::ParseDouble("3.25", &d));
  CHECK(d == 3.25);
  CHECK(ember::ParseDouble("-inf", &d));
  CHECK(std::isinf(d));
  CHECK(d < 0);
  CHECK_FALSE(ember::ParseDouble("nan", &d));
  CHECK_FALSE(ember::ParseDouble("1e400", &d));
  CHECK_FALSE(ember::ParseDouble(" 1", &d));
  CHECK_FALSE(ember::ParseDouble("", &d));
  CHECK_FALSE(ember::ParseDouble("1,5", &d));
}

TEST_CASE("LongDoubleToString: INCRBYFLOAT's human-friendly format", "[util]") {
  // The INCRBYFLOAT documentation's examples.
  CHECK(IncrByFloat("10.50", "0.1") == "10.6");
  CHECK(IncrByFloat("10.6", "-5") == "5.6");
  CHECK(IncrByFloat("5.0e3", "2.0e2") == "5200");
  CHECK(IncrByFloat("10.5", "0.1") == "10.6");
  CHECK(IncrByFloat("0", "1.1e-5") == "0.000011");

  CHECK(LongDoubleToString(3.0L) == "3");
  CHECK(LongDoubleToString(5.0e3L) == "5000");
  CHECK(LongDoubleToString(LD("1.1e-5")) == "0.000011");
  CHECK(LongDoubleToString(1.5L) == "1.5");
  CHECK(LongDoubleToString(-2.5L) == "-2.5");
  CHECK(LongDoubleToString(0.0L) == "0");
  CHECK(LongDoubleToString(-0.0L) == "0");
  CHECK(LongDoubleToString(1e-20L) == "0");  // below %.17Lf's precision
  CHECK(LongDoubleToString(-1e-20L) == "0");
  CHECK(LongDoubleToString(100.0L) == "100");  // zeros before the '.' stay
  CHECK(LongDoubleToString(1e20L) == "100000000000000000000");
  CHECK(LongDoubleToString(LD("0.1")) == "0.1");
  CHECK(LongDoubleToString(std::numeric_limits<long double>::infinity()) == "inf");
  CHECK(LongDoubleToString(-std::numeric_limits<long double>::infinity()) == "-inf");
}

TEST_CASE("DoubleToString: %.17g", "[util]") {
  CHECK(ember::DoubleToString(1.5) == "1.5");
  CHECK(ember::DoubleToString(3.0) == "3");
  CHECK(ember::DoubleToString(-0.25) == "-0.25");
  CHECK(ember::DoubleToString(1e300) == "1.0000000000000001e+300");
  CHECK(ember::DoubleToString(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(ember::DoubleToString(-std::numeric_limits<double>::infinity()) == "-inf");
}

TEST_CASE("GlobMatch: Redis stringmatchlen", "[util][glob]") {
  // *
  CHECK(GlobMatch("*", "anything"));
  CHECK(GlobMatch("*", "x"));
  CHECK(GlobMatch("a*", "a"));
  CHECK(GlobMatch("a*", "abc"));
  CHECK_FALSE(GlobMatch("a*", "ba"));
  CHECK(GlobMatch("*b", "aab"));
  CHECK_FALSE(GlobMatch("*b", "aba"));
  CHECK(GlobMatch("*a*b*", "xxaxxbxx"));
  CHECK_FALSE(GlobMatch("*a*b*", "xxbxxaxx"));
  CHECK(GlobMatch("a**b", "ab"));
  CHECK(GlobMatch("user:*:name", "user:1000:name"));
  CHECK_FALSE(GlobMatch("user:*:name", "user:1000:email"));
  // ?
  CHECK(GlobMatch("h?llo", "hello"));
  CHECK(GlobMatch("h?llo", "hallo"));
  CHECK_FALSE(GlobMatch("h?llo", "hllo"));
  CHECK_FALSE(GlobMatch("h?llo", "heello"));
  CHECK(GlobMatch("???", "abc"));
  CHECK_FALSE(GlobMatch("???", "ab"));
  // [...]
  CHECK(GlobMatch("h[ae]llo", "hello"));
  CHECK(GlobMatch("h[ae]llo", "hallo"));
  CHECK_FALSE(GlobMatch("h[ae]llo", "hillo"));
  CHECK(GlobMatch("h[a-c]llo", "hbllo"));
  CHECK(GlobMatch("h[a-c]llo", "hallo"));
  CHECK(GlobMatch("h[a-c]llo", "hcllo"));
  CHECK_FALSE(GlobMatch("h[a-c]llo", "hdllo"));
  CHECK(GlobMatch("[c-a]", "b"));  // reversed range
  CHECK(GlobMatch("[0-9][0-9]", "42"));
  CHECK_FALSE(GlobMatch("[0-9][0-9]", "4x"));
  // [^...]
  CHECK(GlobMatch("h[^e]llo", "hallo"));
  CHECK_FALSE(GlobMatch("h[^e]llo", "hello"));
  CHECK(GlobMatch("[^a-c]", "d"));
  CHECK_FALSE(GlobMatch("[^a-c]", "b"));
  // Escapes.
  CHECK(GlobMatch("\\*", "*"));
  CHECK_FALSE(GlobMatch("\\*", "a"));
  CHECK_FALSE(GlobMatch("\\*", "ab"));
  CHECK(GlobMatch("a\\?b", "a?b"));
  CHECK_FALSE(GlobMatch("a\\?b", "axb"));
  CHECK(GlobMatch("\\[x]", "[x]"));
  CHECK(GlobMatch("[\\]]", "]"));
  CHECK(GlobMatch("[\\-]", "-"));
  CHECK(GlobMatch("a\\", "a\\"));  // a trailing backslash matches itself
  // Unterminated class: the end of the pattern closes it.
  CHECK(GlobMatch("[abc", "b"));
  CHECK_FALSE(GlobMatch("[abc", "d"));
  // Exact and empty.
  CHECK(GlobMatch("abc", "abc"));
  CHECK_FALSE(GlobMatch("abc", "abcd"));
  CHECK_FALSE(GlobMatch("abcd", "abc"));
  CHECK(GlobMatch("", ""));
  CHECK_FALSE(GlobMatch("", "a"));
  CHECK_FALSE(GlobMatch("a", ""));
  // Binary-safe.
  CHECK(GlobMatch("a\0*"s, "a\0bc"s));
  CHECK_FALSE(GlobMatch("a\0*"s, "a\1bc"s));
  CHECK(GlobMatch("?"s, "\0"s));
  // nocase.
  CHECK_FALSE(GlobMatch("HELLO", "hello"));
  CHECK(GlobMatch("HELLO", "hello", true));
  CHECK(GlobMatch("h*O", "HellO", true));
  CHECK(GlobMatch("[A-C]x", "bX", true));
  CHECK_FALSE(GlobMatch("[A-C]x", "bX", false));
  CHECK(GlobMatch("[^A]", "b", true));
  CHECK_FALSE(GlobMatch("[\\A]", "a", true));  // an escaped class member matches exactly
  CHECK(GlobMatch("[\\A]", "A", true));
  CHECK_FALSE(GlobMatch("[^A]", "a", true));
}

// Redis 7.0.9+ (CVE-2022-36021) stops retrying a '*' at longer offsets once the
// rest of the pattern failed to match anywhere in the remaining string.
// Without that the match is exponential in the number of stars and this case
// would not finish within the test's timeout: a KEYS/SCAN MATCH denial of
// service.
TEST_CASE("GlobMatch: many stars against a non-matching string terminate", "[util][glob]") {
  std::string pattern;
  for (int i = 0; i < 24; ++i) pattern += "a*";
  pattern += "b";
  CHECK_FALSE(GlobMatch(pattern, std::string(200, 'a')));
  CHECK(GlobMatch(pattern, std::string(200, 'a') + "b"));
}

TEST_CASE("ParseMemory: Redis memtoull units", "[util]") {
  CHECK(ParseMemory("010mb") == 10 * 1024 * 1024);  // leading zeros, as strtoull
  CHECK(ParseMemory("0") == 0);
  CHECK(ParseMemory("100") == 100);
  CHECK(ParseMemory("100b") == 100);
  CHECK(ParseMemory("1k") == 1000);
  CHECK(ParseMemory("10k") == 10000);
  CHECK(ParseMemory("1kb") == 1024);
  CHECK(ParseMemory("10kb") == 10240);
  CHECK(ParseMemory("1m") == 1000000);
  CHECK(ParseMemory("1mb") == 1048576);
  CHECK(ParseMemory("256mb") == 268435456);
  CHECK(ParseMemory("1g") == 1000000000);
  CHECK(ParseMemory("1gb") == 1073741824);
  CHECK(ParseMemory("1GB") == 1073741824);
  CHECK(ParseMemory("1Gb") == 1073741824);
  CHECK(ParseMemory("2G") == 2000000000);
  CHECK(ParseMemory("8589934591gb") == 8589934591LL * 1073741824LL);  // 2^63 - 2^30
  CHECK_FALSE(ParseMemory("8589934592gb").has_value());              // 2^63 overflows
  CHECK(ParseMemory("9223372036854775807") == INT64_MAX);

  CHECK_FALSE(ParseMemory("").has_value());
  CHECK_FALSE(ParseMemory("abc").has_value());
  CHECK_FALSE(ParseMemory("gb").has_value());
  CHECK_FALSE(ParseMemory("b").has_value());
  CHECK_FALSE(ParseMemory("-1").has_value());
  CHECK_FALSE(ParseMemory("-1gb").has_value());
  CHECK_FALSE(ParseMemory("1tb").has_value());
  CHECK_FALSE(ParseMemory("1.5gb").has_value());
  CHECK_FALSE(ParseMemory(" 1").has_value());
  CHECK_FALSE(ParseMemory("10 kb").has_value());
  CHECK_FALSE(ParseMemory("1kbb").has_value());
  CHECK_FALSE(ParseMemory("9223372036854775808").has_value());
  CHECK_FALSE(ParseMemory("9007199254740993kb").has_value());  // overflows int64 after the multiply
}

TEST_CASE("EqualsIgnoreCase / ToLower", "[util]") {
  CHECK(ember::EqualsIgnoreCase("GeT", "get"));
  CHECK(ember::EqualsIgnoreCase("", ""));
  CHECK_FALSE(ember::EqualsIgnoreCase("get", "gets"));
  CHECK_FALSE(ember::EqualsIgnoreCase("get", "set"));
  CHECK(ember::ToLower("MiXeD-123_Z") == "mixed-123_z");
  CHECK(ember::ToLower("a\0B"s) == "a\0b"s);
}

TEST_CASE("NowMs / NowUs", "[util]") {
  int64_t ms = ember::NowMs(), us = ember::NowUs();
  CHECK(ms > 1'600'000'000'000);
  CHECK(std::llabs(us / 1000 - ms) < 1000);
}
