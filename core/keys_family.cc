// Generic key commands: deletion, existence, expiry, renaming and copying,
// and the keyspace walks (SCAN, KEYS, RANDOMKEY, DBSIZE).
#include <climits>

#include "command.h"
#include "db.h"
#include "object.h"
#include "server.h"
#include "shard.h"
#include "snapshot.h"
#include "util.h"

namespace ember {

namespace {

void Del(CmdCtx& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (!ctx.db(ctx.arg(i)).Delete(ctx.arg(i))) continue;
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(i));
    ++n;
  }
  ctx.reply.Int(n);
}

void Exists(CmdCtx& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) n += ctx.db(ctx.arg(i)).Peek(ctx.arg(i)) != nullptr;
  ctx.reply.Int(n);
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT]
void ExpireGeneric(CmdCtx& ctx, int64_t unit_ms, bool absolute) {
  std::string_view key = ctx.arg(1);
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "nx"))
      nx = true;
    else if (EqualsIgnoreCase(a, "xx"))
      xx = true;
    else if (EqualsIgnoreCase(a, "gt"))
      gt = true;
    else if (EqualsIgnoreCase(a, "lt"))
      lt = true;
    else
      return ctx.reply.Error("Unsupported option " + std::string(a));
  }
  if (nx && (xx || gt || lt)) return ctx.reply.Error("NX and XX, GT or LT options at the same time are not compatible");
  if (gt && lt) return ctx.reply.Error("GT and LT options at the same time are not compatible");
  int64_t when;
  if (!ParseInt64(ctx.arg(2), &when)) return ctx.reply.Error(kErrNotInteger);
  Db& db = ctx.db(key);
  std::string invalid = "invalid expire time in '" + ctx.spec.name + "' command";
  if (unit_ms == 1000 && (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)) return ctx.reply.Error(invalid);
  when *= unit_ms;
  if (!absolute) {
    if ((when > 0 && db.now() > LLONG_MAX - when) || (when < 0 && db.now() < LLONG_MIN - when))
      return ctx.reply.Error(invalid);
    when += db.now();
  }
  Entry* e = db.Find(key);
  if (!e) return ctx.reply.Int(0);
  int64_t current = e->expire_ms();  // kNoExpire (-1) means never: treat as +infinity
  if ((nx && current != Entry::kNoExpire) || (xx && current == Entry::kNoExpire) ||
      (gt && (current == Entry::kNoExpire || when <= current)) || (lt && current != Entry::kNoExpire && when >= current))
    return ctx.reply.Int(0);
  if (when <= db.now()) {
    db.Delete(key);
    ctx.Notify(kNotifyGeneric, "del", key);
    ctx.propagate_as = {"DEL", std::string(key)};
  } else {
    db.SetExpire(e, when);
    ctx.Notify(kNotifyGeneric, "expire", key);
    ctx.propagate_as = {"PEXPIREAT", std::string(key), std::to_string(when)};
  }
  ctx.reply.Int(1);
}

void Expire(CmdCtx& ctx) { ExpireGeneric(ctx, 1000, false); }
void PExpire(CmdCtx& ctx) { ExpireGeneric(ctx, 1, false); }
void ExpireAt(CmdCtx& ctx) { ExpireGeneric(ctx, 1000, true); }
void PExpireAt(CmdCtx& ctx) { ExpireGeneric(ctx, 1, true); }

// TTL family: remaining (or absolute) time, -1 without expire, -2 no key.
void TtlGeneric(CmdCtx& ctx, bool ms, bool absolute) {
  Db& db = ctx.db(ctx.arg(1));
  Entry* e = db.FindRead(ctx.arg(1), false);
  if (!e) return ctx.reply.Int(-2);
  int64_t at = e->expire_ms();
  if (at == Entry::kNoExpire) return ctx.reply.Int(-1);
  if (absolute) return ctx.reply.Int(ms ? at : (at + 500) / 1000);
  int64_t left = std::max<int64_t>(at - db.now(), 0);
  ctx.reply.Int(ms ? left : (left + 500) / 1000);
}
void Ttl(CmdCtx& ctx) { TtlGeneric(ctx, false, false); }
void PTtl(CmdCtx& ctx) { TtlGeneric(ctx, true, false); }
void ExpireTime(CmdCtx& ctx) { TtlGeneric(ctx, false, true); }
void PExpireTime(CmdCtx& ctx) { TtlGeneric(ctx, true, true); }

