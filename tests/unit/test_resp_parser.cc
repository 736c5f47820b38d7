// RequestParser and SplitInlineArgs: RESP multibulk and inline commands, fed
// whole, split at every byte boundary, and byte by byte, plus Redis's exact
// protocol error texts.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "resp_parser.h"

using namespace std::string_literals;
using ember::ProtocolLimits;
using ember::RequestParser;
using Status = ember::RequestParser::Status;
using Args = std::vector<std::string>;

namespace {

Args Copy(const std::vector<std::string_view>& argv) { return Args(argv.begin(), argv.end()); }

// True while a multibulk command is half-parsed (parsed() is 0 otherwise).
bool Partial(const RequestParser& p) { return p.parsed() > 0; }

// A connection's view of the parser: bytes arrive in chunks, complete commands
// are taken off the front. On kNeedMore the unparsed tail is copied into a
// fresh buffer (a different address, as when a connection compacts or
// reallocates its buffer) and the parser is called again with the same
// command start plus the new bytes.
struct Feeder {
  explicit Feeder(ProtocolLimits l = {}) : limits(l) {}

  ProtocolLimits limits;
  RequestParser parser;
  std::string pending;  // bytes not yet consumed; pending[0] is a command start
  std::vector<Args> commands;
  std::string error;
  int need_more = 0;

