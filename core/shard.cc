#include "shard.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "acl.h"
#include "blocking.h"
#include "command.h"
#include "conn.h"
#include "module.h"
#include "persistence.h"
#include "snapshot.h"
#include "pubsub.h"
#include "server.h"
#include "slot.h"
#include "util.h"

namespace ember {

// Commands for this shard from a client on another: arguments are copied
// into one arena (the client's read buffer will be reused), each command
// remembers where its reply must go.
struct Shard::ExecBatch : Message {
  ExecBatch() : Message(Kind::kExec) {}
  struct Cmd {
    Conn* conn;
    uint64_t seq;
    const CommandSpec* spec;
    uint32_t first_arg;
    uint32_t argc;
    int resp;
    bool track_reads;  // CLIENT TRACKING: remember the keys for the client
    uint32_t db;       // the client's selected database
  };
  uint32_t from = 0;
  std::string arena;
  std::vector<std::pair<size_t, size_t>> args;
  std::vector<Cmd> cmds;
};

struct Shard::ReplyBatch : Message {
  ReplyBatch() : Message(Kind::kReplies) {}
  struct Item {
    Conn* conn;
    uint64_t seq;
    size_t off, len;  // len kFailed: the command could not run
  };
  static constexpr size_t kFailed = SIZE_MAX;
  std::string data;
  std::vector<Item> items;
};

struct Shard::HoldToken {
  std::atomic<int> parked{0};
  std::atomic<bool> released{false};
  std::atomic<int> left{0};
};

struct Shard::HoldMsg : Message {
  explicit HoldMsg(HoldToken* t) : Message(Kind::kHold), token(t) {}
  HoldToken* token;
};

struct Shard::NewConnMsg : Message {
  NewConnMsg(int f, uint64_t i, std::string p, std::string l, const ModuleTransport* t)
      : Message(Kind::kNewConn), fd(f), id(i), peer(std::move(p)), local(std::move(l)), transport(t) {}
  int fd;
  uint64_t id;
  std::string peer, local;
  const ModuleTransport* transport;
};

// Published messages for subscribers on this shard.
struct Shard::PushBatch : Message {
  PushBatch() : Message(Kind::kPushes) {}
  struct Push {
    uint64_t conn_id;
    std::string kind, pattern, channel, payload;
  };
  std::vector<Push> pushes;
};

struct Shard::CallMsg : Message {
  explicit CallMsg(std::function<void(Shard&)> f) : Message(Kind::kCall), fn(std::move(f)) {}
  std::function<void(Shard&)> fn;
};

Shard::Shard(Server& server, uint32_t index)
    : server_(server),
      index_(index),
      db_shared_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
      dbs_(server.databases()),
      maxmemory_(&server.config().live.maxmemory),
      key_observers_(&server.key_observers()) {
  db_shared_.live = &server_.config().live;
  db_shared_.pause = &server_.client_pause();
  db_shared_.tracking.set_registry(&server_.tracking());
  MakeDb(0).set_now(NowMs());
  base_ = event_base_new();
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  // Edge-triggered: every write to the eventfd is a new edge, so the
  // counter never needs reading (one syscall less per wake-up).
  wake_ev_ = event_new(base_, wake_fd_, EV_READ | EV_PERSIST | EV_ET, &Shard::OnWake, this);
  event_add(wake_ev_, nullptr);
  cron_ev_ = event_new(base_, -1, EV_PERSIST, &Shard::OnCron, this);
  db_shared_.notify = [this](int64_t type, std::string_view event, std::string_view key, uint32_t db) {
    // An expired or evicted key's deletion is recorded, so a replay that
    // neither expires nor evicts (as Redis's does not) reaches the same data.
    if ((type == kNotifyExpired || type == kNotifyEvicted) && current_) {
      std::string_view del[] = {"DEL", key};
      current_->Propagate(del, db);
    }
    // Published by the thread making the change (a holder's, for a key of a
    // held shard), so it reaches subscribers in order with the command's own
    // events: Redis sends "new" before the event of the command that created
    // the key.
    NotifyKeyspaceEvent(server_, current_ ? *current_ : *this, type, event, key, db);
  };
}

Db& Shard::MakeDb(uint32_t index) {
  // Seeds differ per database: SWAPDB moves a seed with its table.
  uint64_t seed = std::random_device{}() ^ (static_cast<uint64_t>(index_) << 32) ^ (uint64_t{index} << 48);
  dbs_[index] = std::make_unique<Db>(seed, index, &db_shared_);
  Db* made = dbs_[index].get();
  used_dbs_.insert(std::lower_bound(used_dbs_.begin(), used_dbs_.end(), made,
                                    [](const Db* a, const Db* b) { return a->index() < b->index(); }),
                   made);
  return *made;
}

DbStats Shard::TotalDbStats() const {
  DbStats t;
  for (Db* d : used_dbs_) {
    const DbStats& s = d->stats();
    t.expired_keys += s.expired_keys;
    t.keyspace_hits += s.keyspace_hits;
    t.keyspace_misses += s.keyspace_misses;
    t.expire_cycles += s.expire_cycles;
    t.evicted_keys += s.evicted_keys;
  }
  return t;
}

uint64_t Shard::TotalKeys() const {
  uint64_t n = 0;
  for (const Db* d : used_dbs_) n += d->size();
  return n;
}

uint64_t Shard::TotalExpires() const {
  uint64_t n = 0;
  for (const Db* d : used_dbs_) n += d->expires();
  return n;
}

void Shard::ResetDbStats() {
  ForEachDb([](Db& d) { d.stats() = DbStats{}; });
}

Shard::~Shard() {
  for (Conn* c : conns_) delete c;
  for (Conn* c : dead_) delete c;
  Message* m;
  while (inbox_.try_dequeue(m)) delete m;
  for (ExecBatch* b : out_exec_) delete b;
  for (ReplyBatch* b : out_reply_) delete b;
  for (PushBatch* b : out_push_) delete b;
  event_free(cron_ev_);
  event_free(wake_ev_);
  close(wake_fd_);
  event_base_free(base_);
}

void Shard::Start() {
  uint32_t n = server_.shard_count();
  out_exec_.assign(n, nullptr);
  out_reply_.assign(n, nullptr);
  out_push_.assign(n, nullptr);
  for (uint32_t i = 0; i < n; ++i)
    tokens_.push_back(std::make_unique<moodycamel::ProducerToken>(server_.shard(i).inbox_));
  int64_t hz = server_.config().live.hz.load();
  timeval tv{0, static_cast<suseconds_t>(1000000 / hz)};
  event_add(cron_ev_, &tv);
  running_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void Shard::Join() {
  if (thread_.joinable()) thread_.join();
}

thread_local Shard* Shard::current_ = nullptr;

void Shard::Loop() {
  current_ = this;
  meter_.emplace();
  MemoryMeter::Get().MarkStartup();
  pthread_setname_np(pthread_self(), ("ember-shard-" + std::to_string(index_)).c_str());
  while (running_.load(std::memory_order_relaxed)) {
    // Announce the sleep, then look at the inbox once more: a sender either
    // sees sleeping_ and wakes us through the eventfd, or we see its
    // message here (both sides are seq_cst). Senders to a busy shard make
    // no syscall at all.
    sleeping_.store(true);
    if (inbox_pending_.load() > 0) {
      sleeping_.store(false, std::memory_order_relaxed);
      RunGuarded("a shard's messages", [this] { DrainInbox(); });
    } else {
      event_base_loop(base_, background_.empty() ? EVLOOP_ONCE : EVLOOP_NONBLOCK);
      sleeping_.store(false, std::memory_order_relaxed);
    }
    RunGuarded("a shard's end of loop", [this] { AfterEvents(); });
  }
  RunGuarded("a shard's end of loop", [this] { AfterEvents(); });
  meter_.reset();  // before the thread's counts go with it
}

void Shard::Post(Message* m) {
  inbox_.enqueue(m);
  Wake();
}

void Shard::Send(uint32_t dest, Message* m) {
  Shard& to = server_.shard(dest);
  to.inbox_.enqueue(*tokens_[dest], m);
  to.Wake();
}

void Shard::Wake() {
  inbox_pending_.fetch_add(1);
  if (sleeping_.load() && !wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    uint64_t one = 1;
    ssize_t r = write(wake_fd_, &one, sizeof(one));
    (void)r;
  }
}

void Shard::Call(std::function<void(Shard&)> fn) { Post(new CallMsg(std::move(fn))); }

void Shard::OnWake(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Shard*>(arg);
  self->wake_pending_.store(false, std::memory_order_release);
  RunGuarded("a shard's messages", [self] { self->DrainInbox(); });
}

void Shard::DrainInbox() {
  while (true) {
    if (taken_next_ == taken_end_) {
      size_t n = inbox_.try_dequeue_bulk(taken_.data(), taken_.size());
      if (n == 0) return;
      inbox_pending_.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed);
      taken_next_ = 0;
      taken_end_ = n;
    }
    // Deleted even when its work throws; the messages after it still run.
    std::unique_ptr<Message> owned(taken_[taken_next_++]);
    Message* m = owned.get();
    switch (m->kind) {
      case Message::Kind::kExec:
        ExecuteBatch(*static_cast<ExecBatch*>(m));
        break;
      case Message::Kind::kReplies:
        DeliverReplies(*static_cast<ReplyBatch*>(m));
        break;
      case Message::Kind::kHold:
        Park(static_cast<HoldMsg*>(m)->token);
        break;
      case Message::Kind::kNewConn: {
        auto* nc = static_cast<NewConnMsg*>(m);
        AddConn(nc->fd, nc->id, std::move(nc->peer), std::move(nc->local), nc->transport);
        break;
      }
      case Message::Kind::kCall:
        static_cast<CallMsg*>(m)->fn(*this);
        break;
      case Message::Kind::kPushes:
        for (const PushBatch::Push& p : static_cast<PushBatch*>(m)->pushes) {
          auto it = by_id_.find(p.conn_id);
          if (it != by_id_.end()) it->second->DeliverPush(p.kind, p.pattern, p.channel, p.payload);
        }
        break;
    }
  }
}

void Shard::ExecuteBatch(ExecBatch& b) {
  ++stats_.cross_shard_batches;
  set_now(NowMs());
  ReplyBatch*& out = out_reply_[b.from];
  if (!out) out = new ReplyBatch();
  // Room for every reply's item first: once a command has run, its client
  // must get an answer.
  size_t needed = out->items.size() + b.cmds.size();
  if (out->items.capacity() < needed) out->items.reserve(std::max(needed, 2 * out->items.capacity()));
  std::vector<std::string_view> argv;
  for (const ExecBatch::Cmd& cmd : b.cmds) {
    size_t start = out->data.size();
    try {
      argv.clear();
      for (uint32_t i = 0; i < cmd.argc; ++i) {
        const auto& [off, len] = b.args[cmd.first_arg + i];
        argv.emplace_back(b.arena.data() + off, len);
      }
      Reply reply(&out->data, cmd.resp);
      CmdCtx ctx{argv, reply, server_, *this, nullptr, *cmd.spec, &db(cmd.db), cmd.db};
      ctx.client_id = cmd.conn->id();
      ctx.peer = &cmd.conn->peer();
      ctx.track_reads = cmd.track_reads;
      ctx.client_shard = b.from;
      Execute(ctx);
      out->items.push_back({cmd.conn, cmd.seq, start, out->data.size() - start});
    } catch (const std::exception& e) {
      // Outside the handler's own barrier (its arguments or a database
      // could not be made): the client is closed when the item lands,
      // rather than left waiting or sent a reply out of order.
      out->data.resize(start);
      NoteEscapedException("a command from another shard", e.what());
      out->items.push_back({cmd.conn, cmd.seq, start, ReplyBatch::kFailed});
    }
  }
}

void Shard::DeliverReplies(ReplyBatch& b) {
  for (const ReplyBatch::Item& it : b.items) {
    it.conn->ReleaseInflight();
    if (it.conn->closed()) {
      if (it.conn->inflight() == 0) dead_.push_back(it.conn);
      continue;
    }
    if (it.len == ReplyBatch::kFailed) [[unlikely]] {
      Kill(it.conn);
      continue;
    }
    it.conn->DeliverRemote(it.seq, std::string_view(b.data.data() + it.off, it.len));
  }
}

void Shard::FlushOutgoing() {
  for (uint32_t i = 0; i < out_exec_.size(); ++i) {
    if (out_exec_[i]) {
      Send(i, out_exec_[i]);
      out_exec_[i] = nullptr;
    }
    // Pushes before replies: a command's keyspace notifications reach a
    // subscriber of that thread before the command's reply leaves, as in
    // Redis, where they are published while the command runs.
    if (out_push_[i]) {
      Send(i, out_push_[i]);
      out_push_[i] = nullptr;
    }
    if (out_reply_[i]) {
      Send(i, out_reply_[i]);
      out_reply_[i] = nullptr;
    }
  }
}

void Shard::AfterEvents() {
  ServeBlocked();
  if (db_shared_.tracking.has_outbox()) [[unlikely]]
    SendInvalidations();
  for (size_t i = 0; i < resume_.size(); ++i)
    if (!resume_[i]->closed()) resume_[i]->ProcessInput();
  resume_.clear();
  if (!background_.empty())
    std::erase_if(background_, [](const std::function<bool()>& step) { return step(); });
  // This iteration's writes reach the AOF (fsynced, with appendfsync
  // always) before any of its replies leave.
  WriteAofBuffer();
  SyncAof();
  // Near the limit, what this iteration allocated (messages for other
  // shards among it) and freed (theirs) is published before they run: a
  // change left unpublished would make the shards see different figures.
  int64_t limit = maxmemory_->load(std::memory_order_relaxed);
  if (limit) meter_->Used(limit);
  FlushOutgoing();
  for (Conn* c : killed_) c->Close();
  killed_.clear();
  for (size_t i = 0; i < dirty_.size(); ++i)
    if (!dirty_[i]->closed()) dirty_[i]->Flush();
  dirty_.clear();
  for (Conn* c : dead_) delete c;
  dead_.clear();
  // And what the writes and closes freed (a large reply's buffer): the
  // shard may sleep now, and its change would wait for the next cron.
  if (limit) meter_->Used(limit);
}

void Shard::Park(HoldToken* token) {
  // What this shard logged precedes whatever the holder does.
  WriteAofBuffer();
  token->parked.fetch_add(1, std::memory_order_acq_rel);
  token->parked.notify_all();
  while (!token->released.load(std::memory_order_acquire)) token->released.wait(false, std::memory_order_acquire);
  token->left.fetch_sub(1, std::memory_order_acq_rel);
  token->left.notify_all();
}

void Shard::RunHolding(const std::vector<uint32_t>& shards, const std::function<void()>& fn) {
  // Inside EXEC, which already holds every shard its commands need.
  if (holding_) return fn();
  // Work already queued for those shards goes first: it precedes this
  // command in its clients' order.
  FlushOutgoing();
  std::mutex& mu = server_.hold_mutex();
  while (!mu.try_lock()) {
    // Another thread is holding: it may be waiting for this one to park.
    DrainInbox();
    FlushOutgoing();
    std::this_thread::yield();
  }
  HoldToken token;
  int others = 0;
  for (uint32_t s : shards) {
    if (s == index_) continue;
    ++others;
    Send(s, new HoldMsg(&token));
  }
  token.left.store(others, std::memory_order_relaxed);
  for (int p; (p = token.parked.load(std::memory_order_acquire)) < others;) token.parked.wait(p);
  int64_t now = NowMs();
  for (uint32_t s : shards) server_.shard(s).set_now(now);
  ++stats_.held_commands;
  holding_ = true;
  fn();
  holding_ = false;
  // The holder's records reach the AOF before any held shard can log more.
  WriteAofBuffer();
  token.released.store(true, std::memory_order_release);
  token.released.notify_all();
  for (int l; (l = token.left.load(std::memory_order_acquire)) > 0;) token.left.wait(l);
  mu.unlock();
}

void Shard::RunHoldingAll(const std::function<void()>& fn) {
  std::vector<uint32_t> all(server_.shard_count());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  RunHolding(all, fn);
}

namespace {
void UnknownCommand(Reply& reply, std::span<const std::string_view> argv) {
  // Redis: the name cut at 128 bytes, then quoted arguments until the list
  // reaches 128 bytes, the last one cut to fit.
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += '\'';
    args.append(argv[i].substr(0, room));
    args += "' ";
  }
  reply.Error("unknown command '" + std::string(argv[0].substr(0, 128)) + "', with args beginning with: " + args);
}
}  // namespace

