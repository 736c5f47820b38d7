// Persistence: the append-only file, snapshots and their schedules, and
// loading at start-up. One instance, owned by the Server.
//
// The AOF is Redis 7's multi-part layout in `dir`/`appenddirname`: a base
// (a snapshot) and increments, listed by a manifest that is replaced
// atomically. Every shard appends the write commands it runs to its own
// buffer and writes the buffer as one frame (persist_file.h) per loop
// iteration, before any reply of that iteration leaves (`appendfsync
// always` fsyncs first). A frame is written whole or dropped whole at
// recovery, so a transaction or a multi-shard command, which never spans
// two frames, recovers all or nothing.
//
// Order between shards: frames of different shards interleave freely,
// since their keys are disjoint; a command that holds several shards
// appends its record while they are parked, after each of them wrote what
// it had (Shard::Park), and writes it before releasing them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "snapshot.h"

namespace ember {

class Server;
class Shard;

class Persistence {
 public:
  explicit Persistence(Server& server);
  ~Persistence();

  // Start-up, before any shard runs: loads the AOF (appendonly yes) or the
  // snapshot, then opens the AOF for appending. Returns "" or why the
  // server must not start.
  std::string LoadAndOpen();
  // The main thread, every 100 ms: save points, automatic AOF rewrites,
  // finishing background jobs.
  void Cron();
  // After the shards stopped: fsyncs the AOF and, when save points are
  // configured (or SHUTDOWN SAVE), writes a snapshot.
  void Shutdown();
  // SHUTDOWN's SAVE / NOSAVE.
  void set_shutdown_save(int mode) { shutdown_save_.store(mode); }

  // ---- shard threads ----
  bool aof_on() const { return aof_on_.load(std::memory_order_relaxed); }
  bool aof_always() const { return fsync_always_.load(std::memory_order_relaxed); }
  bool snapshot_running() const { return snapshot_running_.load(std::memory_order_relaxed); }
  // stop-writes-on-bgsave-error: the last background save failed.
  bool refusing_writes() const { return refusing_writes_.load(std::memory_order_relaxed); }
  // Adds one command to a shard's AOF buffer.
  static void AppendCommand(std::string* buf, std::span<const std::string_view> argv);
  // Writes a shard's buffer as one frame and clears it.
  void WriteAof(std::string* buf);
  // fdatasync of the AOF (appendfsync always, before replies leave).
  void SyncAof();
  // Frames wait to be written again after a failed AOF write: writes are
  // refused with -MISCONF and AofWriteError's strerror meanwhile.
  bool aof_write_failing() const { return aof_last_write_errno_.load(std::memory_order_relaxed) != 0; }
  std::string AofWriteError() const;

  // ---- commands (on a shard's thread) ----
  std::string BgSave(Shard& caller, bool* started);
  std::string Save(Shard& caller);
  // Starts a rewrite, or schedules it after the save running now.
  std::string BgRewriteAof(Shard& caller, bool* scheduled);
  // BGSAVE SCHEDULE during a rewrite: the save starts after it.
  void ScheduleBgSave() { bgsave_scheduled_.store(true); }
  int64_t lastsave() const { return lastsave_.load(); }
  std::string InfoSection();
  // CONFIG SET appendonly / appendfsync.
  void OnAppendOnlyChanged(bool on);
  void OnFsyncChanged(const std::string& value);

 private:
  enum class JobKind { kSave, kRewrite };
  struct ManifestFile {
    std::string name;
    uint64_t seq;
    char type;  // 'b' base, 'i' increment
  };

  std::string LoadAof(bool* loaded);
  std::string ReplayIncrement(const std::string& path, bool last);
  // After a successful load: deletes the files of the AOF directory that
  // the manifest does not list, logging each.
  void RemoveUnlistedFiles();
  std::string ReadManifest(std::vector<ManifestFile>* files, bool* exists);
  std::string WriteManifest(const std::vector<ManifestFile>& files);
  std::string OpenIncrement(const std::string& name);
  std::string CreateInitialAof();
  // Starts a background job holding every shard; caller's thread.
  std::string StartJob(Shard& caller, JobKind kind);
  void FinishJob();
  // The last background save failed: retried after a pause, and writes
  // are refused per stop-writes-on-bgsave-error.
  void NoteBgSaveFailed();
  // Cron: BGSAVE on a shard's thread.
  void StartBgSaveOnShard();
  void FsyncLoop();
  // A failed AOF write: the frame's unwritten part (written bytes of it
  // reached the file) waits in aof_unwritten_. With appendfsync always,
  // exits. aof_mu_ held.
  void KeepUnwrittenLocked(std::string unwritten, size_t written, int error);
  // Writes aof_unwritten_, if any; aof_mu_ held.
  void WriteUnwrittenLocked();
  void RetryUnwrittenAof();
  std::string AofDir() const;
  std::string DumpPath() const;
  std::string ConfigValue(const char* name) const;

  Server& server_;
  std::atomic<bool> aof_on_{false};
  std::atomic<bool> fsync_always_{false};
  std::atomic<bool> fsync_everysec_{true};
  std::atomic<bool> snapshot_running_{false};
  std::atomic<bool> refusing_writes_{false};
  std::atomic<int> shutdown_save_{0};  // 1 SAVE, -1 NOSAVE, 0 per the save points

  // The AOF increment being appended to; guarded by aof_mu_.
  std::mutex aof_mu_;
  int aof_fd_ = -1;
  std::vector<ManifestFile> manifest_;
  uint64_t aof_seq_ = 0;
  std::atomic<uint64_t> aof_size_{0};
  std::atomic<uint64_t> aof_base_size_{0};
  std::atomic<bool> aof_unsynced_{false};
  std::atomic<int64_t> aof_last_write_errno_{0};  // set while aof_unwritten_ waits
  uint64_t aof_offset_ = 0;                        // the increment's size on disk
  // Frames, in order, that a failed write left; written before any other.
  std::string aof_unwritten_;

  // The background job (BGSAVE or rewrite); guarded by job_mu_.
  std::mutex job_mu_;
  std::unique_ptr<Snapshot> job_;
  JobKind job_kind_ = JobKind::kSave;
  int64_t job_start_ms_ = 0;
  uint64_t job_next_seq_ = 0;
  bool job_had_manifest_ = false;
  std::atomic<bool> rewrite_scheduled_{false};
  std::atomic<bool> bgsave_scheduled_{false};

  std::atomic<int64_t> lastsave_{0};
  std::atomic<int64_t> last_save_try_ms_{0};
  std::atomic<bool> last_bgsave_ok_{true};
  std::atomic<bool> last_rewrite_ok_{true};
  std::atomic<int64_t> last_bgsave_secs_{-1};
  std::atomic<int64_t> last_rewrite_secs_{-1};
  std::atomic<uint64_t> saves_{0};
  std::atomic<uint64_t> rewrites_{0};
  std::atomic<uint64_t> dirty_at_save_{0};
  std::atomic<uint64_t> dirty_at_start_{0};

  std::mutex fsync_mu_;
  std::condition_variable fsync_cv_;
  bool fsync_stop_ = false;
  std::thread fsync_thread_;
};

}  // namespace ember
