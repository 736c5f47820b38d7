#include "config.h"

#include <ini.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include "util.h"

namespace ember {

namespace {

// Parameters ember acts on (or will, as its issues land). Redis's names,
// ranges and defaults unless the doc says otherwise.
const ParamSpec kOwnParams[] = {
    {"bind", nullptr, ParamType::kString, 0, 0, nullptr, "127.0.0.1", true,
     "Addresses to listen on, separated by spaces (IPv4 or IPv6)."},
    {"port", nullptr, ParamType::kInt, 0, 65535, nullptr, "6379", true, "TCP port for clients."},
    {"shards", nullptr, ParamType::kInt, 0, 1024, nullptr, "0", true,
     "Worker threads, each owning a part of the keyspace; 0 means one per CPU core."},
    {"tcp-backlog", nullptr, ParamType::kInt, 0, 65535, nullptr, "511", true, "listen() backlog."},
    {"tcp-keepalive", nullptr, ParamType::kInt, 0, 2147483647, nullptr, "300", false,
     "SO_KEEPALIVE interval in seconds for client sockets; 0 turns it off."},
    {"timeout", nullptr, ParamType::kInt, 0, 2147483647, nullptr, "0", false,
     "Close a client idle for this many seconds; 0 never closes idle clients."},
    {"maxclients", nullptr, ParamType::kInt, 1, 2147483647, nullptr, "10000", false,
     "Most clients connected at once; more get '-ERR max number of clients reached'."},
    {"proto-max-bulk-len", nullptr, ParamType::kMemory, 1024 * 1024, INT64_MAX, nullptr, "536870912", false,
     "Largest bulk string a client may send, and largest reply built from a client's count (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER with a negative count)."},
    {"proto-max-multibulk-len", nullptr, ParamType::kInt, 1, 2147483647, nullptr, "2147483647", false,
     "Most arguments in one command (ember; Redis fixes this at INT_MAX)."},
    {"proto-inline-max-size", nullptr, ParamType::kMemory, 1024, 1073741824, nullptr, "65536", false,
     "Longest inline command line, and longest '*'/'$' header line (ember; Redis fixes it at 64kb)."},
    {"client-query-buffer-limit", nullptr, ParamType::kMemory, 1024 * 1024, INT64_MAX, nullptr, "1073741824", false,
     "A client whose unparsed input exceeds this is disconnected."},
    {"client-oom-output-cutoff", nullptr, ParamType::kMemory, 0, INT64_MAX, nullptr, "1048576", false,
     "When memory runs out during a command, a client with more unsent reply bytes than this is disconnected as the "
     "likeliest cause, so the server and its other clients go on; others get an -OOM error (ember)."},
    {"client-output-buffer-limit", nullptr, ParamType::kString, 0, 0, nullptr,
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", false,
     "Output buffer limits per client class: <class> <hard> <soft> <soft seconds>; a client over the hard "
     "limit, or over the soft one for that long, is disconnected (0: no limit). normal and pubsub apply."},
    {"loglevel", nullptr, ParamType::kEnum, 0, 0, "debug|verbose|notice|warning|nothing", "notice", false,
     "Log verbosity."},
    {"logfile", nullptr, ParamType::kString, 0, 0, nullptr, "", true, "Log file; empty logs to standard output."},
    {"hz", nullptr, ParamType::kInt, 1, 500, nullptr, "10", false,
     "Background tasks (active expiry, idle-client checks, rehashing) run this many times a second."},
    {"dynamic-hz", nullptr, ParamType::kBool, 0, 0, nullptr, "yes", false,
     "Accepted for compatibility; ember's cron rate is hz."},
    {"activerehashing", nullptr, ParamType::kBool, 0, 0, nullptr, "yes", false,
     "Spend up to 1 ms per cron tick moving buckets when a shard's table is resizing."},
    {"databases", nullptr, ParamType::kInt, 1, 1048576, nullptr, "16", true,
     "Number of databases (SELECT 0 to databases-1). A database costs nothing until first used; in cluster mode "
     "only database 0 exists, as in Redis Cluster. ember's bound: 1048576."},
    {"daemonize", nullptr, ParamType::kBool, 0, 0, nullptr, "no", true,
     "Accepted for compatibility; ember runs in the foreground (use your service manager)."},
    {"pidfile", nullptr, ParamType::kString, 0, 0, nullptr, "", true, "Write the process id to this file."},
    {"dir", nullptr, ParamType::kString, 0, 0, nullptr, ".", false,
     "The directory of the snapshot (dbfilename) and of the AOF directory (appenddirname)."},
    {"maxmemory", nullptr, ParamType::kMemory, 0, INT64_MAX, nullptr, "0", false,
     "Memory limit (bytes, or 256mb / 1gb): past it, writes evict keys by maxmemory-policy, or are refused "
     "with -OOM under noeviction; 0 means no limit. Counted from the allocator's statistics."},
    {"maxmemory-policy", nullptr, ParamType::kEnum, 0, 0,
     "volatile-lru|volatile-lfu|volatile-random|volatile-ttl|allkeys-lru|allkeys-lfu|allkeys-random|noeviction",
     "noeviction", false,
     "Which keys go past maxmemory: least recently used, least frequently used, random, or nearest expiry "
     "(volatile-ttl), among all keys or only those with a TTL (volatile-*); noeviction refuses writes."},
    {"maxmemory-samples", nullptr, ParamType::kInt, 1, 64, nullptr, "5", false,
     "Keys sampled per eviction: more is closer to true LRU/LFU/TTL order and costs more."},
    {"lfu-log-factor", nullptr, ParamType::kInt, 0, 2147483647, nullptr, "10", false,
     "LFU counter growth: an access increments a counter c with probability 1 / ((c - 5) * factor + 1)."},
    {"lfu-decay-time", nullptr, ParamType::kInt, 0, 2147483647, nullptr, "1", false,
     "Minutes without access that take one off a key's LFU counter; 0 never decays."},
    {"save", nullptr, ParamType::kString, 0, 0, nullptr, "3600 1 300 100 60 10000", false,
     "Snapshot schedule: pairs of <seconds> <changes>; a BGSAVE starts when that many writes happened in that "
     "many seconds since the last save. Empty: no schedule (and no snapshot at shutdown unless SHUTDOWN SAVE)."},
    {"appendonly", nullptr, ParamType::kBool, 0, 0, nullptr, "no", false,
     "Log every write to the append-only file (a base snapshot plus increments in appenddirname) and replay it at "
     "start-up; CONFIG SET appendonly yes starts it with a rewrite."},
    {"appendfilename", nullptr, ParamType::kString, 0, 0, nullptr, "appendonly.aof", true,
     "The prefix of the AOF's files (<name>.<seq>.base.esnap, <name>.<seq>.incr.aof, <name>.manifest)."},
    {"appendfsync", nullptr, ParamType::kEnum, 0, 0, "always|everysec|no", "everysec", false,
     "always: fsync before any reply of a write leaves; everysec: fsync once a second (up to a second of writes "
     "may be lost); no: leave it to the OS."},
    {"dbfilename", nullptr, ParamType::kString, 0, 0, nullptr, "dump.rdb", false,
     "The snapshot file in dir (ember's own format: zstd-compressed, checksummed frames; not an RDB file)."},
    {"requirepass", nullptr, ParamType::kString, 0, 0, nullptr, "", false,
     "The default user's password (AUTH <password>); empty: the default user needs none."},
    {"protected-mode", nullptr, ParamType::kBool, 0, 0, nullptr, "yes", false,
     "While the default user has no password, refuse clients that are not on the loopback interface."},
    {"slowlog-log-slower-than", nullptr, ParamType::kInt, -1, INT64_MAX, nullptr, "10000", false,
     "SLOWLOG records commands that run at least this many microseconds; 0 records all, -1 none."},
    {"slowlog-max-len", nullptr, ParamType::kInt, 0, 2147483647, nullptr, "128", false,
     "SLOWLOG keeps this many entries, the newest."},
    {"latency-monitor-threshold", nullptr, ParamType::kInt, 0, INT64_MAX, nullptr, "0", false,
     "LATENCY records commands that take at least this many milliseconds; 0 turns it off."},
    {"metrics-port", nullptr, ParamType::kInt, 0, 65535, nullptr, "0", true,
     "Serve Prometheus metrics on http://<first bind address>:<port>/metrics and /health (ember); 0: off."},
    {"unixsocket", nullptr, ParamType::kString, 0, 0, nullptr, "", true,
     "Accepted; ember listens on TCP only."},
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", ParamType::kInt, 0, INT64_MAX, nullptr, "512", false,
     "A hash is kept packed inside its key's entry while it has at most this many fields."},
    {"hash-max-listpack-value", "hash-max-ziplist-value", ParamType::kMemory, 0, INT64_MAX, nullptr, "64", false,
     "... and while every field and value is at most this many bytes; past either, it becomes a hash table."},
    {"set-max-intset-entries", nullptr, ParamType::kInt, 0, INT64_MAX, nullptr, "512", false,
     "A set of integers only is kept as a sorted integer array while it has at most this many members."},
    {"set-max-listpack-entries", nullptr, ParamType::kInt, 0, INT64_MAX, nullptr, "128", false,
     "Any other set is kept packed inside its key's entry while it has at most this many members (Redis 7.2)."},
    {"set-max-listpack-value", nullptr, ParamType::kMemory, 0, INT64_MAX, nullptr, "64", false,
     "... and while every member is at most this many bytes; past either, it becomes a hash table (Redis 7.2)."},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", ParamType::kInt, 0, INT64_MAX, nullptr, "128", false,
     "A sorted set is kept packed inside its key's entry while it has at most this many members."},
    {"zset-max-listpack-value", "zset-max-ziplist-value", ParamType::kMemory, 0, INT64_MAX, nullptr, "64", false,
     "... and while every member is at most this many bytes; past either, it becomes a skiplist."},
    {"list-max-listpack-size", "list-max-ziplist-size", ParamType::kInt, INT32_MIN, INT32_MAX, nullptr, "-2", false,
     "A list is kept packed inside its key's entry, and a large list's chunks are cut, at this size: positive, "
     "a number of elements; -1 to -5, 4kb to 64kb."},
    {"notify-keyspace-events", nullptr, ParamType::kString, 0, 0, nullptr, "", false,
     "Keyspace notifications published on __keyspace@0__:<key> (K) and __keyevent@0__:<event> (E) for the "
     "classes g $ l s h z x (expired) n (new key), A = g$lshzxetd; empty turns them off."},
    {"unixsocketperm", nullptr, ParamType::kInt, 0, 0777, nullptr, "0", true, "Accepted; ember listens on TCP only."},
};

