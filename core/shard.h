// Shard: one worker thread with its own libevent loop, its part of the
// keyspace (Db) and the client connections pinned to it. Nothing outside
// this thread touches the Db, except a thread that holds the shard.
//
// Cross-thread traffic is messages on each shard's lock-free inbox:
//  - ExecBatch: commands for keys this shard owns, from a client on another
//    shard; all commands bound for one shard in one loop iteration travel
//    in one batch, in order.
//  - ReplyBatch: their replies, batched the same way.
//  - Hold: park this thread so another thread may run a command that spans
//    several shards (see RunHolding and ARCHITECTURE.md).
#pragma once

#include <concurrentqueue/concurrentqueue.h>
#include <event2/event.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "blocking.h"
#include "command.h"
#include "command_stats.h"
#include "conn.h"
#include "db.h"
#include "memory_meter.h"
#include "module.h"
#include "util.h"

namespace ember {

class Conn;
class PubSubRegistry;
class Server;
struct CmdCtx;
struct CommandSpec;
struct ModuleTransport;

struct Message {
  enum class Kind { kExec, kReplies, kHold, kNewConn, kCall, kPushes };
  explicit Message(Kind k) : kind(k) {}
  virtual ~Message() = default;
  Kind kind;
};

// A shard's memory figures as of its last cron tick (the key counts also
// as of its last maxmemory check), for MEMORY STATS, INFO memory and the
// other shards' eviction share.
struct ShardMemory {
  std::atomic<uint64_t> keys{0};
  std::atomic<uint64_t> volatile_keys{0};   // keys with a TTL
  std::atomic<uint64_t> table_bytes{0};     // the keyspace's bucket arrays
  std::atomic<uint64_t> expires_bytes{0};   // its array of keys with a TTL
  std::atomic<uint64_t> client_bytes{0};    // its clients' input and output buffers
};

struct ShardStats {
  uint64_t commands = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t cross_shard_batches = 0;
  uint64_t held_commands = 0;
  uint64_t handler_exceptions = 0;  // INFO stats: commands whose handler threw
};

inline constexpr std::string_view kErrHandlerOom = "-OOM out of memory while running the command";
inline constexpr std::string_view kErrHandlerInternal = "internal error while running the command";

// A copy of one shard's figures, taken on its own thread (the metrics
// endpoint's view, which never stops a shard).
struct ShardSnapshot {
  ShardStats stats;
  DbStats db;
  CommandStatsTable commands;
  uint32_t index = 0;
  uint64_t keys = 0, expires = 0, clients = 0, blocked_clients = 0;
};

class Shard {
 public:
  Shard(Server& server, uint32_t index);
  ~Shard();

  void Start();
  void Join();
  // The shard whose thread is calling, or nullptr on any other thread.
  static Shard* Current() { return current_; }
  uint32_t index() const { return index_; }
  // Database `index` (< Server::databases()) of this shard: made on first
  // use, so a database never selected costs a pointer.
  Db& db(uint32_t index) {
    Db* d = dbs_[index].get();
    return d ? *d : MakeDb(index);
  }
  // Every database in use, in index order.
  template <class Fn>
  void ForEachDb(Fn&& fn) {
    for (size_t i = 0; i < used_dbs_.size(); ++i) fn(*used_dbs_[i]);
  }
  // What the databases share: the clock, tracking, pause.
  void set_now(int64_t ms) { dbs_[0]->set_now(ms); }
  int64_t now() const { return db_shared_.now_ms; }
  KeyReaders& tracking() { return db_shared_.tracking; }
  bool ExpiryFrozen() const { return dbs_[0]->ExpiryFrozen(); }
  // Sums of the databases' counters and sizes.
  DbStats TotalDbStats() const;
  uint64_t TotalKeys() const;
  uint64_t TotalExpires() const;
  void ResetDbStats();
  Server& server() { return server_; }
  event_base* base() { return base_; }
  ShardStats& stats() { return stats_; }
  const ShardMemory& memory() const { return memory_; }
  CommandStatsTable& command_stats() { return command_stats_; }
  // On this shard's thread: a copy of its figures.
  void TakeSnapshot(ShardSnapshot* out);

  // Any thread that is not a shard: hand this shard a message (it takes
  // ownership). Shards use Send, whose producer tokens keep each sender's
  // messages in order.
  void Post(Message* m);
  // Any thread: run fn on this shard's thread.
  void Call(std::function<void(Shard&)> fn);

