// encryption.so (modules/encryption/) loaded into ModuleHost and driven
// through EncodeFrame/DecodeFrame, as the persistence layer drives it:
// round trips, a fresh nonce per frame, every byte of a frame
// authenticated, wrong keys, truncation, key rotation, bad key files,
// INFO, and several threads at once.
//
// ModuleHost is process-wide and a codec module cannot be unloaded, so each
// scenario runs in a forked child (RunIsolated) on a fresh host.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "isolate.h"
#include "module.h"
#include "server.h"

#ifndef EMBER_TEST_MODULE_DIR
#error "EMBER_TEST_MODULE_DIR must name the directory modules are built in"
#endif

namespace {

using ember::ModuleHost;

const std::string kModule = std::string(EMBER_TEST_MODULE_DIR) + "/encryption.so";
constexpr size_t kHeader = 1 + 8 + 12;  // version, key id, nonce
constexpr size_t kOverhead = kHeader + 16;
const std::string kAuthFailed = "encryption: authentication failed: the file was tampered with or is corrupt";

#define EXPECT(cond, what)                                  \
  do {                                                      \
    if (!(cond)) return std::string(what) + " (" #cond ")"; \
  } while (0)

// A scratch directory, removed with what it holds.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ember-encryption-test-XXXXXX";
    path_ = mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

  // Writes bytes to a file named name with the given mode; returns its path.
  std::string Write(const std::string& name, const std::string& bytes, mode_t mode = 0600) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
    chmod(p.c_str(), mode);
    return p;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string path_;
};

// A 32-byte key: the bytes seed, seed+1, ... seed+31.
std::string KeyBytes(int seed) {
  std::string k;
  for (int i = 0; i < 32; ++i) k += static_cast<char>(seed + i);
  return k;
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string KeyIdOf(const std::string& frame) { return Hex(std::string_view(frame).substr(1, 8)); }

// The value of `field` in the module's INFO section, or "" if absent.
std::string InfoField(ModuleHost& host, const std::string& field) {
  std::string text;
  host.InfoModuleSections("encryption", &text);
  size_t at = text.find(field + ":");
  if (at == std::string::npos) return "";
  at += field.size() + 1;
  return text.substr(at, text.find("\r\n", at) - at);
}

struct Env {
  ModuleHost& host;
  ember::Config& config;
  const TempDir& dir;
};

// Runs fn in a child with a real Config and Server whose host has
// encryption.so loaded with the key file `a.key` (KeyBytes(seed)); fn
// returns "" or what went wrong.
template <typename Fn>
void WithEncryption(Fn fn, int seed = 1) {
  auto result = ember_test::RunIsolated([&]() -> std::string {
    spdlog::set_level(spdlog::level::off);
    TempDir dir;
    EXPECT(!dir.path().empty(), "mkdtemp");
    ember::Config config;
    config.Set("shards", "2", true);
    ember::Server server(config);
    ModuleHost& host = ModuleHost::Get();
    host.set_server(&server);
    std::string err = host.Load(kModule, {"keyfile", dir.Write("a.key", KeyBytes(seed))});
    EXPECT(err.empty(), "loading encryption.so: " + err);
    Env env{host, config, dir};
    return fn(env);
  });
  INFO(result.what);
  CHECK(result.ok);
}

// Loads encryption.so with args in a fresh child; returns the load error.
std::string LoadError(const std::vector<std::string>& args) {
  auto result = ember_test::RunIsolated([&]() -> std::string {
    spdlog::set_level(spdlog::level::off);
    ember::Config config;
    config.Set("shards", "1", true);
    ember::Server server(config);
    ModuleHost& host = ModuleHost::Get();
    host.set_server(&server);
    std::string err = host.Load(kModule, args);
    if (err.empty()) return "loaded";
    EXPECT(host.modules().empty() && !host.has_codecs(), "a failed load leaves no codec");
    EXPECT(!config.Known("encryption.keyfile"), "a failed load leaves no parameter");
    return "error: " + err;
  });
  return result.what;
}

}  // namespace