const ParamSpec kCompatParams[] = {
#include "config_compat.inc"
};

std::vector<std::string> SplitWords(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// "" and '' in a config file mean the empty string.
std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

std::string QuoteForFile(const std::string& v) { return v.empty() ? "\"\"" : v; }

// The number of the first line of a config file setting name (inih does
// not tell its handler), as text; "?" if not found.
std::string LineOf(const std::string& path, std::string_view name) {
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string t = Trim(line);
    size_t end = t.find_first_of("=:");
    if (end != std::string::npos && EqualsIgnoreCase(Trim(t.substr(0, end)), name)) return std::to_string(n);
  }
  return "?";
}

// The number a Live mirror holds for a value: an enum's is the index of
// its value in enum_values.
int64_t MirrorValue(const ParamSpec& spec, const std::string& value) {
  int64_t v = 0;
  if (spec.type == ParamType::kMemory) {
    v = ParseMemory(value).value_or(0);
  } else if (spec.type == ParamType::kEnum) {
    std::vector<std::string> words = SplitWords(spec.enum_values, '|');
    v = std::find(words.begin(), words.end(), value) - words.begin();
  } else {
    ParseInt64(value, &v);
  }
  return v;
}

}  // namespace

Config::Config() {
  auto add = [this](const ParamSpec& spec) {
    Param p;
    p.spec = &spec;
    p.value = spec.default_value;
    std::string name = spec.name;
    if (spec.alias) aliases_[spec.alias] = name;
    params_.emplace(std::move(name), std::move(p));
  };
  for (const ParamSpec& s : kOwnParams) add(s);
  for (const ParamSpec& s : kCompatParams) add(s);

  auto bind_int = [this](const char* name, std::atomic<int64_t>* a) {
    Param* p = Find(name);
    p->mirror = a;
    a->store(MirrorValue(*p->spec, p->value));
  };
  bind_int("timeout", &live.timeout);
  bind_int("maxclients", &live.maxclients);
  bind_int("proto-max-bulk-len", &live.proto_max_bulk_len);
  bind_int("proto-max-multibulk-len", &live.proto_max_multibulk_len);
  bind_int("proto-inline-max-size", &live.proto_inline_max_size);
  bind_int("client-query-buffer-limit", &live.client_query_buffer_limit);
  bind_int("client-oom-output-cutoff", &live.client_oom_output_cutoff);
  bind_int("hz", &live.hz);
  bind_int("tracking-table-max-keys", &live.tracking_table_max_keys);
  bind_int("active-expire-effort", &live.active_expire_effort);
  bind_int("tcp-keepalive", &live.tcp_keepalive);
  bind_int("hash-max-listpack-entries", &live.hash_max_listpack_entries);
  bind_int("hash-max-listpack-value", &live.hash_max_listpack_value);
  bind_int("set-max-intset-entries", &live.set_max_intset_entries);
  bind_int("set-max-listpack-entries", &live.set_max_listpack_entries);
  bind_int("set-max-listpack-value", &live.set_max_listpack_value);
  bind_int("zset-max-listpack-entries", &live.zset_max_listpack_entries);
  bind_int("zset-max-listpack-value", &live.zset_max_listpack_value);
  bind_int("list-max-listpack-size", &live.list_max_listpack_size);
  bind_int("maxmemory", &live.maxmemory);
  bind_int("maxmemory-policy", &live.maxmemory_policy);
  bind_int("maxmemory-samples", &live.maxmemory_samples);
  bind_int("lfu-log-factor", &live.lfu_log_factor);
  bind_int("lfu-decay-time", &live.lfu_decay_time);
  bind_int("slowlog-log-slower-than", &live.slowlog_log_slower_than);
  bind_int("slowlog-max-len", &live.slowlog_max_len);
  bind_int("latency-monitor-threshold", &live.latency_monitor_threshold);
  bind_int("acllog-max-len", &live.acllog_max_len);
  bind_int("enable-debug-command", &live.enable_debug_command);
  bind_int("enable-module-command", &live.enable_module_command);
  bind_int("enable-protected-configs", &live.enable_protected_configs);
  Find("protected-mode")->bool_mirror = &live.protected_mode;
  Find("activerehashing")->bool_mirror = &live.activerehashing;
}

