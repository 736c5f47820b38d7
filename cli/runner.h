// The non-interactive modes: one command from the command line, or one
// command per line of standard input. Both print replies as redis-cli does
// and exit non-zero when a reply is an error.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "cli/connection_options.h"
#include "cli/format.h"
#include "cli/session.h"

namespace ember::cli {

// Runs one command and prints its reply; for SUBSCRIBE and MONITOR, keeps
// printing what follows until the connection ends. Returns false when the
// reply is an error. Throws ConnectionError.
bool RunAndPrint(Session& session, const std::vector<std::string>& args, OutputMode mode);

// redis-cli's -r and -i: how often to run a command (-1: until the
// connection ends or the process is stopped) and the pause after each run.
struct Repeat {
  int64_t times = 1;
  double interval_s = 0;
};

// Runs the command repeat.times times; false when any reply was an error.
bool RunRepeated(Session& session, const std::vector<std::string>& args, OutputMode mode, const Repeat& repeat);

// Exit status: 0, or 1 after an error reply or a connection failure.
int RunOneShot(const ConnectionOptions& options, const std::vector<std::string>& args, OutputMode mode,
               const Repeat& repeat = {});
int RunBatch(const ConnectionOptions& options, std::istream& in, OutputMode mode);

}  // namespace ember::cli
