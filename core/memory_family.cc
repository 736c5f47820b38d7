// MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP, and INFO's memory
// section. A key's bytes are its entry's allocation (key, metadata and, for
// a string or a packed collection, the whole value) plus, for a large
// collection, what its Object measures. Server-wide figures come from the
// allocator (memory_meter.h) and from what each shard's cron published
// (ShardMemory), so none of these commands holds a shard.
#include "memory_report.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "command.h"
#include "config.h"
#include "db.h"
#include "memory_meter.h"
#include "object.h"
#include "reply.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

MemoryReport MemoryReport::Collect(Server& server) {
  MemoryReport r;
  r.used = MemoryMeter::Get().Refresh();
  r.peak = std::max(MemoryMeter::Get().peak(), r.used);
  r.startup = MemoryMeter::Get().startup();
  r.rss = static_cast<int64_t>(ResidentBytes());
  r.allocator = ReadAllocatorStats();
  for (uint32_t i = 0; i < server.shard_count(); ++i) {
    const ShardMemory& m = server.shard(i).memory();
    r.keys += m.keys.load(std::memory_order_relaxed);
    r.table_bytes += m.table_bytes.load(std::memory_order_relaxed);
    r.expires_bytes += m.expires_bytes.load(std::memory_order_relaxed);
    r.client_bytes += m.client_bytes.load(std::memory_order_relaxed);
  }
  return r;
}

namespace {

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

std::string Fixed2(double v) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

}  // namespace

std::string InfoMemorySection(Server& server) {
  MemoryReport r = MemoryReport::Collect(server);
  Config::Live& live = server.config().live;
  int64_t maxmemory = live.maxmemory.load(std::memory_order_relaxed);
  std::string policy;
  server.config().Get("maxmemory-policy", &policy);
  double system = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
  const AllocatorStats& a = r.allocator;
  std::ostringstream o;
  o << "# Memory\r\nused_memory:" << r.used << "\r\nused_memory_human:" << Human(static_cast<double>(r.used))
    << "\r\nused_memory_rss:" << r.rss << "\r\nused_memory_rss_human:" << Human(static_cast<double>(r.rss))
    << "\r\nused_memory_peak:" << r.peak << "\r\nused_memory_peak_human:" << Human(static_cast<double>(r.peak))
    << "\r\nused_memory_peak_perc:" << Fixed2(Ratio(r.used * 100.0, static_cast<double>(r.peak)))
    << "%\r\nused_memory_overhead:" << r.overhead() << "\r\nused_memory_startup:" << r.startup
    << "\r\nused_memory_dataset:" << r.dataset() << "\r\nused_memory_dataset_perc:"
    << Fixed2(Ratio(r.dataset() * 100.0, static_cast<double>(r.used - r.startup)))
    << "%\r\nallocator_allocated:" << a.allocated << "\r\nallocator_active:" << a.active
    << "\r\nallocator_resident:" << a.resident << "\r\ntotal_system_memory:" << static_cast<uint64_t>(system)
    << "\r\ntotal_system_memory_human:" << Human(system) << "\r\nmaxmemory:" << maxmemory
    << "\r\nmaxmemory_human:" << Human(static_cast<double>(maxmemory)) << "\r\nmaxmemory_policy:" << policy
    << "\r\nallocator_frag_ratio:" << Fixed2(Ratio(a.active, a.allocated))
    << "\r\nallocator_frag_bytes:" << static_cast<int64_t>(a.active - a.allocated)
    << "\r\nallocator_rss_ratio:" << Fixed2(Ratio(a.resident, a.active))
    << "\r\nallocator_rss_bytes:" << static_cast<int64_t>(a.resident - a.active)
    << "\r\nrss_overhead_ratio:" << Fixed2(Ratio(static_cast<double>(r.rss), a.resident))
    << "\r\nrss_overhead_bytes:" << r.rss - static_cast<int64_t>(a.resident)
    << "\r\nmem_fragmentation_ratio:" << Fixed2(r.fragmentation())
    << "\r\nmem_fragmentation_bytes:" << r.rss - r.used << "\r\nmem_not_counted_for_evict:0"
    << "\r\nmem_clients_normal:" << r.client_bytes << "\r\nmem_allocator:" << AllocatorName()
    << "\r\nlazyfree_pending_objects:0\r\n";
  return o.str();
}

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
  Entry* e = ctx.db(ctx.arg(2)).Peek(ctx.arg(2));
  if (!e) return ctx.reply.Null();
  size_t bytes = malloc_usable_size(e);
  // Object::MemoryUsage takes 0 as "every element", as SAMPLES 0 means.
  if (e->encoding() == Encoding::kObject) bytes += e->object()->MemoryUsage(static_cast<size_t>(samples));
  ctx.reply.Int(static_cast<int64_t>(bytes));
}