Config::Param* Config::Find(std::string_view name) {
  std::string lower = ToLower(name);
  auto it = params_.find(lower);
  if (it != params_.end()) return &it->second;
  auto a = aliases_.find(lower);
  if (a != aliases_.end()) return &params_.find(a->second)->second;
  return nullptr;
}

const Config::Param* Config::Find(std::string_view name) const { return const_cast<Config*>(this)->Find(name); }

bool Config::Known(std::string_view name) const { return Find(name) != nullptr; }

bool Config::Protected(std::string_view name) const {
  const Param* p = Find(name);
  if (!p) return false;
  std::string_view n = p->spec->name;
  return n == "dir" || n == "dbfilename";
}

namespace {
// client-output-buffer-limit: "<class> <hard> <soft> <soft seconds>" ...,
// merged into the current value (a class not named keeps its limits), with
// Redis's error texts. The result lists normal, slave and pubsub.
std::string MergeBufferLimits(std::string_view current, std::string_view value, std::string* out) {
  std::vector<std::string> cur = SplitWords(current, ' '), upd = SplitWords(value, ' ');
  if (upd.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  std::map<std::string, std::array<int64_t, 3>> limits;
  auto apply = [&](const std::vector<std::string>& words) -> std::string {
    for (size_t i = 0; i + 3 < words.size(); i += 4) {
      std::string cls = ToLower(words[i]);
      if (cls == "replica") cls = "slave";
      if (cls != "normal" && cls != "slave" && cls != "pubsub")
        return "Invalid client class specified in buffer limit configuration.";
      auto hard = ParseMemory(words[i + 1]), soft = ParseMemory(words[i + 2]);
      int64_t secs;
      if (!hard || !soft || !ParseInt64(words[i + 3], &secs) || secs < 0)
        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      limits[cls] = {*hard, *soft, secs};
    }
    return "";
  };
  apply(cur);
  std::string err = apply(upd);
  if (!err.empty()) return err;
  out->clear();
  for (const char* cls : {"normal", "slave", "pubsub"}) {
    auto& l = limits[cls];
    *out += (out->empty() ? "" : " ") + std::string(cls) + " " + std::to_string(l[0]) + " " + std::to_string(l[1]) +
            " " + std::to_string(l[2]);
  }
  return "";
}
}  // namespace

namespace {
// Redis's save parameters: "" (no schedule), or pairs of <seconds> (at
// least 1) and <changes> (at least 0), split at each single space and read
// as strtoll does (so "100 " is "100 0"). The result is the numbers as
// Redis lists them.
std::string ParseSaveParams(std::string_view value, std::string* out) {
  out->clear();
  if (value.empty()) return "";
  std::vector<std::string> words;
  for (size_t start = 0;;) {
    size_t end = value.find(' ', start);
    words.emplace_back(value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (words.size() % 2 != 0) return "Invalid save parameters";
  for (size_t i = 0; i < words.size(); ++i) {
    char* end = nullptr;
    long long v = strtoll(words[i].c_str(), &end, 10);
    if (*end != '\0' || v < (i % 2 == 0 ? 1 : 0)) return "Invalid save parameters";
    *out += (i ? " " : "") + std::to_string(v);
  }
  return "";
}

constexpr std::string_view kNotifyClassChars = "g$lshzxetd";

// Redis's keyspaceEventsStringToFlags / FlagsToString.
std::string ParseNotifyFlags(std::string_view value, std::string* out, int64_t* flags) {
  int64_t f = 0;
  for (char c : value) {
    size_t i = kNotifyClassChars.find(c);
    if (i != std::string_view::npos)
      f |= kNotifyGeneric << i;
    else if (c == 'A')
      f |= kNotifyAll;
    else if (c == 'K')
      f |= kNotifyKeyspace;
    else if (c == 'E')
      f |= kNotifyKeyevent;
    else if (c == 'm')
      f |= kNotifyKeyMiss;
    else if (c == 'n')
      f |= kNotifyNew;
    else
      return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
  }
  // Without K or E nothing is published: Redis then keeps no classes.
  if (!(f & (kNotifyKeyspace | kNotifyKeyevent))) f = 0;
  out->clear();
  if ((f & kNotifyAll) == kNotifyAll) {
    *out += 'A';
  } else {
    for (size_t i = 0; i < kNotifyClassChars.size(); ++i)
      if (f & (kNotifyGeneric << i)) *out += kNotifyClassChars[i];
  }
  if (f & kNotifyNew) *out += 'n';
  if (f & kNotifyKeyspace) *out += 'K';
  if (f & kNotifyKeyevent) *out += 'E';
  if (f & kNotifyKeyMiss) *out += 'm';
  *flags = f;
  return "";
}
}  // namespace

void Config::ApplyBufferLimits(const std::string& value) {
  std::vector<std::string> w = SplitWords(value, ' ');
  for (size_t i = 0; i + 3 < w.size(); i += 4) {
    int64_t hard = ParseMemory(w[i + 1]).value_or(0), soft = ParseMemory(w[i + 2]).value_or(0), secs = 0;
    ParseInt64(w[i + 3], &secs);
    if (w[i] == "normal") {
      live.normal_hard = hard;
      live.normal_soft = soft;
      live.normal_soft_seconds = secs;
    } else if (w[i] == "pubsub") {
      live.pubsub_hard = hard;
      live.pubsub_soft = soft;
      live.pubsub_soft_seconds = secs;
    }
  }
}

std::string Config::Normalize(const ParamSpec& spec, std::string_view value, std::string* out) const {
  switch (spec.type) {
    case ParamType::kBool: {
      if (EqualsIgnoreCase(value, "yes"))
        *out = "yes";
      else if (EqualsIgnoreCase(value, "no"))
        *out = "no";
      else
        return "argument must be 'yes' or 'no'";
      return "";
    }
    case ParamType::kInt: {
      int64_t v;
      if (!ParseInt64(value, &v)) return "argument couldn't be parsed into an integer";
      if (v < spec.min || v > spec.max)
        return "argument must be between " + std::to_string(spec.min) + " and " + std::to_string(spec.max) +
               " inclusive";
      *out = std::to_string(v);
      return "";
    }
    case ParamType::kMemory: {
      auto v = ParseMemory(value);
      if (!v) return "argument must be a memory value";
      if (*v < spec.min || *v > spec.max)
        return "argument must be between " + std::to_string(spec.min) + " and " + std::to_string(spec.max) +
               " inclusive";
      *out = std::to_string(*v);
      return "";
    }
    case ParamType::kEnum: {
      std::vector<std::string> words = SplitWords(spec.enum_values, '|');
      for (const std::string& w : words)
        if (EqualsIgnoreCase(value, w)) {
          *out = w;
          return "";
        }
      std::string msg = "argument(s) must be one of the following: ";
      for (size_t i = 0; i < words.size(); ++i) msg += (i ? ", " : "") + words[i];
      return msg;
    }
    case ParamType::kString:
      *out = std::string(value);
      return "";
  }
  return "";
}

std::string Config::Set(std::string_view name, std::string_view value, bool at_startup) {
  std::function<void(const std::string&)> hook;
  std::string canonical;
  {
    std::lock_guard lock(mu_);
    Param* p = Find(name);
    if (!p) return "unknown";
    if (p->spec->immutable && !at_startup) return "can't set immutable config";
    std::string_view name = p->spec->name;
    int64_t notify_flags = 0;
    std::string err = name == "client-output-buffer-limit" ? MergeBufferLimits(p->value, value, &canonical)
                      : name == "notify-keyspace-events"   ? ParseNotifyFlags(value, &canonical, &notify_flags)
                      : name == "save"                     ? ParseSaveParams(value, &canonical)
                                                           : Normalize(*p->spec, value, &canonical);
    if (!err.empty()) return err;
    if (p->validate) {
      err = p->validate(canonical);
      if (!err.empty()) return err;
    }
    if (name == "notify-keyspace-events") live.notify_flags.store(notify_flags, std::memory_order_relaxed);
    p->value = canonical;
    if (std::string_view(p->spec->name) == "client-output-buffer-limit") ApplyBufferLimits(canonical);
    if (p->mirror) p->mirror->store(MirrorValue(*p->spec, canonical), std::memory_order_relaxed);
    if (p->bool_mirror) p->bool_mirror->store(canonical == "yes", std::memory_order_relaxed);
    if (!at_startup) hook = p->on_change;
  }
  if (hook) hook(canonical);
  return "";
}

bool Config::Get(std::string_view name, std::string* value) const {
  std::lock_guard lock(mu_);
  const Param* p = Find(name);
  if (!p) return false;
  *value = p->value;
  return true;
}

std::vector<std::pair<std::string, std::string>> Config::Match(std::string_view pattern) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, p] : params_)
    if (GlobMatch(pattern, name, true)) out.emplace_back(name, p.value);
  for (const auto& [alias, name] : aliases_)
    if (GlobMatch(pattern, alias, true) && !GlobMatch(pattern, name, true))
      out.emplace_back(alias, params_.find(name)->second.value);
  return out;
}

