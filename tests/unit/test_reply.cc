// Reply: exact RESP2 and RESP3 bytes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "reply.h"

using namespace std::string_literals;
using ember::Reply;

namespace {

// The bytes a writer function produces under RESP2 and RESP3.
template <typename Fn>
std::string Bytes(int resp, Fn&& fn) {
  std::string out;
  Reply r(&out, resp);
  fn(r);
  return out;
}

}  // namespace

TEST_CASE("Reply: types that are the same in RESP2 and RESP3", "[reply]") {
  for (int resp : {2, 3}) {
    INFO("RESP" << resp);
    CHECK(Bytes(resp, [](Reply& r) { r.Ok(); }) == "+OK\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Simple("PONG"); }) == "+PONG\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Int(0); }) == ":0\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Int(-42); }) == ":-42\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Int(INT64_MIN); }) == ":-9223372036854775808\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Int(INT64_MAX); }) == ":9223372036854775807\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Bulk("hello"); }) == "$5\r\nhello\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Bulk(""); }) == "$0\r\n\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Bulk("a\0\r\nb"s); }) == "$5\r\na\0\r\nb\r\n"s);
    CHECK(Bytes(resp, [](Reply& r) { r.Array(0); }) == "*0\r\n");
    CHECK(Bytes(resp, [](Reply& r) {
            r.Array(2);
            r.Bulk("a");
            r.Int(1);
          }) == "*2\r\n$1\r\na\r\n:1\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Raw("+RAW\r\n"); }) == "+RAW\r\n");
  }
  std::string big(100000, 'x');
  CHECK(Bytes(2, [&](Reply& r) { r.Bulk(big); }) == "$100000\r\n" + big + "\r\n");
}