  // Runs a parsed command for a client of this shard.
  void Dispatch(Conn& conn, std::span<const std::string_view> argv);
  // Runs fn while every shard in `shards` is parked (this one included, by
  // being the caller), so fn may touch all of their Dbs: one point in each
  // shard's serial order. Holds are taken one at a time server-wide.
  void RunHolding(const std::vector<uint32_t>& shards, const std::function<void()>& fn);
  void RunHoldingAll(const std::function<void()>& fn);
  // Runs a command whose shards this thread owns or holds: the handler,
  // then WATCH bookkeeping for the keys a write command named, then its
  // statistics (and SLOWLOG / LATENCY when it was slow).
  void Execute(CmdCtx& ctx);
  // A write command's bookkeeping around Execute's handler. Before: a
  // failed background save refuses it (stop-writes-on-bgsave-error), and a
  // snapshot in progress keeps the old values of its keys; false when it
  // answered the refusal. After: a write that did not fail counts as a
  // change and goes to the AOF and to modules listening to writes.
  bool BeforeWrite(CmdCtx& ctx);
  // While a snapshot runs: keeps the old values of the keys ctx's command
  // names. The caller owns or holds their shards.
  void SaveKeysBeforeWrite(CmdCtx& ctx);
  void AfterWrite(CmdCtx& ctx, size_t before);
  // Records a change made outside a command (an expired key's DEL, a
  // served blocking command) as argv, for a key of database db. The AOF
  // buffer and the write listeners' stream get a SELECT first when db is
  // not the one their last record was in (an AOF frame starts in db 0).
  void Propagate(std::span<const std::string_view> argv, uint32_t db);
  // Whether WATCHes or blocked clients may care about what this write
  // command changes (when there are any).
  bool ObservesKeys(const CmdCtx& ctx) const {
    return (ctx.spec.flags & kCmdWrite) && !(ctx.spec.flags & kCmdConnection) &&
           key_observers_->load(std::memory_order_relaxed) != 0;
  }
  void TouchKeys(CmdCtx& ctx);
  // CLIENT TRACKING. RememberReads: the keys of a read the client tracks.
  // EnableTracking / DisableTracking: on the client's thread (CLIENT
  // TRACKING, RESET, close). SendInvalidations: after the loop iteration,
  // the invalidations this shard's Db owes, to the clients' home shards.
  void RememberReads(CmdCtx& ctx);
  void EnableTracking(Conn& c);
  void DisableTracking(Conn& c);
  void SendInvalidations();
  void DeliverInvalidations(const std::vector<Invalidation>& batch);
  // Past maxmemory: evicts keys of this shard's Db by maxmemory-policy until
  // used memory is under limit again, or for about a millisecond (the cron
  // goes on). False when still over it with nothing left to evict.
  bool ReclaimMemory(int64_t limit);
  // A command refused before it ran (arity, ACL, OOM): counted as Redis's
  // rejected_calls and in errorstats.
  void CountRejected(const CommandSpec* spec, std::string_view error);
  // Replies Redis's -OOM and counts it as rejected.
  void RefuseOom(Reply& reply, const CommandSpec* spec);
  // Runs modules' command filters (cluster redirects); false when one
  // answered for the command.
  bool PassesFilters(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv);
  // The shards a command's keys live on.
  void KeyShards(const CommandSpec& spec, std::span<const std::string_view> argv, std::vector<uint32_t>* out);

  // Any thread: give this shard a newly accepted client socket (its client
  // id is given at accept, so ids follow connection order).
  // transport: a module's (TLS), or nullptr for plain TCP.
  void AcceptConn(int fd, uint64_t id, std::string peer, std::string local, const ModuleTransport* transport);
  // Client bookkeeping.
  void AddConn(int fd, uint64_t id, std::string peer, std::string local, const ModuleTransport* transport);
  void ConnClosed(Conn* c);
  // A closing client's WATCHes, removed by their shards' own threads.
  void ReleaseWatches(Conn& c);

  // Blocking commands. Registers b (claimed by no one yet) on its keys;
  // the caller holds their shards.
  void BlockOn(std::shared_ptr<BlockedClient> b);
  // On b's home thread, after b was claimed without being served (timeout,
  // CLIENT UNBLOCK, disconnection): sends it `reply` and drops its
  // registrations.
  void FinishBlocked(BlockedClient& b, std::string_view reply);
  // PUBLISH / SPUBLISH: hands the message to every matching subscriber
  // (on this thread now, on others by message); returns how many.
  int64_t Publish(PubSubRegistry& registry, std::string_view kind, std::string_view channel,
                  std::string_view payload);
  // MONITOR: one line for the client conn_id of this shard.
  void DeliverMonitorLine(uint64_t conn_id, std::string_view line);
  // Drops all of c's subscriptions (UNSUBSCRIBE ..., RESET, close).
  void UnsubscribeAll(Conn& c);

