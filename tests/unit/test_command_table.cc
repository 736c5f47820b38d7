// CommandTable: the registered commands' metadata and key positions.
#include <catch2/catch.hpp>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "command.h"
#include "command_args.h"

using ember::CommandSpec;
using ember::CommandTable;

namespace {

const CommandTable& Table() {
  ember::RegisterAllCommands();
  return CommandTable::Get();
}

const CommandSpec& Spec(std::string_view name) {
  const CommandSpec* s = Table().Find(name);
  INFO("command " << name);
  REQUIRE(s != nullptr);
  return *s;
}

// argc arguments named a0, a1, ...; numeric ones can be given in `args`.
std::vector<size_t> KeysOf(const CommandSpec& spec, std::vector<std::string> args) {
  std::vector<std::string_view> argv(args.begin(), args.end());
  std::vector<size_t> out = {999};  // must be cleared
  CommandTable::KeyIndexes(spec, argv, &out);
  return out;
}

std::vector<std::string> Args(size_t argc) {
  std::vector<std::string> args;
  for (size_t i = 0; i < argc; ++i) args.push_back("a" + std::to_string(i));
  return args;
}

std::vector<size_t> Keys(std::string_view name, size_t argc) { return KeysOf(Spec(name), Args(argc)); }

bool IsLower(std::string_view s) {
  for (char c : s)
    if (std::isupper(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

// Checks the Redis key-spec invariants of one spec.
void CheckSpec(const CommandSpec& s, bool top_level) {
  INFO("command '" << s.name << "' arity " << s.arity << " keys " << s.first_key << "," << s.last_key << ","
                   << s.key_step);
  CHECK(IsLower(s.name));
  CHECK(s.name.find(' ') == std::string::npos);
  CHECK(s.arity != 0);
  if (s.first_key == 0) {
    CHECK(s.last_key == 0);
    CHECK(s.key_step == 0);
  } else {
    CHECK(s.first_key > 0);
    CHECK(s.key_step > 0);
    CHECK(s.last_key != 0);
    if (s.last_key > 0) CHECK(s.last_key >= s.first_key);
    // The first key is within, or (for containers such as OBJECT, whose
    // "OBJECT HELP" has no key) just past, the minimum argument count.
    int min_args = s.arity > 0 ? s.arity : -s.arity;
    CHECK(s.first_key <= min_args);
    if (s.last_key > 0 && s.arity > 0) CHECK(s.last_key < s.arity);
  }
  CHECK_FALSE(((s.flags & ember::kCmdWrite) && (s.flags & ember::kCmdReadOnly)));
  CHECK_FALSE(s.summary.empty());
  CHECK_FALSE(s.since.empty());
  if (top_level) {
    CHECK(s.handler != nullptr);
    CHECK_FALSE(s.group.empty());
    CHECK(s.name.find('|') == std::string::npos);
  }
}

}  // namespace

TEST_CASE("CommandTable: every registered command is well-formed", "[command]") {
  const auto& all = Table().All();
  REQUIRE(all.size() >= 40);
  std::set<std::string> names;
  for (const CommandSpec* s : all) {
    REQUIRE(s != nullptr);
    CheckSpec(*s, true);
    CHECK(names.insert(s->name).second);  // no duplicates
    CHECK(Table().Find(s->name) == s);
    std::set<std::string> subs;
    for (const CommandSpec& sub : s->subcommands) {
      CheckSpec(sub, false);
      INFO("subcommand " << sub.name);
      CHECK(sub.name.rfind(s->name + "|", 0) == 0);
      CHECK(sub.name.size() > s->name.size() + 1);
      CHECK(subs.insert(sub.name).second);
    }
  }
  // RegisterAllCommands is idempotent.
  size_t n = all.size();
  ember::RegisterAllCommands();
  CHECK(Table().All().size() == n);
}

TEST_CASE("CommandTable: the core commands are present with Redis's metadata", "[command]") {
  struct Want {
    const char* name;
    int arity, first, last, step;
  };
  for (const Want& w : std::vector<Want>{{"get", 2, 1, 1, 1},
                                         {"set", -3, 1, 1, 1},
                                         {"mset", -3, 1, -1, 2},
                                         {"mget", -2, 1, -1, 1},
                                         {"del", -2, 1, -1, 1},
                                         {"rename", 3, 1, 2, 1},
                                         {"incr", 2, 1, 1, 1},
                                         {"ping", -1, 0, 0, 0},
                                         {"dbsize", 1, 0, 0, 0}}) {
    INFO("command " << w.name);
    const CommandSpec& s = Spec(w.name);
    CHECK(s.name == w.name);
    CHECK(s.arity == w.arity);
    CHECK(s.first_key == w.first);
    CHECK(s.last_key == w.last);
    CHECK(s.key_step == w.step);
  }
  CHECK((Spec("get").flags & ember::kCmdReadOnly));
  CHECK((Spec("set").flags & ember::kCmdWrite));
  CHECK((Spec("del").flags & ember::kCmdWrite));
}

TEST_CASE("CommandTable: Find is case-insensitive", "[command]") {
  const CommandSpec* get = Table().Find("get");
  REQUIRE(get != nullptr);
  CHECK(Table().Find("GET") == get);
  CHECK(Table().Find("gEt") == get);
  CHECK(Table().Find("Get") == get);
  CHECK(Table().Find("INCRBYFLOAT") == Table().Find("incrbyfloat"));
  CHECK(Table().Find("INCRBYFLOAT") != nullptr);
  CHECK(Table().Find("nosuchcommand") == nullptr);
  CHECK(Table().Find("") == nullptr);
  CHECK(Table().Find("ge") == nullptr);
  CHECK(Table().Find("gett") == nullptr);
  CHECK(Table().Find(std::string_view("get\0", 4)) == nullptr);
  // Names at and past the 31-byte fast path.
  CHECK(Table().Find(std::string(31, 'G')) == nullptr);
  CHECK(Table().Find(std::string(32, 'G')) == nullptr);
  CHECK(Table().Find(std::string(1000, 'x')) == nullptr);
  // Non-ASCII bytes are not folded into ASCII letters.
  CHECK(Table().Find("g\xC5t") == nullptr);
}

TEST_CASE("CommandTable: Find finds every name in any case, and nothing one byte off", "[command]") {
  for (const CommandSpec* spec : Table().All()) {
    const std::string& name = spec->name;
    INFO("command " << name);
    std::string upper = name, mixed = name;
    for (size_t i = 0; i < name.size(); ++i) {
      upper[i] = static_cast<char>(toupper(static_cast<unsigned char>(name[i])));
      if (i % 2) mixed[i] = upper[i];
    }
    CHECK(Table().Find(name) == spec);
    CHECK(Table().Find(upper) == spec);
    CHECK(Table().Find(mixed) == spec);
    // Lookups fold A-Z only: each byte's bit-5 twin (x <-> x ^ 0x20), a
    // letter's neighbours and a byte with bit 7 set miss, at every position,
    // including past the 16 bytes the fast compare covers.
    for (size_t i = 0; i < name.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(name[i]);
      for (unsigned char other : {static_cast<unsigned char>(c ^ 0x20), static_cast<unsigned char>(c + 1),
                                  static_cast<unsigned char>(c - 1), static_cast<unsigned char>(c | 0x80)}) {
        if (isalpha(c) && tolower(other) == c) continue;  // the same letter
        std::string off = name;
        off[i] = static_cast<char>(other);
        const CommandSpec* found = Table().Find(off);
        INFO("byte " << i << " as " << int{other});
        CHECK((found == nullptr || found->name == off));
      }
    }
    const CommandSpec* longer = Table().Find(name + "x");  // LPUSH and LPUSHX are both commands
    CHECK((longer == nullptr || longer->name == name + "x"));
    CHECK(Table().Find(std::string_view(name).substr(0, name.size() - 1)) != spec);
  }
}

TEST_CASE("CommandTable: KeyIndexes", "[command]") {
  using V = std::vector<size_t>;
  CHECK(Keys("mset", 5) == V{1, 3});
  CHECK(Keys("mset", 3) == V{1});
  CHECK(Keys("mset", 7) == V{1, 3, 5});
  CHECK(Keys("get", 2) == V{1});
  CHECK(Keys("rename", 3) == V{1, 2});
  CHECK(Keys("del", 4) == V{1, 2, 3});
  CHECK(Keys("mget", 2) == V{1});
  CHECK(Keys("set", 5) == V{1});  // SET k v EX 10: only the key
  CHECK(Keys("ping", 1) == V{});
  CHECK(Keys("ping", 2) == V{});
  CHECK(Keys("dbsize", 1) == V{});
  // Fewer arguments than the first key position: none.
  CHECK(Keys("get", 1) == V{});
  CHECK(Keys("get", 0) == V{});

  // A spec whose last key is past the end is clamped to the arguments given.
  CommandSpec s;
  s.name = "x";
  s.arity = -2;
  s.flags = 0;
  s.first_key = 1;
  s.last_key = 5;
  s.key_step = 1;
  s.handler = nullptr;
  CHECK(KeysOf(s, Args(3)) == V{1, 2});
  // A negative last key counts from the end.
  s.last_key = -2;
  CHECK(KeysOf(s, Args(5)) == V{1, 2, 3});
  s.first_key = 2;
  s.last_key = 2;
  CHECK(KeysOf(s, Args(4)) == V{2});
  // Keys counted by an argument (ZUNIONSTORE dest 2 a b WEIGHTS 1 2): the
  // fixed key, then numkeys keys after the count; a bad count gives none.
  s.first_key = 1;
  s.last_key = 1;
  s.keynum_index = 2;
  CHECK(KeysOf(s, {"zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"}) == V{1, 3, 4});
  CHECK(KeysOf(s, {"zunionstore", "d", "9", "a"}) == V{1, 3});
  CHECK(KeysOf(s, {"zunionstore", "d", "x", "a"}) == V{1});
  CHECK(KeysOf(s, {"zunionstore", "d", "-1", "a"}) == V{1});
}

TEST_CASE("CommandTable: Resolve picks a container's subcommand", "[command]") {
  using SV = std::vector<std::string_view>;
  const CommandSpec& config = Spec("config");
  REQUIRE_FALSE(config.subcommands.empty());
  SV get = {"CONFIG", "GET", "maxmemory"};
  CHECK(CommandTable::Resolve(config, get).name == "config|get");
  SV set = {"config", "sEt", "a", "b"};
  CHECK(CommandTable::Resolve(config, set).name == "config|set");
  SV unknown = {"config", "nosuch"};
  CHECK(&CommandTable::Resolve(config, unknown) == &config);
  SV bare = {"config"};
  CHECK(&CommandTable::Resolve(config, bare) == &config);
  // A prefix of a subcommand name is not that subcommand.
  SV prefix = {"config", "ge"};
  CHECK(&CommandTable::Resolve(config, prefix) == &config);
  // Commands without subcommands resolve to themselves.
  const CommandSpec& getcmd = Spec("get");
  SV line = {"get", "help"};
  CHECK(&CommandTable::Resolve(getcmd, line) == &getcmd);
}

TEST_CASE("argument syntax parses into Redis's argument trees") {
  using ember::CommandArg;
  using T = CommandArg::Type;
  std::vector<CommandArg> args;
  std::string error;
  REQUIRE(ember::ParseCommandArgs(
      "key:key [NX|XX]:condition [EX seconds:integer@2.6.12|KEEPTTL]:expiration (score:double member)...:data "
      "[LIMIT offset:integer count:integer] [GET pattern:pattern=1]...+ (LEFT|RIGHT):wherefrom dest:key",
      &args, &error));
  REQUIRE(args.size() == 8);
  CHECK((args[0].name == "key" && args[0].type == T::kKey && args[0].key_spec_index == 0));
  CHECK((args[1].name == "condition" && args[1].type == T::kOneOf && args[1].optional));
  REQUIRE(args[1].args.size() == 2);
  CHECK((args[1].args[0].type == T::kPureToken && args[1].args[0].token == "NX" && args[1].args[0].name == "nx"));
  const CommandArg& ex = args[2].args[0];
  CHECK((ex.name == "seconds" && ex.type == T::kInteger && ex.token == "EX" && ex.since == "2.6.12" && !ex.optional));
  CHECK((args[3].name == "data" && args[3].type == T::kBlock && args[3].multiple && args[3].args.size() == 2));
  CHECK(args[3].args[0].type == T::kDouble);
  CHECK((args[4].type == T::kBlock && args[4].token == "LIMIT" && args[4].name == "limit" && args[4].optional));
  CHECK((args[5].token == "GET" && args[5].type == T::kPattern && args[5].key_spec_index == 1 && args[5].optional &&
         args[5].multiple && args[5].multiple_token));
  CHECK((args[6].type == T::kOneOf && !args[6].optional && args[6].name == "wherefrom"));
  CHECK(args[7].key_spec_index == 1);  // keys count on from the last one
  for (const char* bad : {"[a", "a]", "a|b", "x:nosuchtype", "[]", "(a|)", "a.b", "k:key=x", "a @"}) {
    INFO(bad);
    CHECK_FALSE(ember::ParseCommandArgs(bad, &args, &error));
  }
}

TEST_CASE("every command_args.inc entry parses and names a command of the table") {
  const CommandTable& table = Table();
  for (const ember::CommandArgsEntry& e : ember::AllCommandArgsEntries()) {
    INFO(e.name << ": " << e.syntax);
    std::vector<ember::CommandArg> args;
    std::string error;
    CHECK(ember::ParseCommandArgs(e.syntax, &args, &error));
    CHECK(error.empty());
    std::string_view name = e.name.substr(0, e.name.find('|'));
    const CommandSpec* spec = table.Find(name);
    REQUIRE(spec != nullptr);
    if (name != e.name) {
      const CommandSpec& sub = CommandTable::Resolve(*spec, std::vector<std::string_view>{name, e.name.substr(name.size() + 1)});
      CHECK(sub.name == e.name);
      CHECK(sub.args != nullptr);
    } else {
      CHECK(spec->args != nullptr);
    }
  }
}