TEST_CASE("Reply: Null and NullArray", "[reply]") {
  CHECK(Bytes(2, [](Reply& r) { r.Null(); }) == "$-1\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Null(); }) == "_\r\n");
  CHECK(Bytes(2, [](Reply& r) { r.NullArray(); }) == "*-1\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.NullArray(); }) == "_\r\n");
}

TEST_CASE("Reply: Map, Set, Push", "[reply]") {
  auto map = [](Reply& r) {
    r.Map(2);
    r.Bulk("a");
    r.Int(1);
    r.Bulk("b");
    r.Int(2);
  };
  CHECK(Bytes(2, map) == "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
  CHECK(Bytes(3, map) == "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
  CHECK(Bytes(2, [](Reply& r) { r.Map(0); }) == "*0\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Map(0); }) == "%0\r\n");
  CHECK(Bytes(2, [](Reply& r) { r.Set(3); }) == "*3\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Set(3); }) == "~3\r\n");
  CHECK(Bytes(2, [](Reply& r) { r.Push(3); }) == "*3\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Push(3); }) == ">3\r\n");
}

TEST_CASE("Reply: Double", "[reply]") {
  CHECK(Bytes(2, [](Reply& r) { r.Double(1.5); }) == "$3\r\n1.5\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Double(1.5); }) == ",1.5\r\n");
  CHECK(Bytes(2, [](Reply& r) { r.Double(3.0); }) == "$1\r\n3\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Double(3.0); }) == ",3\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Double(-0.25); }) == ",-0.25\r\n");
  double inf = std::numeric_limits<double>::infinity();
  CHECK(Bytes(2, [&](Reply& r) { r.Double(inf); }) == "$3\r\ninf\r\n");
  CHECK(Bytes(3, [&](Reply& r) { r.Double(inf); }) == ",inf\r\n");
  CHECK(Bytes(3, [&](Reply& r) { r.Double(-inf); }) == ",-inf\r\n");
}

TEST_CASE("Reply: Bool", "[reply]") {
  CHECK(Bytes(2, [](Reply& r) { r.Bool(true); }) == ":1\r\n");
  CHECK(Bytes(2, [](Reply& r) { r.Bool(false); }) == ":0\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Bool(true); }) == "#t\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Bool(false); }) == "#f\r\n");
}

TEST_CASE("Reply: Verbatim", "[reply]") {
  CHECK(Bytes(2, [](Reply& r) { r.Verbatim("hello"); }) == "$5\r\nhello\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Verbatim("hello"); }) == "=9\r\ntxt:hello\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Verbatim(""); }) == "=4\r\ntxt:\r\n");
  CHECK(Bytes(3, [](Reply& r) { r.Verbatim("a\r\nb"); }) == "=8\r\ntxt:a\r\nb\r\n");
}

TEST_CASE("Reply: Error prefixes ERR unless the message carries its code", "[reply]") {
  for (int resp : {2, 3}) {
    INFO("RESP" << resp);
    CHECK(Bytes(resp, [](Reply& r) { r.Error("syntax error"); }) == "-ERR syntax error\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Error(ember::kErrWrongType); }) ==
          "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Error("-NOAUTH Authentication required."); }) ==
          "-NOAUTH Authentication required.\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Error(ember::kErrNotInteger); }) ==
          "-ERR value is not an integer or out of range\r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Error(""); }) == "-ERR \r\n");
    // Newlines would break the protocol: replaced by spaces.
    CHECK(Bytes(resp, [](Reply& r) { r.Error("bad\r\nthing\n"); }) == "-ERR bad  thing \r\n");
    CHECK(Bytes(resp, [](Reply& r) { r.Error("-CODE a\nb"); }) == "-CODE a b\r\n");
  }
}

TEST_CASE("Reply: deferred arrays", "[reply]") {
  SECTION("count filled in afterwards, no padding left") {
    std::string out = "+before\r\n";
    Reply r(&out, 2);
    size_t t = r.BeginDeferredArray();
    r.Bulk("a");
    r.Bulk("bc");
    r.EndDeferredArray(t, 2);
    r.Ok();
    CHECK(out == "+before\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n+OK\r\n");
  }
  SECTION("empty") {
    std::string out;
    Reply r(&out, 3);
    size_t t = r.BeginDeferredArray();
    r.EndDeferredArray(t, 0);
    CHECK(out == "*0\r\n");
  }
  SECTION("large counts") {
    std::string out;
    Reply r(&out, 2);
    size_t t = r.BeginDeferredArray();
    for (int i = 0; i < 12345; ++i) r.Int(i % 10);
    r.EndDeferredArray(t, 12345);
    REQUIRE(out.rfind("*12345\r\n:0\r\n:1\r\n", 0) == 0);
    CHECK(out.size() == 8 + 12345 * 4);
  }
  SECTION("nested, inner closed first") {
    std::string out;
    Reply r(&out, 2);
    size_t outer = r.BeginDeferredArray();
    r.Bulk("x");
    size_t inner = r.BeginDeferredArray();
    r.Int(1);
    r.Int(2);
    r.Int(3);
    r.EndDeferredArray(inner, 3);
    r.EndDeferredArray(outer, 2);
    CHECK(out == "*2\r\n$1\r\nx\r\n*3\r\n:1\r\n:2\r\n:3\r\n");
  }
  SECTION("a huge count still fits the reserved room") {
    std::string out;
    Reply r(&out, 2);
    size_t t = r.BeginDeferredArray();
    r.EndDeferredArray(t, static_cast<size_t>(INT64_MAX));
    CHECK(out == "*9223372036854775807\r\n");
  }
}

TEST_CASE("Reply: set_resp and set_buffer", "[reply]") {
  std::string a, b;
  Reply r(&a, 2);
  CHECK(r.resp() == 2);
  r.Null();
  r.set_resp(3);
  CHECK(r.resp() == 3);
  r.Null();
  r.set_buffer(&b);
  CHECK(r.buffer() == &b);
  r.Bool(true);
  CHECK(a == "$-1\r\n_\r\n");
  CHECK(b == "#t\r\n");
}
