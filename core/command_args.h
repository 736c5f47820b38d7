// The argument trees COMMAND DOCS shows (Redis 7.0's "arguments"), kept in
// command_args.inc in a compact syntax that reads like the synopsis of the
// command reference; CommandTable::Add attaches each command's tree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct CommandArg {
  enum class Type : uint8_t { kString, kInteger, kDouble, kKey, kPattern, kUnixTime, kPureToken, kOneOf, kBlock };
  std::string name;
  Type type = Type::kString;
  std::string token;        // the keyword before it ("EX"); empty: none
  int key_spec_index = -1;  // a key (or a pattern of keys): its key spec
  std::string since;        // the version that added it; empty: the command's
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;  // each repetition repeats the token
  std::vector<CommandArg> args;  // a oneof's alternatives, a block's parts
};

// The name COMMAND DOCS gives a type ("pure-token", "unix-time").
std::string_view CommandArgTypeName(CommandArg::Type type);

// Parses the syntax of command_args.inc (its header says what it is);
// false with *error set when the text is malformed.
bool ParseCommandArgs(std::string_view syntax, std::vector<CommandArg>* out, std::string* error);

// The tree of a command or subcommand ("set", "config|get"), or nullptr.
// Built once, on first use, from command_args.inc.
const std::vector<CommandArg>* FindCommandArgs(std::string_view name);

// Every entry of command_args.inc (name, syntax), for the unit tests.
struct CommandArgsEntry {
  std::string_view name;
  std::string_view syntax;
};
std::vector<CommandArgsEntry> AllCommandArgsEntries();

}  // namespace ember
