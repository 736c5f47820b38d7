// Config: every server parameter, by its Redis directive name. Values come
// from built-in defaults, then ember.conf (INI: "name = value"), then EMBER_*
// environment variables, then command-line flags; CONFIG GET/SET/REWRITE
// read and change them at run time.
//
// Parameters the hot path reads are mirrored into atomics (Config::Live) so
// shard threads read them without a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {

enum class ParamType { kBool, kInt, kMemory, kEnum, kString };

// The values of enable-debug-command, enable-module-command and
// enable-protected-configs, as their Live mirrors hold them.
enum ProtectedAction : int64_t { kProtectedNo = 0, kProtectedYes = 1, kProtectedLocal = 2 };

// notify-keyspace-events classes (Redis's NOTIFY_* bits).
inline constexpr int64_t kNotifyKeyspace = 1 << 0;  // K
inline constexpr int64_t kNotifyKeyevent = 1 << 1;  // E
inline constexpr int64_t kNotifyGeneric = 1 << 2;   // g, then $ l s h z x e t d in order
inline constexpr int64_t kNotifyString = 1 << 3;
inline constexpr int64_t kNotifyList = 1 << 4;
inline constexpr int64_t kNotifySet = 1 << 5;
inline constexpr int64_t kNotifyHash = 1 << 6;
inline constexpr int64_t kNotifyZSet = 1 << 7;
inline constexpr int64_t kNotifyExpired = 1 << 8;
inline constexpr int64_t kNotifyEvicted = 1 << 9;
inline constexpr int64_t kNotifyStream = 1 << 10;
inline constexpr int64_t kNotifyModule = 1 << 11;
inline constexpr int64_t kNotifyKeyMiss = 1 << 12;  // m
inline constexpr int64_t kNotifyNew = 1 << 13;      // n
inline constexpr int64_t kNotifyAll = 0xFFC;        // A: g$lshzxetd

struct ParamSpec {
  const char* name;
  const char* alias;
  ParamType type;
  long long min, max;
  const char* enum_values;  // "a|b|c" for kEnum
  const char* default_value;
  bool immutable;
  const char* doc;
};

class Config {
 public:
  // Values the shard threads read on every request or cron tick.
  struct Live {
    std::atomic<int64_t> timeout{0};
    std::atomic<int64_t> maxclients{10000};
    std::atomic<int64_t> proto_max_bulk_len{512LL * 1024 * 1024};
    std::atomic<int64_t> proto_max_multibulk_len{INT32_MAX};
    std::atomic<int64_t> proto_inline_max_size{64 * 1024};
    std::atomic<int64_t> client_query_buffer_limit{1024LL * 1024 * 1024};
    std::atomic<int64_t> client_oom_output_cutoff{1024 * 1024};
    std::atomic<int64_t> hz{10};
    std::atomic<int64_t> active_expire_effort{1};
    std::atomic<bool> activerehashing{true};
    std::atomic<int64_t> tcp_keepalive{300};
    std::atomic<int64_t> hash_max_listpack_entries{512};
    std::atomic<int64_t> hash_max_listpack_value{64};
    std::atomic<int64_t> set_max_intset_entries{512};
    std::atomic<int64_t> set_max_listpack_entries{128};
    std::atomic<int64_t> set_max_listpack_value{64};
    std::atomic<int64_t> zset_max_listpack_entries{128};
    std::atomic<int64_t> zset_max_listpack_value{64};
    std::atomic<int64_t> list_max_listpack_size{-2};
    // client-output-buffer-limit, for normal and pub/sub clients (bytes,
    // bytes, seconds; 0 = no limit).
    std::atomic<int64_t> normal_hard{0}, normal_soft{0}, normal_soft_seconds{0};
    std::atomic<int64_t> pubsub_hard{32LL << 20}, pubsub_soft{8LL << 20}, pubsub_soft_seconds{60};
    std::atomic<int64_t> notify_flags{0};  // notify-keyspace-events
    // Memory limit and eviction; maxmemory-policy is the index of its value
    // (EvictionPolicy), noeviction by default.
    std::atomic<int64_t> maxmemory{0};
    std::atomic<int64_t> maxmemory_policy{7};
    std::atomic<int64_t> maxmemory_samples{5};
    std::atomic<int64_t> lfu_log_factor{10};
    std::atomic<int64_t> lfu_decay_time{1};
    std::atomic<int64_t> slowlog_log_slower_than{10000};  // microseconds; negative: off
    std::atomic<int64_t> slowlog_max_len{128};
    std::atomic<int64_t> latency_monitor_threshold{0};  // milliseconds; 0: off
    std::atomic<int64_t> acllog_max_len{128};
    std::atomic<bool> protected_mode{true};
    std::atomic<int64_t> tracking_table_max_keys{1000000};  // 0: no limit
    // enable-debug-command, enable-module-command, enable-protected-configs:
    // the index of the value in "no|yes|local" (ProtectedAction).
    std::atomic<int64_t> enable_debug_command{0};
    std::atomic<int64_t> enable_module_command{0};
    std::atomic<int64_t> enable_protected_configs{0};
  };

