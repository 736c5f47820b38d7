// Transactions: MULTI queues a client's commands, EXEC runs them holding
// every shard they touch (so no other client sees or interleaves with a
// half-done transaction, whatever shards its keys are on), WATCH makes
// EXEC fail when a watched key changed. The watch itself lives in each
// key's Db (Db::Watch): writes, expiry and flushes raise the client's flag.
#include <algorithm>

#include "command.h"
#include "module.h"
#include "conn.h"
#include "db.h"
#include "server.h"
#include "shard.h"

namespace ember {

namespace {

// Forgets the client's watches; its shards must be held (or be this one).
void ForgetWatches(CmdCtx& ctx) {
  Conn& conn = *ctx.conn;
  if (!conn.watch_flag) return;
  for (const Conn::WatchedKey& w : conn.watched_keys) ctx.db_in(w.db, w.key).Unwatch(w.key, conn.watch_flag.get());
  conn.watched_keys.clear();
  conn.watch_flag.reset();
  ctx.server.key_observers().fetch_sub(1, std::memory_order_relaxed);
}

std::vector<uint32_t> WatchedShards(CmdCtx& ctx) {
  std::vector<uint32_t> shards;
  for (const Conn::WatchedKey& w : ctx.conn->watched_keys) {
    uint32_t s = ctx.server.ShardIndexFor(w.key);
    if (std::find(shards.begin(), shards.end(), s) == shards.end()) shards.push_back(s);
  }
  return shards;
}

void Multi(CmdCtx& ctx) {
  if (ctx.conn->multi.active) return ctx.reply.Error("MULTI calls can not be nested");
  ctx.conn->multi = Conn::Transaction{};
  ctx.conn->multi.active = true;
  ctx.reply.Ok();
}

void Discard(CmdCtx& ctx) {
  if (!ctx.conn->multi.active) return ctx.reply.Error("DISCARD without MULTI");
  ResetTransaction(ctx);
  ctx.reply.Ok();
}

void Watch(CmdCtx& ctx) {
  Conn& conn = *ctx.conn;
  if (conn.multi.active) return ctx.reply.Error("WATCH inside MULTI is not allowed");
  std::vector<uint32_t> shards;
  ctx.shard.KeyShards(ctx.spec, ctx.argv, &shards);
  if (!conn.watch_flag) {
    conn.watch_flag = std::make_shared<WatchFlag>(false);
    ctx.server.key_observers().fetch_add(1, std::memory_order_relaxed);
  }
  ctx.shard.RunHolding(shards, [&] {
    for (size_t i = 1; i < ctx.argc(); ++i) {
      // A key already expired is deleted now, so that its expiry does not
      // count as a change (as in Redis).
      ctx.db(ctx.arg(i)).Find(ctx.arg(i));
      ctx.db(ctx.arg(i)).Watch(ctx.arg(i), conn.watch_flag);
      conn.watched_keys.push_back({ctx.db_index, std::string(ctx.arg(i))});
    }
  });
  ctx.reply.Ok();
}

void Unwatch(CmdCtx& ctx) {
  ctx.shard.RunHolding(WatchedShards(ctx), [&] { ForgetWatches(ctx); });
  ctx.reply.Ok();
}

void RunTransaction(CmdCtx& ctx) {
  Conn& conn = *ctx.conn;
  if (!conn.multi.active) return ctx.reply.Error("EXEC without MULTI");
  Conn::Transaction tx = std::move(conn.multi);
  conn.multi = Conn::Transaction{};
  std::vector<uint32_t> shards = WatchedShards(ctx);
  if (tx.failed) {
    ctx.shard.RunHolding(shards, [&] { ForgetWatches(ctx); });
    return ctx.reply.Error("-EXECABORT Transaction discarded because of previous errors.");
  }
  // Every shard a queued command touches is held for the whole run; a
  // command that holds shards itself (INFO, KEYS, ...) means all of them.
  const CommandTable& table = CommandTable::Get();
  std::vector<std::vector<std::string_view>> argvs;
  std::vector<const CommandSpec*> specs;
  bool all = false;
  for (const auto& args : tx.queued) {
    argvs.emplace_back(args.begin(), args.end());
    const CommandSpec* spec = table.Find(argvs.back()[0]);
    // Its module was unloaded since it was queued.
    if (!spec) {
      ctx.shard.RunHolding(shards, [&] { ForgetWatches(ctx); });
      return ctx.reply.Error("-EXECABORT Transaction discarded because of previous errors.");
    }
    specs.push_back(spec);
    // A subcommand may hold every shard where its container does not
    // (MEMORY STATS).
    all |= ((spec->flags | CommandTable::Resolve(*spec, argvs.back()).flags) & (kCmdAllShards | kCmdConnection)) != 0;
    std::vector<uint32_t> s;
    ctx.shard.KeyShards(*spec, argvs.back(), &s);
    for (uint32_t x : s)
      if (std::find(shards.begin(), shards.end(), x) == shards.end()) shards.push_back(x);
  }
  if (all) {
    shards.clear();
    for (uint32_t i = 0; i < ctx.server.shard_count(); ++i) shards.push_back(i);
  }
  ctx.shard.RunHolding(shards, [&] {
    // A watched key that has expired since WATCH but was not yet deleted
    // is deleted now, raising the flag.
    for (const Conn::WatchedKey& w : conn.watched_keys) ctx.db_in(w.db, w.key).Find(w.key);
    bool dirty = conn.watch_flag && conn.watch_flag->load(std::memory_order_relaxed);
    ForgetWatches(ctx);
    if (dirty) return ctx.reply.NullArray();
    ctx.reply.Array(specs.size());
    conn.in_exec = true;
    ModuleHost& modules = ModuleHost::Get();
    modules.BeginTransaction();
    for (size_t i = 0; i < specs.size(); ++i) {
      // Each runs in the database selected when it starts: a queued SELECT
      // moves the commands after it.
      CmdCtx inner{argvs[i], ctx.reply, ctx.server, ctx.shard, &conn, *specs[i], nullptr, conn.db_index};
      if (conn.tracking.on) {
        inner.track_reads = conn.TracksReadsOf(*specs[i]);
        inner.client_shard = ctx.shard.index();
      }
      if (ctx.server.monitors().active())
        ctx.server.monitors().FeedCommand(ctx.server, ctx.shard.index(), conn.db_index, conn.peer(),
                                          CommandTable::Resolve(*specs[i], argvs[i]), argvs[i]);
      ctx.shard.Execute(inner);
    }
    modules.EndTransaction(ctx.shard.index());
    conn.in_exec = false;
  });
}

// As Redis, monitors see the commands EXEC ran, then EXEC.
void Exec(CmdCtx& ctx) {
  RunTransaction(ctx);
  if (ctx.server.monitors().active())
    ctx.server.monitors().FeedCommand(ctx.server, ctx.shard.index(), ctx.conn->db_index, ctx.conn->peer(), ctx.spec,
                                      ctx.argv);
}

}  // namespace

void ResetTransaction(CmdCtx& ctx) {
  ctx.conn->multi = Conn::Transaction{};
  ctx.shard.RunHolding(WatchedShards(ctx), [&] { ForgetWatches(ctx); });
}

void RegisterMultiFamily(CommandTable& t) {
  constexpr uint32_t C = kCmdConnection | kCmdMultiControl | kCmdFast | kCmdNoScript | kCmdLoading | kCmdStale;
  auto add = [&t](const char* name, int arity, uint32_t flags, int first, int last, CommandHandler h,
                  const char* summary, const char* since) {
    t.Add({name, arity, flags, first, last, first ? 1 : 0, h, "transactions", summary, since, {}});
  };
  add("multi", 1, C | kCmdAllowBusy, 0, 0, Multi, "Starts a transaction.", "1.2.0");
  add("exec", 1, (C & ~kCmdFast) | kCmdSkipSlowlog | kCmdFeedsMonitors, 0, 0, Exec, "Executes all commands in a transaction.", "1.2.0");
  add("discard", 1, C | kCmdAllowBusy, 0, 0, Discard, "Discards a transaction.", "2.0.0");
  add("watch", -2, C | kCmdAllowBusy, 1, -1, Watch, "Monitors changes to keys to determine the execution of a transaction.", "2.2.0");
  add("unwatch", 1, C | kCmdAllowBusy, 0, 0, Unwatch, "Forgets about watched keys of a transaction.", "2.2.0");
}

}  // namespace ember
