// ember-cli: flags (CLI11), then one mode: a tool subcommand (benchmark), a
// one-shot command, commands from a piped standard input, or the REPL.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <clocale>
#include <iostream>
#include <iterator>

#include "cli/bench/benchmark.h"
#include "cli/connection_options.h"
#include "cli/format.h"
#include "cli/repl.h"
#include "cli/runner.h"

namespace {

// The flags every mode shares: where to connect and how to log in.
void AddConnectionFlags(CLI::App& app, ember::cli::ConnectionOptions& c) {
  CLI::Option_group* group = app.add_option_group("Connection");
  group->add_option("-H,--host", c.host, "Server host")->capture_default_str();
  group->add_option("-p,--port", c.port, "Server port")->capture_default_str();
  group->add_option("-a,--pass", c.password, "Password (AUTH); also from $EMBER_CLI_AUTH")->envname("EMBER_CLI_AUTH");
  group->add_option("--user", c.user, "User name, with --pass");
  group->add_flag("-3", c.resp3, "Speak RESP3 (HELLO 3): maps, doubles, booleans, push messages");
  group->add_flag("--tls", c.tls, "Connect with TLS (the server's tls-port)");
  group->add_option("--cacert", c.cacert, "CA certificate file that signs the server's (default: the system's)");
  group->add_option("--cert", c.cert, "Client certificate, for servers that check them (tls-auth-clients)");
  group->add_option("--key", c.key, "The client certificate's private key");
  group->add_flag("--insecure", c.insecure, "Do not check the server's certificate");
  group->add_option("--sni", c.sni, "Server name to send and check (default: --host)");
}

}  // namespace

int main(int argc, char** argv) {
  // libedit and the hint widths follow the terminal's character encoding.
  setlocale(LC_CTYPE, "");
  CLI::App app{"ember-cli: an interactive client for ember and Redis, with a built-in benchmark.\n"
               "  ember-cli                  the REPL (commands from standard input when it is piped)\n"
               "  ember-cli SET hello world  one command\n"
               "  ember-cli benchmark ...    the load generator (ember-cli benchmark --help)"};
  // Everything from the first word that is not a flag is the command to send.
  app.prefix_command();
  // Connection flags may also follow a subcommand: `ember-cli benchmark -p 6380`.
  app.fallthrough();

  ember::cli::ConnectionOptions connection;
  AddConnectionFlags(app, connection);
  bool raw = false, no_raw = false;
  CLI::Option* raw_flag = app.add_flag("--raw", raw, "Print replies raw, even on a terminal");
  app.add_flag("--no-raw", no_raw, "Print replies formatted, even when piped")->excludes(raw_flag);
  ember::cli::Repeat repeat;
  app.add_option("-r,--repeat", repeat.times, "Run the command this many times (-1: until stopped)")
      ->capture_default_str();
  app.add_option("-i,--interval", repeat.interval_s, "Seconds to wait after each run of a repeated command (0.1 works)")
      ->check(CLI::NonNegativeNumber);
  bool stdin_last = false;
  app.add_flag("-x", stdin_last, "Read the command's last argument from standard input, as is");

  ember::cli::bench::BenchOptions bench_options;
  CLI::App* benchmark = ember::cli::bench::AddBenchmarkCommand(app, bench_options);

  CLI11_PARSE(app, argc, argv);

  if (*benchmark) return ember::cli::bench::RunBenchmark(connection, bench_options);

  using ember::cli::OutputMode;
  OutputMode mode = no_raw ? OutputMode::kTty : raw ? OutputMode::kRaw
                                            : isatty(STDOUT_FILENO) ? OutputMode::kTty : OutputMode::kRaw;
  std::vector<std::string> command = app.remaining();
  if (stdin_last) {
    if (command.empty()) {
      std::cerr << "-x needs a command, whose last argument it reads from standard input\n";
      return 1;
    }
    command.emplace_back(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (repeat.times == 0 || repeat.times < -1) {
    std::cerr << "-r takes a positive count, or -1 for no end\n";
    return 1;
  }
  if (!command.empty()) return ember::cli::RunOneShot(connection, command, mode, repeat);
  if (!isatty(STDIN_FILENO)) return ember::cli::RunBatch(connection, std::cin, mode);
  return ember::cli::Repl(connection, mode, ember::cli::DefaultHistoryFile(), repeat.interval_s).Run();
}
