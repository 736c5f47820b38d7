// SLOWLOG, LATENCY and MONITOR: what ran slowly, latency spikes by event,
// and a live feed of every command.
#include "command.h"
#include "conn.h"
#include "latency.h"
#include "monitor.h"
#include "server.h"
#include "shard.h"
#include "slowlog.h"
#include "util.h"

namespace ember {

void StopMonitoring(CmdCtx& ctx) {
  if (!ctx.conn->monitor) return;
  ctx.conn->monitor = false;
  ctx.server.monitors().Remove(ctx.shard.index(), ctx.conn->id());
}

namespace {

void SubcommandArity(CmdCtx& ctx, const char* container) {
  ctx.reply.Error("wrong number of arguments for '" + std::string(container) + "|" + ToLower(ctx.arg(1)) +
                  "' command");
}

void UnknownSubcommand(CmdCtx& ctx, const char* container) {
  ctx.reply.Error("unknown subcommand '" + std::string(ctx.arg(1).substr(0, 128)) + "'. Try " + container +
                  " HELP.");
}

void Slowlog(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  SlowLog& log = ctx.server.slowlog();
  if (EqualsIgnoreCase(sub, "help")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "slowlog");
    return ReplyHelp(ctx, {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
                           "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                           "    Entries are made of:",
                           "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                           "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
                           "    Reset the slowlog.", "HELP", "    Prints this help."});
  }
  if (EqualsIgnoreCase(sub, "len")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "slowlog");
    return ctx.reply.Int(static_cast<int64_t>(log.size()));
  }
  if (EqualsIgnoreCase(sub, "reset")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "slowlog");
    log.Reset();
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "get")) {
    if (ctx.argc() > 3) return SubcommandArity(ctx, "slowlog");
    int64_t count = 10;
    if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &count) || count < -1))
      return ctx.reply.Error("count should be greater than or equal to -1");
    std::vector<SlowLogEntry> entries = log.Newest(count);
    ctx.reply.Array(entries.size());
    for (const SlowLogEntry& e : entries) {
      ctx.reply.Array(6);
      ctx.reply.Int(static_cast<int64_t>(e.id));
      ctx.reply.Int(e.time_sec);
      ctx.reply.Int(e.duration_us);
      ctx.reply.Array(e.args.size());
      for (const std::string& a : e.args) ctx.reply.Bulk(a);
      ctx.reply.Bulk(e.peer);
      ctx.reply.Bulk(e.name);
    }
    return;
  }
  UnknownSubcommand(ctx, "SLOWLOG");
}

// LATENCY DOCTOR's report, short: each event's worst and latest spike.
std::string LatencyDoctor(const std::map<std::string, LatencyMonitor::Event>& events, int64_t threshold_ms) {
  if (threshold_ms == 0)
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "
           "\"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep "
           "space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  if (events.empty()) return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n";
  std::string out = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  int n = 0;
  for (const auto& [name, e] : events) {
    int64_t sum = 0;
    for (const LatencyMonitor::Sample& s : e.history) sum += s.latency_ms;
    out += std::to_string(++n) + ". " + name + ": " + std::to_string(e.history.size()) +
           " latency spikes (average " + std::to_string(e.history.empty() ? 0 : sum / static_cast<int64_t>(e.history.size())) +
           "ms, mean deviation 0ms, period 0 sec). Worst all time event " + std::to_string(e.max_ms) + "ms.\n";
  }
  out += "\nI have a few advices for you:\n\n- Check your slow commands with SLOWLOG GET; a command over the "
         "threshold holds its shard for that long.\n";
  return out;
}

