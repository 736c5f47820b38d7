#include "persistence.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "command.h"
#include "module.h"
#include "pack.h"
#include "persist_file.h"
#include "reply.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

namespace {

// How long a shard's snapshot step may run between client work.
constexpr int64_t kSnapshotStepUs = 500;
// Redis retries a failed automatic BGSAVE after this long.
constexpr int64_t kSaveRetryMs = 5000;

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

uint64_t TotalDirty(Server& server) {
  uint64_t n = 0;
  for (uint32_t i = 0; i < server.shard_count(); ++i) n += server.shard(i).changes();
  return n;
}

}  // namespace

Persistence::Persistence(Server& server) : server_(server) {}

Persistence::~Persistence() {
  {
    std::lock_guard<std::mutex> lock(fsync_mu_);
    fsync_stop_ = true;
  }
  fsync_cv_.notify_all();
  if (fsync_thread_.joinable()) fsync_thread_.join();
  if (aof_fd_ >= 0) close(aof_fd_);
}

std::string Persistence::ConfigValue(const char* name) const {
  std::string v;
  server_.config().Get(name, &v);
  return v;
}

std::string Persistence::AofDir() const { return JoinPath(ConfigValue("dir"), ConfigValue("appenddirname")); }

std::string Persistence::DumpPath() const { return JoinPath(ConfigValue("dir"), ConfigValue("dbfilename")); }

// ---- start-up ----

std::string Persistence::LoadAndOpen() {
  OnFsyncChanged(ConfigValue("appendfsync"));
  for (uint32_t i = 0; i < server_.shard_count(); ++i) server_.shard(i).set_now(0);
  std::string err;
  int64_t start = NowMs();
  if (ConfigValue("appendonly") == "yes") {
    bool loaded = false;
    err = LoadAof(&loaded);
    if (err.empty() && !loaded) err = CreateInitialAof();
  } else if (FileExists(DumpPath())) {
    uint64_t keys = 0;
    err = LoadSnapshot(server_, DumpPath(), false, &keys);
    if (err.empty())
      spdlog::info("DB loaded from disk: {} keys from {} in {:.3f} seconds", keys, DumpPath(),
                   static_cast<double>(NowMs() - start) / 1000.0);
  }
  if (!err.empty()) return err;
  int64_t now = NowMs();
  for (uint32_t i = 0; i < server_.shard_count(); ++i) server_.shard(i).set_now(now);
  lastsave_.store(now / 1000);
  fsync_thread_ = std::thread([this] { FsyncLoop(); });
  return "";
}

std::string Persistence::ReadManifest(std::vector<ManifestFile>* files, bool* exists) {
  std::string path = JoinPath(AofDir(), ConfigValue("appendfilename") + ".manifest");
  *exists = FileExists(path);
  if (!*exists) return "";
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string k1, name, k2, k3, type;
    uint64_t seq = 0;
    if (!(words >> k1 >> name >> k2 >> seq >> k3 >> type) || k1 != "file" || k2 != "seq" || k3 != "type" ||
        (type != "b" && type != "i"))
      return path + ": bad manifest line " + std::to_string(n) + ": " + line;
    files->push_back({name, seq, type[0]});
  }
  if (files->empty()) return path + ": empty manifest";
  return "";
}

std::string Persistence::WriteManifest(const std::vector<ManifestFile>& files) {
  std::string path = JoinPath(AofDir(), ConfigValue("appendfilename") + ".manifest");
  std::string text;
  for (const ManifestFile& f : files)
    text += "file " + f.name + " seq " + std::to_string(f.seq) + " type " + std::string(1, f.type) + "\n";
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return tmp + ": " + strerror(errno);
  std::string err = WriteAll(fd, text);
  if (err.empty() && fsync(fd) != 0) err = strerror(errno);
  close(fd);
  if (err.empty() && rename(tmp.c_str(), path.c_str()) != 0) err = strerror(errno);
  if (!err.empty()) return "writing the AOF manifest " + path + ": " + err;
  SyncDirectoryOf(path);
  return "";
}