void Shard::Dispatch(Conn& conn, std::span<const std::string_view> argv) {
  const CommandSpec* spec = CommandTable::Get().Find(argv[0]);
  int64_t argc = static_cast<int64_t>(argv.size());
  bool bad_arity = spec && ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity));
  if (!spec || bad_arity) {
    // An HTTP request's lines (a browser's form, an SSRF) must not run as
    // commands: Redis closes the connection on POST or Host:, and logs it at
    // most once a minute. Not a command name, so no cost to real commands.
    if (!spec && (EqualsIgnoreCase(argv[0], "post") || EqualsIgnoreCase(argv[0], "host:"))) return RefuseHttp(conn);
    std::string* out = conn.LocalReplyTarget();
    size_t before = out->size();
    Reply reply(out, conn.resp);
    if (!spec)
      UnknownCommand(reply, argv);
    else
      reply.Error("wrong number of arguments for '" + spec->name + "' command");
    CountRejected(spec, std::string_view(*out).substr(before));
    // Inside MULTI a refused command dooms the transaction (EXECABORT).
    if (conn.multi.active) conn.multi.failed = true;
    return;
  }
  conn.last_command = &CommandTable::Resolve(*spec, argv);
  // Before NOAUTH, as Redis; one branch for every other command.
  if (spec->flags & kCmdProtected) [[unlikely]] {
    if (!ProtectedPermits(conn)) {
      if (conn.multi.active) conn.multi.failed = true;
      return;
    }
  }
  // One branch for a client whose user may do anything (the default).
  if (!conn.acl_unrestricted && !AclPermits(conn, *spec, argv)) {
    if (conn.multi.active) conn.multi.failed = true;
    return;
  }
  if (conn.resp == 2 && conn.subscriptions() > 0 && !(spec->flags & kCmdSubscribedOk)) {
    Reply(conn.LocalReplyTarget(), conn.resp)
        .Error("Can't execute '" + conn.last_command->name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    return;
  }
  // To Redis a monitor is a replica, which may not touch the keyspace.
  if (conn.monitor) [[unlikely]] {
    if (conn.last_command->flags & (kCmdReadOnly | kCmdWrite | kCmdMayReplicate)) {
      std::string* out = conn.LocalReplyTarget();
      size_t before = out->size();
      Reply(out, conn.resp).Error("Replica can't interact with the keyspace");
      CountRejected(conn.last_command, std::string_view(*out).substr(before));
      if (conn.multi.active) conn.multi.failed = true;
      return;
    }
  }
  if (ModuleHost::Get().has_filters() && !PassesFilters(conn, *spec, argv)) {
    if (conn.multi.active) conn.multi.failed = true;
    return;
  }
  if (server_.client_pause().maybe_active()) [[unlikely]] {
    bool writes = (spec->flags & (kCmdWrite | kCmdMayReplicate)) || (conn.multi.writes && spec->name == "exec");
    if (server_.client_pause().Holds(writes, NowMs())) return conn.Postpone(argv);
  }
  if (conn.multi.active && !(spec->flags & kCmdMultiControl)) {
    if (spec->flags & kCmdNoMulti) [[unlikely]] {
      std::string* out = conn.LocalReplyTarget();
      size_t before = out->size();
      Reply(out, conn.resp).Error("Command not allowed inside a transaction");
      CountRejected(spec, std::string_view(*out).substr(before));
      conn.multi.failed = true;
      return;
    }
    // As Redis: over maxmemory nothing is queued, reads included, since a
    // transaction's queue could grow without bound; EXEC then aborts.
    if (!HasMemory()) [[unlikely]] {
      Reply reply(conn.LocalReplyTarget(), conn.resp);
      RefuseOom(reply, spec);
      conn.multi.failed = true;
      return;
    }
    conn.multi.queued.emplace_back(argv.begin(), argv.end());
    conn.multi.writes |= (spec->flags & (kCmdWrite | kCmdMayReplicate)) != 0;
    Reply(conn.LocalReplyTarget(), conn.resp).Simple("QUEUED");
    return;
  }
  if (server_.monitors().active() && !(spec->flags & kCmdFeedsMonitors))
    server_.monitors().FeedCommand(server_, index_, conn.db_index, conn.peer(), *conn.last_command, argv);
  uint32_t n = server_.shard_count();
  if (spec->flags & kCmdConnection) {
    // These may hold shards themselves (INFO, CLIENT LIST, EXEC); while they
    // wait, remote replies can land in the connection's reply queue, so
    // they write aside and append when done.
    RunAside(conn, *spec, argv, [](const std::function<void()>& run) { run(); });
    return;
  }
  if (n == 1) {
    RunLocal(conn, *spec, argv);
    return;
  }
  if (spec->flags & kCmdAllShards) {
    RunAside(conn, *spec, argv, [this](const std::function<void()>& run) { RunHoldingAll(run); });
    return;
  }
  KeyShards(*spec, argv, &shard_scratch_);
  if (shard_scratch_.empty() || (shard_scratch_.size() == 1 && shard_scratch_[0] == index_)) {
    RunLocal(conn, *spec, argv);
  } else if (shard_scratch_.size() == 1) {
    SendRemote(shard_scratch_[0], conn, *spec, argv);
  } else {
    std::vector<uint32_t> shards = shard_scratch_;
    RunAside(conn, *spec, argv, [&](const std::function<void()>& run) { RunHolding(shards, run); });
  }
}

