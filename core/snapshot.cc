#include "snapshot.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "db.h"
#include "module.h"
#include "pack.h"
#include "persist_file.h"
#include "server.h"
#include "shard.h"
#include "util.h"
#include "value_codec.h"

namespace ember {

namespace {

// A chunk is compressed and handed to the writer at this size.
constexpr size_t kChunkBytes = 256 * 1024;
// Walks pause while the writer has this much queued (a slow disk).
constexpr size_t kMaxQueuedBytes = 64 * 1024 * 1024;
constexpr int kZstdLevel = 1;

// Appends e as a record to a chunk; false for a value that cannot be
// written (a module type without serialize).
bool AppendRecord(const Entry& e, std::string* chunk, std::string* scratch) {
  scratch->clear();
  if (!SerializeValue(e, scratch)) return false;
  PackAppend(chunk, e.key());
  // kNoExpire (-1) is 0; unsigned, so INT64_MAX (PEXPIREAT far ahead) is 2^63, not an overflow.
  PutVarint(chunk, static_cast<uint64_t>(e.expire_ms()) + 1);
  PackAppend(chunk, *scratch);
  return true;
}

}  // namespace

Snapshot::Snapshot(Server& server, std::string path)
    : server_(server), path_(std::move(path)), tmp_path_(path_ + ".tmp") {}

Snapshot::~Snapshot() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) close(fd_);
}

std::string Snapshot::Begin() {
  fd_ = open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return "Failed opening the temp file " + tmp_path_ + " for saving: " + strerror(errno);
  instant_ms_ = NowMs();
  uint64_t keys = 0;
  for (uint32_t i = 0; i < server_.shard_count(); ++i) {
    server_.shard(i).ForEachDb([&](Db& db) {
      if (db.size() == 0) return;  // nothing of the instant to keep
      SnapshotShard& s = shards_.emplace_back();
      s.owner = this;
      s.index = i;
      s.db = db.index();
      db.set_snapshot(&s);
      keys += db.size();
    });
  }
  remaining_.store(static_cast<uint32_t>(shards_.size()));
  std::string count(1, 'C');
  PutVarint(&count, keys);
  std::string head = FileHeader(kSnapshotMagic);
  std::string err = AppendFrame(count, &head);
  if (!err.empty()) return err;
  std::string aux(1, 'A');
  ModuleHost::Get().SaveAux(&aux);
  err = AppendFrame(aux, &head);
  if (!err.empty()) return err;
  Push(std::move(head));
  writer_ = std::thread([this] { WriterLoop(); });
  if (shards_.empty()) Finish();
  return "";
}

bool Snapshot::StepShard(Shard& shard, int64_t budget_us) {
  bool finished = true;
  shard.ForEachDb([&](Db& db) {
    if (finished && db.snapshot() && db.snapshot()->owner == this) finished = Step(db, budget_us);
  });
  return finished;
}

void Snapshot::Detach() {
  for (SnapshotShard& s : shards_)
    if (!s.finished) server_.shard(s.index).db(s.db).set_snapshot(nullptr);
}

void Snapshot::Finish() {
  std::string end(1, 'E');
  PutVarint(&end, records_.load());
  std::string frame;
  std::string err = AppendFrame(end, &frame);
  if (!err.empty()) Fail(err);
  Push(std::move(frame));
  std::lock_guard<std::mutex> lock(mu_);
  closing_ = true;
  cv_.notify_all();
}

bool Snapshot::Step(Db& db, int64_t budget_us) {
  SnapshotShard* s = db.snapshot();
  if (!s) return true;
  if (!s->walked) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queued_bytes_ > kMaxQueuedBytes && error_.empty()) return false;
    }
    int64_t deadline = NowUs() + budget_us;
    std::string value;
    do {
      s->cursor = db.ScanMany(s->cursor, 256, [&](Entry* e) {
        std::string_view key = e->key();
        if (e->has_expire() && e->expire_ms() <= instant_ms_) return;
        if (!s->seen.empty() && s->seen.count(key)) return;
        if (AppendRecord(*e, &s->chunk, &value)) ++s->records;
      });
      if (s->chunk.size() >= kChunkBytes) FlushChunk(*s);
    } while (s->cursor != 0 && NowUs() < deadline);
    if (s->cursor != 0) return false;
    s->walked = true;
  }
  FlushChunk(*s);
  s->finished = true;
  db.set_snapshot(nullptr);
  records_.fetch_add(s->records, std::memory_order_relaxed);
  if (remaining_.fetch_sub(1) == 1) Finish();
  return true;
}