TEST_CASE("encryption: frames round trip", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    EXPECT(env.host.CodecNames() == std::vector<std::string>{"encryption"}, "the codec's name");
    std::string big(1 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 9));
    for (const std::string& in : {std::string(), std::string("x"), std::string("SET k v\r\n\0\xff", 11), big}) {
      std::string frame, back;
      std::string err = env.host.EncodeFrame(in, &frame);
      EXPECT(err.empty(), "encode: " + err);
      EXPECT(frame.size() == in.size() + kOverhead, "header, ciphertext, tag");
      EXPECT(frame[0] == 1, "version 1");
      EXPECT(KeyIdOf(frame) == InfoField(env.host, "encryption_key_id"), "the frame names the current key");
      // Only 8 bytes or more: a shorter input may turn up in random bytes.
      EXPECT(in.size() < 8 || frame.find(in.substr(0, std::min<size_t>(in.size(), 64))) == std::string::npos,
             "the plaintext does not appear in the frame");
      err = env.host.DecodeFrame(frame, &back);
      EXPECT(err.empty(), "decode: " + err);
      EXPECT(back == in, "decode(encode(x)) == x, size " + std::to_string(in.size()));
    }
    return "";
  });
}

TEST_CASE("encryption: the key id is SHA-256's first 8 bytes", "[encryption]") {
  // SHA-256 of the bytes 00 01 .. 1f begins 630dcd29 66c43366.
  WithEncryption(
      [](Env& env) -> std::string {
        std::string frame;
        EXPECT(env.host.EncodeFrame("data", &frame).empty(), "encode");
        EXPECT(KeyIdOf(frame) == "630dcd2966c43366", "key id " + KeyIdOf(frame));
        EXPECT(InfoField(env.host, "encryption_key_id") == "630dcd2966c43366", "INFO's key id");
        return "";
      },
      /*seed=*/0);
}

TEST_CASE("encryption: opens a frame sealed by another AES-256-GCM implementation", "[encryption]") {
  // Made with Python's cryptography (AESGCM): key 00 01 .. 1f, nonce 64 .. 6f,
  // plaintext "ember frame", the 21 header bytes as associated data.
  const std::string frame(
      "\x01\x63\x0d\xcd\x29\x66\xc4\x33\x66\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x2d\x76\xbc"
      "\x03\x0b\xc9\x30\xec\x5f\x0f\x3a\xc4\xf6\xe9\xe8\xbb\xf6\xf0\xe6\x38\xc1\x73\x86\x9f\xb3\xff\xa1",
      48);
  WithEncryption(
      [&](Env& env) -> std::string {
        std::string out;
        std::string err = env.host.DecodeFrame(frame, &out);
        EXPECT(err.empty(), "decode: " + err);
        EXPECT(out == "ember frame", "plaintext " + out);
        return "";
      },
      /*seed=*/0);
}

TEST_CASE("encryption: every frame has a fresh nonce", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    std::string a, b;
    EXPECT(env.host.EncodeFrame("same input", &a).empty() && env.host.EncodeFrame("same input", &b).empty(), "encode");
    EXPECT(a != b, "two frames of the same input differ");
    EXPECT(a.substr(9, 12) != b.substr(9, 12), "their nonces differ");
    EXPECT(a.substr(kHeader, 10) != b.substr(kHeader, 10), "so do their ciphertexts");
    return "";
  });
}