bool Shard::PassesFilters(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv) {
  CommandTable::KeyIndexes(spec, argv, &key_scratch_);
  if (key_scratch_.empty()) return true;
  int slot = static_cast<int>(KeySlot(argv[key_scratch_[0]]));
  for (size_t i : key_scratch_)
    if (static_cast<int>(KeySlot(argv[i])) != slot) {
      slot = -1;
      break;
    }
  std::string refusal;
  Reply reply(&refusal, conn.resp);
  CmdCtx ctx{argv, reply, server_, *this, &conn, spec, nullptr, conn.db_index};
  if (ModuleHost::Get().RunFilters(ctx, slot)) return true;
  conn.LocalReplyTarget()->append(refusal);
  return false;
}

void Shard::KeyShards(const CommandSpec& spec, std::span<const std::string_view> argv, std::vector<uint32_t>* out) {
  out->clear();
  CommandTable::KeyIndexes(spec, argv, &key_scratch_);
  for (size_t i : key_scratch_) {
    uint32_t s = server_.ShardIndexFor(argv[i]);
    if (std::find(out->begin(), out->end(), s) == out->end()) out->push_back(s);
  }
}

void Shard::RunAside(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv,
                     const std::function<void(const std::function<void()>&)>& around) {
  std::string scratch;
  Reply reply(&scratch, conn.resp);
  CmdCtx ctx{argv, reply, server_, *this, &conn, spec, nullptr, conn.db_index};
  if (conn.tracking.on) [[unlikely]] {
    ctx.track_reads = conn.TracksReadsOf(spec);
    ctx.client_shard = index_;
  }
  around([&] { Execute(ctx); });
  if (!conn.closed()) conn.LocalReplyTarget()->append(scratch);
}

