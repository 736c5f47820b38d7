#include "blocking.h"

#include <cmath>

#include "command.h"
#include "conn.h"
#include "db.h"
#include "shard.h"
#include "util.h"

namespace ember {

bool ParseBlockTimeout(CmdCtx& ctx, std::string_view arg, int64_t* ms) {
  long double seconds;
  if (!ParseLongDouble(arg, &seconds)) {
    ctx.reply.Error("timeout is not a float or out of range");
    return false;
  }
  long double v = std::ceil(seconds * 1000.0L);
  if (v > static_cast<long double>(INT64_MAX) / 2) {
    ctx.reply.Error("timeout is out of range");
    return false;
  }
  if (v < 0) {
    ctx.reply.Error("timeout is negative");
    return false;
  }
  *ms = static_cast<int64_t>(v);
  return true;
}

void BlockOrServe(CmdCtx& ctx, std::vector<std::string_view> keys, ValueType type, int64_t timeout_ms,
                  BlockedClient::ServeFn serve, bool null_array) {
  Conn& conn = *ctx.conn;
  std::vector<uint32_t> shards;
  ctx.shard.KeyShards(ctx.spec, ctx.argv, &shards);
  ctx.shard.RunHolding(shards, [&] {
    // Shard::BeforeWrite left this to the hold.
    ctx.shard.SaveKeysBeforeWrite(ctx);
    for (std::string_view key : keys) {
      Entry* e;
      if (!LookupTyped(ctx, key, type, &e)) return;
      if (!e) continue;
      BlockedClient now;
      now.args.assign(ctx.argv.begin(), ctx.argv.end());
      if (serve(ctx, now, key)) ctx.propagate_as = ServedAs(now, key);
      return;
    }
    if (conn.in_exec) return null_array ? ctx.reply.NullArray() : ctx.reply.Null();
    auto b = std::make_shared<BlockedClient>();
    b->conn = &conn;
    b->home = &ctx.shard;
    b->seq = conn.ReserveRemoteSlot();
    b->resp = conn.resp;
    b->keys.assign(keys.begin(), keys.end());
    b->db = ctx.db_index;
    b->type = type;
    b->serve = serve;
    b->spec = &ctx.spec;
    b->args.assign(ctx.argv.begin(), ctx.argv.end());
    Reply timeout_reply(&b->timeout_reply, conn.resp);
    null_array ? timeout_reply.NullArray() : timeout_reply.Null();
    ctx.shard.BlockOn(b);
    conn.Block(std::move(b), timeout_ms);
  });
}

std::vector<std::string> ServedAs(const BlockedClient& b, std::string_view key) {
  const std::vector<std::string>& a = b.args;
  std::string name = ToLower(a[0]);
  std::string k(key);
  if (name == "blpop") return {"LPOP", k};
  if (name == "brpop") return {"RPOP", k};
  if (name == "bzpopmin") return {"ZPOPMIN", k};
  if (name == "bzpopmax") return {"ZPOPMAX", k};
  if (name == "brpoplpush") return {"RPOPLPUSH", a[1], a[2]};
  if (name == "blmove") return {"LMOVE", a[1], a[2], a[3], a[4]};
  // BLMPOP / BZMPOP timeout numkeys key... LEFT|RIGHT|MIN|MAX [COUNT n]
  int64_t numkeys = 0;
  ParseInt64(a[2], &numkeys);
  std::vector<std::string> out = {name == "blmpop" ? "LMPOP" : "ZMPOP", "1", k};
  out.insert(out.end(), a.begin() + 3 + numkeys, a.end());
  return out;
}

}  // namespace ember