void Config::OnChange(std::string_view name, std::function<void(const std::string&)> fn) {
  std::lock_guard lock(mu_);
  Find(name)->on_change = std::move(fn);
}

bool Config::AddParam(const ParamSpec& spec, Validator validate) {
  std::lock_guard lock(mu_);
  std::string name = ToLower(spec.name);
  if (Find(name)) return false;
  OwnedSpec& o = owned_specs_.emplace_back();
  o.name = name;
  o.enum_values = spec.enum_values ? spec.enum_values : "";
  o.default_value = spec.default_value ? spec.default_value : "";
  o.doc = spec.doc ? spec.doc : "";
  o.spec = spec;
  o.spec.name = o.name.c_str();
  o.spec.alias = nullptr;
  o.spec.enum_values = o.enum_values.c_str();
  o.spec.default_value = o.default_value.c_str();
  o.spec.doc = o.doc.c_str();
  Param p;
  p.spec = &o.spec;
  p.value = o.default_value;
  p.validate = std::move(validate);
  params_.emplace(name, std::move(p));
  return true;
}

void Config::RemoveParam(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = params_.find(ToLower(name));
  if (it == params_.end()) return;
  const ParamSpec* spec = it->second.spec;
  params_.erase(it);
  for (auto o = owned_specs_.begin(); o != owned_specs_.end(); ++o)
    if (&o->spec == spec) {
      owned_specs_.erase(o);
      break;
    }
}