bool Shard::BeforeWrite(CmdCtx& ctx) {
  Persistence& persistence = server_.persistence();
  if (persistence.refusing_writes()) {
    ctx.reply.Error(
        "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
        "Commands that may modify the data set are disabled, because this instance is configured to report errors "
        "during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs "
        "for details about the RDB error.");
    return false;
  }
  if (persistence.aof_write_failing()) {
    ctx.reply.Error("-MISCONF Errors writing to the AOF file: " + persistence.AofWriteError());
    return false;
  }
  // A command that runs on the client's thread and holds shards itself
  // (blocking pops) saves its keys inside its hold (SaveKeysBeforeWrite):
  // here their shards are not held, and their threads walk their Dbs.
  if (persistence.snapshot_running() && !(ctx.spec.flags & kCmdConnection)) {
    if (ctx.spec.flags & kCmdAllShards) {
      // FLUSHALL, SWAPDB: every database may change.
      for (uint32_t i = 0; i < server_.shard_count(); ++i)
        server_.shard(i).ForEachDb([](Db& db) { Snapshot::SaveAllBeforeWrite(db); });
    } else {
      SaveKeysBeforeWrite(ctx);
    }
  }
  return true;
}

void Shard::SaveKeysBeforeWrite(CmdCtx& ctx) {
  if (!server_.persistence().snapshot_running()) return;
  CommandTable::KeyIndexes(ctx.spec, ctx.argv, &key_scratch_);
  for (size_t i : key_scratch_) Snapshot::SaveBeforeWrite(ctx.db(ctx.argv[i]), ctx.argv[i]);
}