void Persist(CmdCtx& ctx) {
  Db& db = ctx.db(ctx.arg(1));
  Entry* e = db.Find(ctx.arg(1));
  if (!e || !e->has_expire()) return ctx.reply.Int(0);
  db.SetExpire(e, Entry::kNoExpire);
  ctx.Notify(kNotifyGeneric, "persist", ctx.arg(1));
  ctx.reply.Int(1);
}

void Type(CmdCtx& ctx) {
  Entry* e = ctx.db(ctx.arg(1)).Peek(ctx.arg(1));
  ctx.reply.Simple(e ? TypeName(e) : "none");
}

// Moves (or copies) src to dst, which may live on another shard. The
// dispatcher holds both shards, so the pair changes at one instant.
void RenameGeneric(CmdCtx& ctx, bool nx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  Db& from = ctx.db(src);
  Db& to = ctx.db(dst);
  Entry* e = from.Find(src);
  if (!e) return ctx.reply.Error(kErrNoSuchKey);
  if (src == dst) return nx ? ctx.reply.Int(0) : ctx.reply.Ok();
  // Redis deletes an existing dst and adds the key anew: a "new" event.
  if (to.Find(dst)) {
    if (nx) return ctx.reply.Int(0);
    to.Delete(dst);
  }
  from.Move(src, to, dst);
  ctx.Notify(kNotifyGeneric, "rename_from", src);
  ctx.Notify(kNotifyGeneric, "rename_to", dst);
  nx ? ctx.reply.Int(1) : ctx.reply.Ok();
}
void Rename(CmdCtx& ctx) { RenameGeneric(ctx, false); }
void RenameNx(CmdCtx& ctx) { RenameGeneric(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE]
void Copy(CmdCtx& ctx) {
  bool replace = false;
  std::string_view db_arg;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a, "db") && i + 1 < ctx.argc()) {
      db_arg = ctx.arg(++i);
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  uint32_t to_db = ctx.db_index;
  if (!db_arg.empty() && !ParseDbIndex(ctx, db_arg, &to_db)) return;
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  if (src == dst && to_db == ctx.db_index) return ctx.reply.Error("source and destination objects are the same");
  Entry* e = ctx.db(src).Find(src);
  if (!e) return ctx.reply.Int(0);
  Db& to = ctx.db_in(to_db, dst);
  // Another database's key: the dispatcher saved only the selected one's.
  if (to_db != ctx.db_index) Snapshot::SaveBeforeWrite(to, dst);
  bool overwrite = to.Find(dst);
  if (overwrite && !replace) return ctx.reply.Int(0);
  Entry* copy = CloneEntry(e, dst);
  // A module type without a copy callback.
  if (!copy) return ctx.reply.Error("not possible to copy a value of type '" + std::string(TypeName(e)) + "'");
  // As Redis: the old dst goes and the key is added anew ("new").
  if (overwrite) to.Delete(dst);
  to.Put(copy);
  ctx.NotifyIn(to_db, kNotifyGeneric, "copy_to", dst);
  ctx.reply.Int(1);
}

// MOVE key db: to the same name in another database, which is on the same
// shard (a key's shard depends on its name only).
void Move(CmdCtx& ctx) {
  std::string_view key = ctx.arg(1);
  uint32_t to_db;
  if (!ParseDbIndex(ctx, ctx.arg(2), &to_db)) return;
  if (to_db == ctx.db_index) return ctx.reply.Error("source and destination objects are the same");
  Db& from = ctx.db(key);
  Db& to = ctx.db_in(to_db, key);
  if (!from.Find(key) || to.Find(key)) return ctx.reply.Int(0);
  Snapshot::SaveBeforeWrite(to, key);
  from.Move(key, to, key);
  ctx.Notify(kNotifyGeneric, "move_from", key);
  ctx.NotifyIn(to_db, kNotifyGeneric, "move_to", key);
  ctx.reply.Int(1);
}

// SWAPDB a b: every shard (all held) swaps its parts of the two databases,
// so clients see one instant.
void SwapDb(CmdCtx& ctx) {
  int64_t a, b;
  if (!ParseInt64(ctx.arg(1), &a) || a < INT32_MIN || a > INT32_MAX)
    return ctx.reply.Error("invalid first DB index");
  if (!ParseInt64(ctx.arg(2), &b) || b < INT32_MIN || b > INT32_MAX)
    return ctx.reply.Error("invalid second DB index");
  int64_t n = ctx.server.databases();
  if (a < 0 || a >= n || b < 0 || b >= n) return ctx.reply.Error("DB index is out of range");
  if (a != b)
    for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) {
      Shard& sh = ctx.server.shard(s);
      sh.db(static_cast<uint32_t>(a)).SwapKeys(sh.db(static_cast<uint32_t>(b)));
    }
  ctx.reply.Ok();
}

