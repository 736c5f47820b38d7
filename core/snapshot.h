// Snapshot: a point-in-time copy of the whole keyspace, written by the
// shards themselves a little at a time, without fork().
//
// Begin() runs while every shard is held, so it fixes one instant across
// all of them: from then on each Db with keys carries a SnapshotShard. Each
// shard walks its Dicts (one database after another) with the SCAN cursor
// in short steps between client work.
// A write command first calls SaveBeforeWrite for each key it names, which
// writes that key's value as it was at the instant (once) and remembers the
// key, so the walk skips it; a key created after the instant is remembered
// the same way and never written. Extra memory is one chunk per shard plus
// the remembered keys, not a copy of the data.
//
// Each shard compresses (zstd) and encodes (module codecs) its own chunks;
// one writer thread appends the frames to a temporary file, which is
// fsynced and renamed into place when the last shard is done.
//
// Payloads (persist_file.h frames):
//   'C' varint key count at the instant (first; a loader sizes its tables)
//   'A' modules' global data (ModuleHost::SaveAux: the protobuf module's
//       schemas), before any key, so values load against them
//   zstd-compressed: 'K' then records: key (varint length, bytes), varint expire+1 (0: none,
//       else absolute unix ms + 1), value (varint length, value_codec bytes)
//       (database 0), or 'D', varint database, then records (any other)
//   'E' varint record count: the last frame of a complete file
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace ember {

class Db;
class Entry;
class Server;
class Shard;
class Snapshot;

struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// One Db's part of a snapshot in progress.
struct SnapshotShard {
  Snapshot* owner = nullptr;
  uint32_t index = 0;  // the shard
  uint32_t db = 0;     // the database
  uint64_t cursor = 0;
  bool walked = false;    // the walk is complete: nothing of the instant is left
  bool finished = false;  // its last chunk is handed to the writer
  // Keys written before the walk reached them, or created after the instant.
  std::unordered_set<std::string, TransparentStringHash, std::equal_to<>> seen;
  std::string chunk;
  uint64_t records = 0;
};

class Snapshot {
 public:
  // path: the file to create (written as path + ".tmp" first).
  Snapshot(Server& server, std::string path);
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // With every shard held, or none running: fixes the instant and starts
  // the writer. Returns "" or why the file could not be created.
  std::string Begin();
  // On the shard's thread (or a thread holding it): walks for about
  // budget_us. Returns true once this Db's part is finished.
  bool Step(Db& db, int64_t budget_us);
  // The same for every database of a shard, one after another: true once
  // the shard's part is finished.
  bool StepShard(Shard& shard, int64_t budget_us);
  // Abandons the walks (shutdown): no Db points at this snapshot any more.
  void Detach();
  // Every shard's walk to the end on this thread (which holds them all,
  // or no shard runs), then waits for the file. Returns "" or the error.
  std::string RunAll();
  // Blocks until the file is complete or failed; returns "" or the error.
  std::string Wait();
  bool done() const { return done_.load(std::memory_order_acquire); }
  uint64_t records() const { return records_.load(std::memory_order_relaxed); }
  const std::string& path() const { return path_; }

  // Before a write to key in db while a snapshot runs: keeps the key's
  // value at the instant. Cheap when db has no snapshot.
  static void SaveBeforeWrite(Db& db, std::string_view key);
  // The same for an entry in hand (eviction is about to free it).
  static void SaveEntryBeforeWrite(Db& db, const Entry& e);
  // Before a write that may touch every key of db (FLUSHALL): completes
  // db's walk now.
  static void SaveAllBeforeWrite(Db& db);

 private:
  void FlushChunk(SnapshotShard& s);
  // The last part is done: the end frame, and the writer may finish.
  void Finish();
  // Writes e (as it is before a write) into s's chunk.
  static void Keep(SnapshotShard& s, const Entry& e);
  void Push(std::string frame);
  void WriterLoop();
  void Fail(const std::string& error);

  Server& server_;
  std::string path_;
  std::string tmp_path_;
  int fd_ = -1;
  int64_t instant_ms_ = 0;
  std::deque<SnapshotShard> shards_;
  std::atomic<uint32_t> remaining_{0};
  std::atomic<uint64_t> records_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool closing_ = false;
  std::string error_;
  std::atomic<bool> done_{false};
  std::thread writer_;
};

// Loads a snapshot file into the server's Dbs (no shard running). Keys
// already expired are skipped unless keep_expired (an AOF base, whose
// increments may still name them). Returns "" or the reason, naming the
// file and offset.
std::string LoadSnapshot(Server& server, const std::string& path, bool keep_expired, uint64_t* keys);

}  // namespace ember