void Snapshot::FlushChunk(SnapshotShard& s) {
  if (s.chunk.empty()) return;
  std::string raw;
  raw.reserve(s.chunk.size() + 11);
  if (s.db == 0) {
    raw.push_back('K');
  } else {
    raw.push_back('D');
    PutVarint(&raw, s.db);
  }
  raw.append(s.chunk);
  s.chunk.clear();
  std::string compressed(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(compressed.data(), compressed.size(), raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(n)) return Fail(std::string("zstd: ") + ZSTD_getErrorName(n));
  compressed.resize(n);
  std::string frame;
  std::string err = AppendFrame(compressed, &frame);
  if (!err.empty()) return Fail(err);
  Push(std::move(frame));
}

void Snapshot::SaveBeforeWrite(Db& db, std::string_view key) {
  SnapshotShard* s = db.snapshot();
  if (!s || s->walked) return;
  if (!s->seen.emplace(key).second) return;
  if (Entry* e = db.Find(key)) Keep(*s, *e);
}

void Snapshot::SaveEntryBeforeWrite(Db& db, const Entry& e) {
  SnapshotShard* s = db.snapshot();
  if (!s || s->walked || !s->seen.emplace(e.key()).second) return;
  Keep(*s, e);
}

void Snapshot::Keep(SnapshotShard& s, const Entry& e) {
  if (e.has_expire() && e.expire_ms() <= s.owner->instant_ms_) return;
  std::string value;
  if (AppendRecord(e, &s.chunk, &value)) ++s.records;
  if (s.chunk.size() >= kChunkBytes) s.owner->FlushChunk(s);
}

void Snapshot::SaveAllBeforeWrite(Db& db) {
  SnapshotShard* s = db.snapshot();
  if (!s || s->walked) return;
  while (!s->owner->Step(db, INT64_MAX / 2)) {
  }
}

std::string Snapshot::RunAll() {
  for (uint32_t i = 0; i < server_.shard_count(); ++i)
    while (!StepShard(server_.shard(i), INT64_MAX / 2)) {
    }
  return Wait();
}

std::string Snapshot::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return done_.load(); });
  return error_;
}

void Snapshot::Push(std::string frame) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!error_.empty()) return;
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  cv_.notify_all();
}

void Snapshot::Fail(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.empty()) error_ = error;
  queue_.clear();
  queued_bytes_ = 0;
}

void Snapshot::WriterLoop() {
  pthread_setname_np(pthread_self(), "ember-snapshot");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
    if (queue_.empty()) break;
    std::string frame = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::string err = WriteAll(fd_, frame);
    lock.lock();
    queued_bytes_ -= std::min(queued_bytes_, frame.size());
    if (!err.empty() && error_.empty()) error_ = "Write error saving " + tmp_path_ + ": " + err;
  }
  bool complete = remaining_.load() == 0;
  lock.unlock();
  std::string err;
  if (complete && fsync(fd_) != 0) err = "fsync of " + tmp_path_ + ": " + strerror(errno);
  close(fd_);
  fd_ = -1;
  lock.lock();
  if (error_.empty() && !err.empty()) error_ = err;
  if (error_.empty() && !complete) error_ = "the save was abandoned";
  if (error_.empty() && rename(tmp_path_.c_str(), path_.c_str()) != 0)
    error_ = "rename " + tmp_path_ + " to " + path_ + ": " + strerror(errno);
  if (error_.empty())
    SyncDirectoryOf(path_);
  else
    unlink(tmp_path_.c_str());
  done_.store(true, std::memory_order_release);
  cv_.notify_all();
}

