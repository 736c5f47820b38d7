#include "cli/runner.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "cli/args.h"

namespace ember::cli {

namespace {

void Print(const std::string& text) {
  fwrite(text.data(), 1, text.size(), stdout);
  fflush(stdout);
}

}  // namespace

bool RunAndPrint(Session& session, const std::vector<std::string>& args, OutputMode mode) {
  auto print = [mode](const Reply& r) { Print(Format(r, mode)); };
  std::optional<Reply> reply = session.Execute(args, print);
  if (!reply) return true;
  bool ok = reply->type != Reply::Type::kError;
  if (ok && Session::Streams(args)) {
    if (mode == OutputMode::kTty) Print("Reading messages... (press Ctrl-C to quit)\n");
    print(*reply);
    session.Stream(print);
    return true;
  }
  print(*reply);
  return ok;
}

bool RunRepeated(Session& session, const std::vector<std::string>& args, OutputMode mode, const Repeat& repeat) {
  bool ok = true;
  for (int64_t run = 0; repeat.times < 0 || run < repeat.times; ++run) {
    if (!RunAndPrint(session, args, mode)) ok = false;
    if (repeat.interval_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(repeat.interval_s));
  }
  return ok;
}

int RunOneShot(const ConnectionOptions& options, const std::vector<std::string>& args, OutputMode mode,
               const Repeat& repeat) {
  Session session(options);
  try {
    session.Connect();
    return RunRepeated(session, args, mode, repeat) ? 0 : 1;
  } catch (const ConnectionError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

int RunBatch(const ConnectionOptions& options, std::istream& in, OutputMode mode) {
  Session session(options);
  int status = 0;
  try {
    session.Connect();
    std::string line;
    while (std::getline(in, line)) {
      std::optional<std::vector<std::string>> args = SplitArgs(line);
      if (!args) {
        std::cerr << "Invalid argument(s): " << line << "\n";
        status = 1;
        continue;
      }
      if (args->empty()) continue;
      if (!RunAndPrint(session, *args, mode)) status = 1;
    }
  } catch (const ConnectionError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return status;
}

}  // namespace ember::cli