  Config();

  // Sets a parameter from text; returns "" or the reason it was refused
  // (the tail of Redis's CONFIG SET error). at_startup allows immutable ones.
  std::string Set(std::string_view name, std::string_view value, bool at_startup);
  bool Get(std::string_view name, std::string* value) const;
  // (name, value) of every parameter matching the glob, in name order.
  std::vector<std::pair<std::string, std::string>> Match(std::string_view pattern) const;
  bool Known(std::string_view name) const;
  // Redis's PROTECTED_CONFIG parameters (dir, dbfilename): CONFIG SET
  // changes them only as enable-protected-configs allows.
  bool Protected(std::string_view name) const;

  // Loads "name = value" lines; returns "" or an error naming file and line.
  std::string LoadFile(const std::string& path);
  // EMBER_<NAME> with '_' for '-' (EMBER_MAXMEMORY_POLICY).
  std::string LoadEnvironment();
  // Writes current values back into the file, keeping its comments and
  // order; parameters not in it and not at their default are appended.
  std::string Rewrite();
  // A complete, commented ember.conf with every default.
  std::string Template() const;

  const std::string& config_file() const { return config_file_; }
  void set_config_file(std::string path) { config_file_ = std::move(path); }
  std::vector<const ParamSpec*> Specs() const;

  // Called after a successful Set of this parameter (not at start-up).
  void OnChange(std::string_view name, std::function<void(const std::string&)> fn);

  // A parameter registered at run time (by a module): the strings of spec
  // are copied. validate, when set, may refuse a value that passed the
  // type and bounds checks by returning the reason. Returns false if the
  // name is taken.
  using Validator = std::function<std::string(const std::string&)>;
  bool AddParam(const ParamSpec& spec, Validator validate);
  void RemoveParam(std::string_view name);

  // Start-up values for names no parameter has yet (a module's, before the
  // module is loaded): LoadFile and the flags keep them here, in order, and
  // ApplyDeferred sets them once modules are loaded. Returns "" or the
  // first that is still unknown or refused.
  void Defer(std::string name, std::string value, std::string origin);
  std::string ApplyDeferred();
  // `loadmodule <path> [args]` lines of the config file, in order.
  const std::vector<std::string>& module_lines() const { return module_lines_; }

  Live live;

 private:
  struct Param {
    const ParamSpec* spec;
    std::string value;
    std::atomic<int64_t>* mirror = nullptr;
    std::atomic<bool>* bool_mirror = nullptr;
    std::function<void(const std::string&)> on_change;
    Validator validate;
  };
  // A run-time parameter's spec and the strings it points into.
  struct OwnedSpec {
    std::string name, enum_values, default_value, doc;
    ParamSpec spec;
  };
  struct Deferred {
    std::string name, value, origin;
  };
  Param* Find(std::string_view name);
  const Param* Find(std::string_view name) const;
  std::string Normalize(const ParamSpec& spec, std::string_view value, std::string* out) const;
  void ApplyBufferLimits(const std::string& value);

  mutable std::mutex mu_;
  std::map<std::string, Param, std::less<>> params_;
  std::map<std::string, std::string, std::less<>> aliases_;
  std::string config_file_;
  std::list<OwnedSpec> owned_specs_;  // a list: erasing one leaves the others where Params point
  std::vector<Deferred> deferred_;
  std::vector<std::string> module_lines_;
};

}  // namespace ember