std::string LoadSnapshot(Server& server, const std::string& path, bool keep_expired, uint64_t* keys) {
  MappedFile file;
  std::string err = file.Open(path);
  if (!err.empty()) return err;
  FrameReader reader(file.data(), path);
  err = reader.ReadHeader(kSnapshotMagic);
  if (!err.empty()) return err;
  int64_t now = NowMs();
  const Config::Live& live = server.config().live;
  std::string payload, raw;
  uint64_t records = 0;
  *keys = 0;
  for (;;) {
    FrameReader::Result r = reader.Next(&payload);
    if (r == FrameReader::Result::kEnd) return path + ": incomplete snapshot (no end frame)";
    if (r != FrameReader::Result::kFrame) return reader.error();
    std::string where = path + ": frame at offset " + std::to_string(reader.frame_offset());
    unsigned long long size = ZSTD_getFrameContentSize(payload.data(), payload.size());
    if (payload.size() > 0 && payload[0] == 'C') {
      ByteReader r2(std::string_view(payload).substr(1));
      uint64_t count;
      if (!r2.Varint(&count) || !r2.Done()) return where + ": bad count frame";
      for (uint32_t i = 0; i < server.shard_count(); ++i) server.shard(i).db(0).Reserve(count / server.shard_count());
      continue;
    }
    if (payload.size() > 0 && payload[0] == 'A') {
      std::string error;
      if (!ModuleHost::Get().LoadAux(std::string_view(payload).substr(1), &error)) return where + ": " + error;
      continue;
    }
    if (payload.size() > 0 && payload[0] == 'E') {
      ByteReader r2(std::string_view(payload).substr(1));
      uint64_t count;
      if (!r2.Varint(&count) || !r2.Done()) return where + ": bad end frame";
      if (count != records)
        return where + ": the end frame counts " + std::to_string(count) + " records, the file has " +
               std::to_string(records);
      std::string rest;
      if (reader.Next(&rest) != FrameReader::Result::kEnd) return path + ": data after the end frame";
      return "";
    }
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxFrameBody)
      return where + ": not a compressed chunk";
    raw.resize(size);
    size_t n = ZSTD_decompress(raw.data(), raw.size(), payload.data(), payload.size());
    if (ZSTD_isError(n) || n != size) return where + ": decompression failed";
    ByteReader in(raw);
    uint8_t kind;
    uint64_t db = 0;
    if (!in.Byte(&kind) || (kind != 'K' && kind != 'D')) return where + ": unknown chunk kind";
    if (kind == 'D' && !in.Varint(&db)) return where + ": truncated chunk";
    if (db >= server.databases())
      return where + ": keys of database " + std::to_string(db) + ", but databases is " +
             std::to_string(server.databases());
    // Records go in batches: hash and prefetch each key's bucket first, so
    // the cache misses of a batch overlap instead of queueing.
    struct Pending {
      std::string_view key, value;
      int64_t expire;
      Db* db;
      uint64_t hash;
    };
    Pending batch[32];
    while (!in.Done()) {
      size_t n = 0;
      while (n < 32 && !in.Done()) {
        Pending& p = batch[n];
        uint64_t expire_plus_one;
        if (!in.String(&p.key) || !in.Varint(&expire_plus_one) || !in.String(&p.value))
          return where + ": truncated record";
        ++records;
        p.expire = static_cast<int64_t>(expire_plus_one - 1);
        if (!keep_expired && p.expire >= 0 && p.expire <= now) continue;
        p.db = &server.ShardFor(p.key).db(static_cast<uint32_t>(db));
        p.hash = p.db->KeyHash(p.key);
        p.db->Prefetch(p.hash);
        ++n;
      }
      for (size_t i = 0; i < n; ++i) {
        Pending& p = batch[i];
        std::string error;
        Entry* e = DeserializeValue(p.key, p.value, p.expire, live, &error);
        if (!e) return where + ": key '" + std::string(p.key) + "': " + error;
        size_t before = p.db->size();
        p.db->PutHashed(e, p.hash);
        *keys += p.db->size() - before;
      }
    }
  }
}

}  // namespace ember