void Config::Defer(std::string name, std::string value, std::string origin) {
  deferred_.push_back({std::move(name), std::move(value), std::move(origin)});
}

std::string Config::ApplyDeferred() {
  std::vector<Deferred> pending = std::move(deferred_);
  deferred_.clear();
  for (const Deferred& d : pending) {
    std::string err = Set(d.name, d.value, true);
    if (err == "unknown" && ToLower(d.name).starts_with("tls-"))
      return d.origin + ": '" + d.name + "' needs the TLS module: load it first (loadmodule /path/to/modules/tls.so)";
    if (err == "unknown") return d.origin + ": unknown directive '" + d.name + "'";
    if (!err.empty()) return d.origin + ": '" + d.name + "': " + err;
  }
  return "";
}

std::vector<const ParamSpec*> Config::Specs() const {
  std::vector<const ParamSpec*> out;
  for (const ParamSpec& s : kOwnParams) out.push_back(&s);
  for (const ParamSpec& s : kCompatParams) out.push_back(&s);
  return out;
}

namespace {
struct LoadState {
  Config* config;
  std::string path;
  std::string error;
  std::set<std::string> multi_seen;
};
}  // namespace

std::string Config::LoadFile(const std::string& path) {
  LoadState state{this, path, "", {}};
  int rc = ini_parse(
      path.c_str(),
      [](void* user, const char* /*section*/, const char* name, const char* value) -> int {
        auto* st = static_cast<LoadState*>(user);
        if (EqualsIgnoreCase(name, "loadmodule")) {
          st->config->module_lines_.push_back(Trim(value));
          return 1;
        }
        std::string err = st->config->Set(name, Unquote(value), true);
        // Perhaps a module's parameter: decided once modules are loaded.
        if (err == "unknown") {
          st->config->Defer(name, Unquote(value), "config file '" + st->path + "' line " + LineOf(st->path, name));
          return 1;
        }
        if (!err.empty()) {
          if (st->error.empty()) st->error = err;
          return 0;
        }
        return 1;
      },
      &state);
  if (rc < 0) return "cannot open config file '" + path + "'";
  if (rc > 0)
    return "config file '" + path + "' line " + std::to_string(rc) + ": " +
           (state.error.empty() ? "not a 'name = value' line, or longer than 200 bytes" : state.error);
  config_file_ = path;
  return "";
}

