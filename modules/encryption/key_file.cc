#include "key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ember_encryption {

namespace {

// Reads up to cap bytes; -1 on a read error (errno set).
ssize_t ReadUpTo(int fd, unsigned char* buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

std::string ReadKeyFile(const std::string& path, Key* key, std::string* warning) {
  warning->clear();
  if (path.empty()) return "no key file given";
  const std::string quoted = "key file '" + path + "'";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + quoted + ": " + std::strerror(errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    return "cannot stat " + quoted + ": " + why;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return quoted + " is not a regular file";
  }
  // One byte more than a key, to tell a longer file from a key.
  unsigned char buf[kKeySize + 1];
  ssize_t n = ReadUpTo(fd, buf, sizeof(buf));
  std::string why = n < 0 ? std::strerror(errno) : "";
  close(fd);
  if (n < 0) return "cannot read " + quoted + ": " + why;
  if (static_cast<size_t>(n) != kKeySize) {
    OPENSSL_cleanse(buf, sizeof(buf));
    return quoted + " holds " + std::to_string(n == static_cast<ssize_t>(sizeof(buf)) ? st.st_size : n) +
           " bytes; an AES-256 key file holds exactly 32 raw bytes (make one with: head -c 32 /dev/urandom > " +
           path + ")";
  }
  std::memcpy(key->bytes.data(), buf, kKeySize);
  OPENSSL_cleanse(buf, sizeof(buf));
  if (!ComputeKeyId(key)) {
    WipeKey(key);
    return "cannot hash the key in " + quoted;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    *warning = quoted + " may be read by group or others; make it private: chmod 600 " + path;
  return "";
}

}  // namespace ember_encryption
