// The non-interactive modes: one command from the command line, or one
// command per line of standard input. Both print replies as redis-cli does
// and exit non-zero when a reply is an error.
#pragma once

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

// Exit status: 0, or 1 after an error reply or a connection failure.
int RunOneShot(const ConnectionOptions& options, const std::vector<std::string>& args, OutputMode mode);
int RunBatch(const ConnectionOptions& options, std::istream& in, OutputMode mode);

}  // namespace ember::cli
