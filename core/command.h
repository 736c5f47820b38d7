// The command table: the one place that says, for every command, its name,
// arity, flags, key positions and handler. The dispatcher routes by it,
// COMMAND reports from it, and (later) ACL categories and modules read it.
// Each *_family.cc file registers its commands here at start-up.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "entry.h"
#include "reply.h"

namespace ember {

class Conn;
class Db;
class Server;
class Shard;
struct ModuleCommand;
struct CommandArg;

enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadOnly = 1 << 1,
  kCmdFast = 1 << 2,
  kCmdAdmin = 1 << 3,
  kCmdDenyOom = 1 << 4,
  kCmdNoScript = 1 << 5,
  kCmdLoading = 1 << 6,
  kCmdStale = 1 << 7,
  kCmdNoAuth = 1 << 8,
  kCmdBlocking = 1 << 9,
  kCmdPubSub = 1 << 10,
  kCmdMayReplicate = 1 << 11,
  kCmdSkipMonitor = 1 << 12,
  kCmdSkipSlowlog = 1 << 13,
  kCmdAllowBusy = 1 << 14,
  // Refused when queued inside MULTI (SHUTDOWN, SAVE): Redis's no-multi.
  kCmdNoMulti = 1 << 15,
  // Routing (ember): runs on the client's thread and touches no keyspace.
  kCmdConnection = 1 << 20,
  // Routing (ember): needs every shard held (DBSIZE, FLUSHALL, KEYS, INFO).
  kCmdAllShards = 1 << 21,
  // Runs even inside MULTI instead of being queued (EXEC, DISCARD, ...).
  kCmdMultiControl = 1 << 22,
  // Allowed to a RESP2 client in subscribed mode ((P|S)SUBSCRIBE, PING, ...).
  kCmdSubscribedOk = 1 << 23,
  // Redis's PROTECTED (DEBUG, MODULE LOAD/LOADEX/UNLOAD): refused unless
  // enable-debug-command / enable-module-command allows the client. A
  // container carries it too, so the dispatcher looks at its subcommands
  // only when it is set.
  kCmdProtected = 1 << 26,
  // Feeds MONITOR itself: EXEC shows the commands it ran, then itself.
  kCmdFeedsMonitors = 1 << 27,
};

struct CmdCtx;
using CommandHandler = void (*)(CmdCtx&);

struct CommandSpec {
  std::string name;   // lower case; "config|get" for a subcommand
  int arity;          // Redis: N exactly, -N at least N (the name counts)
  uint32_t flags;
  int first_key;      // 0: no keys
  int last_key;       // negative: from the end (-1 = last argument)
  int key_step;
  CommandHandler handler;
  std::string group;  // "string", "generic", "server", "connection"
  std::string summary;
  std::string since;
  std::vector<CommandSpec> subcommands;  // for COMMAND output; dispatch is the parent's
  // Keys counted by an argument (SINTERCARD 2 a b, ZUNIONSTORE d 2 a b):
  // the index of that count; the keys follow it. 0: none.
  int keynum_index = 0;
  // A module's command: its module-side handler and key finder.
  const ModuleCommand* module = nullptr;
  // A module command's ACL categories beyond those its flags imply ("@search").
  std::vector<std::string> acl_extra = {};
  // Its index in per-command tables (statistics, ACL bits), subcommands
  // included; given by CommandTable::Add.
  uint32_t id = 0;
  // Its ACL categories, a bit per AclCategoryNames() entry; given by
  // CommandTable::Add (AclCategoryBits).
  uint32_t acl_categories = 0;
  // Its arguments for COMMAND DOCS (command_args.inc); given by
  // CommandTable::Add. nullptr: none described.
  const std::vector<CommandArg>* args = nullptr;
};

