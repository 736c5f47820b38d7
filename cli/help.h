// The REPL's `help`: an overview, `help <command>` (synopsis, summary, since,
// group; every subcommand of a container command), `help @<group>`.
#pragma once

#include <string>
#include <vector>

#include "cli/catalog.h"

namespace ember::cli {

// `args` is the line after "help".
std::string HelpText(const CommandCatalog& catalog, const std::vector<std::string>& args);

}  // namespace ember::cli
