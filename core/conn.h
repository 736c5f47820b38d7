// Conn: one client connection, owned by one shard thread for its whole life.
// It reads bytes, parses commands, dispatches each (locally, to another
// shard, or holding several), and keeps replies in command order even when
// some are computed on other threads.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <atomic>
#include <deque>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "blocking.h"
#include "module.h"
#include "resp_parser.h"

namespace ember {

class Shard;
struct AclUser;
struct CommandSpec;

// A growable byte buffer for socket input: data lives in [start, end).
class InputBuffer {
 public:
  ~InputBuffer() { free(data_); }
  char* begin() { return data_ + start_; }
  size_t size() const { return end_ - start_; }
  void Consume(size_t n) {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
  }
  // Room for at least n more bytes at the end.
  char* Reserve(size_t n);
  void Commit(size_t n) { end_ += n; }
  size_t capacity() const { return cap_; }
  void Release() {
    free(data_);
    data_ = nullptr;
    start_ = end_ = cap_ = 0;
  }

 private:
  char* data_ = nullptr;
  size_t start_ = 0, end_ = 0, cap_ = 0;
};

class Conn {
 public:
  Conn(Shard& shard, int fd, uint64_t id, std::string peer, std::string local);
  ~Conn();

  void Start();
  // Reads and writes go through a module's transport (TLS) from now on.
  void SetTransport(TransportConn t) { transport_ = t; }
  // CLIENT LIST's fields for the transport (" transport=tls ..."), or "".
  std::string TransportInfo() const;
  // Reads and runs what arrived; called by the read event.
  void OnReadable();
  void OnWritable();
  // A reply computed on another shard for the command numbered seq.
  void DeliverRemote(uint64_t seq, std::string_view reply);
  // Writes queued output; returns false if the connection broke.
  bool Flush();
  // Closes the socket now; the object lives until no remote reply is due.
  void Close();
  // Stops reading new commands (shutdown); pending replies still go out.
  void StopReading();

  bool closed() const { return fd_ < 0; }
  bool idle() const { return pending_.empty() && single_chunk() && tail_->size() == out_off_; }
  int inflight() const { return inflight_; }

  // Identity and state shown by CLIENT LIST / INFO.
  uint64_t id() const { return id_; }
  int fd() const { return fd_; }
  const std::string& peer() const { return peer_; }
  const std::string& local() const { return local_; }
  // Redis's islocalClient: the peer is 127.0.0.1 or ::1 (ember has no unix
  // socket). enable-*-command local and enable-protected-configs local.
  bool IsLocal() const;
  std::string name, lib_name, lib_ver;
  int resp = 2;
  uint32_t db_index = 0;  // SELECT
  int64_t created_ms = 0;
  int64_t last_active_ms = 0;
  const CommandSpec* last_command = nullptr;  // a subcommand's own spec: "client|list"

  // MULTI ... EXEC: the queued commands (their arguments copied), and
  // whether one of them was refused at queue time.
  struct Transaction {
    bool active = false;
    bool failed = false;
    bool writes = false;  // a queued command writes (CLIENT PAUSE WRITE holds its EXEC)
    std::vector<std::vector<std::string>> queued;
  };
  Transaction multi;
  // WATCHed keys and the flag any change to them raises (shared with the
  // Dbs of their shards).
  struct WatchedKey {
    uint32_t db;
    std::string key;
  };
  std::vector<WatchedKey> watched_keys;
  std::shared_ptr<std::atomic<bool>> watch_flag;
  // Set while EXEC runs its commands: blocking commands then do not block.
  bool in_exec = false;

  // ACL: the client's user, whether it has authenticated, and whether it
  // may run anything (then the dispatcher checks nothing). Changed by its
  // own thread (AUTH) or by one holding every shard (acl.h).
  std::shared_ptr<AclUser> user;
  bool authenticated = false;
  bool acl_unrestricted = false;
  // CLIENT TRACKING: this client's mode; changed on its own thread only.
  struct Tracking {
    bool on = false, bcast = false, optin = false, optout = false, noloop = false;
    bool caching_given = false;    // CLIENT CACHING yes|no, for the next command (or MULTI)
    bool broken_redirect = false;  // the redirect client was gone
    uint64_t redirect = 0;         // 0: none
    uint32_t redirect_shard = 0;
    std::vector<std::string> prefixes;  // BCAST
  };
  Tracking tracking;
  // Whether the keys of a spec command run now are remembered for this
  // client's invalidations: it tracks by default, OPTIN with CACHING yes
  // or OPTOUT without CACHING no, and spec is read-only.
  bool TracksReadsOf(const CommandSpec& spec) const;
  // An invalidation of key (or of every key: flush) to this client, as a
  // RESP3 push, or in RESP2 as a __redis__:invalidate message when it is
  // the redirect target of another client and subscribed.
  void SendInvalidation(std::string_view key, bool flush, bool redirected);
  // RESP3: the redirect client of this one is gone.
  void SendRedirectBroken();
  // MONITOR: receives every command's line.
  bool monitor = false;
  void DeliverMonitorLine(std::string_view line);

  // Pub/sub: what this client is subscribed to.
  std::set<std::string> channels, patterns, shard_channels;
  size_t subscriptions() const { return channels.size() + patterns.size() + shard_channels.size(); }
  // A published message: ["message", channel, payload], ["pmessage",
  // pattern, channel, payload] or ["smessage", ...], in RESP3 a push.
  void DeliverPush(std::string_view kind, std::string_view pattern, std::string_view channel,
                   std::string_view payload);