TEST_CASE("encryption: every byte of a frame is authenticated", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    std::string frame;
    EXPECT(env.host.EncodeFrame("a small AOF frame: SET key value", &frame).empty(), "encode");
    for (size_t i = 0; i < frame.size(); ++i)
      for (unsigned char flip : {0x01, 0x80}) {
        std::string bad = frame, out = "untouched";
        bad[i] = static_cast<char>(bad[i] ^ flip);
        std::string err = env.host.DecodeFrame(bad, &out);
        std::string where = "byte " + std::to_string(i) + " ^ " + std::to_string(flip) + ": " + err;
        EXPECT(out == "untouched", "a failed decode leaves out alone, " + where);
        if (i == 0)
          EXPECT(err.rfind("encryption: unsupported frame version ", 0) == 0, where);
        else if (i < 9)  // another key id: a key this process never loaded
          EXPECT(err == "encryption: frame encrypted with a different key (key id " + KeyIdOf(bad) +
                            "); load the key file it was written with",
                 where);
        else
          EXPECT(err == kAuthFailed, where);
      }
    // A 1 MB frame: its first, middle and last ciphertext bytes, and its tag.
    std::string big;
    EXPECT(env.host.EncodeFrame(std::string(1 << 20, 'v'), &big).empty(), "encode 1 MB");
    for (size_t i : {kHeader, big.size() / 2, big.size() - 17, big.size() - 1}) {
      std::string bad = big, out;
      bad[i] = static_cast<char>(bad[i] ^ 0x20);
      EXPECT(env.host.DecodeFrame(bad, &out) == kAuthFailed, "1 MB frame, byte " + std::to_string(i));
    }
    std::string out;
    EXPECT(env.host.DecodeFrame(big, &out).empty() && out.size() == 1 << 20, "the untouched frame still opens");
    return "";
  });
}

TEST_CASE("encryption: truncated frames fail", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    std::string frame, out;
    EXPECT(env.host.EncodeFrame("twenty bytes of data", &frame).empty(), "encode");
    for (size_t n = 0; n < frame.size(); ++n) {
      std::string err = env.host.DecodeFrame(frame.substr(0, n), &out);
      if (n < kOverhead)
        EXPECT(err == "encryption: truncated frame: " + std::to_string(n) +
                          " bytes, shorter than the 37 bytes of an encrypted frame's header and tag",
               "truncated to " + std::to_string(n) + ": " + err);
      else
        EXPECT(err == kAuthFailed, "truncated to " + std::to_string(n) + ": " + err);
    }
    EXPECT(env.host.DecodeFrame(frame + "x", &out) == kAuthFailed, "a trailing byte");
    return "";
  });
}

TEST_CASE("encryption: a frame sealed under another key names that key", "[encryption]") {
  TempDir shared;
  REQUIRE(!shared.path().empty());
  // One process writes a frame under key 1 and records its key id...
  WithEncryption([&](Env& env) -> std::string {
    std::string frame;
    EXPECT(env.host.EncodeFrame("written under key 1", &frame).empty(), "encode");
    shared.Write("frame", frame);
    shared.Write("key-id", InfoField(env.host, "encryption_key_id"));
    return "";
  });
  // ...another, loaded with key 2, cannot open it.
  WithEncryption(
      [&](Env& env) -> std::string {
        std::string frame = shared.Read("frame"), out = "untouched";
        std::string id = shared.Read("key-id");
        EXPECT(frame.size() == 19 + kOverhead && id.size() == 16, "the first process's frame and key id");
        EXPECT(id != InfoField(env.host, "encryption_key_id"), "two keys, two ids");
        std::string err = env.host.DecodeFrame(frame, &out);
        EXPECT(err == "encryption: frame encrypted with a different key (key id " + id +
                          "); load the key file it was written with",
               err);
        EXPECT(out == "untouched", "out is left alone");
        // With key 1 loaded too (a rotation back to it), the frame opens.
        EXPECT(env.config.Set("encryption.keyfile", env.dir.Write("one.key", KeyBytes(1)), false).empty(),
               "CONFIG SET to key 1");
        EXPECT(env.host.DecodeFrame(frame, &out).empty() && out == "written under key 1", "opens with key 1");
        return "";
      },
      /*seed=*/2);
}

