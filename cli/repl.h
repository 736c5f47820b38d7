// The interactive mode: prompt, line editing, built-ins (help, clear, quit),
// commands with replies in redis-cli's terminal form, and reconnection when
// the server goes away and comes back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/catalog.h"
#include "cli/connection_options.h"
#include "cli/format.h"
#include "cli/line_editor.h"
#include "cli/session.h"

namespace ember::cli {

class Repl {
 public:
  // interval_s: -i, the pause after each run of a command repeated by a
  // leading count ("5 INCR n", as redis-cli's REPL).
  Repl(const ConnectionOptions& options, OutputMode mode, std::string history_file, double interval_s = 0);
  int Run();

 private:
  // The count of a line that starts with one ("5 INCR n"): nullopt when
  // the first word is not a number, 0 when it is out of range.
  static std::optional<int64_t> RepeatCount(const std::vector<std::string>& args);
  // True when `args` was a built-in (and has been handled).
  bool RunBuiltin(const std::vector<std::string>& args);
  std::string Prompt() const;

  CommandCatalog catalog_;
  Session session_;
  LineEditor editor_;
  OutputMode mode_;
  double interval_s_;
  bool quit_ = false;
};

// ~/.ember_history, or $EMBER_CLI_HISTFILE; empty when neither is set.
std::string DefaultHistoryFile();

}  // namespace ember::cli
