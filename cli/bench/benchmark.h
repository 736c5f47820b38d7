// `ember-cli benchmark`: the load generator's command line and its runs, one
// test after another, each reported as requests/s and latency percentiles.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/bench/options.h"
#include "cli/connection_options.h"

namespace ember::cli::bench {

// Adds the `benchmark` subcommand, filling `options` when it is parsed.
CLI::App* AddBenchmarkCommand(CLI::App& app, BenchOptions& options);

// Exit status: 0, or 1 when a connection fails, a test is unknown, or the
// server answered with errors.
int RunBenchmark(const ConnectionOptions& connection, const BenchOptions& options);

}  // namespace ember::cli::bench