TEST_CASE("encryption: key rotation keeps old frames readable", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    std::string path;
    EXPECT(env.config.Get("encryption.keyfile", &path) && path == env.dir.path() + "/a.key",
           "CONFIG GET shows the key file it was loaded with: " + path);
    std::string old_id = InfoField(env.host, "encryption_key_id");
    std::vector<std::string> frames(2);
    EXPECT(env.host.EncodeFrame("frame 0, old key", &frames[0]).empty(), "encode under the old key");
    std::string b = env.dir.Write("b.key", KeyBytes(100));
    std::string err = env.config.Set("encryption.keyfile", b, false);
    EXPECT(err.empty(), "CONFIG SET encryption.keyfile: " + err);
    EXPECT(env.config.Get("encryption.keyfile", &path) && path == b, "CONFIG GET shows the new file");
    std::string new_id = InfoField(env.host, "encryption_key_id");
    EXPECT(new_id.size() == 16 && new_id != old_id, "INFO shows the new key id");
    EXPECT(env.host.EncodeFrame("frame 1, new key", &frames[1]).empty(), "encode under the new key");
    EXPECT(KeyIdOf(frames[0]) == old_id && KeyIdOf(frames[1]) == new_id, "each frame names its key");
    // A log that mixes both keys reads back whole.
    for (size_t i = 0; i < frames.size(); ++i) {
      std::string out;
      err = env.host.DecodeFrame(frames[i], &out);
      EXPECT(err.empty(), "decode frame " + std::to_string(i) + ": " + err);
      EXPECT(out.rfind("frame " + std::to_string(i), 0) == 0, "frame " + std::to_string(i) + "'s content");
    }
    // Back to the first key: it is reused, and both keys still open frames.
    EXPECT(env.config.Set("encryption.keyfile", env.dir.path() + "/a.key", false).empty(), "back to a.key");
    std::string again, out;
    EXPECT(env.host.EncodeFrame("x", &again).empty() && KeyIdOf(again) == old_id, "sealed under a.key again");
    EXPECT(env.host.DecodeFrame(frames[1], &out).empty(), "b.key's frames still open");
    return "";
  });
}

TEST_CASE("encryption: bad key files are refused at load", "[encryption]") {
  TempDir dir;
  REQUIRE(!dir.path().empty());
  std::string missing = dir.path() + "/missing.key";
  std::string shorter = dir.Write("short.key", KeyBytes(1).substr(0, 31));
  std::string longer = dir.Write("long.key", KeyBytes(1) + "\n");
  std::string empty = dir.Write("empty.key", "");
  std::string hex = dir.Write("hex.key", std::string(64, 'a'));
  std::string prefix = "error: module 'encryption' failed to initialize: ";
  CHECK(LoadError({"keyfile", missing}) ==
        prefix + "cannot open key file '" + missing + "': No such file or directory");
  for (auto [path, size] : {std::pair{shorter, 31}, {longer, 33}, {empty, 0}, {hex, 64}})
    CHECK(LoadError({"keyfile", path}) ==
          prefix + "key file '" + path + "' holds " + std::to_string(size) +
              " bytes; an AES-256 key file holds exactly 32 raw bytes (make one with: head -c 32 /dev/urandom > " +
              path + ")");
  CHECK(LoadError({"keyfile", dir.path()}) == prefix + "key file '" + dir.path() + "' is not a regular file");
  const std::string usage = "usage: loadmodule /path/to/encryption.so keyfile /path/to/key (32 raw bytes)";
  CHECK(LoadError({}) == prefix + "no key file given; " + usage);
  CHECK(LoadError({"keyfile"}) == prefix + "keyfile needs a path; " + usage);
  CHECK(LoadError({"key", missing}) == prefix + "unknown argument 'key'; " + usage);
  CHECK(LoadError({"keyfile", ""}) == prefix + "no key file given; " + usage);
  if (geteuid() != 0) {  // root reads any file
    std::string unreadable = dir.Write("unreadable.key", KeyBytes(1), 0);
    CHECK(LoadError({"keyfile", unreadable}) ==
          prefix + "cannot open key file '" + unreadable + "': Permission denied");
  }
  // Readable by others: loads (with a warning in the log).
  CHECK(LoadError({"keyfile", dir.Write("open.key", KeyBytes(1), 0644)}) == "loaded");
  CHECK(LoadError({"KEYFILE", dir.Write("good.key", KeyBytes(1))}) == "loaded");
}