  // Appends bytes and parses as much as possible. Returns false on error.
  bool Feed(std::string_view bytes) {
    std::string moved = pending;  // new address for the same command start
    moved.append(bytes);
    pending.swap(moved);
    size_t start = 0;
    while (start < pending.size()) {
      Status s = parser.Parse(pending.data() + start, pending.size() - start, limits);
      if (s == Status::kError) {
        error = parser.error();
        return false;
      }
      if (s == Status::kNeedMore) {
        ++need_more;
        break;
      }
      REQUIRE(parser.consumed() > 0);
      REQUIRE(parser.consumed() <= pending.size() - start);
      REQUIRE_FALSE(Partial(parser));
      commands.push_back(Copy(parser.argv()));
      start += parser.consumed();
    }
    pending.erase(0, start);
    return true;
  }
};

std::string Multibulk(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// One command, parsed whole from exactly its bytes.
Status ParseOne(RequestParser& p, std::string_view bytes, const ProtocolLimits& limits = {}) {
  return p.Parse(bytes.data(), bytes.size(), limits);
}

// A mixed pipeline and the commands it must produce.
struct Pipeline {
  std::string bytes;
  std::vector<Args> expected;
  void Add(const Args& args) {
    bytes += Multibulk(args);
    expected.push_back(args);
  }
  void AddRaw(std::string raw, Args args) {
    bytes += raw;
    expected.push_back(std::move(args));
  }
};

Pipeline MakePipeline() {
  Pipeline p;
  p.Add({"SET", "key", "value"});
  p.Add({"GET", "key"});
  p.AddRaw("PING\r\n", {"PING"});
  p.Add({"ECHO", "a\0\r\nb"s});                      // \0 and CRLF inside a bulk payload
  p.Add({"SET", "\r\n\r\n", "*2\r\n$3\r\n"});         // payloads that look like protocol
  p.Add({"SET", "", ""});                            // empty bulks
  p.AddRaw("*0\r\n", {});                            // empty multibulk
  p.AddRaw("\r\n", {});                              // empty inline line
  p.AddRaw("  SET  k   \"a b\"  'c\\'d'\r\n", {"SET", "k", "a b", "c'd"});
  p.AddRaw("*-1\r\n", {});                           // count <= 0: empty command
  p.Add({std::string(300, 'x'), std::string(1000, '\0')});
  p.AddRaw("INCR n\n", {"INCR", "n"});               // inline with bare LF
  p.Add({"MSET", "a", "1", "b", "2", "c", "3"});
  return p;
}

}  // namespace

TEST_CASE("RequestParser: a whole multibulk command", "[resp]") {
  RequestParser p;
  std::string cmd = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  REQUIRE(ParseOne(p, cmd) == Status::kCommand);
  CHECK(p.consumed() == cmd.size());
  CHECK(Copy(p.argv()) == Args{"SET", "key", "value"});
  CHECK_FALSE(Partial(p));
  // Multibulk arguments are views into the caller's buffer (no copy).
  CHECK(p.argv()[1].data() == cmd.data() + 17);
}

TEST_CASE("RequestParser: consumed() stops at the end of the first command", "[resp]") {
  RequestParser p;
  std::string two = "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPONG\r\n";
  REQUIRE(ParseOne(p, two) == Status::kCommand);
  CHECK(p.consumed() == 14);
  CHECK(Copy(p.argv()) == Args{"PING"});
  REQUIRE(p.Parse(two.data() + 14, two.size() - 14, {}) == Status::kCommand);
  CHECK(Copy(p.argv()) == Args{"PONG"});
}

TEST_CASE("RequestParser: pipeline fed whole", "[resp]") {
  Pipeline pl = MakePipeline();
  Feeder f;
  REQUIRE(f.Feed(pl.bytes));
  CHECK(f.pending.empty());
  CHECK(f.commands == pl.expected);
}

TEST_CASE("RequestParser: pipeline split at every byte boundary", "[resp]") {
  Pipeline pl = MakePipeline();
  size_t mismatches = 0;
  for (size_t i = 0; i <= pl.bytes.size(); ++i) {
    Feeder f;
    bool ok = f.Feed(std::string_view(pl.bytes).substr(0, i)) && f.Feed(std::string_view(pl.bytes).substr(i));
    if (!ok || !f.pending.empty() || f.commands != pl.expected || Partial(f.parser)) {
      ++mismatches;
      UNSCOPED_INFO("split at " << i << " error='" << f.error << "' commands=" << f.commands.size());
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("RequestParser: pipeline fed one byte at a time", "[resp]") {
  Pipeline pl = MakePipeline();
  Feeder f;
  for (char c : pl.bytes) REQUIRE(f.Feed(std::string_view(&c, 1)));
  CHECK(f.pending.empty());
  CHECK(f.commands == pl.expected);
  CHECK(f.need_more > 0);
}

TEST_CASE("RequestParser: kNeedMore at every prefix of one command, then kCommand", "[resp]") {
  std::string cmd = Multibulk({"SET", "k\r\n", std::string("\0\0\r", 3)});
  for (size_t i = 0; i < cmd.size(); ++i) {
    RequestParser p;
    INFO("prefix " << i);
    REQUIRE(p.Parse(cmd.data(), i, {}) == Status::kNeedMore);
    // Once past the '*' line the parser has state to resume from.
    if (i >= 4) CHECK(Partial(p));
    REQUIRE(p.Parse(cmd.data(), cmd.size(), {}) == Status::kCommand);
    CHECK(p.consumed() == cmd.size());
    CHECK(Copy(p.argv()) == Args{"SET", "k\r\n", std::string("\0\0\r", 3)});
    CHECK_FALSE(Partial(p));
  }
}

TEST_CASE("RequestParser: Reset drops a half-parsed command", "[resp]") {
  RequestParser p;
  std::string half = "*2\r\n$3\r\nGET\r\n";
  REQUIRE(ParseOne(p, half) == Status::kNeedMore);
  REQUIRE(Partial(p));
  p.Reset();
  CHECK_FALSE(Partial(p));
  REQUIRE(ParseOne(p, "PING\r\n") == Status::kCommand);
  CHECK(Copy(p.argv()) == Args{"PING"});
}

TEST_CASE("RequestParser: empty input and empty commands", "[resp]") {
  RequestParser p;
  CHECK(p.Parse("", 0, {}) == Status::kNeedMore);

  REQUIRE(ParseOne(p, "*0\r\n") == Status::kCommand);
  CHECK(p.argv().empty());
  CHECK(p.consumed() == 4);

  REQUIRE(ParseOne(p, "*-1\r\n") == Status::kCommand);
  CHECK(p.argv().empty());
  CHECK(p.consumed() == 5);

  REQUIRE(ParseOne(p, "*-100\r\n") == Status::kCommand);
  CHECK(p.argv().empty());

  REQUIRE(ParseOne(p, "\r\n") == Status::kCommand);
  CHECK(p.argv().empty());
  CHECK(p.consumed() == 2);

  REQUIRE(ParseOne(p, "\n") == Status::kCommand);
  CHECK(p.argv().empty());
  CHECK(p.consumed() == 1);

  REQUIRE(ParseOne(p, " \t  \r\n") == Status::kCommand);
  CHECK(p.argv().empty());
  CHECK(p.consumed() == 6);

  // "*0" needs its full line.
  CHECK(ParseOne(p, "*0") == Status::kNeedMore);
  CHECK(ParseOne(p, "*0\r") == Status::kNeedMore);
}

TEST_CASE("RequestParser: inline commands", "[resp]") {
  RequestParser p;
  auto inl = [&](std::string_view line) -> Args {
    Status s = ParseOne(p, line);
    INFO("line: " << line);
    REQUIRE(s == Status::kCommand);
    CHECK(p.consumed() == line.size());
    return Copy(p.argv());
  };
  CHECK(inl("PING\r\n") == Args{"PING"});
  CHECK(inl("GET   key\r\n") == Args{"GET", "key"});
  CHECK(inl("SET k v\n") == Args{"SET", "k", "v"});
  CHECK(inl("SET k \"\\x41\\x42c\"\r\n") == Args{"SET", "k", "ABc"});
  CHECK(inl("SET k 'it\\'s'\r\n") == Args{"SET", "k", "it's"});
  CHECK(inl("SET k \"a\\nb\\r\\t\\\\\\\"\"\r\n") == Args{"SET", "k", "a\nb\r\t\\\""});
  CHECK(inl("SET k \"\"\r\n") == Args{"SET", "k", ""});
  CHECK(inl("SET k ''\r\n") == Args{"SET", "k", ""});
  CHECK(inl("SET k \"\\x00\"\r\n") == Args{"SET", "k", "\0"s});
  // A partial line waits for its newline.
  CHECK(ParseOne(p, "PING") == Status::kNeedMore);
  CHECK(ParseOne(p, "PING\r") == Status::kNeedMore);
}

TEST_CASE("SplitInlineArgs follows sdssplitargs", "[resp]") {
  auto split = [](std::string_view line) {
    Args out;
    bool ok = ember::SplitInlineArgs(line, &out);
    return std::make_pair(ok, out);
  };
  CHECK(split("") == std::make_pair(true, Args{}));
  CHECK(split("   ") == std::make_pair(true, Args{}));
  CHECK(split("a b\tc") == std::make_pair(true, Args{"a", "b", "c"}));
  CHECK(split(R"("\x41")") == std::make_pair(true, Args{"A"}));
  CHECK(split(R"("\x4a\x4B")") == std::make_pair(true, Args{"JK"}));
  // \x without two hex digits is an ordinary escape of 'x'.
  CHECK(split(R"("\xZZ")") == std::make_pair(true, Args{"xZZ"}));
  CHECK(split(R"("\x4")") == std::make_pair(true, Args{"x4"}));
  CHECK(split(R"("\b\a")") == std::make_pair(true, Args{"\b\a"}));
  CHECK(split(R"("\q")") == std::make_pair(true, Args{"q"}));
  CHECK(split(R"('\'')") == std::make_pair(true, Args{"'"}));
  // Inside single quotes only \' is an escape.
  CHECK(split(R"('a\nb')") == std::make_pair(true, Args{"a\\nb"}));
  CHECK(split(R"('a"b')") == std::make_pair(true, Args{"a\"b"}));
  CHECK(split(R"("a'b")") == std::make_pair(true, Args{"a'b"}));
  // A quote opens mid-token.
  CHECK(split(R"(foo"bar baz")") == std::make_pair(true, Args{"foobar baz"}));
  // Unbalanced quotes, and a closing quote not followed by a space.
  CHECK_FALSE(split(R"("abc)").first);
  CHECK_FALSE(split(R"('abc)").first);
  CHECK_FALSE(split(R"("abc"def)").first);
  CHECK_FALSE(split(R"('abc'def)").first);
  CHECK_FALSE(split(R"("abc\")").first);
  CHECK(split(R"("abc" def)") == std::make_pair(true, Args{"abc", "def"}));
}

TEST_CASE("RequestParser: binary-safe bulk payloads", "[resp]") {
  RequestParser p;
  std::string payload = "\0\r\n$3\r\n*1\r\n\0"s;
  std::string cmd = Multibulk({"SET", "k\0"s, payload});
  REQUIRE(ParseOne(p, cmd) == Status::kCommand);
  REQUIRE(p.argv().size() == 3);
  CHECK(p.argv()[1] == "k\0"s);
  CHECK(p.argv()[2] == payload);
  CHECK(p.argv()[2].size() == payload.size());
  CHECK(p.consumed() == cmd.size());
}

TEST_CASE("RequestParser: protocol errors with Redis's texts", "[resp]") {
  RequestParser p;
  auto error = [&](std::string_view bytes, const ProtocolLimits& limits = {}) -> std::string {
    p.Reset();
    Status s = ParseOne(p, bytes, limits);
    INFO("input: " << bytes);
    CHECK(s == Status::kError);
    CHECK_FALSE(Partial(p));  // state is reset after an error
    return s == Status::kError ? p.error() : "<no error>";
  };

  SECTION("invalid multibulk length") {
    CHECK(error("*abc\r\n") == "Protocol error: invalid multibulk length");
    CHECK(error("*\r\n") == "Protocol error: invalid multibulk length");
    CHECK(error("*1x\r\n") == "Protocol error: invalid multibulk length");
    CHECK(error("*99999999999999999999\r\n") == "Protocol error: invalid multibulk length");
  }
  SECTION("max_multibulk_len") {
    ProtocolLimits l;
    l.max_multibulk_len = 3;
    CHECK(error("*4\r\n", l) == "Protocol error: invalid multibulk length");
    p.Reset();
    REQUIRE(ParseOne(p, Multibulk({"a", "b", "c"}), l) == Status::kCommand);
    CHECK(p.argv().size() == 3);
  }
  SECTION("a huge count is not an error by itself and reserves nothing up front") {
    REQUIRE(ParseOne(p, "*2147483647\r\n$1\r\na\r\n") == Status::kNeedMore);
    CHECK(Partial(p));
  }
  SECTION("expected '$'") {
    CHECK(error("*1\r\nx\r\n") == "Protocol error: expected '$', got 'x'");
    CHECK(error("*2\r\n$1\r\na\r\n:1\r\n") == "Protocol error: expected '$', got ':'");
  }
  SECTION("invalid bulk length") {
    CHECK(error("*1\r\n$-1\r\n") == "Protocol error: invalid bulk length");
    CHECK(error("*1\r\n$abc\r\n") == "Protocol error: invalid bulk length");
    CHECK(error("*1\r\n$\r\n") == "Protocol error: invalid bulk length");
    CHECK(error("*1\r\n$1.5\r\n") == "Protocol error: invalid bulk length");
    ProtocolLimits l;
    l.max_bulk_len = 10;
    CHECK(error("*1\r\n$11\r\n", l) == "Protocol error: invalid bulk length");
    p.Reset();
    std::string ten = Multibulk({"0123456789"});  // argv() views point into it
    REQUIRE(ParseOne(p, ten, l) == Status::kCommand);
    CHECK(Copy(p.argv()) == Args{"0123456789"});
  }
  SECTION("too big inline request") {
    ProtocolLimits l;
    l.max_inline_len = 16;
    CHECK(error(std::string(17, 'A'), l) == "Protocol error: too big inline request");
    p.Reset();
    CHECK(ParseOne(p, std::string(16, 'A'), l) == Status::kNeedMore);
    p.Reset();
    REQUIRE(ParseOne(p, "GET 0123456789ab\r\n", l) == Status::kCommand);  // 16 bytes + CRLF
    CHECK(Copy(p.argv()) == Args{"GET", "0123456789ab"});
    // Like Redis, the limit is on a line whose newline has not arrived: a
    // longer line that is already complete is parsed.
    p.Reset();
    REQUIRE(ParseOne(p, "GET 0123456789abcdef\r\n", l) == Status::kCommand);
    CHECK(Copy(p.argv()) == Args{"GET", "0123456789abcdef"});
  }
  SECTION("too big mbulk count string") {
    ProtocolLimits l;
    l.max_inline_len = 16;
    CHECK(error("*" + std::string(17, '1'), l) == "Protocol error: too big mbulk count string");
    p.Reset();
    CHECK(ParseOne(p, "*" + std::string(15, '1'), l) == Status::kNeedMore);
  }
  SECTION("too big bulk count string") {
    ProtocolLimits l;
    l.max_inline_len = 16;
    CHECK(error("*1\r\n$" + std::string(17, '1'), l) == "Protocol error: too big bulk count string");
    p.Reset();
    CHECK(ParseOne(p, "*1\r\n$" + std::string(15, '1'), l) == Status::kNeedMore);
  }
  SECTION("unbalanced quotes") {
    CHECK(error("SET k \"abc\r\n") == "Protocol error: unbalanced quotes in request");
    CHECK(error("SET k 'abc\r\n") == "Protocol error: unbalanced quotes in request");
    CHECK(error("SET k \"a\"b\r\n") == "Protocol error: unbalanced quotes in request");
  }
}

TEST_CASE("RequestParser: errors found after a kNeedMore", "[resp]") {
  RequestParser p;
  std::string bytes = "*2\r\n$3\r\nGET\r\n?3\r\nkey\r\n";
  REQUIRE(p.Parse(bytes.data(), 13, {}) == Status::kNeedMore);
  REQUIRE(p.Parse(bytes.data(), bytes.size(), {}) == Status::kError);
  CHECK(p.error() == "Protocol error: expected '$', got '?'");
  CHECK_FALSE(Partial(p));
}

TEST_CASE("RequestParser: parsed() counts the complete part of a half-parsed command", "[resp]") {
  std::string cmd = Multibulk({"SET", "key", std::string(100, 'v')});
  // "*3\r\n" = 4, "$3\r\nSET\r\n" = 9, "$3\r\nkey\r\n" = 9.
  RequestParser p;
  CHECK(p.parsed() == 0);
  REQUIRE(p.Parse(cmd.data(), 3, {}) == Status::kNeedMore);  // "*3\r"
  CHECK(p.parsed() == 0);
  REQUIRE(p.Parse(cmd.data(), 4, {}) == Status::kNeedMore);
  CHECK(p.parsed() == 4);
  REQUIRE(p.Parse(cmd.data(), 13, {}) == Status::kNeedMore);
  CHECK(p.parsed() == 13);
  REQUIRE(p.Parse(cmd.data(), 22, {}) == Status::kNeedMore);
  CHECK(p.parsed() == 22);
  // Inside the last bulk: never beyond the bytes given, never backwards.
  size_t last = p.parsed();
  for (size_t len = 23; len < cmd.size(); ++len) {
    REQUIRE(p.Parse(cmd.data(), len, {}) == Status::kNeedMore);
    CHECK(p.parsed() >= last);
    CHECK(p.parsed() <= len);
    CHECK(p.parsed() < cmd.size());
    last = p.parsed();
  }
  REQUIRE(p.Parse(cmd.data(), cmd.size(), {}) == Status::kCommand);
  CHECK(p.parsed() == 0);
  // An inline command never has parsed bytes.
  REQUIRE(ParseOne(p, "GET ke") == Status::kNeedMore);
  CHECK(p.parsed() == 0);
}

TEST_CASE("RequestParser: header numbers on both sides of the one-pass path", "[resp]") {
  RequestParser p;
  auto parse = [&](std::string_view bytes) {
    p.Reset();
    return ParseOne(p, bytes);
  };
  // The one-pass path takes 1 to 18 plain digits; everything else goes to
  // the general path, which must keep Redis's answers.
  REQUIRE(parse("*1\r\n$0\r\n\r\n") == Status::kCommand);
  CHECK(Copy(p.argv()) == Args{""});
  REQUIRE(parse("*0\r\n") == Status::kCommand);
  CHECK(p.argv().empty());
  REQUIRE(parse("*-1\r\n") == Status::kCommand);  // Redis: a count <= 0 is an empty command
  CHECK(p.argv().empty());
  CHECK(parse("*01\r\n") == Status::kError);
  CHECK(p.error() == "Protocol error: invalid multibulk length");
  CHECK(parse("*1\r\n$03\r\nabc\r\n") == Status::kError);
  CHECK(p.error() == "Protocol error: invalid bulk length");
  CHECK(parse("*1\r\n$+3\r\nabc\r\n") == Status::kError);
  CHECK(p.error() == "Protocol error: invalid bulk length");
  for (size_t digits : {17, 18, 19, 20}) {
    INFO("digits: " << digits);
    CHECK(parse("*1\r\n$" + std::string(digits, '9') + "\r\n") == Status::kError);
    CHECK(p.error() == "Protocol error: invalid bulk length");
  }
  ProtocolLimits huge;
  huge.max_multibulk_len = INT64_MAX;
  p.Reset();
  CHECK(ParseOne(p, "*" + std::string(18, '9') + "\r\n", huge) == Status::kNeedMore);
  p.Reset();
  CHECK(ParseOne(p, "*1" + std::string(18, '0') + "\r\n", huge) == Status::kNeedMore);  // 19 digits
  p.Reset();
  CHECK(ParseOne(p, "*" + std::string(19, '9') + "\r\n", huge) == Status::kError);  // above INT64_MAX
  // "\r" is there but not the byte after it: wait for it on either path.
  CHECK(parse("*1\r") == Status::kNeedMore);
  CHECK(parse("*1\r\n$3\r") == Status::kNeedMore);
  CHECK(parse("*1\r\n$3x\r\nabc\r\n") == Status::kError);
  CHECK(p.error() == "Protocol error: invalid bulk length");
}

TEST_CASE("RequestParser: Redis's limits before AUTH", "[resp]") {
  RequestParser p;
  const ProtocolLimits before_auth = ProtocolLimits{}.BeforeAuth();
  auto error = [&](std::string_view bytes, const ProtocolLimits& limits) -> std::string {
    p.Reset();
    Status s = ParseOne(p, bytes, limits);
    INFO("input: " << bytes);
    CHECK(s == Status::kError);
    return s == Status::kError ? p.error() : "<no error>";
  };

  SECTION("more than 10 arguments, as soon as the count arrives") {
    CHECK(error("*11\r\n", before_auth) == "Protocol error: unauthenticated multibulk length");
    CHECK(error("*2147483647\r\n", before_auth) == "Protocol error: unauthenticated multibulk length");
    // Past proto-max-multibulk-len Redis's own error comes first.
    CHECK(error("*99999999999999999999\r\n", before_auth) == "Protocol error: invalid multibulk length");
    p.Reset();
    Args ten(10, "x");
    std::string request = Multibulk(ten);  // argv views point into it
    REQUIRE(ParseOne(p, request, before_auth) == Status::kCommand);
    CHECK(Copy(p.argv()) == ten);
  }
  SECTION("a bulk over 16 KB, as soon as its header arrives") {
    CHECK(error("*1\r\n$16385\r\n", before_auth) == "Protocol error: unauthenticated bulk length");
    CHECK(error("*2\r\n$4\r\nAUTH\r\n$100000000\r\n", before_auth) == "Protocol error: unauthenticated bulk length");
    // Past proto-max-bulk-len it is an invalid bulk length, as Redis.
    CHECK(error("*1\r\n$600000000\r\n", before_auth) == "Protocol error: invalid bulk length");
    p.Reset();
    std::string bulk = Multibulk({std::string(16384, 'v')});
    REQUIRE(ParseOne(p, bulk, before_auth) == Status::kCommand);
    CHECK(p.argv()[0].size() == 16384);
  }
  SECTION("configured limits below Redis's pre-AUTH ones keep their own errors") {
    ProtocolLimits l;
    l.max_multibulk_len = 3;
    CHECK(error("*4\r\n", l.BeforeAuth()) == "Protocol error: invalid multibulk length");
  }
  SECTION("without BeforeAuth the configured limits alone apply") {
    p.Reset();
    Args many(100, "x");
    REQUIRE(ParseOne(p, Multibulk(many)) == Status::kCommand);
    p.Reset();
    std::string big = Multibulk({std::string(100000, 'v')});
    REQUIRE(ParseOne(p, big) == Status::kCommand);
  }
  SECTION("inline commands are not limited by it") {
    p.Reset();
    std::string line = "SET k " + std::string(20000, 'v') + "\r\n";
    REQUIRE(ParseOne(p, line, before_auth) == Status::kCommand);
    CHECK(p.argv().size() == 3);
  }
}
