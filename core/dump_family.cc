// DUMP and RESTORE: a value as an opaque payload and back. The payload is
// the value codec's bytes (value_codec.h), then its format version (2 bytes,
// little-endian), then an xxh64 of both (8 bytes, little-endian), the
// layout of Redis's payload with its CRC64 replaced. The checksum makes
// RESTORE refuse a damaged payload, or one from another server (Redis's own
// payloads fail it), before any byte is decoded.
#include <xxhash.h>

#include <climits>

#include "command.h"
#include "db.h"
#include "reply.h"
#include "server.h"
#include "util.h"
#include "value_codec.h"

namespace ember {

namespace {

constexpr size_t kTrailerBytes = 2 + 8;

uint64_t PayloadChecksum(std::string_view bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

void Dump(CmdCtx& ctx) {
  Entry* e = ctx.db(ctx.arg(1)).FindRead(ctx.arg(1));
  if (!e) return ctx.reply.Null();
  std::string payload;
  if (!SerializeValue(*e, &payload)) return ctx.reply.Error("the value's module type cannot be serialized");
  payload.push_back(static_cast<char>(kValueFormatVersion & 0xff));
  payload.push_back(static_cast<char>(kValueFormatVersion >> 8));
  uint64_t sum = PayloadChecksum(payload);
  for (int i = 0; i < 8; ++i) payload.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  ctx.reply.Bulk(payload);
}

// The codec bytes of a payload whose version this server reads and whose
// checksum matches; false otherwise.
bool VerifyPayload(std::string_view payload, std::string_view* body) {
  if (payload.size() < kTrailerBytes) return false;
  size_t n = payload.size() - kTrailerBytes;
  auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(payload[i])); };
  uint64_t version = byte(n) | (byte(n + 1) << 8);
  if (version == 0 || version > kValueFormatVersion) return false;
  uint64_t sum = 0;
  for (size_t i = 0; i < 8; ++i) sum |= byte(n + 2 + i) << (8 * i);
  if (sum != PayloadChecksum(payload.substr(0, n + 2))) return false;
  *body = payload.substr(0, n);
  return true;
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency], checked in Redis's order: options, existing key, TTL,
// payload.
void Restore(CmdCtx& ctx) {
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t i = 4; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(a, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && has_value && freq == -1) {
      if (!ParseInt64(ctx.arg(++i), &idle)) return ctx.reply.Error(kErrNotInteger);
      if (idle < 0) return ctx.reply.Error("Invalid IDLETIME value, must be >= 0");
    } else if (EqualsIgnoreCase(a, "freq") && has_value && idle == -1) {
      if (!ParseInt64(ctx.arg(++i), &freq)) return ctx.reply.Error(kErrNotInteger);
      if (freq < 0 || freq > 255) return ctx.reply.Error("Invalid FREQ value, must be >= 0 and <= 255");
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  // IDLETIME and FREQ are validated but set nothing: ember keeps no
  // per-key access clock or counter for eviction to read.
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db(key);
  bool exists = db.Find(key) != nullptr;
  if (exists && !replace) return ctx.reply.Error("-BUSYKEY Target key name already exists.");
  int64_t ttl;
  if (!ParseInt64(ctx.arg(2), &ttl)) return ctx.reply.Error(kErrNotInteger);
  if (ttl < 0) return ctx.reply.Error("Invalid TTL value, must be >= 0");
  std::string_view body;
  if (!VerifyPayload(ctx.arg(3), &body)) return ctx.reply.Error("DUMP payload version or checksum are wrong");

  int64_t expire = Entry::kNoExpire;
  bool expired = false;
  if (ttl != 0) {
    if (absttl) {
      expire = ttl;
    } else if (ttl > LLONG_MAX - db.now()) {
      // Redis's sum wraps negative here, so the key counts as expired.
      expired = true;
    } else {
      expire = ttl + db.now();
    }
    expired |= expire <= db.now();
  }
  std::string error;
  Entry* e = DeserializeValue(key, body, expired ? Entry::kNoExpire : expire, ctx.server.config().live, &error);
  if (!e) return ctx.reply.Error("Bad data format");
  // Like Redis, a replaced key is deleted first, so the restored one is new.
  if (exists) db.Delete(key);
  if (expired) {
    // Nothing is stored, and a replaced key is just gone.
    Entry::Destroy(e);
    if (exists) ctx.Notify(kNotifyGeneric, "del", key);
    ctx.propagate_as = {"DEL", std::string(key)};
    return ctx.reply.Ok();
  }
  db.Put(e);
  ctx.Notify(kNotifyGeneric, "restore", key);
  // A relative TTL is recorded as the absolute time it came to.
  if (expire != Entry::kNoExpire && !absttl)
    ctx.propagate_as = {"RESTORE", std::string(key), std::to_string(expire), std::string(ctx.arg(3)), "ABSTTL", "REPLACE"};
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpFamily(CommandTable& t) {
  // Field by field, so fields added to CommandSpec later keep their defaults.
  auto add = [&t](const char* name, int arity, uint32_t flags, CommandHandler h, const char* summary) {
    CommandSpec spec;
    spec.name = name;
    spec.arity = arity;
    spec.flags = flags;
    spec.first_key = spec.last_key = spec.key_step = 1;
    spec.handler = h;
    spec.group = "generic";
    spec.summary = summary;
    spec.since = "2.6.0";
    t.Add(std::move(spec));
  };
  add("dump", 2, kCmdReadOnly, Dump, "Returns a serialized representation of the value stored at a key.");
  add("restore", -4, kCmdWrite | kCmdDenyOom, Restore, "Creates a key from the serialized representation of a value.");
}

}  // namespace ember