void Shard::AfterWrite(CmdCtx& ctx, size_t before) {
  Persistence& persistence = server_.persistence();
  const std::string& out = *ctx.reply.buffer();
  // No reply yet: a blocked command, recorded when it is served.
  if (out.size() == before || out[before] == '-') return;
  changes_.store(changes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (!persistence.aof_on() && !ModuleHost::Get().has_write_listeners()) return;
  if (ctx.propagate_as.empty()) {
    Propagate(ctx.argv, ctx.db_index);
  } else {
    std::vector<std::string_view> argv(ctx.propagate_as.begin(), ctx.propagate_as.end());
    Propagate(argv, ctx.db_index);
  }
  for (const std::vector<std::string>& after : ctx.propagate_after) {
    std::vector<std::string_view> argv(after.begin(), after.end());
    Propagate(argv, ctx.db_index);
  }
}

void Shard::Propagate(std::span<const std::string_view> argv, uint32_t db) {
  if (server_.persistence().aof_on()) {
    // A frame is replayed from database 0 (persistence.h).
    if (aof_buf_.empty()) aof_db_ = 0;
    if (db != aof_db_) [[unlikely]] {
      aof_db_ = db;
      std::string index = std::to_string(db);
      std::string_view select[] = {"SELECT", index};
      Persistence::AppendCommand(&aof_buf_, select);
    }
    Persistence::AppendCommand(&aof_buf_, argv);
  }
  if (ModuleHost::Get().has_write_listeners()) ModuleHost::Get().NotifyWrite(index_, argv, db);
}

void Shard::WriteAofBuffer() {
  if (aof_buf_.empty()) return;
  server_.persistence().WriteAof(&aof_buf_);
  aof_unsynced_ = true;
}

void Shard::SyncAof() {
  if (!aof_unsynced_) return;
  aof_unsynced_ = false;
  if (server_.persistence().aof_always()) server_.persistence().SyncAof();
}

void Shard::CountCall(CmdCtx& ctx, size_t before, int64_t ns) {
  const CommandSpec& spec = ctx.spec.subcommands.empty() ? ctx.spec : CommandTable::Resolve(ctx.spec, ctx.argv);
  CommandStats& cs = command_stats_.at(spec.id);
  ++cs.calls;
  cs.nsec += static_cast<uint64_t>(ns);
  if (!cs.latency) cs.latency = std::make_unique<LatencyHistogram>();
  cs.latency->Add(static_cast<uint64_t>(ns));
  const std::string& out = *ctx.reply.buffer();
  if (out.size() > before && out[before] == '-') {
    ++cs.failed_calls;
    command_stats_.CountError(std::string_view(out).substr(before));
  }
  Config::Live& live = server_.config().live;
  int64_t us = ns / 1000;
  int64_t slower_than = live.slowlog_log_slower_than.load(std::memory_order_relaxed);
  int64_t latency_ms = live.latency_monitor_threshold.load(std::memory_order_relaxed);
  if ((slower_than >= 0 && us >= slower_than) || (latency_ms > 0 && us / 1000 >= latency_ms))
    RecordSlow(ctx, spec, us);
}

void Shard::HandlerFailed(CmdCtx& ctx, size_t before, std::string_view error, const char* what) noexcept {
  ++stats_.handler_exceptions;
  const CommandSpec& spec = ctx.spec.subcommands.empty() ? ctx.spec : CommandTable::Resolve(ctx.spec, ctx.argv);
  // Giving the partial reply's memory back first leaves room for the error
  // and the log line even when memory ran out.
  std::string* out = ctx.reply.buffer();
  if (out->size() > before) out->resize(before);
  try {
    spdlog::error("command '{}' failed with an exception: {}", spec.name, what);
  } catch (...) {
    // Logging is best effort: the client's reply is what must go out.
  }
  // A client whose unsent replies fill the memory is cut off instead.
  if (error == kErrHandlerOom && ctx.conn && ctx.conn->CutOffForMemory(false)) return;
  try {
    ctx.reply.Error(error);
  } catch (...) {
    // Not even the error fits: the client is cut off rather than sent a
    // reply out of order.
    out->resize(before);
    if (ctx.conn) Kill(ctx.conn);
  }
}

void Shard::RecordSlow(CmdCtx& ctx, const CommandSpec& spec, int64_t us) {
  Config::Live& live = server_.config().live;
  int64_t slower_than = live.slowlog_log_slower_than.load(std::memory_order_relaxed);
  if (slower_than >= 0 && us >= slower_than && !(spec.flags & kCmdSkipSlowlog)) {
    std::string_view peer;
    if (ctx.conn)
      peer = ctx.conn->peer();
    else if (ctx.peer)
      peer = *ctx.peer;
    std::vector<std::string_view> redacted;
    std::span<const std::string_view> argv = RedactSecrets(spec, ctx.argv, &redacted) ? redacted : ctx.argv;
    SlowLogEntry entry = SlowLog::MakeEntry(argv, us, peer);
    auto max_len = static_cast<size_t>(live.slowlog_max_len.load(std::memory_order_relaxed));
    if (ctx.conn) {
      entry.name = ctx.conn->name;
      server_.slowlog().Add(std::move(entry), max_len);
    } else if (ctx.client_id) {
      // The client's name is its own thread's to read. Sent with the token
      // its reply will use, the entry is in the log before the reply lands.
      Send(ctx.client_shard, new CallMsg([entry = std::move(entry), id = ctx.client_id, max_len](Shard& sh) mutable {
             auto it = sh.by_id_.find(id);
             if (it != sh.by_id_.end()) entry.name = it->second->name;
             sh.server_.slowlog().Add(std::move(entry), max_len);
           }));
    } else {
      server_.slowlog().Add(std::move(entry), max_len);
    }
  }
  int64_t latency_ms = live.latency_monitor_threshold.load(std::memory_order_relaxed);
  if (latency_ms > 0 && us / 1000 >= latency_ms)
    server_.latency().Add(spec.flags & kCmdFast ? "fast-command" : "command", us / 1000);
}

void Shard::CountRejected(const CommandSpec* spec, std::string_view error) {
  if (spec) ++command_stats_.at(spec->id).rejected_calls;
  command_stats_.CountError(error);
}

void Shard::RefuseOom(Reply& reply, const CommandSpec* spec) {
  constexpr std::string_view kOom = "-OOM command not allowed when used memory > 'maxmemory'.";
  reply.Error(kOom);
  CountRejected(spec, kOom);
}

void Shard::RefuseHttp(Conn& conn) {
  static std::atomic<int64_t> logged_ms{0};
  int64_t now = NowMs(), last = logged_ms.load(std::memory_order_relaxed);
  if (now - last > 60000 && logged_ms.compare_exchange_strong(last, now, std::memory_order_relaxed))
    spdlog::warn(
        "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This "
        "is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. "
        "Connection aborted.");
  // At once, as Redis's freeClientAsync: replies not yet written are dropped.
  conn.Close();
}

bool Shard::ProtectedPermits(Conn& conn) {
  const CommandSpec& cmd = *conn.last_command;
  // A container's other subcommands (MODULE LIST, HELP), or an unknown one
  // its handler refuses.
  if (!(cmd.flags & kCmdProtected) || !cmd.subcommands.empty()) return true;
  bool debug = cmd.name == "debug";
  const Config::Live& live = server_.config().live;
  int64_t mode = (debug ? live.enable_debug_command : live.enable_module_command).load(std::memory_order_relaxed);
  if (mode == kProtectedYes || (mode == kProtectedLocal && conn.IsLocal())) return true;
  std::string* out = conn.LocalReplyTarget();
  size_t before = out->size();
  Reply(out, conn.resp)
      .Error(std::string(debug ? "DEBUG" : "MODULE") + " command not allowed. If the " +
             (debug ? "enable-debug-command" : "enable-module-command") +
             " option is set to \"local\", you can run it from a local connection, otherwise you need to set this "
             "option in the configuration file, and then restart the server.");
  CountRejected(conn.last_command, std::string_view(*out).substr(before));
  return false;
}

bool Shard::AclPermits(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv) {
  std::string* out = conn.LocalReplyTarget();
  size_t before = out->size();
  Reply reply(out, conn.resp);
  if (!conn.authenticated) {
    if (spec.flags & kCmdNoAuth) return true;
    reply.Error("-NOAUTH Authentication required.");
  } else {
    AclDenial denial = server_.acl().Check(*conn.user, spec, argv);
    if (denial.error.empty()) return true;
    reply.Error(denial.error);
    server_.acl().Log(denial.reason, "toplevel", denial.object, conn.user->name, ClientLine(conn, NowMs()),
                      static_cast<size_t>(server_.config().live.acllog_max_len.load(std::memory_order_relaxed)));
  }
  CountRejected(conn.last_command, std::string_view(*out).substr(before));
  return false;
}

void Shard::TakeSnapshot(ShardSnapshot* out) {
  out->index = index_;
  out->stats = stats_;
  out->db = TotalDbStats();
  command_stats_.MergeInto(&out->commands);
  out->keys = TotalKeys();
  out->expires = TotalExpires();
  out->clients = conns_.size();
  for (Conn* c : conns_) out->blocked_clients += c->blocked() != nullptr;
}

void Shard::DeliverMonitorLine(uint64_t conn_id, std::string_view line) {
  auto it = by_id_.find(conn_id);
  if (it != by_id_.end()) it->second->DeliverMonitorLine(line);
}

void Shard::TouchKeys(CmdCtx& ctx) {
  // The keys the command changed, which are those it notified for (a key
  // it names but leaves alone, as SMOVE's destination that already has the
  // member, raises no WATCH in Redis). A module's command changes keys
  // through the module API, which does not notify: all its keys count.
  // Blocking commands run on the client's thread outside any hold, and
  // touch what they change themselves.
  if (ctx.spec.module) {
    std::vector<size_t> keys;
    CommandTable::KeyIndexes(ctx.spec, ctx.argv, &keys);
    for (size_t i : keys) ctx.db(ctx.argv[i]).Touch(ctx.argv[i]);
    return;
  }
  for (const CmdCtx::TouchedKey& t : ctx.touched) ctx.db_in(t.db, t.key).Touch(t.key);
}

void Shard::RememberReads(CmdCtx& ctx) {
  CommandTable::KeyIndexes(ctx.spec, ctx.argv, &key_scratch_);
  if (key_scratch_.empty()) return;
  uint64_t client = ctx.conn ? ctx.conn->id() : ctx.client_id;
  // tracking-table-max-keys is shared out: each shard's Db keeps its part.
  int64_t max_keys = server_.config().live.tracking_table_max_keys.load(std::memory_order_relaxed);
  if (max_keys > 0) max_keys = std::max<int64_t>(1, max_keys / server_.shard_count());
  for (size_t i : key_scratch_)
    ctx.db(ctx.argv[i]).tracking().Remember(ctx.argv[i], client, ctx.client_shard, max_keys);
}

void Shard::EnableTracking(Conn& c) {
  c.tracking.on = true;
  server_.tracking().clients().fetch_add(1, std::memory_order_relaxed);
  // Writes now touch their keys for it (Db::Touch), as for WATCH.
  server_.key_observers().fetch_add(1, std::memory_order_relaxed);
}

void Shard::DisableTracking(Conn& c) {
  if (c.tracking.bcast) server_.tracking().RemoveBroadcast(c.id());
  c.tracking = Conn::Tracking{};
  server_.tracking().clients().fetch_sub(1, std::memory_order_relaxed);
  server_.key_observers().fetch_sub(1, std::memory_order_relaxed);
}

void Shard::SendInvalidations() {
  std::vector<Invalidation> owed;
  bool flushed = db_shared_.tracking.TakeOutbox(&owed);
  if (flushed)
    for (Conn* c : conns_)
      if (c->tracking.on && !c->closed()) c->SendInvalidation("", true, false);
  if (owed.empty()) return;
  // A key written twice in one loop iteration, or touched by a command and
  // by its editor, is invalidated once; the last record knows who wrote.
  std::vector<std::vector<Invalidation>> by_shard(server_.shard_count());
  std::unordered_set<std::string> seen;
  for (auto it = owed.rbegin(); it != owed.rend(); ++it) {
    std::string id_key = std::to_string(it->client_id) + ':' + it->key;
    if (!seen.insert(std::move(id_key)).second) continue;
    by_shard[it->shard].push_back(std::move(*it));
  }
  for (uint32_t s = 0; s < by_shard.size(); ++s) {
    if (by_shard[s].empty()) continue;
    std::reverse(by_shard[s].begin(), by_shard[s].end());
    if (s == index_)
      DeliverInvalidations(by_shard[s]);
    else
      server_.shard(s).Call([batch = std::move(by_shard[s])](Shard& shard) { shard.DeliverInvalidations(batch); });
  }
}

void Shard::DeliverInvalidations(const std::vector<Invalidation>& batch) {
  for (const Invalidation& inv : batch) {
    auto it = by_id_.find(inv.client_id);
    if (it == by_id_.end()) continue;  // gone since it read the key
    Conn& c = *it->second;
    if (!c.tracking.on || c.closed()) continue;
    if (c.tracking.noloop && inv.acting_client == c.id()) continue;
    if (!c.tracking.redirect) {
      c.SendInvalidation(inv.key, inv.flush, false);
      continue;
    }
    // To the redirect client, on its own shard; if it is gone, the
    // tracking client hears so (RESP3) and nothing is sent.
    uint64_t origin = c.id(), target = c.tracking.redirect;
    uint32_t origin_shard = index_;
    auto deliver = [origin, origin_shard, target, key = inv.key, flush = inv.flush](Shard& shard) {
      auto t = shard.by_id_.find(target);
      if (t != shard.by_id_.end() && !t->second->closed()) return t->second->SendInvalidation(key, flush, true);
      shard.server_.shard(origin_shard).Call([origin](Shard& home) {
        auto o = home.by_id_.find(origin);
        if (o != home.by_id_.end() && o->second->tracking.on) o->second->SendRedirectBroken();
      });
    };
    if (c.tracking.redirect_shard == index_)
      deliver(*this);
    else
      server_.shard(c.tracking.redirect_shard).Call(deliver);
  }
}

void Shard::RunLocal(Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv) {
  Reply reply(conn.LocalReplyTarget(), conn.resp);
  CmdCtx ctx{argv, reply, server_, *this, &conn, spec, &db(conn.db_index), conn.db_index};
  if (conn.tracking.on) [[unlikely]] {
    ctx.track_reads = conn.TracksReadsOf(spec);
    ctx.client_shard = index_;
  }
  Execute(ctx);
}

void Shard::SendRemote(uint32_t target, Conn& conn, const CommandSpec& spec, std::span<const std::string_view> argv) {
  ExecBatch*& b = out_exec_[target];
  if (!b) {
    b = new ExecBatch();
    b->from = index_;
  }
  uint32_t first = static_cast<uint32_t>(b->args.size());
  for (std::string_view a : argv) {
    b->args.emplace_back(b->arena.size(), a.size());
    b->arena.append(a);
  }
  b->cmds.push_back({&conn, conn.ReserveRemoteSlot(), &spec, first, static_cast<uint32_t>(argv.size()), conn.resp,
                     conn.tracking.on && conn.TracksReadsOf(spec), conn.db_index});
}

void Shard::AcceptConn(int fd, uint64_t id, std::string peer, std::string local, const ModuleTransport* transport) {
  Post(new NewConnMsg(fd, id, std::move(peer), std::move(local), transport));
}

void Shard::AddConn(int fd, uint64_t id, std::string peer, std::string local, const ModuleTransport* transport) {
  // A module transport (TLS) sets the connection up on this thread.
  void* tconn = shutting_down_ || !transport ? nullptr : transport->def.accept(transport->def.state, fd);
  if (shutting_down_ || (transport && !tconn)) {
    if (transport && !shutting_down_) spdlog::debug("{} transport refused a connection from {}", transport->name, peer);
    close(fd);
    server_.stats().connected_clients.fetch_sub(1);
    return;
  }
  Conn* c = new Conn(*this, fd, id, std::move(peer), std::move(local));
  if (transport) c->SetTransport(TransportConn{transport, tconn});
  c->user = server_.acl().default_user();
  c->authenticated = server_.acl().default_nopass();
  c->acl_unrestricted = c->authenticated && c->user->Unrestricted();
  conns_.insert(c);
  by_id_[c->id()] = c;
  c->Start();
}

void Shard::ReleaseWatches(Conn& c) {
  if (!c.watch_flag) return;
  for (Conn::WatchedKey& w : c.watched_keys)
    server_.shard(server_.ShardIndexFor(w.key)).Call([w = std::move(w), flag = c.watch_flag](Shard& sh) {
      sh.db(w.db).Unwatch(w.key, flag.get());
    });
  c.watched_keys.clear();
  c.watch_flag.reset();
  server_.key_observers().fetch_sub(1, std::memory_order_relaxed);
}

void Shard::BlockOn(std::shared_ptr<BlockedClient> b) {
  server_.key_observers().fetch_add(1, std::memory_order_relaxed);
  for (const std::string& key : b->keys) server_.ShardFor(key).db(b->db).Block(key, b);
}

void Shard::ServeBlocked() {
  ForEachDb([this](Db& db) { ServeBlockedIn(db); });
}

void Shard::ServeBlockedIn(Db& db) {
  // Serving may push into other keys with clients of their own (BLMOVE),
  // of this database only (the served command runs in it).
  for (std::vector<std::string> ready = db.TakeReadyKeys(); !ready.empty(); ready = db.TakeReadyKeys()) {
    for (const std::string& key : ready) {
      // First come, first served, while the key has something to give.
      while (auto* waiters = db.Waiters(key)) {
        if (waiters->empty()) {
          db.DropWaiters(key);
          break;
        }
        std::shared_ptr<BlockedClient> b = waiters->front();
        if (b->claimed.load(std::memory_order_acquire)) {
          waiters->pop_front();  // served by another shard, timed out or gone
          continue;
        }
        Entry* e = db.Find(key);
        if (!e || e->type() != b->type) break;
        if (!b->Claim()) continue;
        waiters->pop_front();
        std::vector<std::string_view> argv(b->args.begin(), b->args.end());
        std::string out;
        Reply reply(&out, b->resp);
        CmdCtx ctx{argv, reply, server_, *this, nullptr, *b->spec, nullptr, db.index()};
        // What the pop amounts to, as a non-blocking command: what a
        // snapshot must save first and what the AOF records.
        Persistence& persistence = server_.persistence();
        std::vector<std::string> served;
        std::vector<std::string_view> served_argv;
        if (persistence.snapshot_running() || persistence.aof_on() || ModuleHost::Get().has_write_listeners()) {
          served = ServedAs(*b, key);
          served_argv.assign(served.begin(), served.end());
        }
        const CommandSpec* served_spec = served.empty() ? nullptr : CommandTable::Get().Find(served_argv[0]);
        // Keys of this shard only: a destination on another shard (BLMOVE)
        // is saved by the serve function, inside its hold of that shard.
        if (persistence.snapshot_running() && served_spec) {
          CommandTable::KeyIndexes(*served_spec, served_argv, &key_scratch_);
          for (size_t i : key_scratch_)
            if (server_.ShardIndexFor(served_argv[i]) == index_)
              Snapshot::SaveBeforeWrite(ctx.db(served_argv[i]), served_argv[i]);
        }
        bool took = b->serve(ctx, *b, key);
        ++stats_.commands;
        if (took) {
          changes_.store(changes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
          if (!served.empty()) Propagate(served_argv, db.index());
        }
        DeliverBlockedReply(*b, out);
        ForgetBlocked(b);
      }
    }
  }
}

void Shard::DeliverBlockedReply(BlockedClient& b, std::string_view reply) {
  if (b.home != this) {
    ReplyBatch*& out = out_reply_[b.home->index()];
    if (!out) out = new ReplyBatch();
    size_t start = out->data.size();
    out->data.append(reply);
    out->items.push_back({b.conn, b.seq, start, reply.size()});
    return;
  }
  b.conn->ReleaseInflight();
  if (!b.conn->closed())
    b.conn->DeliverRemote(b.seq, reply);
  else if (b.conn->inflight() == 0)
    dead_.push_back(b.conn);
}

void Shard::ForgetBlocked(const std::shared_ptr<BlockedClient>& b) {
  server_.key_observers().fetch_sub(1, std::memory_order_relaxed);
  for (const std::string& key : b->keys) {
    Shard& owner = server_.ShardFor(key);
    if (&owner == this)
      db(b->db).Unblock(key, b.get());
    else
      owner.Call([key, b](Shard& sh) { sh.db(b->db).Unblock(key, b.get()); });
  }
}

void Shard::FinishBlocked(BlockedClient& b, std::string_view reply) {
  std::shared_ptr<BlockedClient> keep = b.conn->blocked();
  DeliverBlockedReply(b, reply);
  if (keep) ForgetBlocked(keep);
}

int64_t Shard::Publish(PubSubRegistry& registry, std::string_view kind, std::string_view channel,
                       std::string_view payload) {
  int64_t receivers = 0;
  std::vector<std::pair<uint64_t, std::string>> local;
  registry.ForEachReceiver(channel, [&](const Subscriber& s, std::string_view pattern) {
    ++receivers;
    std::string_view k = pattern.empty() ? kind : std::string_view("pmessage");
    if (s.shard == index_) {
      local.emplace_back(s.conn_id, std::string(pattern));
      return;
    }
    PushBatch*& b = out_push_[s.shard];
    if (!b) b = new PushBatch();
    b->pushes.push_back({s.conn_id, std::string(k), std::string(pattern), std::string(channel), std::string(payload)});
  });
  // Delivered after the registry's lock is released: a client over its
  // output limit is closed, which unsubscribes it.
  for (auto& [id, pattern] : local) {
    auto it = by_id_.find(id);
    if (it != by_id_.end()) it->second->DeliverPush(pattern.empty() ? kind : "pmessage", pattern, channel, payload);
  }
  return receivers;
}

void Shard::UnsubscribeAll(Conn& c) {
  for (const std::string& ch : c.channels) server_.pubsub().Unsubscribe(ch, c.id());
  for (const std::string& pat : c.patterns) server_.pubsub().PUnsubscribe(pat, c.id());
  for (const std::string& ch : c.shard_channels) server_.shard_pubsub().Unsubscribe(ch, c.id());
  c.channels.clear();
  c.patterns.clear();
  c.shard_channels.clear();
}

void Shard::ConnClosed(Conn* c) {
  by_id_.erase(c->id());
  if (c->monitor) server_.monitors().Remove(index_, c->id());
  if (c->tracking.on) DisableTracking(*c);
  UnsubscribeAll(*c);
  ReleaseWatches(*c);
  if (std::shared_ptr<BlockedClient> b = c->blocked(); b && b->Claim()) {
    // No reply will come for its slot: release it here.
    c->ReleaseInflight();
    ForgetBlocked(b);
  }
  conns_.erase(c);
  server_.stats().connected_clients.fetch_sub(1, std::memory_order_relaxed);
  if (c->inflight() == 0) dead_.push_back(c);
}

void Shard::OnCron(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Shard*>(arg);
  RunGuarded("a shard's cron", [self] { self->Cron(); });
}

void Shard::Cron() {
  Config::Live& live = server_.config().live;
  int64_t hz = live.hz.load(std::memory_order_relaxed);
  int64_t period_us = 1000000 / hz;
  set_now(NowMs());
  // Redis gives active expiry up to a quarter of the cron period, shared
  // by the databases that have keys with a TTL.
  int effort = static_cast<int>(live.active_expire_effort.load(std::memory_order_relaxed));
  int64_t volatile_dbs = 0;
  for (Db* d : used_dbs_) volatile_dbs += d->expires() != 0;
  for (Db* d : used_dbs_)
    if (d->expires() != 0) d->ActiveExpireCycle(period_us / 4 / volatile_dbs, effort);
  if (live.activerehashing.load(std::memory_order_relaxed))
    for (Db* d : used_dbs_) d->RehashFor(1000 / static_cast<int64_t>(used_dbs_.size()));
  meter_->Tick(now(), period_us / 1000);
  PublishMemory();
  // Over the limit with no writes coming (maxmemory lowered at run time, or
  // an eviction whose time ran out): the cron evicts too. It leaves the
  // clients' buffers out: a reply held for a moment (a large MGET that the
  // client reads slowly) is no reason to evict while nobody writes; a write
  // counts them, as Redis does before each command.
  if (int64_t limit = live.maxmemory.load(std::memory_order_relaxed)) {
    int64_t client_bytes = 0;
    for (uint32_t i = 0; i < server_.shard_count(); ++i)
      client_bytes += static_cast<int64_t>(server_.shard(i).memory().client_bytes.load(std::memory_order_relaxed));
    ReclaimMemory(limit + client_bytes);
  }

  int64_t now = this->now();
  if (server_.client_pause().maybe_active()) server_.client_pause().ClearIfOver(now);
  if (!postponed_.empty() && !server_.client_pause().Frozen(now)) ResumePostponed();
  int64_t timeout = live.timeout.load(std::memory_order_relaxed);
  if (timeout > 0 && now - last_client_check_ms_ >= 1000) {
    last_client_check_ms_ = now;
    std::vector<Conn*> idle;
    for (Conn* c : conns_)
      if (c->idle() && c->inflight() == 0 && now - c->last_active_ms > timeout * 1000) idle.push_back(c);
    for (Conn* c : idle) c->Close();
  }
  timeval tv{0, static_cast<suseconds_t>(period_us)};
  event_add(cron_ev_, &tv);
}

void Shard::ResumePostponed() {
  std::vector<uint64_t> ids = std::move(postponed_);
  postponed_.clear();
  for (uint64_t id : ids) {
    auto it = by_id_.find(id);
    if (it != by_id_.end() && !it->second->closed() && it->second->postponed()) it->second->RunPostponed();
  }
}

bool Shard::ReclaimMemory(int64_t limit) {
  // The share below compares every shard's latest key counts: each shard
  // publishes its own on every check, so a burst of writes is not judged
  // by the figures of the last cron tick (which let the shard whose clients
  // write evict all its own keys first).
  uint64_t keys = TotalKeys(), expires = TotalExpires();
  memory_.keys.store(keys, std::memory_order_relaxed);
  memory_.volatile_keys.store(expires, std::memory_order_relaxed);
  int64_t used = meter_->Used(limit);
  if (used <= limit) return true;
  Config::Live& live = server_.config().live;
  auto policy = static_cast<EvictionPolicy>(live.maxmemory_policy.load(std::memory_order_relaxed));
  int samples = static_cast<int>(live.maxmemory_samples.load(std::memory_order_relaxed));
  // All shards compare one figure, but memory that exists only while one
  // shard runs (its clients' pipelined input, messages it is building) is
  // seen by that shard's checks alone. Left alone, that shard would do all
  // the evicting while the others grow. So a shard holding less than its
  // share of the keys leaves an excess up to 1/16 of the limit to the
  // others (their writes and crons evict); past it, it evicts anyway.
  int64_t slack = std::max<int64_t>(limit / 16, 256 * 1024);
  // The keys the policy may take: those with a TTL for volatile-*.
  bool volatile_only = IsVolatile(policy);
  size_t mine = volatile_only ? expires : keys;
  uint64_t total = 0;
  for (uint32_t i = 0; i < server_.shard_count(); ++i) {
    const ShardMemory& m = server_.shard(i).memory();
    total += (volatile_only ? m.volatile_keys : m.keys).load(std::memory_order_relaxed);
  }
  uint64_t fair = total / server_.shard_count();
  bool below_share = server_.shard_count() > 1 && mine * 10 < fair * 9;
  // Each eviction samples a few keys: O(samples), whatever the keyspace.
  constexpr int64_t kBudgetUs = 1000;
  int64_t start = NowUs();
  for (int evicted = 1; used > limit; ++evicted) {
    if (below_share && used - limit < slack) return true;
    if (!EvictOne(policy, samples)) return false;
    if (evicted % 16 == 0 && NowUs() - start > kBudgetUs) return true;
    used = meter_->Used(limit);
  }
  return true;
}

bool Shard::EvictOne(EvictionPolicy policy, int samples) {
  // The databases take turns (Redis samples them all into one pool; a turn
  // each is as fair to them and samples no more keys per eviction).
  for (size_t tried = 0; tried < used_dbs_.size(); ++tried) {
    Db* d = used_dbs_[evict_next_++ % used_dbs_.size()];
    if (d->Evict(policy, samples)) return true;
  }
  return false;
}

void Shard::PublishMemory() {
  uint64_t clients = 0;
  for (Conn* c : conns_) clients += c->QueryBufferCapacity() + c->OutputSize();
  uint64_t table_bytes = 0, expires_bytes = 0;
  for (Db* d : used_dbs_) {
    table_bytes += d->TableBytes();
    expires_bytes += d->ExpiresBytes();
  }
  memory_.keys.store(TotalKeys(), std::memory_order_relaxed);
  memory_.volatile_keys.store(TotalExpires(), std::memory_order_relaxed);
  memory_.table_bytes.store(table_bytes, std::memory_order_relaxed);
  memory_.expires_bytes.store(expires_bytes, std::memory_order_relaxed);
  memory_.client_bytes.store(clients, std::memory_order_relaxed);
}

void Shard::BeginShutdown() {
  shutting_down_ = true;
  for (Conn* c : conns_) c->StopReading();
}

bool Shard::Drained() const {
  // A client blocked on a key waits for nothing that shutdown will bring.
  for (Conn* c : conns_)
    if (!c->idle() && !c->blocked()) return false;
  return true;
}

void Shard::Stop() {
  std::vector<Conn*> all(conns_.begin(), conns_.end());
  for (Conn* c : all) {
    c->Flush();
    c->Close();
  }
  running_ = false;
  event_base_loopbreak(base_);
}

}  // namespace ember