  // Blocks the client until b is served (its reply comes to b->seq) or
  // timeout_ms passes (0: forever); it reads no further commands meanwhile.
  void Block(std::shared_ptr<BlockedClient> b, int64_t timeout_ms);
  const std::shared_ptr<BlockedClient>& blocked() const { return blocked_; }
  // CLIENT PAUSE: keeps the command that has to wait (its arguments
  // copied); the client reads no further commands until RunPostponed.
  void Postpone(std::span<const std::string_view> argv);
  bool postponed() const { return !postponed_.empty(); }
  // Dispatches the waiting command again (it may wait again), then the
  // input that arrived meanwhile.
  void RunPostponed();
  // Memory ran out while this client had more than client-oom-output-cutoff
  // bytes of replies unsent (or, `always`, while storing one): it is the
  // likeliest cause, and it is closed (its output goes with it) so that the
  // server and its other clients go on. True if it is being closed.
  bool CutOffForMemory(bool always);
  bool close_after_reply = false;
  // CLIENT REPLY: with OFF no reply is sent (pushes still are); SKIP drops
  // the next command's, as Redis's CLIENT_REPLY_SKIP_NEXT.
  enum class ReplyMode : uint8_t { kOn, kOff, kSkip };
  void SetReplyMode(ReplyMode mode);
  // After each command: a SKIP that has served its command ends.
  void AfterCommandReplyMode() {
    if (reply_mode_ != ReplyMode::kOn || skip_next_) [[unlikely]]
      AdvanceReplyMode();
  }
  size_t QueryBufferSize() const { return in_.size(); }
  size_t QueryBufferCapacity() const { return in_.capacity(); }
  size_t OutputSize() const;
  Shard& shard() { return shard_; }

  // Where a reply for a command run now on this thread goes: after all
  // replies still awaited from other shards. A buffer handed out stays
  // valid (and is written in order) while later calls move on to a new one.
  std::string* LocalReplyTarget() {
    if (reply_mode_ != ReplyMode::kOn) [[unlikely]]
      return &discarded_;
    return OutputTarget();
  }
  // The same, whatever CLIENT REPLY says: for pushes (messages and
  // invalidations), which Redis sends even with replies off.
  std::string* OutputTarget() {
    if (pending_.empty()) [[likely]] {
      if (tail_->size() < kOutputChunk) [[likely]] return tail_;
      return tail_ = &out_.emplace_back();
    }
    if (!pending_.back().done || pending_.back().data.size() >= kOutputChunk) pending_.push_back({true, {}, false});
    return &pending_.back().data;
  }
  // Reserves the reply slot for a command sent to another shard.
  uint64_t ReserveRemoteSlot() {
    pending_.push_back({false, {}, reply_mode_ != ReplyMode::kOn});
    ++inflight_;
    return pending_base_ + pending_.size() - 1;
  }
  void ReleaseInflight() { --inflight_; }

 private:
  void ProcessInput();
  // Stops reading while kMaxInflight commands await other shards' replies,
  // so a client that pipelines without reading cannot make other shards
  // build unbounded replies; a reply arriving resumes it.
  void PauseReading();
  void ResumeReading();
  // Applies client-output-buffer-limit as replies pile up, not only when a
  // write would block; false if the client was closed.
  bool CheckOutputGrowth();
  static constexpr int kMaxInflight = 1024;
  // Output is kept in chunks of about this size (more when one reply is
  // bigger), so a client that does not read costs its bytes, never a
  // doubling string's copy of them.
  static constexpr size_t kOutputChunk = 64 * 1024;
  // Queues a finished reply after the output (a remote one, or a pending
  // entry's bytes, taken).
  void AppendOutput(std::string_view reply);
  void TakeOutput(std::string& data);
  // Drops the first n bytes of the output, which went out.
  void ConsumeOutput(size_t n);
  void ProtocolError(const std::string& msg);
  void OnBlockTimeout();
  // Disconnects a client over its class's client-output-buffer-limit.
  bool CheckOutputLimit();
  void MarkDirty();
  void ArmWrite();
  // One read into the input buffer: bytes read, 0 when there is nothing
  // to read now, -1 when the connection is finished (closed here).
  ssize_t ReadSome(char* dst, size_t want);

  struct Pending {
    bool done;
    std::string data;
    bool discard;  // sent while CLIENT REPLY was OFF or SKIP
  };

  Shard& shard_;
  int fd_;
  uint64_t id_;
  std::string peer_, local_;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  bool write_armed_ = false;
  TransportConn transport_{nullptr, nullptr};
  // A transport (TLS) may need the socket writable to go on reading, or
  // readable to go on writing.
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  bool reading_ = true;
  bool paused_ = false;  // by PauseReading
  InputBuffer in_;
  RequestParser parser_;
  // Replies ready to write, oldest first; never empty (back() is the one
  // being filled); out_off_ is what of front() is written.
  std::deque<std::string> out_{1};
  std::string* tail_ = &out_.back();  // out_.back(), kept at hand
  bool single_chunk() const { return tail_ == &out_.front(); }
  size_t out_off_ = 0;
  ReplyMode reply_mode_ = ReplyMode::kOn;
  bool skip_next_ = false;  // CLIENT REPLY SKIP: the command after this one
  std::string discarded_;   // replies not sent (CLIENT REPLY), emptied by Flush
  void AdvanceReplyMode();
  std::deque<Pending> pending_;
  uint64_t pending_base_ = 0;  // sequence number of pending_.front()
  int inflight_ = 0;
  std::shared_ptr<BlockedClient> blocked_;
  std::vector<std::string> postponed_;
  event* block_timer_ = nullptr;
  int64_t over_soft_limit_since_ = 0;  // when the output first passed the soft limit
  friend class Shard;
};

// CLIENT LIST's line for c ("id=... addr=... user=...\n").
std::string ClientLine(Conn& c, int64_t now_ms);

}  // namespace ember
