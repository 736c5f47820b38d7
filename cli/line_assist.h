// What the REPL offers while a line is typed: completions of command and
// subcommand names, and a hint of the arguments still to come. Pure
// functions of the catalog and the line, so they are tested without a terminal.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "cli/catalog.h"

namespace ember::cli {

// Words the REPL handles itself instead of sending them.
inline constexpr std::array<std::string_view, 4> kBuiltins = {"clear", "exit", "help", "quit"};

struct Completion {
  size_t word_start = 0;                // where the word being completed starts
  std::vector<std::string> candidates;  // whole words, in the case the user types in
};

// Completions for the word that ends at the end of `line_to_cursor`.
Completion Complete(const CommandCatalog& catalog, std::string_view line_to_cursor);

// The arguments not typed yet, shown after the end of `line`; empty when
// there is nothing to say. Like redis-cli, a bare command name gets its whole
// synopsis (after a space), and each typed argument uses up one required
// argument of the synopsis.
std::string Hint(const CommandCatalog& catalog, std::string_view line);

// A command of the catalog, or a built-in.
bool IsKnownCommand(const CommandCatalog& catalog, std::string_view word);

}  // namespace ember::cli