// What a handler sees. Keys are resolved to their shard's Db through db();
// the dispatcher guarantees every shard a command's keys live on is owned by
// or held by the running thread.
struct CmdCtx {
  std::span<const std::string_view> argv;
  Reply& reply;
  Server& server;
  Shard& shard;          // the thread running the command
  Conn* conn;            // the client, when running on its thread; else nullptr
  const CommandSpec& spec;
  // Set when every key of the command lives on one shard: its Db, so
  // handlers skip hashing the key to find the shard again.
  Db* home = nullptr;
  // The client's selected database (SELECT): the one db(), KeyDb and
  // db_at resolve to on each shard.
  uint32_t db_index = 0;
  // The client's id when conn is not given (a command run for a client of
  // another shard); ids never change, so any thread may read them.
  uint64_t client_id = 0;
  // What the AOF and write listeners record instead of argv, for a command
  // whose effect depends on the clock or on chance (SETEX becomes SET
  // PXAT, SPOP becomes SREM of what it popped). Empty: argv as it came.
  std::vector<std::string> propagate_as = {};
  // Commands recorded right after this one, in the same AOF frame: a
  // module's key_set_expire is recorded as PEXPIREAT with the time it set,
  // so a replay does not restart a TTL the module computed from the clock.
  std::vector<std::vector<std::string>> propagate_after = {};
  // The client's address when conn is not given (SLOWLOG); a client's
  // address never changes, so any thread may read it.
  const std::string* peer = nullptr;
  // CLIENT TRACKING: the client tracks this read-only command's keys
  // (decided on its thread), and the shard the client lives on.
  bool track_reads = false;
  uint32_t client_shard = 0;
  // While some client WATCHes, blocks or tracks (Shard::Execute decides),
  // the keys this command notified for: Redis raises a WATCH only for a key
  // a command changed, and every change notifies, so these are the keys to
  // touch.
  bool record_touched = false;
  struct TouchedKey {
    uint32_t db;
    std::string key;
  };
  std::vector<TouchedKey> touched = {};

  // Inline on every command's path: its vectors are empty but for a few
  // commands, and an out-of-line call cost more than the checks.
  [[gnu::always_inline]] ~CmdCtx() = default;

  Db& db(std::string_view key) { return home ? *home : KeyDb(key); }
  // A keyspace notification (notify-keyspace-events) of class `type`, in
  // the selected database.
  void Notify(int64_t type, std::string_view event, std::string_view key) { NotifyIn(db_index, type, event, key); }
  // The same for a key of database db (MOVE's destination).
  void NotifyIn(uint32_t db, int64_t type, std::string_view event, std::string_view key);
  Db& KeyDb(std::string_view key);
  // The selected database's part on a shard; db_in: another database's
  // (MOVE, COPY ... DB, SWAPDB).
  Db& db_at(uint32_t shard_index);
  Db& db_in(uint32_t db, std::string_view key);
  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  void WrongArity();
};

// Publishes a keyspace notification from `shard` for a key of database
// `db` if its class is enabled.
void NotifyKeyspaceEvent(Server& server, Shard& shard, int64_t type, std::string_view event, std::string_view key,
                         uint32_t db);

// Looks up key for a command on values of `type`. Returns false, having
// replied WRONGTYPE, when key holds another type; else *e is the entry or
// nullptr when absent.
bool LookupTyped(CmdCtx& ctx, std::string_view key, ValueType type, Entry** e);

// SCAN, HSCAN, SSCAN and ZSCAN arguments: cursor [MATCH p] [COUNT n]
// [TYPE t] (TYPE for SCAN only).
struct ScanArgs {
  uint64_t cursor = 0;
  std::string_view pattern;
  bool has_pattern = false;  // false for a match-all "*"
  int64_t count = 10;
  std::string_view type;
  bool has_type = false;
  bool Matches(std::string_view s) const;
};
// Parses from argv[cursor_index]; replies the error and returns false when
// the arguments are bad.
bool ParseScanArgs(CmdCtx& ctx, size_t cursor_index, bool allow_type, ScanArgs* out);
// The buckets a scan may visit for COUNT count: Redis's count * 10, held at
// INT64_MAX instead of overflowing (a huge COUNT then walks everything).
inline int64_t ScanIterations(int64_t count) {
  return count > INT64_MAX / 10 ? INT64_MAX : count * 10;
}
// [cursor, [items...]] with the cursor as a bulk string, as Redis replies.
void ReplyScanHeader(Reply& reply, uint64_t next_cursor, size_t items);

