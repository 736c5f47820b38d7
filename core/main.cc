// ember-server: parses flags, resolves the configuration and runs the server.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "config.h"
#include "module.h"
#include "server.h"
#include "util.h"
#include "version.h"

namespace {

void SetUpLogging(ember::Config& config) {
  std::string level, file;
  config.Get("loglevel", &level);
  config.Get("logfile", &file);
  if (!file.empty()) spdlog::set_default_logger(spdlog::basic_logger_mt("ember", file));
  static const std::map<std::string, spdlog::level::level_enum> kLevels = {{"debug", spdlog::level::debug},
                                                                          {"verbose", spdlog::level::info},
                                                                          {"notice", spdlog::level::info},
                                                                          {"warning", spdlog::level::warn},
                                                                          {"nothing", spdlog::level::off}};
  spdlog::set_level(kLevels.at(level));
  spdlog::flush_on(spdlog::level::info);
  config.OnChange("loglevel", [](const std::string& v) { spdlog::set_level(kLevels.at(v)); });
}

// The config file's loadmodule lines, then --loadmodule flags, in order.
// Returns "" or the error, which it logs.
std::string LoadModules(ember::Config& config, const std::vector<std::vector<std::string>>& module_flags) {
  std::vector<std::vector<std::string>> to_load;
  for (const std::string& line : config.module_lines()) to_load.push_back(ember::SplitArgs(line));
  for (const auto& f : module_flags) to_load.push_back(f);
  for (const auto& words : to_load) {
    std::string err = words.empty() ? "loadmodule: no path given"
                                    : ember::ModuleHost::Get().Load(words[0], {words.begin() + 1, words.end()});
    if (!err.empty()) {
      spdlog::error("{}", err);
      return err;
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  ember::Config config;
  CLI::App app{"ember-server: a Redis-compatible, sharded cache server"};
  std::string config_file;
  bool print_template = false;
  app.add_option("-c,--config", config_file, "Configuration file (INI, Redis directive names)");
  app.add_flag("--config-template", print_template, "Print a commented ember.conf with every default and exit");
  app.set_version_flag("-v,--version", std::string("ember ") + ember::kEmberVersion);
  std::vector<std::vector<std::string>> module_flags;
  app.add_option("--loadmodule", module_flags, "Load a module at start-up: --loadmodule <path> [args...] (repeatable)")
      ->expected(1, -1)
      ->allow_extra_args();
  // Flags naming no parameter yet may be a module's (--tls-port): they are
  // set once modules are loaded.
  app.allow_extras();
  // Every parameter is also a flag: --port 6380, --maxmemory-policy allkeys-lru.
  std::map<std::string, std::string> flag_values;
  for (const ember::ParamSpec* spec : config.Specs()) {
    std::string name = spec->name;
    app.add_option("--" + name, flag_values[name], spec->doc)->group("Parameters");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (print_template) {
    std::cout << config.Template();
    return 0;
  }
  if (!config_file.empty()) {
    std::string err = config.LoadFile(config_file);
    if (!err.empty()) {
      std::fprintf(stderr, "ember: %s\n", err.c_str());
      return 1;
    }
  }
  std::string err = config.LoadEnvironment();
  if (!err.empty()) {
    std::fprintf(stderr, "ember: %s\n", err.c_str());
    return 1;
  }
  for (const auto& [name, value] : flag_values) {
    if (app.count("--" + name) == 0) continue;
    err = config.Set(name, value, true);
    if (!err.empty()) {
      std::fprintf(stderr, "ember: --%s %s: %s\n", name.c_str(), value.c_str(), err.c_str());
      return 1;
    }
  }
  std::vector<std::string> extras = app.remaining();
  for (size_t i = 0; i < extras.size(); ++i) {
    const std::string& flag = extras[i];
    if (flag.size() < 3 || flag.compare(0, 2, "--") != 0 || i + 1 >= extras.size()) {
      std::fprintf(stderr, "ember: unexpected argument '%s' (flags are --<parameter> <value>)\n", flag.c_str());
      return 1;
    }
    config.Defer(flag.substr(2), extras[++i], "flag " + flag);
  }
  SetUpLogging(config);
  std::string pidfile;
  config.Get("pidfile", &pidfile);
  if (!pidfile.empty()) {
    if (FILE* f = std::fopen(pidfile.c_str(), "w")) {
      std::fprintf(f, "%d\n", static_cast<int>(getpid()));
      std::fclose(f);
    }
  }
  int rc;
  {
    ember::Server server(config);
    ember::ModuleHost& modules = ember::ModuleHost::Get();
    modules.set_server(&server);
    err = LoadModules(config, module_flags);
    if (err.empty()) {
      err = config.ApplyDeferred();
      if (!err.empty()) std::fprintf(stderr, "ember: %s\n", err.c_str());
    }
    if (!err.empty()) {
      rc = 1;
    } else {
      rc = server.Run();
    }
  }
  ember::ModuleHost::Get().UnloadAll();
  if (!pidfile.empty()) std::remove(pidfile.c_str());
  return rc;
}
