#include "persist_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "module.h"
#include "pack.h"

namespace ember {

namespace {

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLE(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// strerror(errno), leaving errno as it was for the caller.
std::string ErrnoText() {
  int error = errno;
  std::string text = strerror(error);
  errno = error;
  return text;
}

}  // namespace

std::string FileHeader(std::string_view magic) {
  std::string out(magic);
  out.push_back(static_cast<char>(kPersistFormatVersion & 0xff));
  out.push_back(static_cast<char>(kPersistFormatVersion >> 8));
  std::vector<std::string> codecs = ModuleHost::Get().CodecNames();
  PutVarint(&out, codecs.size());
  for (const std::string& c : codecs) PackAppend(&out, c);
  PutU64(&out, XXH3_64bits(out.data(), out.size()));
  return out;
}

std::string AppendFrame(std::string_view payload, std::string* out) {
  std::string encoded;
  std::string_view body = payload;
  if (ModuleHost::Get().has_codecs()) {
    std::string err = ModuleHost::Get().EncodeFrame(payload, &encoded);
    if (!err.empty()) return err;
    body = encoded;
  }
  char header[kFrameHeaderSize];
  FrameHeader(body, header);
  out->append(header, sizeof(header));
  out->append(body);
  return "";
}

void FrameHeader(std::string_view body, char (&out)[kFrameHeaderSize]) {
  auto len = static_cast<uint32_t>(body.size());
  uint64_t sum = XXH3_64bits(body.data(), body.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<char>((sum >> (8 * i)) & 0xff);
}

MappedFile::~MappedFile() {
  if (addr_) munmap(addr_, size_);
}

std::string MappedFile::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return path + ": " + strerror(errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    std::string err = path + ": " + strerror(errno);
    close(fd);
    return err;
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    addr_ = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (addr_ == MAP_FAILED) {
      addr_ = nullptr;
      std::string err = path + ": " + strerror(errno);
      close(fd);
      return err;
    }
    madvise(addr_, size_, MADV_SEQUENTIAL);
  }
  close(fd);
  return "";
}

std::string FrameReader::ReadHeader(std::string_view magic) {
  ByteReader r(bytes_);
  std::string_view got;
  if (!r.Bytes(magic.size(), &got) || got != magic)
    return path_ + ": not an ember " + (magic == kAofMagic ? "append-only file" : "snapshot") + " (bad magic)";
  std::string_view version_bytes;
  uint64_t count;
  if (!r.Bytes(2, &version_bytes) || !r.Varint(&count) || count > 64) return path_ + ": truncated header";
  uint64_t version = GetLE(version_bytes.data(), 2);
  if (version > kPersistFormatVersion)
    return path_ + ": format version " + std::to_string(version) + " is newer than this server's (" +
           std::to_string(kPersistFormatVersion) + ")";
  std::vector<std::string> codecs;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name;
    if (!r.String(&name)) return path_ + ": truncated header";
    codecs.emplace_back(name);
  }
  size_t header_len = r.pos();
  std::string_view sum;
  if (!r.Bytes(8, &sum)) return path_ + ": truncated header";
  if (GetLE(sum.data(), 8) != XXH3_64bits(bytes_.data(), header_len)) return path_ + ": header checksum mismatch";
  pos_ = r.pos();
  std::vector<std::string> loaded = ModuleHost::Get().CodecNames();
  if (codecs != loaded) {
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& c : v) s += (s.empty() ? "" : ", ") + c;
      return s.empty() ? std::string("none") : s;
    };
    return path_ + ": written with codecs [" + list(codecs) + "] but this server has [" + list(loaded) +
           "]; load the module(s) it was written with (for \"encryption\": loadmodule encryption.so keyfile <key>)";
  }
  return "";
}

FrameReader::Result FrameReader::Next(std::string* payload) {
  frame_offset_ = pos_;
  if (pos_ == bytes_.size()) return Result::kEnd;
  size_t left = bytes_.size() - pos_;
  if (left < kFrameHeaderSize) {
    error_ = path_ + ": incomplete frame header at offset " + std::to_string(pos_);
    return Result::kTorn;
  }
  const char* p = bytes_.data() + pos_;
  auto len = static_cast<uint32_t>(GetLE(p, 4));
  uint64_t sum = GetLE(p + 4, 8);
  if (len > kMaxFrameBody) {
    error_ = path_ + ": bad frame length at offset " + std::to_string(pos_);
    return Result::kCorrupt;
  }
  if (len > left - kFrameHeaderSize) {
    error_ = path_ + ": frame at offset " + std::to_string(pos_) + " is cut short";
    return Result::kTorn;
  }
  std::string_view body(p + kFrameHeaderSize, len);
  size_t end = pos_ + kFrameHeaderSize + len;
  if (XXH3_64bits(body.data(), body.size()) != sum) {
    error_ = path_ + ": checksum mismatch in frame at offset " + std::to_string(pos_);
    return end == bytes_.size() ? Result::kTorn : Result::kCorrupt;
  }
  if (ModuleHost::Get().has_codecs()) {
    std::string err = ModuleHost::Get().DecodeFrame(body, payload);
    if (!err.empty()) {
      error_ = path_ + ": frame at offset " + std::to_string(pos_) + ": " + err;
      return Result::kCorrupt;
    }
  } else {
    payload->assign(body);
  }
  pos_ = end;
  return Result::kFrame;
}

std::string WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return strerror(errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return "";
}

std::string WriteAll2(int fd, std::string_view a, std::string_view b, size_t* written) {
  iovec iov[2] = {{const_cast<char*>(a.data()), a.size()}, {const_cast<char*>(b.data()), b.size()}};
  *written = 0;
  ssize_t n;
  do {
    n = writev(fd, iov, 2);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoText();
  auto done = static_cast<size_t>(n);
  *written = done;
  // After a short writev: the rest of a, then the rest of b.
  std::string_view rest_a = a.substr(std::min(done, a.size()));
  std::string_view rest_b = b.substr(done > a.size() ? done - a.size() : 0);
  for (std::string_view part : {rest_a, rest_b}) {
    while (!part.empty()) {
      ssize_t m = write(fd, part.data(), part.size());
      if (m < 0 && errno == EINTR) continue;
      if (m < 0) return ErrnoText();
      *written += static_cast<size_t>(m);
      part.remove_prefix(static_cast<size_t>(m));
    }
  }
  return "";
}

void SyncDirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (name.empty() || name[0] == '/' || dir.empty() || dir == ".") return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace ember
