// The framing every persistence file shares (snapshots, AOF bases and AOF
// increments). A file is a header, then frames:
//
//   header  magic (8 bytes) | u16 LE format version | varint codec count |
//           (varint length, name) per codec | u64 LE XXH3 of the bytes before
//   frame   u32 LE body length | u64 LE XXH3 of the body | body
//
// A frame's body is its payload after every module codec (encryption) has
// been applied, in load order; the header names those codecs, so a reader
// refuses a file it cannot decode instead of misreading it. The checksum
// covers the stored bytes, so a torn or flipped frame is found before any
// codec sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

inline constexpr std::string_view kSnapshotMagic = "EMBERSNP";
inline constexpr std::string_view kAofMagic = "EMBERAOF";
inline constexpr uint16_t kPersistFormatVersion = 1;
inline constexpr size_t kFrameHeaderSize = 12;
// No frame body is larger: a length past it is corruption, not a big frame.
inline constexpr uint32_t kMaxFrameBody = 1u << 30;

// The header for a new file, naming the codecs loaded now.
std::string FileHeader(std::string_view magic);

// Appends one frame carrying payload (encoded by the loaded codecs) to
// *out. Returns "" or the codec's error.
std::string AppendFrame(std::string_view payload, std::string* out);
// The 12 header bytes of a frame whose body is exactly body (no codec).
void FrameHeader(std::string_view body, char (&out)[kFrameHeaderSize]);

// A read-only view of a whole file (mmap'd), closed on destruction.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  // Returns "" or why the file could not be opened.
  std::string Open(const std::string& path);
  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// Reads frames from a file's bytes, checking each.
class FrameReader {
 public:
  enum class Result {
    kFrame,    // *payload holds the next decoded frame
    kEnd,      // no bytes left
    kTorn,     // the last frame is incomplete or its checksum fails and nothing follows it
    kCorrupt,  // a frame fails its checksum or codec with more data after it; error() says why
  };
  FrameReader(std::string_view bytes, std::string_view path) : bytes_(bytes), path_(path) {}
  // Checks the header's magic, version, checksum and codecs against those
  // loaded now; returns "" or the reason the file cannot be read.
  std::string ReadHeader(std::string_view magic);
  Result Next(std::string* payload);
  // The offset of the frame Next last looked at (the valid prefix's end
  // after kTorn).
  size_t frame_offset() const { return frame_offset_; }
  const std::string& error() const { return error_; }

 private:
  std::string_view bytes_;
  std::string path_;
  size_t pos_ = 0;
  size_t frame_offset_ = 0;
  std::string error_;
};

// Bounds-checked reads of varints and byte runs from a payload.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool Done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }
  bool Byte(uint8_t* v) {
    if (pos_ >= in_.size()) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Varint(uint64_t* v) {
    uint64_t n = 0;
    for (int shift = 0; shift < 64 && pos_ < in_.size(); shift += 7) {
      auto c = static_cast<uint8_t>(in_[pos_++]);
      n |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) {
        *v = n;
        return true;
      }
    }
    return false;
  }
  bool Bytes(uint64_t n, std::string_view* out) {
    if (n > in_.size() - pos_) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // A varint length, then that many bytes.
  bool String(std::string_view* out) {
    uint64_t n;
    return Varint(&n) && Bytes(n, out);
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// Writes all of data to fd (retrying short writes); "" or strerror.
std::string WriteAll(int fd, std::string_view data);
// Writes a then b with one writev (when the kernel takes it all). *written
// is how many bytes reached fd, an error's partial write included; after an
// error, errno is the failed write's.
std::string WriteAll2(int fd, std::string_view a, std::string_view b, size_t* written);
// fsyncs the directory holding path, so a rename in it is durable.
void SyncDirectoryOf(const std::string& path);
// dir + "/" + name, or name when it is absolute or dir is ".".
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace ember
