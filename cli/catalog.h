// The server's commands as the REPL knows them: names, subcommands and arity
// from COMMAND, summaries and arguments from COMMAND DOCS. Loaded from the
// server on every connect, so module commands complete and hint like the rest.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/connection.h"

namespace ember::cli {

struct CommandInfo {
  std::string name;  // lower case; a subcommand's own word ("get" of CONFIG GET)
  int arity = 0;
  std::string summary;
  std::string since;
  std::string group;
  std::string synopsis;  // the arguments: "key value [NX|XX] ..."
  std::vector<CommandInfo> subcommands;

  const CommandInfo* FindSubcommand(std::string_view word) const;
};

class CommandCatalog {
 public:
  // Replaces the catalog with the server's; keeps the old one when the
  // server does not answer COMMAND.
  void Load(Connection& conn);
  // Built from a COMMAND reply and a COMMAND DOCS reply (either may be an
  // error, RESP2 or RESP3).
  void Build(const Reply& command, const Reply& docs);

  const CommandInfo* Find(std::string_view name) const;
  const std::vector<CommandInfo>& commands() const { return commands_; }

 private:
  std::vector<CommandInfo> commands_;  // sorted by name
};

// redis-cli's rendering of COMMAND DOCS arguments: tokens, [optional],
// a|b for one-of, "x [x ...]" for repeated.
std::string RenderSynopsis(const Reply& arguments);

}  // namespace ember::cli
