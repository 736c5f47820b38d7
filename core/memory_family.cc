// MEMORY USAGE and MEMORY HELP. A key's bytes are its entry's allocation
// (key, metadata and, for a string or a packed collection, the whole
// value) plus, for a large collection, what its Object measures.
#include <malloc.h>

#include "command.h"
#include "db.h"
#include "object.h"
#include "reply.h"
#include "util.h"

namespace ember {

namespace {

// Redis's default: nested values are measured on 5 elements and scaled.
constexpr int64_t kDefaultSamples = 5;

void Usage(CmdCtx& ctx) {
  if (ctx.argc() < 3) return ctx.reply.Error("wrong number of arguments for 'memory|usage' command");
  int64_t samples = kDefaultSamples;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (!EqualsIgnoreCase(ctx.arg(i), "samples") || i + 1 >= ctx.argc()) return ctx.reply.Error(kErrSyntax);
    if (!ParseInt64(ctx.arg(++i), &samples)) return ctx.reply.Error(kErrNotInteger);
    if (samples < 0) return ctx.reply.Error(kErrSyntax);
  }
  Entry* e = ctx.db(ctx.arg(2)).Find(ctx.arg(2));
  if (!e) return ctx.reply.Null();
  size_t bytes = malloc_usable_size(e);
  // Object::MemoryUsage takes 0 as "every element", as SAMPLES 0 means.
  if (e->encoding() == Encoding::kObject) bytes += e->object()->MemoryUsage(static_cast<size_t>(samples));
  ctx.reply.Int(static_cast<int64_t>(bytes));
}

void MemoryCmd(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "usage")) return Usage(ctx);
  if (EqualsIgnoreCase(sub, "help")) {
    if (ctx.argc() != 2) return ctx.reply.Error("wrong number of arguments for 'memory|help' command");
    return ReplyHelp(ctx, {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help."});
  }
  ctx.reply.Error("unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try MEMORY HELP.");
}

}  // namespace

void RegisterMemoryFamily(CommandTable& t) {
  // Field by field, so fields added to CommandSpec later keep their defaults.
  auto spec = [](const char* name, int arity, uint32_t flags, bool key, const char* summary) {
    CommandSpec s;
    s.name = name;
    s.arity = arity;
    s.flags = flags;
    s.first_key = s.last_key = key ? 2 : 0;
    s.key_step = key ? 1 : 0;
    s.handler = nullptr;
    s.group = "server";
    s.summary = summary;
    s.since = "4.0.0";
    return s;
  };
  // The container routes by MEMORY USAGE's key (argument 2), as OBJECT does.
  CommandSpec memory = spec("memory", -2, kCmdReadOnly, true, "A container for memory diagnostics commands.");
  memory.handler = MemoryCmd;
  memory.subcommands = {spec("memory|usage", -3, kCmdReadOnly, true, "Estimates the memory usage of a key."),
                        spec("memory|help", 2, kCmdLoading | kCmdStale, false,
                             "Outputs helpful text about memory commands.")};
  t.Add(std::move(memory));
}

}  // namespace ember