  // Write commands that changed something, for the save points.
  uint64_t changes() const { return changes_.load(std::memory_order_relaxed); }
  // Work done a slice at a time between client work (a snapshot's walk):
  // step returns true when finished. The loop does not sleep while any
  // remains.
  void AddBackgroundTask(std::function<bool()> step) { background_.push_back(std::move(step)); }
  // Writes this thread's AOF records as one frame.
  void WriteAofBuffer();
  // appendfsync always: whether this thread wrote AOF frames not yet
  // fsynced, which its replies must wait for.
  bool aof_unsynced() const { return aof_unsynced_; }
  void SyncAof();

  // ProcessInput for c after this loop iteration (its blocking command was
  // answered while something else was running).
  void ResumeLater(Conn* c) { resume_.push_back(c); }
  void MarkDirty(Conn* c) { dirty_.push_back(c); }
  // CLIENT PAUSE: c's command waits; ResumePostponed runs it when no pause
  // holds it any more (CLIENT UNPAUSE, or the cron once the time is up).
  void Postponed(uint64_t conn_id) { postponed_.push_back(conn_id); }
  void ResumePostponed();
  // CLIENT KILL: closes c after this loop iteration. Called by the owning
  // thread or by a thread holding this shard.
  void Kill(Conn* c) { killed_.push_back(c); }
  const std::unordered_set<Conn*>& conns() const { return conns_; }
  // Stops reading from clients and reports whether all replies are out.
  void BeginShutdown();
  bool Drained() const;
  void Stop();

 private:
  struct ExecBatch;
  struct ReplyBatch;
  struct HoldToken;
  struct HoldMsg;
  struct NewConnMsg;
  struct CallMsg;
  struct PushBatch;

  void Loop();
  void Send(uint32_t dest, Message* m);
  void Wake();
  // Runs every message in the inbox. Re-entrant: a message whose work
  // waits for other shards (RunHolding's wait for the hold mutex) drains
  // the inbox from inside, and that inner call goes on with the messages
  // the outer one had already taken (a hold request among them).
  void DrainInbox();
  void AfterEvents();
  void FlushOutgoing();
  // Serves clients blocked on keys of this shard that became ready.
  void ServeBlocked();
  void DeliverBlockedReply(BlockedClient& b, std::string_view reply);
  void ForgetBlocked(const std::shared_ptr<BlockedClient>& b);
  void ExecuteBatch(ExecBatch& b);
  void DeliverReplies(ReplyBatch& b);
  void Park(HoldToken* token);
  void RunLocal(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv);
  // Runs the command inside `around` (which may hold shards), its reply
  // written aside and appended to the client's output afterwards.
  void RunAside(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv,
                const std::function<void(const std::function<void()>&)>& around);
  void SendRemote(uint32_t target, Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv);
  void Cron();
  void PublishMemory();
  // Whether a denyoom command may run: no limit, under it, or back under it
  // after evicting.
  bool HasMemory() {
    int64_t limit = maxmemory_->load(std::memory_order_relaxed);
    // Nothing is evicted while CLIENT PAUSE is in force, as in Redis.
    return limit == 0 || ExpiryFrozen() || ReclaimMemory(limit);
  }
  Db& MakeDb(uint32_t index);
  // Evicts one key of one database by the policy; false when none has one.
  bool EvictOne(EvictionPolicy policy, int samples);
  void ServeBlockedIn(Db& db);
  // Execute's bookkeeping after the handler ran for `ns` nanoseconds and
  // wrote its reply from offset `before`.
  void CountCall(CmdCtx& ctx, size_t before, int64_t ns);
  // A handler threw: its partial reply (from offset `before`) is replaced
  // by `error`, so the client gets exactly one reply; logged and counted
  // in handler_exceptions (CountCall then counts the error as a failure).
  void HandlerFailed(CmdCtx& ctx, size_t before, std::string_view error, const char* what) noexcept;
  void RecordSlow(CmdCtx& ctx, const CommandSpec& spec, int64_t us);
  // The ACL verdict for a client whose user is restricted or who has not
  // authenticated; false when it answered the refusal.
  bool AclPermits(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv);
  // enable-debug-command / enable-module-command for a kCmdProtected
  // command (conn.last_command); replies Redis's refusal and returns false.
  bool ProtectedPermits(Conn& conn);
  // Closes a client that sent POST or Host: (an HTTP request), as Redis.
  void RefuseHttp(Conn& conn);
  static void OnWake(evutil_socket_t, short, void* arg);
  static void OnCron(evutil_socket_t, short, void* arg);