TEST_CASE("encryption: CONFIG SET refuses a bad key file and keeps the key", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    std::string before = InfoField(env.host, "encryption_key_id");
    std::string shorter = env.dir.Write("short.key", "0123456789");
    std::string missing = env.dir.path() + "/missing.key";
    struct Case {
      std::string value, want;
    } cases[] = {
        {shorter, "key file '" + shorter +
                      "' holds 10 bytes; an AES-256 key file holds exactly 32 raw bytes (make one with: head -c 32 "
                      "/dev/urandom > " + shorter + ")"},
        {missing, "cannot open key file '" + missing + "': No such file or directory"},
        {"", "no key file given"},
    };
    for (const Case& c : cases) {
      std::string err = env.config.Set("encryption.keyfile", c.value, false);
      // Config truncates a module's reason to 255 bytes.
      EXPECT(err == c.want.substr(0, 255), "CONFIG SET " + c.value + ": " + err);
    }
    std::string path, frame;
    EXPECT(env.config.Get("encryption.keyfile", &path) && path == env.dir.path() + "/a.key", "the value stays");
    EXPECT(InfoField(env.host, "encryption_key_id") == before, "the key stays");
    EXPECT(env.host.EncodeFrame("x", &frame).empty() && KeyIdOf(frame) == before, "frames use the old key");
    return "";
  });
}

TEST_CASE("encryption: INFO counts frames and failures", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    EXPECT(InfoField(env.host, "encryption_frames_encrypted") == "0", "none yet");
    std::string frame, out;
    for (int i = 0; i < 3; ++i) EXPECT(env.host.EncodeFrame("f", &frame).empty(), "encode");
    for (int i = 0; i < 2; ++i) EXPECT(env.host.DecodeFrame(frame, &out).empty(), "decode");
    EXPECT(!env.host.DecodeFrame("short", &out).empty(), "a failure");
    std::string text;
    env.host.InfoModuleSections("encryption", &text);
    EXPECT(text.rfind("# encryption\r\n", 0) == 0, "the section: " + text);
    EXPECT(InfoField(env.host, "encryption_frames_encrypted") == "3", text);
    EXPECT(InfoField(env.host, "encryption_frames_decrypted") == "2", text);
    EXPECT(InfoField(env.host, "encryption_failures") == "1", text);
    EXPECT(InfoField(env.host, "encryption_cipher") == "aes-256-gcm", text);
    return "";
  });
}

TEST_CASE("encryption: threads encode and decode while the key rotates", "[encryption]") {
  WithEncryption([](Env& env) -> std::string {
    std::string keys[2] = {env.dir.path() + "/a.key", env.dir.Write("b.key", KeyBytes(50))};
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    constexpr int kThreads = 4, kFrames = 200;
    for (int t = 0; t < kThreads; ++t)
      workers.emplace_back([&, t] {
        std::string in(4096, static_cast<char>('a' + t)), frame, out;
        for (int i = 0; i < kFrames; ++i) {
          in[0] = static_cast<char>(i);
          if (!env.host.EncodeFrame(in, &frame).empty() || !env.host.DecodeFrame(frame, &out).empty() || out != in)
            failures.fetch_add(1);
        }
      });
    std::thread rotator([&] {
      for (int i = 0; !stop.load(); ++i)
        if (!env.config.Set("encryption.keyfile", keys[i % 2], false).empty()) failures.fetch_add(1);
    });
    for (std::thread& w : workers) w.join();
    stop.store(true);
    rotator.join();
    EXPECT(failures.load() == 0, std::to_string(failures.load()) + " failures");
    EXPECT(InfoField(env.host, "encryption_frames_encrypted") == std::to_string(kThreads * kFrames), "encrypted");
    EXPECT(InfoField(env.host, "encryption_frames_decrypted") == std::to_string(kThreads * kFrames), "decrypted");
    return "";
  });
}
