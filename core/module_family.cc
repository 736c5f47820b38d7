// MODULE LIST, LOAD, LOADEX, UNLOAD: modules at run time. LOAD and UNLOAD
// change the command table, the config and the hooks every shard reads,
// so they run holding every shard (kCmdAllShards).
#include <spdlog/spdlog.h>

#include "command.h"
#include "config.h"
#include "module.h"
#include "server.h"
#include "util.h"

namespace ember {

namespace {

void ModuleList(CmdCtx& ctx) {
  const auto& modules = ModuleHost::Get().modules();
  ctx.reply.Array(modules.size());
  for (const auto& m : modules) {
    ctx.reply.Map(4);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(m->name());
    ctx.reply.Bulk("ver");
    ctx.reply.Int(m->version());
    ctx.reply.Bulk("path");
    ctx.reply.Bulk(m->path());
    ctx.reply.Bulk("args");
    ctx.reply.Array(m->args().size());
    for (const std::string& a : m->args()) ctx.reply.Bulk(a);
  }
}

void LoadAndReply(CmdCtx& ctx, const std::string& path, const std::vector<std::string>& args,
                  const std::vector<std::pair<std::string, std::string>>& configs) {
  std::string err = ModuleHost::Get().Load(path, args, configs);
  if (!err.empty()) {
    spdlog::warn("MODULE LOAD: {}", err);
    return ctx.reply.Error("Error loading the extension: " + err);
  }
  ctx.reply.Ok();
}

void ModuleCmd(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "help") && ctx.argc() == 2) {
    return ReplyHelp(ctx, {"MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "LIST",
                           "    Return a list of loaded modules.",
                           "LOAD <path> [<arg> ...]",
                           "    Load a module library from <path>, passing to it any optional arguments.",
                           "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
                           "    Load a module library from <path>, while passing it module configurations and optional arguments.",
                           "UNLOAD <name>",
                           "    Unload a module.",
                           "HELP",
                           "    Print this help."});
  }
  if (EqualsIgnoreCase(sub, "list") && ctx.argc() == 2) return ModuleList(ctx);
  if (EqualsIgnoreCase(sub, "load") && ctx.argc() >= 3) {
    std::vector<std::string> args(ctx.argv.begin() + 3, ctx.argv.end());
    return LoadAndReply(ctx, std::string(ctx.arg(2)), args, {});
  }
  if (EqualsIgnoreCase(sub, "loadex") && ctx.argc() >= 3) {
    std::vector<std::pair<std::string, std::string>> configs;
    std::vector<std::string> args;
    size_t i = 3;
    for (; i < ctx.argc(); ++i) {
      if (EqualsIgnoreCase(ctx.arg(i), "config") && i + 2 < ctx.argc()) {
        configs.emplace_back(ctx.arg(i + 1), ctx.arg(i + 2));
        i += 2;
      } else if (EqualsIgnoreCase(ctx.arg(i), "args")) {
        args.assign(ctx.argv.begin() + static_cast<ptrdiff_t>(i) + 1, ctx.argv.end());
        i = ctx.argc();
      } else {
        return ctx.reply.Error("Error loading the extension. Please check the server logs.");
      }
    }
    return LoadAndReply(ctx, std::string(ctx.arg(2)), args, configs);
  }
  if (EqualsIgnoreCase(sub, "unload") && ctx.argc() == 3) {
    std::string err = ModuleHost::Get().Unload(ctx.arg(2));
    if (!err.empty()) return ctx.reply.Error("Error unloading module: " + err);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "list") || EqualsIgnoreCase(sub, "load") || EqualsIgnoreCase(sub, "loadex") ||
      EqualsIgnoreCase(sub, "unload") || EqualsIgnoreCase(sub, "help"))
    return ctx.reply.Error("unknown subcommand or wrong number of arguments for '" + std::string(sub) +
                           "'. Try MODULE HELP.");
  ctx.reply.Error("unknown subcommand '" + std::string(sub) + "'. Try MODULE HELP.");
}

CommandSpec Sub(const char* name, int arity, uint32_t flags, const char* summary, const char* since) {
  return {name, arity, flags, 0, 0, 0, nullptr, "server", summary, since, {}};
}

}  // namespace

void RegisterModuleFamily(CommandTable& t) {
  constexpr uint32_t A = kCmdAdmin | kCmdNoScript | kCmdAllShards, P = kCmdProtected;
  CommandSpec spec{"module", -2, A | P, 0, 0, 0, ModuleCmd, "server", "A container for module commands.", "4.0.0", {}};
  spec.subcommands = {Sub("module|list", 2, A, "Returns all loaded modules.", "4.0.0"),
                      Sub("module|load", -3, A | P, "Loads a module.", "4.0.0"),
                      Sub("module|loadex", -3, A | P, "Loads a module using extended parameters.", "7.0.0"),
                      Sub("module|unload", 3, A | P, "Unloads a module.", "4.0.0"),
                      Sub("module|help", 2, kCmdNoScript, "Returns helpful text about the different subcommands.", "5.0.0")};
  t.Add(std::move(spec));
}

}  // namespace ember