std::string Persistence::LoadAof(bool* loaded) {
  std::vector<ManifestFile> files;
  std::string err = ReadManifest(&files, loaded);
  if (!err.empty() || !*loaded) return err;
  int64_t start = NowMs();
  std::string dir = AofDir();
  size_t last_incr = files.size();
  for (size_t i = 0; i < files.size(); ++i)
    if (files[i].type == 'i') last_incr = i;
  uint64_t keys = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = JoinPath(dir, files[i].name);
    if (files[i].type == 'b') {
      err = LoadSnapshot(server_, path, true, &keys);
      aof_base_size_.store(FileSize(path));
    } else {
      err = ReplayIncrement(path, i == last_incr);
    }
    if (!err.empty()) return err;
    aof_seq_ = std::max(aof_seq_, files[i].seq);
  }
  manifest_ = files;
  if (last_incr == files.size()) {
    // A base alone (a rewrite finished, no increment opened yet).
    ManifestFile incr{ConfigValue("appendfilename") + "." + std::to_string(aof_seq_) + ".incr.aof", aof_seq_, 'i'};
    manifest_.push_back(incr);
    err = OpenIncrement(incr.name);
    if (err.empty()) err = WriteManifest(manifest_);
  } else {
    err = OpenIncrement(files[last_incr].name);
  }
  if (!err.empty()) return err;
  RemoveUnlistedFiles();
  aof_on_.store(true);
  spdlog::info("DB loaded from append only file: {:.3f} seconds", static_cast<double>(NowMs() - start) / 1000.0);
  return "";
}

void Persistence::RemoveUnlistedFiles() {
  // A crash during a rewrite leaves its new base (whole or partial) and
  // possibly an increment the manifest never listed; nothing will ever read
  // them, and each may be as large as the data. Only files named like the
  // AOF's own are touched, and never one the manifest lists.
  std::string dir = AofDir();
  std::string prefix = ConfigValue("appendfilename") + ".";
  std::string manifest_name = ConfigValue("appendfilename") + ".manifest";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix) || name == manifest_name || !entry.is_regular_file(ec)) continue;
    if (std::any_of(manifest_.begin(), manifest_.end(), [&](const ManifestFile& f) { return f.name == name; }))
      continue;
    if (unlink(entry.path().c_str()) == 0)
      spdlog::warn("Removed {}: an AOF file the manifest does not list (left by an interrupted rewrite)",
                   entry.path().string());
    else
      spdlog::warn("Could not remove {}, an AOF file the manifest does not list: {}", entry.path().string(),
                   strerror(errno));
  }
  if (ec) spdlog::warn("Could not list the AOF directory {}: {}", dir, ec.message());
}

