// Pub/sub commands. Subscriptions are kept per client (Conn) and in the
// server-wide PubSubRegistry; PUBLISH delivers through Shard::Publish.
#include <algorithm>

#include "command.h"
#include "conn.h"
#include "pubsub.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

namespace {

// One confirmation: [kind, name-or-nil, count], a push in RESP3.
void Confirm(CmdCtx& ctx, std::string_view kind, const std::string* name, size_t count) {
  ctx.reply.Push(3);
  ctx.reply.Bulk(kind);
  if (name)
    ctx.reply.Bulk(*name);
  else
    ctx.reply.Null();
  ctx.reply.Int(static_cast<int64_t>(count));
}

struct Flavor {
  const char* subscribe;
  const char* unsubscribe;
  std::set<std::string> Conn::*names;
  bool pattern;
  bool sharded;
};
constexpr Flavor kChannels{"subscribe", "unsubscribe", &Conn::channels, false, false};
constexpr Flavor kPatterns{"psubscribe", "punsubscribe", &Conn::patterns, true, false};
constexpr Flavor kShardChannels{"ssubscribe", "sunsubscribe", &Conn::shard_channels, false, true};

// The count a confirmation reports: channels and patterns together, shard
// channels on their own (as Redis).
size_t Count(const Conn& c, const Flavor& f) {
  return f.sharded ? c.shard_channels.size() : c.channels.size() + c.patterns.size();
}

void Add(CmdCtx& ctx, const Flavor& f, const std::string& name) {
  Subscriber s{ctx.conn->id(), ctx.shard.index()};
  if (f.pattern)
    ctx.server.pubsub().PSubscribe(name, s);
  else
    (f.sharded ? ctx.server.shard_pubsub() : ctx.server.pubsub()).Subscribe(name, s);
}

void Drop(CmdCtx& ctx, const Flavor& f, const std::string& name) {
  if (f.pattern)
    ctx.server.pubsub().PUnsubscribe(name, ctx.conn->id());
  else
    (f.sharded ? ctx.server.shard_pubsub() : ctx.server.pubsub()).Unsubscribe(name, ctx.conn->id());
}

void SubscribeGeneric(CmdCtx& ctx, const Flavor& f) {
  Conn& c = *ctx.conn;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string name(ctx.arg(i));
    if ((c.*f.names).insert(name).second) Add(ctx, f, name);
    Confirm(ctx, f.subscribe, &name, Count(c, f));
  }
}

void UnsubscribeGeneric(CmdCtx& ctx, const Flavor& f) {
  Conn& c = *ctx.conn;
  std::vector<std::string> names;
  if (ctx.argc() > 1)
    names.assign(ctx.argv.begin() + 1, ctx.argv.end());
  else
    names.assign((c.*f.names).begin(), (c.*f.names).end());
  if (names.empty()) return Confirm(ctx, f.unsubscribe, nullptr, Count(c, f));
  for (const std::string& name : names) {
    if ((c.*f.names).erase(name)) Drop(ctx, f, name);
    Confirm(ctx, f.unsubscribe, &name, Count(c, f));
  }
}

void Subscribe(CmdCtx& ctx) { SubscribeGeneric(ctx, kChannels); }
void Unsubscribe(CmdCtx& ctx) { UnsubscribeGeneric(ctx, kChannels); }
void PSubscribe(CmdCtx& ctx) { SubscribeGeneric(ctx, kPatterns); }
void PUnsubscribe(CmdCtx& ctx) { UnsubscribeGeneric(ctx, kPatterns); }
void SSubscribe(CmdCtx& ctx) { SubscribeGeneric(ctx, kShardChannels); }
void SUnsubscribe(CmdCtx& ctx) { UnsubscribeGeneric(ctx, kShardChannels); }

void Publish(CmdCtx& ctx) { ctx.reply.Int(ctx.shard.Publish(ctx.server.pubsub(), "message", ctx.arg(1), ctx.arg(2))); }
void SPublish(CmdCtx& ctx) {
  ctx.reply.Int(ctx.shard.Publish(ctx.server.shard_pubsub(), "smessage", ctx.arg(1), ctx.arg(2)));
}