// A HELP subcommand's reply: each line as a simple string.
void ReplyHelp(CmdCtx& ctx, std::initializer_list<const char*> lines);

// A reply whose length comes from a client's count, not from the data
// (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER with a negative count), may not
// outgrow proto-max-bulk-len, the most a client may send in one bulk:
// -9223372036854775807 would otherwise stall the shard and fill the
// memory. Called as the reply grows (every kCountedCheckEvery elements);
// when over, the reply from `start` is replaced by an error and false
// returned.
inline constexpr size_t kCountedCheckEvery = 1024;
bool CountedReplyFits(CmdCtx& ctx, size_t start);

// A database index argument (SELECT, MOVE, COPY ... DB): false, having
// replied Redis's error, when it is not a 32-bit integer or no database.
bool ParseDbIndex(CmdCtx& ctx, std::string_view arg, uint32_t* out);

// Drops the client's MULTI state and WATCHes (DISCARD, RESET).
void ResetTransaction(CmdCtx& ctx);

// A generator for random choices (SPOP, HRANDFIELD, ...), one per thread.
std::mt19937_64& ThreadRng();

class CommandTable {
 public:
  static CommandTable& Get();
  void Add(CommandSpec spec);
  // Takes a command out of lookups (MODULE UNLOAD). Its spec stays
  // allocated: a client's last_command or a batch in flight may point to it.
  void Remove(std::string_view name);
  // Case-insensitive; allocates nothing.
  const CommandSpec* Find(std::string_view name) const;
  const std::vector<const CommandSpec*>& All() const { return ordered_; }
  // One past the largest CommandSpec::id, and the spec of an id.
  uint32_t id_count() const { return static_cast<uint32_t>(by_id_.size()); }
  const CommandSpec* ById(uint32_t id) const { return id < by_id_.size() ? by_id_[id] : nullptr; }
  // The subcommand spec ("config|get") for a container command line, or
  // the spec itself.
  static const CommandSpec& Resolve(const CommandSpec& spec, std::span<const std::string_view> argv);
  // Key argument indexes of a command line per the spec's key positions.
  static void KeyIndexes(const CommandSpec& spec, std::span<const std::string_view> argv, std::vector<size_t>* out);

 private:
  // A name's first 16 bytes with A-Z folded to a-z, zero-padded, in two
  // words, and its hash: a lookup compares two words, not bytes.
  struct NameKey {
    uint64_t word[2] = {0, 0};
    uint32_t hash = 0;
  };
  struct Slot {
    uint64_t word[2] = {0, 0};
    const CommandSpec* spec = nullptr;
  };
  static constexpr size_t kMinSlots = 512;
  static NameKey KeyOf(std::string_view name);
  void Index(const CommandSpec* spec);
  void Rebuild(size_t slots);

  std::deque<CommandSpec> specs_;  // a deque: adding never moves a spec
  // Find's index: open addressing by NameKey::hash, a power of two in size
  // and at most half full, so a lookup folds and hashes the name a word at
  // a time and compares it with one slot in the common case (a byte-wise
  // scan of the names of the same length cost several times as much).
  std::vector<Slot> slots_;
  // The commands that Find finds, in the order they were added.
  std::vector<const CommandSpec*> ordered_;
  std::vector<const CommandSpec*> by_id_;
};

// The registrations, one per family file.
void RegisterStringFamily(CommandTable& t);
void RegisterKeysFamily(CommandTable& t);
void RegisterServerFamily(CommandTable& t);
void RegisterHashFamily(CommandTable& t);
void RegisterSetFamily(CommandTable& t);
void RegisterListFamily(CommandTable& t);
void RegisterMultiFamily(CommandTable& t);
void RegisterPubSubFamily(CommandTable& t);
void RegisterZSetFamily(CommandTable& t);
void RegisterModuleFamily(CommandTable& t);
void RegisterDebugFamily(CommandTable& t);
void RegisterDumpFamily(CommandTable& t);
void RegisterMemoryFamily(CommandTable& t);
void RegisterPersistFamily(CommandTable& t);
void RegisterAclFamily(CommandTable& t);
void RegisterObservabilityFamily(CommandTable& t);
void RegisterAllCommands();

}  // namespace ember