std::string Persistence::ReplayIncrement(const std::string& path, bool last) {
  MappedFile file;
  std::string err = file.Open(path);
  if (!err.empty()) return err;
  // Every increment starts with a header (OpenIncrement writes it before the
  // manifest lists the file), so an empty one is damage, not an empty log.
  // Redis 7.0 loads an empty AOF file as empty without a word: its increments
  // are headerless, so for it an empty file is a valid one. The last
  // increment emptied (a crash before its header reached the disk) is the
  // torn-header case below; an empty one before it has lost frames.
  if (file.data().empty()) {
    if (!last)
      return "Bad file format reading the append only file: " + path +
             " is empty (it has no header) and is not the last increment; nothing was changed on disk";
    if (ConfigValue("aof-load-truncated") != "yes")
      return "Bad file format reading the append only file: " + path +
             " is empty: it has no header (aof-load-truncated yes would load it as empty)";
    spdlog::warn("!!! Warning: the AOF file {} is empty: it has no header; loaded as empty and its header is "
                 "written again",
                 path);
    return "";
  }
  // The last increment cut off inside its header (a crash right after a
  // rewrite opened it) is a torn tail with no frame: it becomes empty, and
  // the header is written again when it is opened for appending.
  std::string header = FileHeader(kAofMagic);
  if (last && file.data().size() < header.size() && header.starts_with(file.data())) {
    if (ConfigValue("aof-load-truncated") != "yes")
      return "Bad file format reading the append only file: " + path +
             " ends inside its header (aof-load-truncated yes would drop it)";
    spdlog::warn("!!! Warning: the AOF file {} ends inside its header ({} bytes): truncated to 0 bytes", path,
                 file.data().size());
    if (truncate(path.c_str(), 0) != 0) return "could not truncate " + path + ": " + strerror(errno);
    return "";
  }
  FrameReader reader(file.data(), path);
  err = reader.ReadHeader(kAofMagic);
  if (!err.empty()) return err;
  std::string payload, scratch;
  std::vector<std::string_view> argv;
  uint64_t commands = 0;
  for (;;) {
    FrameReader::Result r = reader.Next(&payload);
    if (r == FrameReader::Result::kEnd) break;
    if (r == FrameReader::Result::kTorn && last && ConfigValue("aof-load-truncated") == "yes") {
      spdlog::warn("!!! Warning: short read while loading the AOF file {}!!! ({})", path, reader.error());
      spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled; truncating it to {} bytes", path,
                   reader.frame_offset());
      if (truncate(path.c_str(), static_cast<off_t>(reader.frame_offset())) != 0)
        return "could not truncate " + path + ": " + strerror(errno);
      break;
    }
    if (r != FrameReader::Result::kFrame)
      return "Bad file format reading the append only file: " + reader.error() +
             (r == FrameReader::Result::kTorn ? " (the file ends mid-frame; aof-load-truncated yes would drop it)"
                                              : "; nothing was changed on disk");
    ByteReader in(payload);
    uint32_t db = 0;  // each frame starts in database 0
    while (!in.Done()) {
      uint64_t argc;
      if (!in.Varint(&argc) || argc == 0 || argc > (1u << 20))
        return path + ": bad command record in frame at offset " + std::to_string(reader.frame_offset());
      argv.clear();
      for (uint64_t i = 0; i < argc; ++i) {
        std::string_view a;
        if (!in.String(&a))
          return path + ": truncated command in frame at offset " + std::to_string(reader.frame_offset());
        argv.push_back(a);
      }
      if (argv.size() == 2 && EqualsIgnoreCase(argv[0], "select")) {
        int64_t index;
        if (!ParseInt64(argv[1], &index) || index < 0 || index >= server_.databases())
          return path + ": SELECT " + std::string(argv[1]) + " in frame at offset " +
                 std::to_string(reader.frame_offset()) + " is out of range (databases is " +
                 std::to_string(server_.databases()) + ")";
        db = static_cast<uint32_t>(index);
        continue;
      }
      const CommandSpec* spec = CommandTable::Get().Find(argv[0]);
      if (!spec)
        return path + ": unknown command '" + std::string(argv[0]) + "' in frame at offset " +
               std::to_string(reader.frame_offset()) + " (is the module that adds it loaded?)";
      scratch.clear();
      Reply reply(&scratch, 2);
      CmdCtx ctx{argv, reply, server_, server_.shard(0), nullptr, *spec, nullptr, db};
      spec->handler(ctx);
      ++commands;
    }
  }
  aof_size_.fetch_add(FileSize(path));
  spdlog::info("AOF {}: {} commands replayed", path, commands);
  return "";
}

std::string Persistence::OpenIncrement(const std::string& name) {
  std::string path = JoinPath(AofDir(), name);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return "Can't open the append-only file " + path + ": " + strerror(errno);
  if (FileSize(path) == 0) {
    std::string err = WriteAll(fd, FileHeader(kAofMagic));
    if (err.empty() && fsync(fd) != 0) err = strerror(errno);
    if (!err.empty()) {
      close(fd);
      return path + ": " + err;
    }
  }
  if (aof_fd_ >= 0) {
    fdatasync(aof_fd_);
    close(aof_fd_);
  }
  aof_fd_ = fd;
  aof_offset_ = FileSize(path);
  return "";
}

