// encryption.so: encryption at rest for ember's persistence files. Every
// AOF and snapshot frame passes through the "encryption" codec, which seals
// it with AES-256-GCM under the key read from a key file (frame_cipher.h
// has the layout). CONFIG SET encryption.keyfile rotates the key: new
// frames use the new one, frames under any key loaded since start-up still
// open.
#include <strings.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "ember_module.h"
#include "frame_cipher.h"
#include "key_file.h"
#include "key_ring.h"

EMBER_MODULE("encryption", 1);

namespace {

using namespace ember_encryption;

constexpr char kCodecName[] = "encryption";
constexpr char kKeyFileParam[] = "encryption.keyfile";
constexpr char kUsage[] = "usage: loadmodule /path/to/encryption.so keyfile /path/to/key (32 raw bytes)";

// Everything the module holds. The INFO callback gets no state pointer, so
// the one instance is reached through `instance`.
struct EncryptionModule {
  EmberModule* handle = nullptr;
  FrameCipher cipher;
  KeyRing keys;
  std::atomic<int64_t> frames_encrypted{0};
  std::atomic<int64_t> frames_decrypted{0};
  std::atomic<int64_t> failures{0};
};

const EmberApi* api = nullptr;
EncryptionModule* instance = nullptr;

void AppendToBuf(void* target, const void* ptr, size_t len) {
  api->buf_append(static_cast<EmberBuf*>(target), ptr, len);
}

int Fail(EncryptionModule* m, EmberBuf* out, const std::string& why) {
  m->failures.fetch_add(1, std::memory_order_relaxed);
  api->buf_set_error(out, why.c_str());
  return EMBER_ERR;
}

// Makes the key in `path` the current one; returns "" or why not.
std::string UseKeyFile(EncryptionModule* m, const std::string& path) {
  Key key;
  std::string warning;
  std::string err = ReadKeyFile(path, &key, &warning);
  if (!err.empty()) return err;
  if (!warning.empty()) api->log(m->handle, EMBER_LOG_WARNING, warning.c_str());
  m->keys.Use(key);
  std::string note = "new frames are sealed with key id " + KeyIdHex(key.id) + " from " + path +
                     "; keys loaded: " + std::to_string(m->keys.size());
  WipeKey(&key);
  api->log(m->handle, EMBER_LOG_NOTICE, note.c_str());
  return "";
}

int Encode(void* state, EmberStr in, EmberBuf* out) {
  auto* m = static_cast<EncryptionModule*>(state);
  Key key;
  if (!m->keys.Current(&key)) return Fail(m, out, "no key loaded");
  std::string err = m->cipher.Seal(key, std::string_view(in.ptr, in.len), ByteSink{AppendToBuf, out});
  WipeKey(&key);
  if (!err.empty()) return Fail(m, out, err);
  m->frames_encrypted.fetch_add(1, std::memory_order_relaxed);
  return EMBER_OK;
}

int Decode(void* state, EmberStr in, EmberBuf* out) {
  auto* m = static_cast<EncryptionModule*>(state);
  std::string_view frame(in.ptr, in.len);
  KeyId id;
  std::string err = ReadFrameKeyId(frame, &id);
  if (!err.empty()) return Fail(m, out, err);
  Key key;
  if (!m->keys.Find(id, &key))
    return Fail(m, out, "frame encrypted with a different key (key id " + KeyIdHex(id) +
                            "); load the key file it was written with");
  err = m->cipher.Open(key, frame, ByteSink{AppendToBuf, out});
  WipeKey(&key);
  if (!err.empty()) return Fail(m, out, err);
  m->frames_decrypted.fetch_add(1, std::memory_order_relaxed);
  return EMBER_OK;
}

int SetKeyFile(void* state, const char* name, EmberStr value, char* err, size_t err_cap) {
  (void)name;
  std::string why = UseKeyFile(static_cast<EncryptionModule*>(state), std::string(value.ptr, value.len));
  if (why.empty()) return EMBER_OK;
  std::snprintf(err, err_cap, "%s", why.c_str());
  return EMBER_ERR;
}

void Info(EmberInfoCtx* ctx, int for_crash) {
  (void)for_crash;
  api->info_section(ctx, "encryption");
  api->info_field_str(ctx, "encryption_cipher", "aes-256-gcm");
  api->info_field_str(ctx, "encryption_key_id", KeyIdHex(instance->keys.current_id()).c_str());
  api->info_field_i64(ctx, "encryption_frames_encrypted", instance->frames_encrypted.load());
  api->info_field_i64(ctx, "encryption_frames_decrypted", instance->frames_decrypted.load());
  api->info_field_i64(ctx, "encryption_failures", instance->failures.load());
}

// The key file named by the module's arguments: `keyfile <path>`.
bool ParseArgs(int argc, const EmberStr* argv, std::string* path, std::string* why) {
  for (int i = 0; i < argc; i += 2) {
    std::string word(argv[i].ptr, argv[i].len);
    if (strcasecmp(word.c_str(), "keyfile") != 0) {
      *why = "unknown argument '" + word + "'; " + kUsage;
      return false;
    }
    if (i + 1 == argc) {
      *why = std::string("keyfile needs a path; ") + kUsage;
      return false;
    }
    path->assign(argv[i + 1].ptr, argv[i + 1].len);
  }
  if (path->empty()) {
    *why = std::string("no key file given; ") + kUsage;
    return false;
  }
  return true;
}

int Refuse(EmberModule* m, const std::string& why) {
  api->set_load_error(m, why.c_str());
  return EMBER_ERR;
}

}  // namespace

EMBER_EXPORT int ember_module_init(EmberModule* m, const EmberApi* a, int argc, const EmberStr* argv) {
  api = a;
  std::string path, why;
  if (!ParseArgs(argc, argv, &path, &why)) return Refuse(m, why);
  auto state = std::make_unique<EncryptionModule>();
  state->handle = m;
  if (!state->cipher.ok()) return Refuse(m, "OpenSSL provides no AES-256-GCM cipher");
  why = UseKeyFile(state.get(), path);
  if (!why.empty()) return Refuse(m, why);
  // The parameter's default is the file the module was loaded with, so
  // CONFIG GET shows the key file in use.
  EmberConfigDef keyfile = {sizeof(EmberConfigDef), kKeyFileParam, EMBER_CONFIG_STRING, path.c_str(), 0, 0,
                            nullptr, 0, SetKeyFile, state.get()};
  if (a->register_config(m, &keyfile) != EMBER_OK)
    return Refuse(m, std::string("cannot register the parameter ") + kKeyFileParam);
  EmberCodecDef codec = {sizeof(EmberCodecDef), kCodecName, state.get(), Encode, Decode};
  if (a->register_codec(m, &codec) != EMBER_OK) return Refuse(m, "cannot register the persistence codec");
  if (a->register_info(m, Info) != EMBER_OK) return Refuse(m, "cannot register the INFO section");
  instance = state.release();
  return EMBER_OK;
}

EMBER_EXPORT void ember_module_deinit(EmberModule* m) {
  (void)m;
  delete instance;
  instance = nullptr;
}