void Latency(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  LatencyMonitor& mon = ctx.server.latency();
  if (EqualsIgnoreCase(sub, "help")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "latency");
    return ReplyHelp(ctx, {"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                           "    Return a human readable latency analysis report.", "HISTORY <event>",
                           "    Return time-latency samples for the <event> class.", "LATEST",
                           "    Return the latest latency samples for all events.", "RESET [<event> ...]",
                           "    Reset latency data of one or more <event> classes.",
                           "    (default: reset all data for all event classes)", "HELP", "    Prints this help."});
  }
  if (EqualsIgnoreCase(sub, "latest")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "latency");
    std::map<std::string, LatencyMonitor::Event> events = mon.Snapshot();
    ctx.reply.Array(events.size());
    for (const auto& [name, e] : events) {
      ctx.reply.Array(4);
      ctx.reply.Bulk(name);
      ctx.reply.Int(e.history.empty() ? 0 : e.history.back().time_sec);
      ctx.reply.Int(e.history.empty() ? 0 : e.history.back().latency_ms);
      ctx.reply.Int(e.max_ms);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "history")) {
    if (ctx.argc() != 3) return SubcommandArity(ctx, "latency");
    std::map<std::string, LatencyMonitor::Event> events = mon.Snapshot();
    auto it = events.find(std::string(ctx.arg(2)));
    if (it == events.end()) return ctx.reply.Array(0);
    ctx.reply.Array(it->second.history.size());
    for (const LatencyMonitor::Sample& s : it->second.history) {
      ctx.reply.Array(2);
      ctx.reply.Int(s.time_sec);
      ctx.reply.Int(s.latency_ms);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "reset")) {
    std::vector<std::string> names(ctx.argv.begin() + 2, ctx.argv.end());
    return ctx.reply.Int(static_cast<int64_t>(mon.Reset(names)));
  }
  if (EqualsIgnoreCase(sub, "doctor")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "latency");
    return ctx.reply.Verbatim(LatencyDoctor(
        mon.Snapshot(), ctx.server.config().live.latency_monitor_threshold.load(std::memory_order_relaxed)));
  }
  UnknownSubcommand(ctx, "LATENCY");
}

void Monitor(CmdCtx& ctx) {
  Conn& conn = *ctx.conn;
  // As Redis: a transaction expects a reply per command, which a monitor's
  // stream is not; and a second MONITOR is not answered at all.
  if (conn.in_exec) return ctx.reply.Error("MONITOR isn't allowed for DENY BLOCKING client");
  if (conn.monitor) return;
  conn.monitor = true;
  ctx.server.monitors().Add(ctx.shard.index(), conn.id());
  ctx.reply.Ok();
}

CommandSpec Sub(const char* name, int arity, uint32_t flags, const char* summary, const char* since) {
  return {name, arity, flags, 0, 0, 0, nullptr, "server", summary, since, {}};
}

}  // namespace

void RegisterObservabilityFamily(CommandTable& t) {
  constexpr uint32_t C = kCmdConnection, A = kCmdAdmin | kCmdLoading | kCmdStale;
  CommandSpec slowlog{"slowlog", -2, C, 0, 0, 0, Slowlog, "server", "A container for slow log commands.", "2.2.12", {}};
  slowlog.subcommands = {Sub("slowlog|get", -2, C | A, "Returns the slow log's entries.", "2.2.12"),
                         Sub("slowlog|len", 2, C | A, "Returns the number of entries in the slow log.", "2.2.12"),
                         Sub("slowlog|reset", 2, C | A, "Clears all entries from the slow log.", "2.2.12"),
                         Sub("slowlog|help", 2, C | kCmdLoading | kCmdStale,
                             "Show helpful text about the different subcommands", "6.2.0")};
  t.Add(std::move(slowlog));
  CommandSpec latency{"latency", -2, C, 0, 0, 0, Latency, "server", "A container for latency diagnostics commands.",
                      "2.8.13", {}};
  latency.subcommands = {
      Sub("latency|doctor", 2, C | A, "Returns a human-readable latency analysis report.", "2.8.13"),
      Sub("latency|history", 3, C | A, "Returns timestamp-latency samples for an event.", "2.8.13"),
      Sub("latency|latest", 2, C | A, "Returns the latest latency samples for all events.", "2.8.13"),
      Sub("latency|reset", -2, C | A, "Resets the latency data for one or more events.", "2.8.13"),
      Sub("latency|help", 2, C | kCmdLoading | kCmdStale, "Returns helpful text about the different subcommands.",
          "2.8.13")};
  t.Add(std::move(latency));
  t.Add({"monitor", 1, C | A | kCmdNoScript, 0, 0, 0, Monitor, "server",
         "Listens for all requests received by the server in real-time.", "1.0.0", {}});
}

}  // namespace ember