std::string Persistence::CreateInitialAof() {
  std::string dir = AofDir();
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return "Can't create the AOF directory " + dir + ": " + strerror(errno);
  aof_seq_ = 1;
  std::string name = ConfigValue("appendfilename");
  ManifestFile base{name + ".1.base.esnap", 1, 'b'};
  ManifestFile incr{name + ".1.incr.aof", 1, 'i'};
  Snapshot snap(server_, JoinPath(dir, base.name));
  std::string err = snap.Begin();
  if (err.empty()) err = snap.RunAll();
  if (err.empty()) err = OpenIncrement(incr.name);
  if (!err.empty()) return err;
  manifest_ = {base, incr};
  err = WriteManifest(manifest_);
  if (!err.empty()) return err;
  aof_base_size_.store(FileSize(JoinPath(dir, base.name)));
  aof_on_.store(true);
  spdlog::info("Creating AOF base file {} on server start", base.name);
  return "";
}

// ---- the AOF on the request path ----

void Persistence::AppendCommand(std::string* buf, std::span<const std::string_view> argv) {
  PutVarint(buf, argv.size());
  for (std::string_view a : argv) PackAppend(buf, a);
}

void Persistence::WriteAof(std::string* buf) {
  if (buf->empty()) return;
  // Without a codec the buffer is the body: its header goes in front of
  // it with the same writev, and nothing is copied.
  std::string frame;
  char header[kFrameHeaderSize];
  if (ModuleHost::Get().has_codecs()) {
    std::string err = AppendFrame(*buf, &frame);
    if (!err.empty()) {
      buf->clear();
      spdlog::error("AOF: a frame could not be encoded: {}", err);
      return;
    }
  } else {
    FrameHeader(*buf, header);
  }
  std::string_view head = frame.empty() ? std::string_view(header, sizeof(header)) : std::string_view(frame);
  std::string_view body = frame.empty() ? std::string_view(*buf) : std::string_view();
  std::lock_guard<std::mutex> lock(aof_mu_);
  if (aof_fd_ < 0) return buf->clear();
  if (!aof_unwritten_.empty()) {
    // An earlier write failed: this frame goes after the ones it left.
    aof_unwritten_.append(head).append(body);
    buf->clear();
    WriteUnwrittenLocked();
    return;
  }
  size_t written = 0;
  std::string err = WriteAll2(aof_fd_, head, body, &written);
  if (err.empty()) {
    aof_offset_ += written;
    aof_size_.fetch_add(written, std::memory_order_relaxed);
    aof_unsynced_.store(true, std::memory_order_relaxed);
  } else {
    KeepUnwrittenLocked(std::string(head) + std::string(body), written, errno);
  }
  buf->clear();
}

void Persistence::KeepUnwrittenLocked(std::string unwritten, size_t written, int error) {
  if (fsync_always_.load()) {
    // A reply may not leave for a write that is not on disk, and this one
    // cannot be: Redis stops here too.
    spdlog::critical("Can't recover from AOF write error when the AOF fsync policy is 'always': {}. Exiting...",
                     strerror(error));
    spdlog::default_logger()->flush();
    _exit(1);
  }
  // A partial frame is cut off the file, so what follows can be appended
  // to a whole one; where that fails, the part that reached the file stays
  // and only the rest is kept.
  if (written > 0) {
    if (ftruncate(aof_fd_, static_cast<off_t>(aof_offset_)) == 0) {
      written = 0;
    } else {
      aof_offset_ += written;
      aof_size_.fetch_add(written, std::memory_order_relaxed);
    }
  }
  aof_unwritten_ = std::move(unwritten);
  aof_unwritten_.erase(0, written);
  if (aof_last_write_errno_.exchange(error) == 0)
    spdlog::error("Error writing to the AOF file: {}; writes are refused until it can be written", strerror(error));
}