void PubSubCmd(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  bool shard = EqualsIgnoreCase(sub, "shardchannels") || EqualsIgnoreCase(sub, "shardnumsub");
  PubSubRegistry& reg = shard ? ctx.server.shard_pubsub() : ctx.server.pubsub();
  if (EqualsIgnoreCase(sub, "channels") || EqualsIgnoreCase(sub, "shardchannels")) {
    if (ctx.argc() > 3)
      return ctx.reply.Error("wrong number of arguments for 'pubsub|" + ToLower(sub) + "' command");
    std::vector<std::string> names = reg.Channels(ctx.argc() == 3 ? ctx.arg(2) : "", ctx.argc() == 3);
    ctx.reply.Array(names.size());
    for (const std::string& n : names) ctx.reply.Bulk(n);
    return;
  }
  if (EqualsIgnoreCase(sub, "numsub") || EqualsIgnoreCase(sub, "shardnumsub")) {
    ctx.reply.Map(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) {
      ctx.reply.Bulk(ctx.arg(i));
      ctx.reply.Int(static_cast<int64_t>(reg.NumSub(ctx.arg(i))));
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "numpat")) {
    if (ctx.argc() != 2) return ctx.reply.Error("wrong number of arguments for 'pubsub|numpat' command");
    return ctx.reply.Int(static_cast<int64_t>(reg.NumPat()));
  }
  if (EqualsIgnoreCase(sub, "help")) {
    static const char* kHelp[] = {"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                  "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                                  "NUMPAT", "    Return number of subscriptions to patterns.",
                                  "NUMSUB [<channel> ...]",
                                  "    Return the number of subscribers for the specified channels, excluding",
                                  "    pattern subscriptions(default: no channels).",
                                  "SHARDCHANNELS [<pattern>]",
                                  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                                  "SHARDNUMSUB [<shardchannel> ...]",
                                  "    Return the number of subscribers for the specified shard level channel(s)",
                                  "HELP", "    Print this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* line : kHelp) ctx.reply.Simple(line);
    return;
  }
  ctx.reply.Error("unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try PUBSUB HELP.");
}

}  // namespace

void RegisterPubSubFamily(CommandTable& t) {
  // On the client's thread: they change its subscriptions, or deliver from it.
  constexpr uint32_t C = kCmdConnection | kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t S = C | kCmdSubscribedOk;
  auto add = [&t](const char* name, int arity, uint32_t flags, CommandHandler h, const char* summary,
                  const char* since) { t.Add({name, arity, flags, 0, 0, 0, h, "pubsub", summary, since, {}}); };
  add("subscribe", -2, S, Subscribe, "Listens for messages published to channels.", "2.0.0");
  add("unsubscribe", -1, S, Unsubscribe, "Stops listening to messages posted to channels.", "2.0.0");
  add("psubscribe", -2, S, PSubscribe, "Listens for messages published to channels that match one or more patterns.", "2.0.0");
  add("punsubscribe", -1, S, PUnsubscribe, "Stops listening to messages published to channels that match one or more patterns.", "2.0.0");
  add("ssubscribe", -2, S, SSubscribe, "Listens for messages published to shard channels.", "7.0.0");
  add("sunsubscribe", -1, S, SUnsubscribe, "Stops listening to messages posted to shard channels.", "7.0.0");
  add("publish", 3, C | kCmdFast | kCmdMayReplicate, Publish, "Posts a message to a channel.", "2.0.0");
  add("spublish", 3, C | kCmdFast | kCmdMayReplicate, SPublish, "Post a message to a shard channel", "7.0.0");
  auto sub = [](const char* name, int arity, const char* summary) {
    return CommandSpec{name, arity, C, 0, 0, 0, nullptr, "pubsub", summary, "2.8.0", {}};
  };
  t.Add({"pubsub", -2, C, 0, 0, 0, PubSubCmd, "pubsub", "A container for Pub/Sub commands.", "2.8.0",
         {sub("pubsub|channels", -2, "Returns the active channels."),
          sub("pubsub|numsub", -2, "Returns a count of subscribers to channels."),
          sub("pubsub|numpat", 2, "Returns a count of unique pattern subscriptions."),
          sub("pubsub|shardchannels", -2, "Returns the active shard channels."),
          sub("pubsub|shardnumsub", -2, "Returns the count of subscribers of shard channels."),
          sub("pubsub|help", 2, "Returns helpful text about the different subcommands.")}});
}

}  // namespace ember