  Server& server_;
  uint32_t index_;
  DbShared db_shared_;
  std::vector<std::unique_ptr<Db>> dbs_;  // `databases` slots; [0] always made
  std::vector<Db*> used_dbs_;              // the ones made, by index
  uint32_t evict_next_ = 0;  // the database eviction tries first (round robin)
  uint32_t aof_db_ = 0;  // the database aof_buf_'s last record is in
  event_base* base_ = nullptr;
  event* wake_ev_ = nullptr;
  event* cron_ev_ = nullptr;
  int wake_fd_ = -1;
  std::atomic<bool> wake_pending_{false};  // an eventfd write is on its way
  std::atomic<bool> sleeping_{false};      // about to block, or blocked, in epoll
  std::atomic<int64_t> inbox_pending_{0};  // messages posted, not yet taken
  moodycamel::ConcurrentQueue<Message*> inbox_;
  // Messages taken from inbox_ and not yet run: [taken_next_, taken_end_).
  std::array<Message*, 64> taken_{};
  size_t taken_next_ = 0, taken_end_ = 0;
  std::vector<std::unique_ptr<moodycamel::ProducerToken>> tokens_;  // one per destination inbox
  std::vector<ExecBatch*> out_exec_;
  std::vector<ReplyBatch*> out_reply_;
  std::vector<PushBatch*> out_push_;
  std::unordered_map<uint64_t, Conn*> by_id_;  // this shard's clients
  std::unordered_set<Conn*> conns_;
  std::vector<Conn*> dirty_;
  std::vector<Conn*> dead_;
  std::vector<Conn*> killed_;
  std::vector<Conn*> resume_;
  std::vector<uint64_t> postponed_;  // ids: a client may close while it waits
  std::thread thread_;
  std::atomic<bool> running_{false};
  bool shutting_down_ = false;
  bool holding_ = false;  // inside RunHolding's fn
  int64_t last_client_check_ms_ = 0;
  std::vector<size_t> key_scratch_;
  std::vector<uint32_t> shard_scratch_;
  ShardStats stats_;
  std::atomic<uint64_t> changes_{0};
  std::string aof_buf_;
  bool aof_unsynced_ = false;
  std::vector<std::function<bool()>> background_;
  ShardMemory memory_;
  const std::atomic<int64_t>* maxmemory_;
  const std::atomic<int64_t>* key_observers_;  // Server::key_observers, read on every write
  std::optional<ThreadMeter> meter_;  // made on the shard's thread
  CommandStatsTable command_stats_;
  static thread_local Shard* current_;
  friend class Conn;
};

// Here so the local and batch paths inline it: it is on every command's way.
inline void Shard::Execute(CmdCtx& ctx) {
  if ((ctx.spec.flags & kCmdDenyOom) && !HasMemory()) [[unlikely]]
    return RefuseOom(ctx.reply, &ctx.spec);
  size_t before = ctx.reply.buffer()->size();
  if ((ctx.spec.flags & kCmdWrite) && !BeforeWrite(ctx)) [[unlikely]]
    return;
  ctx.record_touched = ObservesKeys(ctx);
  int64_t start = MonotonicNs();
  tls_acting_client = ctx.conn ? ctx.conn->id() : ctx.client_id;
  // The one barrier every command crosses (local, batched, held, queued in
  // MULTI, modules' commands): no exception reaches the event loop.
  try {
    ctx.spec.handler(ctx);
    if (ctx.track_reads) [[unlikely]]
      RememberReads(ctx);
  } catch (const std::bad_alloc& e) {
    HandlerFailed(ctx, before, kErrHandlerOom, e.what());
  } catch (const std::exception& e) {
    HandlerFailed(ctx, before, kErrHandlerInternal, e.what());
  } catch (...) {
    HandlerFailed(ctx, before, kErrHandlerInternal, "unknown exception");
  }
  int64_t ns = MonotonicNs() - start;
  ++stats_.commands;
  if (ctx.record_touched) [[unlikely]]
    TouchKeys(ctx);
  tls_acting_client = 0;
  CountCall(ctx, before, ns);
  if (ctx.spec.flags & kCmdWrite) AfterWrite(ctx, before);
}

}  // namespace ember