void Touch(CmdCtx& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) n += ctx.db(ctx.arg(i)).FindRead(ctx.arg(i)) != nullptr;
  ctx.reply.Int(n);
}

void DbSize(CmdCtx& ctx) {
  int64_t n = 0;
  for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) n += static_cast<int64_t>(ctx.db_at(s).size());
  ctx.reply.Int(n);
}

void Keys(CmdCtx& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  size_t token = ctx.reply.BeginDeferredArray();
  size_t n = 0;
  for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) {
    Db& db = ctx.db_at(s);
    db.ForEach([&](Entry* e) {
      if (e->has_expire() && e->expire_ms() <= db.now()) return;
      if (all || GlobMatch(pattern, e->key())) {
        ctx.reply.Bulk(e->key());
        ++n;
      }
    });
  }
  ctx.reply.EndDeferredArray(token, n);
}

void RandomKey(CmdCtx& ctx) {
  uint64_t total = 0;
  for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) total += ctx.db_at(s).size();
  for (int tries = 0; total > 0 && tries < 16; ++tries) {
    // Pick a shard in proportion to its size, then a key in it.
    uint64_t pick = static_cast<uint64_t>(NowUs() * 2654435761ULL + tries) % total;
    for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) {
      uint64_t sz = ctx.db_at(s).size();
      if (pick >= sz) {
        pick -= sz;
        continue;
      }
      if (Entry* e = ctx.db_at(s).Random()) return ctx.reply.Bulk(e->key());
      break;
    }
  }
  ctx.reply.Null();
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void Scan(CmdCtx& ctx) {
  ScanArgs args;
  if (!ParseScanArgs(ctx, 1, true, &args)) return;
  uint64_t cursor = args.cursor;
  // The cursor names a shard and a position in its table:
  // cursor = table_cursor * shard_count + shard. The dispatcher holds every
  // shard, so one call may finish a shard and go on into the next.
  uint32_t shards = ctx.server.shard_count();
  uint32_t shard = static_cast<uint32_t>(cursor % shards);
  uint64_t table_cursor = cursor / shards;
  std::vector<std::string> keys;
  // Like Redis: visit buckets until COUNT keys are gathered, with a bound on
  // empty buckets so a sparse table does not make one call long.
  int64_t max_iterations = ScanIterations(args.count);
  while (shard < shards && --max_iterations > 0 && static_cast<int64_t>(keys.size()) < args.count) {
    Db& db = ctx.db_at(shard);
    table_cursor = db.Scan(table_cursor, [&](Entry* e) {
      if (e->has_expire() && e->expire_ms() <= db.now()) return;
      if (!args.Matches(e->key())) return;
      if (args.has_type && !EqualsIgnoreCase(args.type, TypeName(e))) return;
      keys.emplace_back(e->key());
    });
    if (table_cursor == 0) ++shard;
  }
  ReplyScanHeader(ctx.reply, shard < shards ? table_cursor * shards + shard : 0, keys.size());
  for (const std::string& k : keys) ctx.reply.Bulk(k);
}