void Persistence::WriteUnwrittenLocked() {
  if (aof_unwritten_.empty() || aof_fd_ < 0) return;
  size_t written = 0;
  std::string err = WriteAll2(aof_fd_, aof_unwritten_, {}, &written);
  if (!err.empty()) return KeepUnwrittenLocked(std::move(aof_unwritten_), written, errno);
  aof_offset_ += written;
  aof_size_.fetch_add(written, std::memory_order_relaxed);
  aof_unsynced_.store(true, std::memory_order_relaxed);
  aof_unwritten_.clear();
  aof_unwritten_.shrink_to_fit();
  aof_last_write_errno_.store(0);
  spdlog::warn("AOF write error looks solved, writes are accepted again.");
}

void Persistence::RetryUnwrittenAof() {
  std::lock_guard<std::mutex> lock(aof_mu_);
  WriteUnwrittenLocked();
}

std::string Persistence::AofWriteError() const {
  int64_t error = aof_last_write_errno_.load(std::memory_order_relaxed);
  return error == 0 ? "" : strerror(static_cast<int>(error));
}

void Persistence::SyncAof() {
  std::lock_guard<std::mutex> lock(aof_mu_);
  if (aof_fd_ >= 0 && aof_unsynced_.exchange(false)) fdatasync(aof_fd_);
}

void Persistence::FsyncLoop() {
  pthread_setname_np(pthread_self(), "ember-aof-fsync");
  std::unique_lock<std::mutex> lock(fsync_mu_);
  while (!fsync_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return fsync_stop_; })) {
    // Writes are refused while the AOF has frames it could not store: no
    // new write comes to push them, so they are retried from here.
    if (aof_last_write_errno_.load(std::memory_order_relaxed) != 0) RetryUnwrittenAof();
    if (!fsync_everysec_.load() || !aof_unsynced_.exchange(false)) continue;
    // fsync a duplicate outside aof_mu_, so shards keep appending meanwhile.
    int fd = -1;
    {
      std::lock_guard<std::mutex> aof_lock(aof_mu_);
      if (aof_fd_ >= 0) fd = dup(aof_fd_);
    }
    if (fd >= 0) {
      fdatasync(fd);
      close(fd);
    }
  }
}

void Persistence::OnFsyncChanged(const std::string& value) {
  fsync_always_.store(value == "always");
  fsync_everysec_.store(value == "everysec");
}

void Persistence::OnAppendOnlyChanged(bool on) {
  Shard* shard = Shard::Current();
  if (on && !aof_on() && shard) {
    bool scheduled;
    std::string err = BgRewriteAof(*shard, &scheduled);
    if (!err.empty()) spdlog::error("Turning the AOF on: {}", err);
    return;
  }
  if (!on && aof_on()) {
    std::lock_guard<std::mutex> lock(aof_mu_);
    aof_on_.store(false);
    if (aof_fd_ >= 0) {
      fdatasync(aof_fd_);
      close(aof_fd_);
      aof_fd_ = -1;
    }
    // Without an AOF, what it could not store is no reason to refuse writes.
    aof_unwritten_.clear();
    aof_last_write_errno_.store(0);
  }
}

// ---- background jobs ----

