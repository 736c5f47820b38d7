// The interactive mode: prompt, line editing, built-ins (help, clear, quit),
// commands with replies in redis-cli's terminal form, and reconnection when
// the server goes away and comes back.
#pragma once

#include <string>

#include "cli/catalog.h"
#include "cli/connection_options.h"
#include "cli/format.h"
#include "cli/line_editor.h"
#include "cli/session.h"

namespace ember::cli {

class Repl {
 public:
  Repl(const ConnectionOptions& options, OutputMode mode, std::string history_file);
  int Run();

 private:
  // True when `args` was a built-in (and has been handled).
  bool RunBuiltin(const std::vector<std::string>& args);
  std::string Prompt() const;

  CommandCatalog catalog_;
  Session session_;
  LineEditor editor_;
  OutputMode mode_;
  bool quit_ = false;
};

// ~/.ember_history, or $EMBER_CLI_HISTFILE; empty when neither is set.
std::string DefaultHistoryFile();

}  // namespace ember::cli
