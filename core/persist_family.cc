// SAVE, BGSAVE, LASTSAVE and BGREWRITEAOF: the commands of persistence.h.
#include "command.h"
#include "persistence.h"
#include "reply.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

namespace {

void Save(CmdCtx& ctx) {
  std::string err = ctx.server.persistence().Save(ctx.shard);
  if (!err.empty()) return ctx.reply.Error(err);
  ctx.reply.Ok();
}

// BGSAVE [SCHEDULE]
void BgSave(CmdCtx& ctx) {
  bool schedule = false;
  if (ctx.argc() > 2) return ctx.reply.Error(kErrSyntax);
  if (ctx.argc() == 2) {
    if (!EqualsIgnoreCase(ctx.arg(1), "schedule")) return ctx.reply.Error(kErrSyntax);
    schedule = true;
  }
  Persistence& p = ctx.server.persistence();
  bool started;
  std::string err = p.BgSave(ctx.shard, &started);
  if (started) return ctx.reply.Simple("Background saving started");
  if (schedule && err.rfind("An AOF log rewriting", 0) == 0) {
    p.ScheduleBgSave();
    return ctx.reply.Simple("Background saving scheduled");
  }
  ctx.reply.Error(err);
}

void LastSave(CmdCtx& ctx) { ctx.reply.Int(ctx.server.persistence().lastsave()); }

void BgRewriteAof(CmdCtx& ctx) {
  bool scheduled;
  std::string err = ctx.server.persistence().BgRewriteAof(ctx.shard, &scheduled);
  if (!err.empty()) return ctx.reply.Error(err);
  ctx.reply.Simple(scheduled ? "Background append only file rewriting scheduled"
                             : "Background append only file rewriting started");
}

}  // namespace

void RegisterPersistFamily(CommandTable& t) {
  auto add = [&t](const char* name, int arity, uint32_t flags, CommandHandler h, const char* summary,
                  const char* since) {
    CommandSpec spec;
    spec.name = name;
    spec.arity = arity;
    spec.flags = flags | kCmdConnection;
    spec.first_key = spec.last_key = spec.key_step = 0;
    spec.handler = h;
    spec.group = "server";
    spec.summary = summary;
    spec.since = since;
    t.Add(std::move(spec));
  };
  add("save", 1, kCmdAdmin | kCmdNoScript | kCmdNoMulti, Save, "Synchronously saves the database(s) to disk.", "1.0.0");
  add("bgsave", -1, kCmdAdmin | kCmdNoScript, BgSave, "Asynchronously saves the database(s) to disk.", "1.0.0");
  add("lastsave", 1, kCmdFast | kCmdLoading | kCmdStale, LastSave,
      "Returns the Unix timestamp of the last successful save to disk.", "1.0.0");
  add("bgrewriteaof", 1, kCmdAdmin | kCmdNoScript, BgRewriteAof, "Asynchronously rewrites the append-only file to disk.",
      "1.0.0");
}

}  // namespace ember