std::string Persistence::StartJob(Shard& caller, JobKind kind) {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    if (job_) return "busy";
    if (kind == JobKind::kRewrite) {
      std::string dir = AofDir();
      if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return "Can't create the AOF directory " + dir;
      std::lock_guard<std::mutex> aof_lock(aof_mu_);
      // Those frames belong to the increment the rewrite would close.
      if (!aof_unwritten_.empty()) return "Can't rewrite the AOF while writing to it fails: " + AofWriteError();
      job_next_seq_ = aof_seq_ + 1;
      job_had_manifest_ = !manifest_.empty();
      path = JoinPath(dir, ConfigValue("appendfilename") + "." + std::to_string(job_next_seq_) + ".base.esnap");
    } else {
      path = DumpPath();
    }
    job_ = std::make_unique<Snapshot>(server_, path);
    job_kind_ = kind;
    job_start_ms_ = NowMs();
  }
  std::string err;
  Snapshot* job = job_.get();
  caller.RunHoldingAll([&] {
    if (kind == JobKind::kRewrite) {
      // Every other shard wrote its buffer when it parked; ours goes now,
      // so the new increment holds exactly what follows the instant.
      caller.WriteAofBuffer();
      std::lock_guard<std::mutex> lock(aof_mu_);
      ManifestFile incr{ConfigValue("appendfilename") + "." + std::to_string(job_next_seq_) + ".incr.aof",
                        job_next_seq_, 'i'};
      err = OpenIncrement(incr.name);
      if (!err.empty()) return;
      aof_seq_ = job_next_seq_;
      manifest_.push_back(incr);
      if (job_had_manifest_) err = WriteManifest(manifest_);
      if (!err.empty()) return;
      aof_size_.store(0);
      // BGREWRITEAOF with appendonly no builds the files but logs nothing.
      aof_on_.store(ConfigValue("appendonly") == "yes");
    }
    dirty_at_start_.store(TotalDirty(server_));
    err = job->Begin();
    if (err.empty()) snapshot_running_.store(true);
  });
  if (!err.empty()) {
    std::lock_guard<std::mutex> lock(job_mu_);
    job_.reset();
    return err;
  }
  for (uint32_t i = 0; i < server_.shard_count(); ++i)
    server_.shard(i).Call([job](Shard& sh) {
      sh.AddBackgroundTask([job, &sh] { return job->StepShard(sh, kSnapshotStepUs); });
    });
  spdlog::info(kind == JobKind::kSave ? "Background saving started" : "Background append only file rewriting started");
  return "";
}

void Persistence::FinishJob() {
  std::lock_guard<std::mutex> lock(job_mu_);
  if (!job_ || !job_->done()) return;
  std::string err = job_->Wait();
  int64_t secs = (NowMs() - job_start_ms_) / 1000;
  if (job_kind_ == JobKind::kSave) {
    last_bgsave_secs_.store(secs);
    if (err.empty()) {
      last_bgsave_ok_.store(true);
      refusing_writes_.store(false);
      lastsave_.store(NowMs() / 1000);
      dirty_at_save_.store(dirty_at_start_.load());
      saves_.fetch_add(1);
      spdlog::info("Background saving terminated with success");
    } else {
      NoteBgSaveFailed();
      spdlog::error("Background saving error: {}", err);
    }
  } else {
    last_rewrite_ok_.store(err.empty());
    last_rewrite_secs_.store(secs);
    if (err.empty()) {
      std::string dir = AofDir();
      std::lock_guard<std::mutex> aof_lock(aof_mu_);
      std::vector<ManifestFile> next;
      next.push_back({ConfigValue("appendfilename") + "." + std::to_string(job_next_seq_) + ".base.esnap",
                      job_next_seq_, 'b'});
      for (const ManifestFile& f : manifest_)
        if (f.type == 'i' && f.seq >= job_next_seq_) next.push_back(f);
      err = WriteManifest(next);
      if (err.empty()) {
        for (const ManifestFile& f : manifest_)
          if (std::find_if(next.begin(), next.end(), [&](const ManifestFile& n) { return n.name == f.name; }) ==
              next.end())
            unlink(JoinPath(dir, f.name).c_str());
        manifest_ = next;
        aof_base_size_.store(FileSize(JoinPath(dir, next[0].name)));
        rewrites_.fetch_add(1);
        spdlog::info("Background AOF rewrite finished successfully");
      }
    }
    if (!err.empty()) {
      last_rewrite_ok_.store(false);
      spdlog::error("Background AOF rewrite failed: {}", err);
    }
  }
  job_.reset();
  snapshot_running_.store(false);
}

