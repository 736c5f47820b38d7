#include "conn.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>

#include "command.h"
#include "persistence.h"
#include "reply.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
}

char* InputBuffer::Reserve(size_t n) {
  if (cap_ - end_ >= n) return data_ + end_;
  // Move the unparsed bytes to the front before growing.
  if (start_ > 0) {
    memmove(data_, data_ + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
    if (cap_ - end_ >= n) return data_ + end_;
  }
  size_t cap = cap_ ? cap_ : kReadChunk;
  while (cap - end_ < n) cap *= 2;
  char* d = static_cast<char*>(realloc(data_, cap));
  if (!d) throw std::bad_alloc();
  data_ = d;
  cap_ = cap;
  return data_ + end_;
}

Conn::Conn(Shard& shard, int fd, uint64_t id, std::string peer, std::string local)
    : shard_(shard), fd_(fd), id_(id), peer_(std::move(peer)), local_(std::move(local)) {
  created_ms = last_active_ms = NowMs();
}

Conn::~Conn() {
  if (read_ev_) event_free(read_ev_);
  if (write_ev_) event_free(write_ev_);
  if (block_timer_) event_free(block_timer_);
}

void Conn::Postpone(std::span<const std::string_view> argv) {
  postponed_.assign(argv.begin(), argv.end());
  shard_.Postponed(id_);
}

void Conn::RunPostponed() {
  std::vector<std::string> args = std::move(postponed_);
  postponed_.clear();
  std::vector<std::string_view> argv(args.begin(), args.end());
  last_active_ms = NowMs();
  shard_.set_now(last_active_ms);
  shard_.Dispatch(*this, argv);
  if (postponed_.empty()) {
    AfterCommandReplyMode();
    ProcessInput();
  }
  MarkDirty();
}

void Conn::Block(std::shared_ptr<BlockedClient> b, int64_t timeout_ms) {
  blocked_ = std::move(b);
  if (timeout_ms <= 0) return;
  if (!block_timer_)
    block_timer_ = evtimer_new(shard_.base(), [](evutil_socket_t, short, void* arg) {
      auto* c = static_cast<Conn*>(arg);
      RunGuarded("a blocked client's timeout", [c] { c->OnBlockTimeout(); });
    }, this);
  timeval tv{static_cast<time_t>(timeout_ms / 1000), static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
  evtimer_add(block_timer_, &tv);
}

void Conn::DeliverPush(std::string_view kind, std::string_view pattern, std::string_view channel,
                       std::string_view payload) {
  try {
    Reply reply(OutputTarget(), resp);
    reply.Push(pattern.empty() ? 3 : 4);
    reply.Bulk(kind);
    if (!pattern.empty()) reply.Bulk(pattern);
    reply.Bulk(channel);
    reply.Bulk(payload);
  } catch (const std::bad_alloc&) {
    // A subscriber that does not read, with the memory full: a message
    // cut in half must not go out, so the subscriber goes.
    CutOffForMemory(true);
    return;
  }
  if (CheckOutputLimit()) MarkDirty();
}

bool Conn::TracksReadsOf(const CommandSpec& spec) const {
  if (tracking.bcast || !(spec.flags & kCmdReadOnly)) return false;
  if (tracking.optin) return tracking.caching_given;
  if (tracking.optout) return !tracking.caching_given;
  return true;
}

void Conn::SendInvalidation(std::string_view key, bool flush, bool redirected) {
  // RESP2 has no way to send it on a connection that gets replies.
  if (resp < 3 && !(redirected && subscriptions() > 0)) return;
  Reply reply(OutputTarget(), resp);
  if (resp >= 3) {
    reply.Push(2);
    reply.Bulk("invalidate");
  } else {
    reply.Push(3);
    reply.Bulk("message");
    reply.Bulk("__redis__:invalidate");
  }
  if (flush) {
    reply.Null();
  } else {
    reply.Array(1);
    reply.Bulk(key);
  }
  if (CheckOutputLimit()) MarkDirty();
}

void Conn::SendRedirectBroken() {
  tracking.broken_redirect = true;
  if (resp < 3) return;
  Reply reply(OutputTarget(), resp);
  reply.Push(2);
  reply.Bulk("tracking-redir-broken");
  reply.Int(static_cast<int64_t>(tracking.redirect));
  if (CheckOutputLimit()) MarkDirty();
}

void Conn::DeliverMonitorLine(std::string_view line) {
  try {
    LocalReplyTarget()->append(line);
  } catch (const std::bad_alloc&) {
    CutOffForMemory(true);
    return;
  }
  if (CheckOutputLimit()) MarkDirty();
}

bool Conn::CheckOutputLimit() {
  Config::Live& live = shard_.server().config().live;
  bool pubsub = subscriptions() > 0;
  int64_t hard = (pubsub ? live.pubsub_hard : live.normal_hard).load(std::memory_order_relaxed);
  int64_t soft = (pubsub ? live.pubsub_soft : live.normal_soft).load(std::memory_order_relaxed);
  int64_t seconds = (pubsub ? live.pubsub_soft_seconds : live.normal_soft_seconds).load(std::memory_order_relaxed);
  int64_t size = static_cast<int64_t>(OutputSize());
  bool over = hard > 0 && size > hard;
  if (soft > 0 && size > soft) {
    int64_t now = NowMs();
    if (over_soft_limit_since_ == 0) over_soft_limit_since_ = now;
    over |= now - over_soft_limit_since_ >= seconds * 1000;
  } else {
    over_soft_limit_since_ = 0;
  }
  if (!over) return true;
  spdlog::warn("closing client id={} addr={}: output buffer of {} bytes over client-output-buffer-limit ({})", id_,
               peer_, size, pubsub ? "pubsub" : "normal");
  Close();
  return false;
}

void Conn::OnBlockTimeout() {
  if (!blocked_ || !blocked_->Claim()) return;  // served meanwhile: its reply is on the way
  std::shared_ptr<BlockedClient> b = blocked_;
  shard_.FinishBlocked(*b, b->timeout_reply);
}

void Conn::Start() {
  // A client whose callback threw is in an unknown state: it is closed.
  read_ev_ = event_new(shard_.base(), fd_, EV_READ | EV_PERSIST, [](evutil_socket_t, short, void* arg) {
    auto* c = static_cast<Conn*>(arg);
    if (!RunGuarded("reading a client", [c] { c->OnReadable(); })) RunGuarded("closing a client", [c] { c->Close(); });
  }, this);
  write_ev_ = event_new(shard_.base(), fd_, EV_WRITE | EV_PERSIST, [](evutil_socket_t, short, void* arg) {
    auto* c = static_cast<Conn*>(arg);
    if (!RunGuarded("writing to a client", [c] { c->OnWritable(); })) RunGuarded("closing a client", [c] { c->Close(); });
  }, this);
  event_add(read_ev_, nullptr);
}

void Conn::MarkDirty() { shard_.MarkDirty(this); }

size_t Conn::OutputSize() const {
  size_t n = 0;
  for (const std::string& chunk : out_) n += chunk.size();
  for (const Pending& p : pending_) n += p.data.size();
  return n - out_off_;
}

void Conn::AppendOutput(std::string_view reply) {
  if (tail_->size() >= kOutputChunk) tail_ = &out_.emplace_back();
  tail_->append(reply);
}

void Conn::TakeOutput(std::string& data) {
  if (tail_->empty())
    tail_->swap(data);
  else if (tail_->size() + data.size() > kOutputChunk)
    tail_ = &out_.emplace_back(std::move(data));
  else
    tail_->append(data);
}

void Conn::OnReadable() {
  if (closed() || !reading_) return;
  if (write_wants_read_) {
    write_wants_read_ = false;
    if (!Flush()) return;
  }
  // A transport may hold decrypted bytes the socket will not signal again:
  // read while it has some.
  const EmberTransportDef* t = transport_.transport ? &transport_.transport->def : nullptr;
  do {
    // A big bulk that is still arriving gets room for all of it at once.
    size_t want = kReadChunk;
    if (in_.size() >= kReadChunk && in_.capacity() > in_.size()) want = in_.capacity() - in_.size();
    char* dst = in_.Reserve(want);
    ssize_t n = ReadSome(dst, want);
    if (n <= 0) return;
    in_.Commit(static_cast<size_t>(n));
    shard_.stats().net_input_bytes += static_cast<uint64_t>(n);
    last_active_ms = NowMs();
    ProcessInput();
  } while (t && t->pending && !closed() && reading_ && t->pending(transport_.conn) > 0);
}

ssize_t Conn::ReadSome(char* dst, size_t want) {
  if (!transport_.transport) {
    ssize_t n = read(fd_, dst, want);
    if (n > 0) return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    Close();
    return -1;
  }
  long n = transport_.transport->def.read(transport_.conn, dst, want);
  if (n > 0) return n;
  if (n == EMBER_IO_WANT_READ) return 0;
  if (n == EMBER_IO_WANT_WRITE) {
    read_wants_write_ = true;
    ArmWrite();
    return 0;
  }
  Close();
  return -1;
}

bool Conn::IsLocal() const {
  std::string_view host = std::string_view(peer_).substr(0, peer_.rfind(':'));
  return host == "127.0.0.1" || host == "::1";
}

void Conn::ArmWrite() {
  if (write_armed_) return;
  event_add(write_ev_, nullptr);
  write_armed_ = true;
}

std::string Conn::TransportInfo() const {
  if (!transport_.transport) return "";
  std::string out = " transport=" + transport_.transport->name;
  if (transport_.transport->def.client_info) {
    char buf[1024];
    size_t n = transport_.transport->def.client_info(transport_.conn, buf, sizeof(buf));
    out.append(buf, std::min(n, sizeof(buf) - 1));
  }
  return out;
}

void Conn::ProcessInput() {
  Config::Live& live = shard_.server().config().live;
  const ProtocolLimits limits{live.proto_max_bulk_len.load(std::memory_order_relaxed),
                              live.proto_max_multibulk_len.load(std::memory_order_relaxed),
                              live.proto_inline_max_size.load(std::memory_order_relaxed)};
  // Until AUTH, Redis's tighter limits; chosen per command, since an AUTH
  // in the same read lifts them for the commands after it.
  const ProtocolLimits before_auth = limits.BeforeAuth();
  shard_.set_now(last_active_ms);
  while (in_.size() > 0 && !closed() && !close_after_reply && reading_ && !blocked_ && postponed_.empty() &&
         inflight_ < kMaxInflight) {
    RequestParser::Status st = parser_.Parse(in_.begin(), in_.size(), authenticated ? limits : before_auth);
    if (st == RequestParser::Status::kNeedMore) break;
    if (st == RequestParser::Status::kError) return ProtocolError(parser_.error());
    const auto& argv = parser_.argv();
    if (!argv.empty()) {
      shard_.Dispatch(*this, argv);
      if (postponed_.empty()) AfterCommandReplyMode();
    }
    in_.Consume(parser_.consumed());
    // CLIENT CACHING applies to the next command, or to a whole MULTI.
    if (tracking.caching_given && !multi.active && last_command && !last_command->name.starts_with("client"))
      [[unlikely]] tracking.caching_given = false;
  }
  if (closed() || !CheckOutputGrowth()) return;
  if (inflight_ >= kMaxInflight) PauseReading();
  if (static_cast<int64_t>(in_.size() - parser_.parsed()) >
      live.client_query_buffer_limit.load(std::memory_order_relaxed)) {
    spdlog::warn("closing client id={} addr={}: query buffer over client-query-buffer-limit", id_, peer_);
    Close();
    return;
  }
  // Free a big buffer once a large command has gone through.
  if (in_.size() == 0 && in_.capacity() > 4 * kReadChunk) in_.Release();
  MarkDirty();
}

bool Conn::CheckOutputGrowth() {
  // Below the smallest limit worth checking, the output is not walked.
  constexpr size_t kCheckAbove = 1 << 20;
  if (single_chunk() && tail_->size() - out_off_ < kCheckAbove && pending_.empty()) return true;
  if (OutputSize() < kCheckAbove) return true;
  return CheckOutputLimit();
}

void Conn::PauseReading() {
  if (paused_ || !reading_) return;
  paused_ = true;
  if (read_ev_) event_del(read_ev_);
}

void Conn::ResumeReading() {
  if (!paused_) return;
  paused_ = false;
  if (reading_ && read_ev_) event_add(read_ev_, nullptr);
  // Input already read waits in the buffer.
  shard_.ResumeLater(this);
}

void Conn::SetReplyMode(ReplyMode mode) {
  if (mode == ReplyMode::kSkip) {
    // As Redis: SKIP does nothing while replies are off.
    if (reply_mode_ != ReplyMode::kOff) skip_next_ = true;
    return;
  }
  reply_mode_ = mode;
  skip_next_ = false;
}

void Conn::AdvanceReplyMode() {
  if (reply_mode_ == ReplyMode::kSkip) reply_mode_ = ReplyMode::kOn;
  if (skip_next_) {
    reply_mode_ = ReplyMode::kSkip;
    skip_next_ = false;
  }
}

bool Conn::CutOffForMemory(bool always) {
  size_t unsent = OutputSize();
  auto cutoff = static_cast<size_t>(shard_.server().config().live.client_oom_output_cutoff.load(std::memory_order_relaxed));
  if (closed() || (!always && unsent <= cutoff)) return false;
  try {
    spdlog::warn("closing client id={} addr={}: out of memory with {} bytes of replies unsent", id_, peer_, unsent);
  } catch (...) {
    // Logging is best effort: freeing the memory is what must happen.
  }
  // A command of this client may be writing into its output: the
  // connection closes once that is done, and its buffers go with it.
  StopReading();
  shard_.Kill(this);
  return true;
}

void Conn::ProtocolError(const std::string& msg) {
  Reply reply(LocalReplyTarget(), resp);
  reply.Error(msg);
  spdlog::debug("protocol error from client id={} addr={}: {}", id_, peer_, msg);
  close_after_reply = true;
  StopReading();
  MarkDirty();
}

void Conn::DeliverRemote(uint64_t seq, std::string_view reply) {
  if (blocked_ && seq == blocked_->seq) {
    // The blocking command is answered: read the client's next commands.
    blocked_.reset();
    if (block_timer_) evtimer_del(block_timer_);
    shard_.ResumeLater(this);
  }
  size_t index = seq - pending_base_;
  try {
    if (index == 0) {
      // The oldest reply awaited: it goes straight to the output.
      if (!pending_.front().discard) AppendOutput(reply);
      pending_.pop_front();
      ++pending_base_;
    } else {
      if (!pending_[index].discard) pending_[index].data.assign(reply);
      pending_[index].done = true;
    }
    while (!pending_.empty() && pending_.front().done) {
      TakeOutput(pending_.front().data);
      pending_.pop_front();
      ++pending_base_;
    }
  } catch (const std::bad_alloc&) {
    // A reply that cannot be kept cannot be skipped either: the client goes.
    CutOffForMemory(true);
    return;
  }
  if (reply.starts_with(kErrHandlerOom) && CutOffForMemory(false)) return;
  if ((!single_chunk() || tail_->size() - out_off_ >= (1 << 20)) && !CheckOutputLimit()) return;
  if (paused_ && inflight_ < kMaxInflight / 2) ResumeReading();
  MarkDirty();
}

bool Conn::Flush() {
  // appendfsync always: no reply leaves before its command is on disk.
  if (shard_.server().persistence().aof_always()) {
    shard_.WriteAofBuffer();
    shard_.SyncAof();
  }
  if (closed()) return false;
  discarded_.clear();
  while (!single_chunk() || out_off_ < tail_->size()) {
    ssize_t n;
    if (!transport_.transport) {
      if (single_chunk()) {
        n = write(fd_, tail_->data() + out_off_, tail_->size() - out_off_);
      } else {
        // Every chunk in one writev, as far as kMaxIov allows.
        constexpr size_t kMaxIov = 64;
        iovec iov[kMaxIov];
        size_t count = 0;
        for (auto it = out_.begin(); it != out_.end() && count < kMaxIov; ++it) {
          size_t skip = count == 0 ? out_off_ : 0;
          if (it->size() == skip) continue;
          iov[count++] = {it->data() + skip, it->size() - skip};
        }
        n = writev(fd_, iov, static_cast<int>(count));
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          ArmWrite();
          return CheckOutputLimit();
        }
        Close();
        return false;
      }
    } else {
      const std::string& front = out_.front();
      n = transport_.transport->def.write(transport_.conn, front.data() + out_off_, front.size() - out_off_);
      if (n == EMBER_IO_WANT_WRITE || n == EMBER_IO_WANT_READ) {
        if (n == EMBER_IO_WANT_WRITE)
          ArmWrite();
        else
          write_wants_read_ = true;
        return CheckOutputLimit();
      }
      if (n <= 0) {
        Close();
        return false;
      }
    }
    shard_.stats().net_output_bytes += static_cast<uint64_t>(n);
    ConsumeOutput(static_cast<size_t>(n));
  }
  out_off_ = 0;
  std::string& tail = out_.front();
  if (tail.capacity() > kOutputChunk)
    std::string().swap(tail);
  else
    tail.clear();
  if (write_armed_ && !read_wants_write_) {
    event_del(write_ev_);
    write_armed_ = false;
  }
  if (close_after_reply && pending_.empty()) {
    Close();
    return false;
  }
  return true;
}

void Conn::ConsumeOutput(size_t n) {
  // Written chunks go, the last one stays to be filled again.
  while (!single_chunk() && n >= out_.front().size() - out_off_) {
    n -= out_.front().size() - out_off_;
    out_.pop_front();
    out_off_ = 0;
  }
  out_off_ += n;
}

void Conn::OnWritable() {
  if (read_wants_write_) {
    read_wants_write_ = false;
    OnReadable();
    if (closed()) return;
  }
  Flush();
}

void Conn::StopReading() {
  if (!reading_) return;
  reading_ = false;
  if (read_ev_) event_del(read_ev_);
}

void Conn::Close() {
  if (closed()) return;
  if (read_ev_) event_del(read_ev_);
  if (write_ev_) event_del(write_ev_);
  if (block_timer_) evtimer_del(block_timer_);
  if (transport_.transport) transport_.transport->def.close(transport_.conn);
  transport_ = {nullptr, nullptr};
  close(fd_);
  fd_ = -1;
  shard_.ConnClosed(this);
}

}  // namespace ember
