// ember-cli's reply parser and formatter: RESP2 and RESP3 in, redis-cli's
// terminal and raw forms out.
#include <catch2/catch.hpp>

#include <string>

#include "cli/format.h"
#include "cli/reply.h"

using ember::cli::FormatRaw;
using ember::cli::FormatTty;
using ember::cli::ProtocolError;
using ember::cli::Quote;
using ember::cli::Reply;
using ember::cli::ReplyParser;
using T = Reply::Type;

namespace {

Reply Parse(const std::string& resp) {
  ReplyParser p;
  p.Feed(resp.data(), resp.size());
  std::optional<Reply> r = p.Next();
  REQUIRE(r.has_value());
  CHECK_FALSE(p.Next().has_value());
  return *r;
}

}  // namespace

TEST_CASE("cli ReplyParser: scalars", "[cli]") {
  CHECK(Parse("+OK\r\n").type == T::kStatus);
  CHECK(Parse("-ERR bad\r\n").str == "ERR bad");
  CHECK(Parse(":-42\r\n").integer == -42);
  CHECK(Parse("$5\r\nhe\r\nl\r\n").str == "he\r\nl");
  CHECK(Parse("$-1\r\n").type == T::kNil);
  CHECK(Parse("*-1\r\n").type == T::kNil);
  CHECK(Parse("_\r\n").type == T::kNil);
  CHECK(Parse(",3.25\r\n").str == "3.25");
  CHECK(Parse("#t\r\n").integer == 1);
  CHECK(Parse("#f\r\n").integer == 0);
  CHECK(Parse("(12345678901234567890\r\n").str == "12345678901234567890");
  CHECK(Parse("=8\r\ntxt:body\r\n").str == "body");
  CHECK(Parse("!9\r\nERR blob!\r\n").type == T::kError);
}

TEST_CASE("cli ReplyParser: aggregates, attributes, any split", "[cli]") {
  std::string resp = "%2\r\n+a\r\n*2\r\n:1\r\n$1\r\nx\r\n|1\r\n+k\r\n+v\r\n~1\r\n,1.5\r\n>0\r\n";
  Reply whole = Parse(resp);
  REQUIRE(whole.type == T::kMap);
  REQUIRE(whole.elements.size() == 4);
  CHECK(whole.elements[1].elements[1].str == "x");
  CHECK(whole.elements[2].type == T::kSet);  // the attribute before it is dropped
  CHECK(whole.elements[3].type == T::kPush);
  // Fed one byte at a time, the same reply comes out once, at the last byte.
  ReplyParser p;
  for (size_t i = 0; i < resp.size(); ++i) {
    p.Feed(&resp[i], 1);
    std::optional<Reply> r = p.Next();
    CHECK(r.has_value() == (i + 1 == resp.size()));
    if (r) CHECK(FormatTty(*r) == FormatTty(whole));
  }
}

TEST_CASE("cli ReplyParser: several replies and garbage", "[cli]") {
  ReplyParser p;
  std::string two = "+A\r\n:2\r\n+partial";
  p.Feed(two.data(), two.size());
  CHECK(p.Next()->str == "A");
  CHECK(p.Next()->integer == 2);
  CHECK_FALSE(p.Next().has_value());
  ReplyParser bad;
  bad.Feed("?\r\n", 3);
  CHECK_THROWS_AS(bad.Next(), ProtocolError);
}

TEST_CASE("cli format: redis-cli's terminal form", "[cli]") {
  CHECK(FormatTty(Parse("+OK\r\n")) == "OK\n");
  CHECK(FormatTty(Parse("-ERR x\r\n")) == "(error) ERR x\n");
  CHECK(FormatTty(Parse(":7\r\n")) == "(integer) 7\n");
  CHECK(FormatTty(Parse("$-1\r\n")) == "(nil)\n");
  CHECK(FormatTty(Parse(",1.5\r\n")) == "(double) 1.5\n");
  CHECK(FormatTty(Parse("#t\r\n")) == "(true)\n");
  CHECK(FormatTty(Parse("#f\r\n")) == "(false)\n");
  CHECK(FormatTty(Parse("(99\r\n")) == "(big number) 99\n");
  CHECK(FormatTty(Parse("*0\r\n")) == "(empty array)\n");
  CHECK(FormatTty(Parse("%0\r\n")) == "(empty hash)\n");
  CHECK(FormatTty(Parse("~0\r\n")) == "(empty set)\n");
  CHECK(FormatTty(Parse("*2\r\n*2\r\n:1\r\n:2\r\n$1\r\na\r\n")) ==
        "1) 1) (integer) 1\n   2) (integer) 2\n2) \"a\"\n");
  CHECK(FormatTty(Parse("~2\r\n+x\r\n+y\r\n")) == "1~ x\n2~ y\n");
  CHECK(FormatTty(Parse(">2\r\n$7\r\nmessage\r\n:1\r\n")) == "1) \"message\"\n2) (integer) 1\n");
  // A map value of one line stays on the key's line; a longer one starts below it.
  CHECK(FormatTty(Parse("%2\r\n+a\r\n%1\r\n+b\r\n:1\r\n+c\r\n*2\r\n:1\r\n:2\r\n")) ==
        "1# a => 1# b => (integer) 1\n2# c => \n   1) (integer) 1\n   2) (integer) 2\n");
  std::string eleven = "*11\r\n";
  for (int i = 0; i < 11; ++i) eleven += ":0\r\n";
  std::string out = FormatTty(Parse(eleven));
  CHECK(out.substr(0, 16) == " 1) (integer) 0\n");
  CHECK(out.substr(out.size() - 16) == "11) (integer) 0\n");
}

TEST_CASE("cli format: raw form and quoting", "[cli]") {
  CHECK(FormatRaw(Parse("$-1\r\n")) == "\n");
  CHECK(FormatRaw(Parse("-ERR x\r\n")) == "ERR x\n");
  CHECK(FormatRaw(Parse("*3\r\n$1\r\na\r\n$-1\r\n:3\r\n")) == "a\n\n3\n");
  CHECK(FormatRaw(Parse("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n")) == "a 1\nb 2\n");
  CHECK(FormatRaw(Parse("#t\r\n")) == "(true)\n");
  CHECK(Quote("a\"b\\c\n\r\t\a\b\x01\xff") == "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\xff\"");
}