// Redis's MEMORY STATS fields, those that mean something here.
void Stats(CmdCtx& ctx) {
  MemoryReport r = MemoryReport::Collect(ctx.server);
  // db.N for each database with keys, as Redis: its tables' bytes, read
  // holding every shard (kCmdAllShards, so EXEC holds them all too).
  struct DbOverhead {
    int64_t main = 0, expires = 0;
  };
  std::map<uint32_t, DbOverhead> per_db;
  ctx.shard.RunHoldingAll([&] {
    for (uint32_t s = 0; s < ctx.server.shard_count(); ++s)
      ctx.server.shard(s).ForEachDb([&](Db& db) {
        if (db.size() == 0) return;
        DbOverhead& o = per_db[db.index()];
        o.main += static_cast<int64_t>(db.TableBytes());
        o.expires += static_cast<int64_t>(db.ExpiresBytes());
      });
  });
  const AllocatorStats& a = r.allocator;
  Reply& out = ctx.reply;
  auto num = [&](const char* name, int64_t v) {
    out.Bulk(name);
    out.Int(v);
  };
  auto dbl = [&](const char* name, double v) {
    out.Bulk(name);
    out.Double(v);
  };
  out.Map(27 + per_db.size());
  num("peak.allocated", r.peak);
  num("total.allocated", r.used);
  num("startup.allocated", r.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", static_cast<int64_t>(r.client_bytes));
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const auto& [index, o] : per_db) {
    out.Bulk("db." + std::to_string(index));
    out.Map(2);
    num("overhead.hashtable.main", o.main);
    num("overhead.hashtable.expires", o.expires);
  }
  num("overhead.total", r.overhead());
  num("keys.count", static_cast<int64_t>(r.keys));
  num("keys.bytes-per-key", r.keys ? (r.used - r.startup) / static_cast<int64_t>(r.keys) : 0);
  num("dataset.bytes", r.dataset());
  dbl("dataset.percentage", Ratio(r.dataset() * 100.0, static_cast<double>(r.used - r.startup)));
  dbl("peak.percentage", Ratio(r.used * 100.0, static_cast<double>(r.peak)));
  num("allocator.allocated", static_cast<int64_t>(a.allocated));
  num("allocator.active", static_cast<int64_t>(a.active));
  num("allocator.resident", static_cast<int64_t>(a.resident));
  dbl("allocator-fragmentation.ratio", Ratio(a.active, a.allocated));
  num("allocator-fragmentation.bytes", static_cast<int64_t>(a.active - a.allocated));
  dbl("allocator.rss-ratio", Ratio(a.resident, a.active));
  num("allocator.rss-bytes", static_cast<int64_t>(a.resident - a.active));
  dbl("rss-overhead.ratio", Ratio(static_cast<double>(r.rss), a.resident));
  num("rss-overhead.bytes", r.rss - static_cast<int64_t>(a.resident));
  dbl("fragmentation", r.fragmentation());
  num("fragmentation.bytes", r.rss - r.used);
}

// A short version of Redis's report: the same verdicts for the issues that
// apply here (a past peak, fragmentation, client buffers).
void Doctor(CmdCtx& ctx) {
  MemoryReport r = MemoryReport::Collect(ctx.server);
  if (r.used < 5 * 1024 * 1024)
    return ctx.reply.Verbatim(
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these "
        "conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be "
        "back to our programming as soon as I finished rebooting.");
  std::string issues;
  if (r.peak > r.used * 3 / 2)
    issues += " * Peak memory: In the past this instance used more than 150% the memory that is currently using. "
              "If the Resident Set Size is bigger than expected, MEMORY PURGE may give pages back.\n\n";
  if (r.fragmentation() > 1.4)
    issues += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (the "
              "Resident Set Size is much larger than the sum of the logical allocations). The allocator is \"" +
              std::string(AllocatorName()) + "\".\n\n";
  if (r.keys > 0 && r.client_bytes > static_cast<uint64_t>(r.dataset()) / 2)
    issues += " * Big client buffers: The clients input and output buffers use more than half the memory of the "
              "dataset. Consider client-output-buffer-limit and client-query-buffer-limit.\n\n";
  if (issues.empty())
    return ctx.reply.Verbatim(
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
  ctx.reply.Verbatim("Sam, I detected a few issues in this Redis instance memory implants:\n\n" + issues +
                     "I'm here to keep you safe, Sam. I want to help you.\n");
}

void MemoryCmd(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "usage")) return Usage(ctx);
  bool stats = EqualsIgnoreCase(sub, "stats"), doctor = EqualsIgnoreCase(sub, "doctor"),
       malloc_stats = EqualsIgnoreCase(sub, "malloc-stats"), purge = EqualsIgnoreCase(sub, "purge");
  if ((stats || doctor || malloc_stats || purge) && ctx.argc() != 2)
    return ctx.reply.Error("wrong number of arguments for 'memory|" + ToLower(sub) + "' command");
  if (stats) return Stats(ctx);
  if (doctor) return Doctor(ctx);
  if (malloc_stats) return ctx.reply.Verbatim(AllocatorStatsText());
  if (purge) {
    PurgeAllocator();
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "help")) {
    if (ctx.argc() != 2) return ctx.reply.Error("wrong number of arguments for 'memory|help' command");
    return ReplyHelp(ctx, {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
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
  memory.subcommands = {
      spec("memory|doctor", 2, 0, false, "Outputs a memory problems report."),
      spec("memory|help", 2, kCmdLoading | kCmdStale, false, "Outputs helpful text about memory commands."),
      spec("memory|malloc-stats", 2, 0, false, "Returns the allocator statistics."),
      spec("memory|purge", 2, 0, false, "Asks the allocator to release memory."),
      spec("memory|stats", 2, kCmdAllShards, false, "Returns details about memory usage."),
      spec("memory|usage", -3, kCmdReadOnly, true, "Estimates the memory usage of a key.")};
  t.Add(std::move(memory));
}

}  // namespace ember