std::string Config::LoadEnvironment() {
  for (char** env = environ; *env; ++env) {
    std::string_view kv(*env);
    if (kv.substr(0, 6) != "EMBER_") continue;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name = ToLower(kv.substr(6, eq - 6));
    for (char& c : name)
      if (c == '_') c = '-';
    if (!Known(name)) continue;
    std::string err = Set(name, kv.substr(eq + 1), true);
    if (!err.empty()) return "environment variable " + std::string(kv.substr(0, eq)) + ": " + err;
  }
  return "";
}

std::string Config::Rewrite() {
  if (config_file_.empty()) return "The server is running without a config file";
  std::ifstream in(config_file_);
  if (!in) return "cannot read the config file";
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);

  std::lock_guard lock(mu_);
  std::set<std::string> written;
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    std::string t = Trim(l);
    size_t eq = t.find('=');
    if (t.empty() || t[0] == '#' || t[0] == ';' || t[0] == '[' || eq == std::string::npos) {
      out.push_back(l);
      continue;
    }
    std::string name = ToLower(Trim(t.substr(0, eq)));
    Param* p = Find(name);
    if (!p) {
      out.push_back(l);
      continue;
    }
    std::string canonical = p->spec->name;
    if (written.count(canonical)) continue;  // a later duplicate: the first line now holds the value
    written.insert(canonical);
    out.push_back(canonical + " = " + QuoteForFile(p->value));
  }
  for (const auto& [name, p] : params_) {
    if (written.count(name) || p.value == p.spec->default_value) continue;
    out.push_back(name + " = " + QuoteForFile(p.value));
  }
  std::string tmp = config_file_ + ".tmp";
  {
    std::ofstream o(tmp, std::ios::trunc);
    if (!o) return "cannot write the config file";
    for (const std::string& l : out) o << l << '\n';
    o.flush();
    if (!o) return "cannot write the config file";
  }
  if (rename(tmp.c_str(), config_file_.c_str()) != 0) return "cannot replace the config file";
  return "";
}

std::string Config::Template() const {
  std::ostringstream o;
  o << "# ember.conf: every parameter with its default value.\n"
       "# Format: INI, one 'name = value' per line; names are Redis's directive names.\n"
       "# Precedence: built-in defaults < this file < EMBER_<NAME> environment variables\n"
       "# (EMBER_MAXMEMORY_POLICY=allkeys-lru) < command-line flags (--maxmemory-policy allkeys-lru).\n\n";
  for (const ParamSpec* s : Specs()) {
    std::string doc = s->doc;
    if (s->type == ParamType::kEnum) doc += std::string(" One of: ") + s->enum_values + '.';
    if (s->immutable) doc += " Start-up only.";
    // Comment lines wrapped well under inih's 200-byte line limit.
    std::string line = "#";
    for (const std::string& word : SplitWords(doc, ' ')) {
      if (line.size() + 1 + word.size() > 78) {
        o << line << '\n';
        line = "#";
      }
      line += ' ' + word;
    }
    o << line << '\n' << s->name << " = " << QuoteForFile(s->default_value) << "\n\n";
  }
  return o.str();
}

}  // namespace ember
