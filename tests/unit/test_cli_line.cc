// ember-cli's command lines: redis-cli quoting, what stays out of history,
// and the REPL's completions and hints from a server's COMMAND output.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/catalog.h"
#include "cli/history_policy.h"
#include "cli/line_assist.h"

using ember::cli::CarriesSecret;
using ember::cli::CommandCatalog;
using ember::cli::Complete;
using ember::cli::Hint;
using ember::cli::Reply;
using ember::cli::ReplyParser;
using ember::cli::SplitArgs;
using Words = std::vector<std::string>;

namespace {

Reply Parse(const std::string& resp) {
  ReplyParser p;
  p.Feed(resp.data(), resp.size());
  return *p.Next();
}

std::string Bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

// A COMMAND entry of Redis 7's shape: name, arity, flags, keys, categories,
// tips, key specs, subcommands.
std::string Entry(const std::string& name, int arity, const std::vector<std::string>& subs = {}) {
  std::string e = "*10\r\n" + Bulk(name) + ":" + std::to_string(arity) + "\r\n*0\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n";
  e += "*" + std::to_string(subs.size()) + "\r\n";
  for (const std::string& s : subs) e += Entry(name + "|" + s, -2);
  return e;
}

CommandCatalog Catalog() {
  std::string command = "*6\r\n" + Entry("set", -3) + Entry("get", 2) + Entry("getdel", 2) + Entry("getex", -2) +
                        Entry("config", -2, {"get", "set", "resetstat"}) + Entry("my.modcmd", -2);
  // DOCS with arguments for the module command only: the others fall back
  // to the built-in synopses.
  std::string docs = "*2\r\n" + Bulk("my.modcmd") + "*4\r\n" + Bulk("summary") + Bulk("A module command") +
                     Bulk("arguments") + "*2\r\n" + "*4\r\n" + Bulk("name") + Bulk("key") + Bulk("type") +
                     Bulk("key") + "*6\r\n" + Bulk("name") + Bulk("limit") + Bulk("type") + Bulk("integer") +
                     Bulk("flags") + "*1\r\n" + Bulk("optional");
  CommandCatalog c;
  c.Build(Parse(command), Parse(docs));
  return c;
}

}  // namespace

TEST_CASE("cli SplitArgs: redis-cli quoting", "[cli]") {
  CHECK(*SplitArgs("  set  a   b ") == Words{"set", "a", "b"});
  CHECK(*SplitArgs("set \"a b\" 'c d'") == Words{"set", "a b", "c d"});
  CHECK(*SplitArgs(R"(set "\x41\n\"\\" 'it\'s')") == Words{"set", "A\n\"\\", "it's"});
  CHECK(*SplitArgs("set \"\"") == Words{"set", ""});
  CHECK(SplitArgs("")->empty());
  CHECK_FALSE(SplitArgs("set \"open").has_value());
  CHECK_FALSE(SplitArgs("set 'open").has_value());
  CHECK_FALSE(SplitArgs("set \"a\"b").has_value());
}

TEST_CASE("cli history: lines with secrets stay out", "[cli]") {
  CHECK(CarriesSecret({"AUTH", "pw"}));
  CHECK(CarriesSecret({"auth", "user", "pw"}));
  CHECK(CarriesSecret({"HELLO", "3", "AUTH", "default", "pw"}));
  CHECK(CarriesSecret({"acl", "SETUSER", "bob", ">pw"}));
  CHECK(CarriesSecret({"config", "set", "requirepass", "pw"}));
  CHECK_FALSE(CarriesSecret({"HELLO", "3"}));
  CHECK_FALSE(CarriesSecret({"SET", "auth", "x"}));
  CHECK_FALSE(CarriesSecret({"config", "get", "requirepass"}));
}

TEST_CASE("cli completion: commands, subcommands, case", "[cli]") {
  CommandCatalog c = Catalog();
  CHECK(Complete(c, "get").candidates == Words{"get", "getdel", "getex"});
  CHECK(Complete(c, "GETD").candidates == Words{"GETDEL"});
  CHECK(Complete(c, "qu").candidates == Words{"quit"});
  CHECK(Complete(c, "my.").candidates == Words{"my.modcmd"});
  auto sub = Complete(c, "config re");
  CHECK(sub.word_start == 7);
  CHECK(sub.candidates == Words{"resetstat"});
  CHECK(Complete(c, "help con").candidates == Words{"config"});
  CHECK(Complete(c, "set k").candidates.empty());
  CHECK(Complete(c, "nosuch x").candidates.empty());
}

TEST_CASE("cli hints: the arguments still to type", "[cli]") {
  CommandCatalog c = Catalog();
  std::string set_synopsis = c.Find("set")->synopsis;
  CHECK(set_synopsis.rfind("key value [NX|XX]", 0) == 0);
  CHECK(Hint(c, "set") == " " + set_synopsis);
  CHECK(Hint(c, "set ") == set_synopsis);
  CHECK(Hint(c, "SET k ").rfind("value [NX|XX]", 0) == 0);
  CHECK(Hint(c, "set k v ").rfind("[NX|XX]", 0) == 0);
  CHECK(Hint(c, "set k").empty());  // in the middle of a word
  CHECK(Hint(c, "config ") == "GET|RESETSTAT|SET");
  CHECK(Hint(c, "config get ") == "parameter [parameter ...]");
  CHECK(Hint(c, "my.modcmd ") == "key [limit]");
  CHECK(Hint(c, "my.modcmd k ") == "[limit]");
  CHECK(Hint(c, "nosuch ").empty());
}
