// DEBUG: introspection for tests and operators. DIGEST-VALUE gives a
// fingerprint of values (a module type's through its digest callback), SLEEP
// stops the server. DEBUG holds every shard (kCmdAllShards), so its keys may
// live anywhere. Clients run it only as enable-debug-command allows
// (kCmdProtected).
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "command.h"
#include "db.h"
#include "module_internal.h"
#include "server.h"
#include "util.h"
#include "value_codec.h"

namespace ember {

namespace {

// 32 hex digits of a value's XXH3-128 fingerprint; all zeros for no key.
// A module value feeds its type's digest callback (or, without one, its
// serialized bytes); any other value, its serialized form.
std::string DigestValue(const Entry* e) {
  if (!e) return std::string(32, '0');
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  const Object* obj = e->encoding() == Encoding::kObject ? e->object() : nullptr;
  const auto* mv = obj && obj->type() == ValueType::kModule ? static_cast<const ModuleValue*>(obj) : nullptr;
  if (mv && mv->module_type()->def.digest) {
    EmberDigest digest{state};
    mv->module_type()->def.digest(&digest, mv->value());
  } else {
    std::string bytes;
    SerializeValue(*e, &bytes);
    XXH3_128bits_update(state, bytes.data(), bytes.size());
  }
  XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  char hex[33];
  snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(h.high64),
           static_cast<unsigned long long>(h.low64));
  return hex;
}

void Debug(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "help") && ctx.argc() == 2) {
    return ReplyHelp(ctx, {"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                  "DIGEST-VALUE <key> [<key> ...]",
                                  "    Output a fingerprint of the value of each key (zeros for a missing key).",
                                  "SLEEP <seconds>",
                                  "    Stop the server for <seconds>. Decimals allowed.",
                                  "HELP",
                                  "    Print this help."});
  }
  if (EqualsIgnoreCase(sub, "digest-value")) {
    ctx.reply.Array(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply.Simple(DigestValue(ctx.db(ctx.arg(i)).Find(ctx.arg(i))));
    return;
  }
  if (EqualsIgnoreCase(sub, "sleep") && ctx.argc() == 3) {
    double seconds;
    if (!ParseDouble(ctx.arg(2), &seconds) || seconds < 0) return ctx.reply.Error(kErrNotFloat);
    // As Redis, the server stops (every shard is held); but in slices, so
    // that a SIGTERM or SIGINT still ends it promptly, as the signal
    // interrupts Redis's usleep.
    constexpr auto kSlice = std::chrono::milliseconds(10);
    auto end = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(std::min(seconds, 1e9)));
    for (auto now = std::chrono::steady_clock::now(); now < end && !ctx.server.shutdown_requested();
         now = std::chrono::steady_clock::now())
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kSlice, end - now));
    return ctx.reply.Ok();
  }
  ctx.reply.Error("unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try DEBUG HELP.");
}

}  // namespace

void RegisterDebugFamily(CommandTable& t) {
  t.Add({"debug", -2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdAllShards | kCmdProtected, 0, 0, 0,
         Debug, "server",
         "A container for debugging commands.", "1.0.0", {}});
}

}  // namespace ember