void ObjectCmd(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "help")) {
    return ReplyHelp(ctx, {"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "ENCODING <key>",
                           "    Return the kind of internal representation used in order",
                           "    to store the value associated with a <key>.", "FREQ <key>",
                           "    Return the access frequency index of the <key>. The returned integer is",
                           "    proportional to the logarithm of the recent access frequency of the key.",
                           "IDLETIME <key>",
                           "    Return the idle time of the <key>, that is the approximated number of",
                           "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
                           "    Return the number of references of the value associated with the specified",
                           "    <key>.", "HELP", "    Print this help."});
  }
  bool encoding = EqualsIgnoreCase(sub, "encoding"), refcount = EqualsIgnoreCase(sub, "refcount"),
       freq = EqualsIgnoreCase(sub, "freq"), idletime = EqualsIgnoreCase(sub, "idletime");
  if (!encoding && !refcount && !freq && !idletime)
    return ctx.reply.Error("unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try OBJECT HELP.");
  if (ctx.argc() != 3) return ctx.reply.Error("wrong number of arguments for 'object|" + ToLower(sub) + "' command");
  // OBJECT looks without touching: the answer is about the accesses before it.
  Db& db = ctx.db(ctx.arg(2));
  Entry* e = db.Peek(ctx.arg(2));
  if (!e) return ctx.reply.Null();
  if (refcount) return ctx.reply.Int(1);
  if (encoding) return ctx.reply.Bulk(EncodingName(e));
  bool lfu = IsLfu(db.policy());
  if (freq) {
    if (!lfu)
      return ctx.reply.Error(
          "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching "
          "between policies at runtime LRU and LFU data will take some time to adjust.");
    return ctx.reply.Int(db.Frequency(e));
  }
  if (lfu)
    return ctx.reply.Error(
        "An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between "
        "policies at runtime LRU and LFU data will take some time to adjust.");
  ctx.reply.Int(static_cast<int64_t>(db.IdleMs(e) / 1000));
}

}  // namespace

void RegisterKeysFamily(CommandTable& t) {
  constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;
  auto add = [&t](const char* name, int arity, uint32_t flags, int first, int last, int step, CommandHandler h,
                  const char* summary, const char* since) {
    t.Add({name, arity, flags, first, last, step, h, "generic", summary, since, {}});
  };
  add("del", -2, W, 1, -1, 1, Del, "Deletes one or more keys.", "1.0.0");
  add("unlink", -2, W | F, 1, -1, 1, Del, "Asynchronously deletes one or more keys.", "4.0.0");
  add("exists", -2, R | F, 1, -1, 1, Exists, "Determines whether one or more keys exist.", "1.0.0");
  add("touch", -2, R | F, 1, -1, 1, Touch, "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1");
  add("expire", -3, W | F, 1, 1, 1, Expire, "Sets the expiration time of a key in seconds.", "1.0.0");
  add("pexpire", -3, W | F, 1, 1, 1, PExpire, "Sets the expiration time of a key in milliseconds.", "2.6.0");
  add("expireat", -3, W | F, 1, 1, 1, ExpireAt, "Sets the expiration time of a key to a Unix timestamp.", "1.2.0");
  add("pexpireat", -3, W | F, 1, 1, 1, PExpireAt, "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0");
  add("ttl", 2, R | F, 1, 1, 1, Ttl, "Returns the expiration time in seconds of a key.", "1.0.0");
  add("pttl", 2, R | F, 1, 1, 1, PTtl, "Returns the expiration time in milliseconds of a key.", "2.6.0");
  add("expiretime", 2, R | F, 1, 1, 1, ExpireTime, "Returns the expiration time of a key as a Unix timestamp.", "7.0.0");
  add("pexpiretime", 2, R | F, 1, 1, 1, PExpireTime, "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0");
  add("persist", 2, W | F, 1, 1, 1, Persist, "Removes the expiration time of a key.", "2.2.0");
  add("type", 2, R | F, 1, 1, 1, Type, "Determines the type of value stored at a key.", "1.0.0");
  add("rename", 3, W, 1, 2, 1, Rename, "Renames a key and overwrites the destination.", "1.0.0");
  add("renamenx", 3, W | F, 1, 2, 1, RenameNx, "Renames a key only when the target key name doesn't exist.", "1.0.0");
  add("copy", -3, W | kCmdDenyOom, 1, 2, 1, Copy, "Copies the value of a key to a new key.", "6.2.0");
  add("move", 3, W | F, 1, 1, 1, Move, "Moves a key to another database.", "1.0.0");
  add("swapdb", 3, W | F | kCmdAllShards, 0, 0, 0, SwapDb, "Swaps two Redis databases.", "4.0.0");
  add("dbsize", 1, R | F | kCmdAllShards, 0, 0, 0, DbSize, "Returns the number of keys in the database.", "1.0.0");
  add("keys", 2, R | kCmdAllShards, 0, 0, 0, Keys, "Returns all key names that match a pattern.", "1.0.0");
  add("randomkey", 1, R | kCmdAllShards, 0, 0, 0, RandomKey, "Returns a random key name from the database.", "1.0.0");
  add("scan", -2, R | kCmdAllShards, 0, 0, 0, Scan, "Iterates over the key names in the database.", "2.8.0");
  add("object", -2, R, 2, 2, 1, ObjectCmd, "A container for object introspection commands.", "2.2.3");
}

}  // namespace ember
