#include "frame_cipher.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace ember_encryption {

const char kAuthenticationFailed[] = "authentication failed: the file was tampered with or is corrupt";

namespace {

// Frames are cut into chunks this size on their way through the cipher, so
// a 1 MB frame needs no scratch buffer of its size.
constexpr size_t kChunk = 16384;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// OpenSSL's reason for the last failure on this thread, clearing its queue.
std::string OpenSslError(const char* what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string out = std::string("OpenSSL failed to ") + what;
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    out += std::string(": ") + text;
  }
  return out;
}

// Runs the bytes through ctx (encrypting or decrypting as it was set up)
// into out, one chunk at a time.
bool Transform(EVP_CIPHER_CTX* ctx, std::string_view in, ByteSink out) {
  unsigned char buf[kChunk];
  for (size_t at = 0; at < in.size(); at += kChunk) {
    int n = static_cast<int>(std::min(kChunk, in.size() - at));
    int produced = 0;
    if (EVP_CipherUpdate(ctx, buf, &produced, reinterpret_cast<const unsigned char*>(in.data()) + at, n) != 1)
      return false;
    out.append(out.target, buf, static_cast<size_t>(produced));
  }
  return true;
}

}  // namespace

std::string ReadFrameKeyId(std::string_view frame, KeyId* id) {
  if (frame.size() < kFrameOverhead)
    return "truncated frame: " + std::to_string(frame.size()) + " bytes, shorter than the " +
           std::to_string(kFrameOverhead) + " bytes of an encrypted frame's header and tag";
  auto version = static_cast<unsigned char>(frame[0]);
  if (version != kFrameVersion)
    return "unsupported frame version " + std::to_string(version) + " (this module reads version " +
           std::to_string(kFrameVersion) + ")";
  std::memcpy(id->data(), frame.data() + 1, kKeyIdSize);
  return "";
}

FrameCipher::FrameCipher() : cipher_(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr)) {}

FrameCipher::~FrameCipher() { EVP_CIPHER_free(cipher_); }

std::string FrameCipher::Seal(const Key& key, std::string_view plain, ByteSink out) const {
  unsigned char header[kHeaderSize];
  header[0] = kFrameVersion;
  std::memcpy(header + 1, key.id.data(), kKeyIdSize);
  unsigned char* nonce = header + 1 + kKeyIdSize;
  if (RAND_bytes(nonce, kNonceSize) != 1) return OpenSslError("draw a random nonce");
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  // GCM's default IV length is 12 bytes: the nonce needs no ctrl call.
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), cipher_, key.bytes.data(), nonce, nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, header, sizeof(header)) != 1)
    return OpenSslError("start encrypting a frame");
  out.append(out.target, header, sizeof(header));
  unsigned char final_block[EVP_MAX_BLOCK_LENGTH];  // GCM writes nothing here
  unsigned char tag[kTagSize];
  if (!Transform(ctx.get(), plain, out) || EVP_EncryptFinal_ex(ctx.get(), final_block, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) != 1)
    return OpenSslError("encrypt a frame");
  out.append(out.target, tag, sizeof(tag));
  return "";
}

std::string FrameCipher::Open(const Key& key, std::string_view frame, ByteSink out) const {
  const auto* header = reinterpret_cast<const unsigned char*>(frame.data());
  const unsigned char* nonce = header + 1 + kKeyIdSize;
  std::string_view ciphertext = frame.substr(kHeaderSize, frame.size() - kFrameOverhead);
  unsigned char tag[kTagSize];
  std::memcpy(tag, frame.data() + frame.size() - kTagSize, kTagSize);
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), cipher_, key.bytes.data(), nonce, nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, header, kHeaderSize) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize, tag) != 1)
    return OpenSslError("start decrypting a frame");
  if (!Transform(ctx.get(), ciphertext, out)) return OpenSslError("decrypt a frame");
  unsigned char final_block[EVP_MAX_BLOCK_LENGTH];  // GCM writes nothing here
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &n) != 1) {
    ERR_clear_error();
    return kAuthenticationFailed;
  }
  return "";
}

}  // namespace ember_encryption