std::string Persistence::BgSave(Shard& caller, bool* started) {
  *started = false;
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    if (job_)
      return job_kind_ == JobKind::kSave ? "Background save already in progress"
                                         : "An AOF log rewriting in progress: can't BGSAVE right now. Use BGSAVE "
                                           "SCHEDULE in order to schedule a BGSAVE whenever possible.";
  }
  std::string err = StartJob(caller, JobKind::kSave);
  if (err == "busy") return "Background save already in progress";
  *started = err.empty();
  if (!err.empty()) NoteBgSaveFailed();
  return err;
}

std::string Persistence::Save(Shard& caller) {
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    if (job_) return "Background save already in progress";
  }
  Snapshot snap(server_, DumpPath());
  std::string err;
  caller.RunHoldingAll([&] {
    uint64_t dirty = TotalDirty(server_);
    err = snap.Begin();
    if (err.empty()) err = snap.RunAll();
    if (err.empty()) dirty_at_save_.store(dirty);
  });
  if (!err.empty()) {
    spdlog::error("SAVE failed: {}", err);
    return err;
  }
  lastsave_.store(NowMs() / 1000);
  saves_.fetch_add(1);
  spdlog::info("DB saved on disk");
  return "";
}

std::string Persistence::BgRewriteAof(Shard& caller, bool* scheduled) {
  *scheduled = false;
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    if (job_ && job_kind_ == JobKind::kRewrite) return "Background append only file rewriting already in progress";
    if (job_) {
      rewrite_scheduled_.store(true);
      *scheduled = true;
      return "";
    }
  }
  std::string err = StartJob(caller, JobKind::kRewrite);
  if (err == "busy") {
    rewrite_scheduled_.store(true);
    *scheduled = true;
    return "";
  }
  return err;
}

void Persistence::NoteBgSaveFailed() {
  last_bgsave_ok_.store(false);
  last_save_try_ms_.store(NowMs());
  refusing_writes_.store(ConfigValue("stop-writes-on-bgsave-error") == "yes" &&
                         ConfigValue("save").find_first_not_of(' ') != std::string::npos);
}

void Persistence::StartBgSaveOnShard() {
  // Holding shards takes a shard's thread; the cron runs on the main one.
  server_.shard(0).Call([this](Shard& sh) {
    bool started;
    std::string err = BgSave(sh, &started);
    if (!err.empty()) spdlog::error("Background saving: {}", err);
  });
}

void Persistence::Cron() {
  FinishJob();
  bool idle;
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    idle = !job_;
  }
  if (!idle) return;
  if (rewrite_scheduled_.exchange(false)) {
    server_.shard(0).Call([this](Shard& sh) {
      bool scheduled;
      std::string err = BgRewriteAof(sh, &scheduled);
      if (!err.empty()) spdlog::error("Background AOF rewrite: {}", err);
    });
    return;
  }
  if (bgsave_scheduled_.exchange(false)) {
    return StartBgSaveOnShard();
  }
  int64_t now = NowMs();
  uint64_t changes = TotalDirty(server_) - dirty_at_save_.load();
  std::istringstream points(ConfigValue("save"));
  int64_t seconds, min_changes;
  while (points >> seconds >> min_changes) {
    if (changes < static_cast<uint64_t>(min_changes) || now / 1000 - lastsave_.load() < seconds) continue;
    if (!last_bgsave_ok_.load() && now - last_save_try_ms_.load() < kSaveRetryMs) continue;
    spdlog::info("{} changes in {} seconds. Saving...", min_changes, seconds);
    return StartBgSaveOnShard();
  }
  if (aof_on()) {
    int64_t pct = 0, min_size = 0;
    ParseInt64(ConfigValue("auto-aof-rewrite-percentage"), &pct);
    ParseInt64(ConfigValue("auto-aof-rewrite-min-size"), &min_size);
    uint64_t size = aof_size_.load(), base = aof_base_size_.load();
    if (pct > 0 && size > static_cast<uint64_t>(min_size) &&
        size * 100 > base * static_cast<uint64_t>(pct)) {
      spdlog::info("Starting automatic rewriting of AOF on {}% growth", pct);
      rewrite_scheduled_.store(true);
    }
  }
}

