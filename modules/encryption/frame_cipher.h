// Encrypted frames: AES-256-GCM, a fresh random 96-bit nonce per frame.
//
//   offset  size  field
//   0       1     version (1)
//   1       8     key id: the first 8 bytes of SHA-256(key)
//   9       12    nonce
//   21      n     ciphertext (n = plaintext length)
//   21+n    16    GCM tag
//
// The 21 header bytes are authenticated as additional data: a frame whose
// header was altered never opens, even when its key id still names a key
// this process holds.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "key.h"

namespace ember_encryption {

constexpr unsigned char kFrameVersion = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kHeaderSize = 1 + kKeyIdSize + kNonceSize;
constexpr size_t kFrameOverhead = kHeaderSize + kTagSize;

// Where a frame's output goes, piece by piece (the codec's EmberBuf).
struct ByteSink {
  void (*append)(void* target, const void* ptr, size_t len);
  void* target;
};

// The messages a bad frame gets.
extern const char kAuthenticationFailed[];

// Reads the key id of an encrypted frame. Returns "" or why frame is not
// one (too short, another version).
std::string ReadFrameKeyId(std::string_view frame, KeyId* id);

// Seals and opens frames; one instance serves every thread (each call has
// its own EVP_CIPHER_CTX).
class FrameCipher {
 public:
  FrameCipher();
  FrameCipher(const FrameCipher&) = delete;
  FrameCipher& operator=(const FrameCipher&) = delete;
  ~FrameCipher();

  // False when OpenSSL offers no AES-256-GCM.
  bool ok() const { return cipher_ != nullptr; }

  // Appends the frame that seals plain under key. Returns "" or an error.
  std::string Seal(const Key& key, std::string_view plain, ByteSink out) const;
  // Appends the plaintext of frame, which ReadFrameKeyId says key sealed.
  // Returns "" or an error; after an error the bytes already appended are
  // not authentic and must be dropped.
  std::string Open(const Key& key, std::string_view frame, ByteSink out) const;

 private:
  // Fetched once: an implicit fetch per frame would cost a lookup each time.
  EVP_CIPHER* cipher_;
};

}  // namespace ember_encryption
