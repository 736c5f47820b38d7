// ember-server: parses flags, resolves the configuration and runs the server.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "config.h"
#include "server.h"
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

}  // namespace

int main(int argc, char** argv) {
  ember::Config config;
  CLI::App app{"ember-server: a Redis-compatible, sharded cache server"};
  std::string config_file;
  bool print_template = false;
  app.add_option("-c,--config", config_file, "Configuration file (INI, Redis directive names)");
  app.add_flag("--config-template", print_template, "Print a commented ember.conf with every default and exit");
  app.set_version_flag("-v,--version", std::string("ember ") + ember::kEmberVersion);
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
    rc = server.Run();
  }
  if (!pidfile.empty()) std::remove(pidfile.c_str());
  return rc;
}
