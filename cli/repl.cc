#include "cli/repl.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/args.h"
#include "cli/help.h"
#include "cli/history_policy.h"
#include "cli/runner.h"

namespace ember::cli {

std::string DefaultHistoryFile() {
  if (const char* file = getenv("EMBER_CLI_HISTFILE")) return file;
  if (const char* home = getenv("HOME")) return std::string(home) + "/.ember_history";
  return "";
}

Repl::Repl(const ConnectionOptions& options, OutputMode mode, std::string history_file, double interval_s)
    : session_(options,
               [this](Connection& conn) {
                 try {
                   catalog_.Load(conn);
                 } catch (const ConnectionError&) {
                   // The connection dropped at once; the command that
                   // follows reconnects and loads the catalog again.
                 }
               }),
      editor_(catalog_, std::move(history_file)),
      mode_(mode),
      interval_s_(interval_s) {}

std::optional<int64_t> Repl::RepeatCount(const std::vector<std::string>& args) {
  // redis-cli: a first word that is all a number, followed by a command.
  const std::string& first = args[0];
  if (args.size() < 2 || first.empty()) return std::nullopt;
  int64_t count = 0;
  auto [end, error] = std::from_chars(first.data(), first.data() + first.size(), count);
  if (end != first.data() + first.size()) return std::nullopt;
  return error == std::errc() ? count : 0;
}

std::string Repl::Prompt() const {
  return session_.connected() ? session_.connection().options().Address() + "> " : "not connected> ";
}

bool Repl::RunBuiltin(const std::vector<std::string>& args) {
  const std::string& word = args[0];
  if (EqualsIgnoreCase(word, "quit") || EqualsIgnoreCase(word, "exit")) {
    quit_ = true;
    return true;
  }
  if (EqualsIgnoreCase(word, "clear")) {
    fputs("\x1b[H\x1b[2J", stdout);
    fflush(stdout);
    return true;
  }
  if (EqualsIgnoreCase(word, "help")) {
    std::string text = HelpText(catalog_, {args.begin() + 1, args.end()});
    fwrite(text.data(), 1, text.size(), stdout);
    fflush(stdout);
    return true;
  }
  return false;
}

int Repl::Run() {
  try {
    session_.Connect();
  } catch (const ConnectionError& e) {
    std::cerr << e.what() << "\n";
  }
  while (!quit_) {
    std::optional<std::string> line = editor_.ReadLine(Prompt());
    if (!line) break;
    std::optional<std::vector<std::string>> args = SplitArgs(*line);
    if (!args) {
      std::cerr << "Invalid argument(s)\n";
      continue;
    }
    if (args->empty()) continue;
    if (!CarriesSecret(*args)) editor_.AddHistory(*line);
    Repeat repeat{1, interval_s_};
    if (std::optional<int64_t> count = RepeatCount(*args)) {
      if (*count <= 0) {
        std::cout << "Invalid ember-cli repeat command option value.\n" << std::flush;
        continue;
      }
      repeat.times = *count;
      args->erase(args->begin());
    }
    if (RunBuiltin(*args)) continue;
    try {
      RunRepeated(session_, *args, mode_, repeat);
    } catch (const ConnectionError& e) {
      std::cerr << e.what() << "\n";
    }
  }
  return 0;
}

}  // namespace ember::cli