void Persistence::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(fsync_mu_);
    fsync_stop_ = true;
  }
  fsync_cv_.notify_all();
  if (fsync_thread_.joinable()) fsync_thread_.join();
  {
    std::lock_guard<std::mutex> lock(job_mu_);
    if (job_) {
      job_->Detach();
      job_.reset();
      spdlog::warn("There is a background save or rewrite in progress: abandoned at shutdown");
    }
  }
  {
    std::lock_guard<std::mutex> lock(aof_mu_);
    WriteUnwrittenLocked();
    if (!aof_unwritten_.empty())
      spdlog::error("Exiting with {} bytes of AOF frames that could not be written: {}", aof_unwritten_.size(),
                    AofWriteError());
    if (aof_fd_ >= 0) {
      fsync(aof_fd_);
      close(aof_fd_);
      aof_fd_ = -1;
    }
  }
  int mode = shutdown_save_.load();
  std::string points = ConfigValue("save");
  if (mode < 0 || (mode == 0 && points.find_first_not_of(' ') == std::string::npos)) return;
  spdlog::info("Saving the final snapshot before exiting.");
  Snapshot snap(server_, DumpPath());
  std::string err = snap.Begin();
  if (err.empty()) err = snap.RunAll();
  if (err.empty())
    spdlog::info("DB saved on disk");
  else
    spdlog::error("Error trying to save the DB: {}", err);
}

std::string Persistence::InfoSection() {
  std::lock_guard<std::mutex> lock(job_mu_);
  int64_t now = NowMs();
  bool saving = job_ && job_kind_ == JobKind::kSave;
  bool rewriting = job_ && job_kind_ == JobKind::kRewrite;
  std::ostringstream o;
  o << "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0"
    << "\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:" << (job_ ? job_->records() : 0)
    << "\r\nrdb_changes_since_last_save:" << (TotalDirty(server_) - dirty_at_save_.load())
    << "\r\nrdb_bgsave_in_progress:" << saving << "\r\nrdb_last_save_time:" << lastsave_.load()
    << "\r\nrdb_last_bgsave_status:" << (last_bgsave_ok_.load() ? "ok" : "err")
    << "\r\nrdb_last_bgsave_time_sec:" << last_bgsave_secs_.load()
    << "\r\nrdb_current_bgsave_time_sec:" << (saving ? (now - job_start_ms_) / 1000 : -1)
    << "\r\nrdb_saves:" << saves_.load() << "\r\nrdb_last_cow_size:0\r\naof_enabled:" << aof_on()
    << "\r\naof_rewrite_in_progress:" << rewriting << "\r\naof_rewrite_scheduled:" << rewrite_scheduled_.load()
    << "\r\naof_last_rewrite_time_sec:" << last_rewrite_secs_.load()
    << "\r\naof_current_rewrite_time_sec:" << (rewriting ? (now - job_start_ms_) / 1000 : -1)
    << "\r\naof_last_bgrewrite_status:" << (last_rewrite_ok_.load() ? "ok" : "err")
    << "\r\naof_rewrites:" << rewrites_.load()
    << "\r\naof_last_write_status:" << (aof_last_write_errno_.load() == 0 ? "ok" : "err")
    << "\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n";
  if (aof_on())
    o << "aof_current_size:" << aof_size_.load() + aof_base_size_.load() << "\r\naof_base_size:"
      << aof_base_size_.load() << "\r\naof_pending_rewrite:0\r\naof_buffer_length:0\r\naof_pending_bio_fsync:0"
      << "\r\naof_delayed_fsync:0\r\n";
  return o.str();
}

}  // namespace ember
