// String commands: GET, SET and friends, counters, ranges. Values up to 20
// bytes that are canonical integers are kept as int64 (Redis's "int"
// encoding), so INCR works in place.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "command.h"
#include "db.h"
#include "server.h"
#include "util.h"

namespace ember {

namespace {

// The options SET and GETEX share, parsed as Redis's
// parseExtendedStringArgumentsOrReply: an option may repeat (the last expire
// value wins) but not combine with one it conflicts with.
struct StringOptions {
  enum class ExpireKind { kNone, kEx, kPx, kExAt, kPxAt };
  bool nx = false, xx = false, get = false, keepttl = false, persist = false;
  ExpireKind expire = ExpireKind::kNone;
  std::string_view expire_arg;
};

bool ParseStringOptions(CmdCtx& ctx, size_t from, bool is_set, StringOptions* o) {
  using Kind = StringOptions::ExpireKind;
  for (size_t i = from; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    Kind kind = EqualsIgnoreCase(a, "ex")     ? Kind::kEx
                : EqualsIgnoreCase(a, "px")   ? Kind::kPx
                : EqualsIgnoreCase(a, "exat") ? Kind::kExAt
                : EqualsIgnoreCase(a, "pxat") ? Kind::kPxAt
                                              : Kind::kNone;
    if (is_set && EqualsIgnoreCase(a, "nx") && !o->xx) {
      o->nx = true;
    } else if (is_set && EqualsIgnoreCase(a, "xx") && !o->nx) {
      o->xx = true;
    } else if (is_set && EqualsIgnoreCase(a, "get")) {
      o->get = true;
    } else if (is_set && EqualsIgnoreCase(a, "keepttl") && o->expire == Kind::kNone) {
      o->keepttl = true;
    } else if (!is_set && EqualsIgnoreCase(a, "persist") && o->expire == Kind::kNone) {
      o->persist = true;
    } else if (kind != Kind::kNone && has_next && !o->keepttl && !o->persist &&
               (o->expire == Kind::kNone || o->expire == kind)) {
      o->expire = kind;
      o->expire_arg = ctx.arg(++i);
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// The absolute expire time (unix ms) the options ask for, with Redis's
// checks. Returns false after replying with the error.
bool ResolveExpire(CmdCtx& ctx, const StringOptions& o, const char* cmd, int64_t* out) {
  using Kind = StringOptions::ExpireKind;
  int64_t v;
  if (!ParseInt64(o.expire_arg, &v)) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  bool seconds = o.expire == Kind::kEx || o.expire == Kind::kExAt;
  bool relative = o.expire == Kind::kEx || o.expire == Kind::kPx;
  std::string msg = std::string("invalid expire time in '") + cmd + "' command";
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
    ctx.reply.Error(msg);
    return false;
  }
  if (seconds) v *= 1000;
  if (relative) {
    int64_t now = ctx.db(ctx.arg(1)).now();
    if (v > LLONG_MAX - now) {
      ctx.reply.Error(msg);
      return false;
    }
    v += now;
  }
  *out = v;
  return true;
}

// SETEX/PSETEX: a relative time argument.
bool ParseRelativeExpire(CmdCtx& ctx, std::string_view arg, bool seconds, const char* cmd, int64_t* out) {
  StringOptions o;
  o.expire = seconds ? StringOptions::ExpireKind::kEx : StringOptions::ExpireKind::kPx;
  o.expire_arg = arg;
  return ResolveExpire(ctx, o, cmd, out);
}

// The string at e as a bulk reply, or a null when there is no entry.
void ReplyStringOrNull(CmdCtx& ctx, const Entry* e) {
  if (!e) return ctx.reply.Null();
  char buf[24];
  ctx.reply.Bulk(e->StringValue(buf));
}

void Get(CmdCtx& ctx) {
  Entry* e = ctx.db(ctx.arg(1)).FindRead(ctx.arg(1));
  if (!e) return ctx.reply.Null();
  if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
  char buf[24];
  ctx.reply.Bulk(e->StringValue(buf));
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
void Set(CmdCtx& ctx) {
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db(key);
  StringOptions o;
  if (!ParseStringOptions(ctx, 3, true, &o)) return;
  int64_t expire = Entry::kNoExpire;
  if (o.expire != StringOptions::ExpireKind::kNone && !ResolveExpire(ctx, o, "set", &expire)) return;
  Entry* old = db.Find(key);
  if (o.get) {
    if (old && !old->is_string()) return ctx.reply.Error(kErrWrongType);
    ReplyStringOrNull(ctx, old);
  }
  if ((o.nx && old) || (o.xx && !old)) {
    if (!o.get) ctx.reply.Null();
    return;
  }
  if (o.keepttl && old) expire = old->expire_ms();
  db.SetString(key, ctx.arg(2), expire);
  if (o.expire != StringOptions::ExpireKind::kNone)
    ctx.propagate_as = {"SET", std::string(key), std::string(ctx.arg(2)), "PXAT", std::to_string(expire)};
  ctx.Notify(kNotifyString, "set", key);
  if (o.expire != StringOptions::ExpireKind::kNone) ctx.Notify(kNotifyGeneric, "expire", key);
  if (!o.get) ctx.reply.Ok();
}

void SetNx(CmdCtx& ctx) {
  Db& db = ctx.db(ctx.arg(1));
  if (db.Find(ctx.arg(1))) return ctx.reply.Int(0);
  db.SetString(ctx.arg(1), ctx.arg(2), Entry::kNoExpire);
  ctx.Notify(kNotifyString, "set", ctx.arg(1));
  ctx.reply.Int(1);
}

void SetExGeneric(CmdCtx& ctx, bool seconds, const char* name) {
  int64_t expire;
  if (!ParseRelativeExpire(ctx, ctx.arg(2), seconds, name, &expire)) return;
  ctx.db(ctx.arg(1)).SetString(ctx.arg(1), ctx.arg(3), expire);
  ctx.propagate_as = {"SET", std::string(ctx.arg(1)), std::string(ctx.arg(3)), "PXAT", std::to_string(expire)};
  ctx.Notify(kNotifyString, "set", ctx.arg(1));
  ctx.Notify(kNotifyGeneric, "expire", ctx.arg(1));
  ctx.reply.Ok();
}
void SetEx(CmdCtx& ctx) { SetExGeneric(ctx, true, "setex"); }
void PSetEx(CmdCtx& ctx) { SetExGeneric(ctx, false, "psetex"); }

void GetSet(CmdCtx& ctx) {
  Db& db = ctx.db(ctx.arg(1));
  Entry* old = db.Find(ctx.arg(1));
  if (old && !old->is_string()) return ctx.reply.Error(kErrWrongType);
  ReplyStringOrNull(ctx, old);
  db.SetString(ctx.arg(1), ctx.arg(2), Entry::kNoExpire);
  ctx.Notify(kNotifyString, "set", ctx.arg(1));
}

void GetDel(CmdCtx& ctx) {
  Db& db = ctx.db(ctx.arg(1));
  Entry* e = db.FindRead(ctx.arg(1));
  if (!e) return ctx.reply.Null();
  if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
  char buf[24];
  ctx.reply.Bulk(e->StringValue(buf));
  db.Delete(ctx.arg(1));
  ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
}

// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]
void GetEx(CmdCtx& ctx) {
  Db& db = ctx.db(ctx.arg(1));
  StringOptions o;
  if (!ParseStringOptions(ctx, 2, false, &o)) return;
  Entry* e = db.FindRead(ctx.arg(1));
  if (!e) return ctx.reply.Null();
  if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
  int64_t expire = Entry::kNoExpire;
  bool set_expire = o.expire != StringOptions::ExpireKind::kNone;
  if (set_expire && !ResolveExpire(ctx, o, "getex", &expire)) return;
  char buf[24];
  ctx.reply.Bulk(e->StringValue(buf));
  if (set_expire && expire <= db.now()) {
    db.Delete(ctx.arg(1));
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
    ctx.propagate_as = {"DEL", std::string(ctx.arg(1))};
  } else if (set_expire) {
    db.SetExpire(e, expire);
    ctx.Notify(kNotifyGeneric, "expire", ctx.arg(1));
    ctx.propagate_as = {"PEXPIREAT", std::string(ctx.arg(1)), std::to_string(expire)};
  } else if (o.persist && e->has_expire()) {
    db.SetExpire(e, Entry::kNoExpire);
    ctx.Notify(kNotifyGeneric, "persist", ctx.arg(1));
  }
}

void MGet(CmdCtx& ctx) {
  ctx.reply.Array(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = ctx.db(ctx.arg(i)).FindRead(ctx.arg(i));
    ReplyStringOrNull(ctx, e && e->is_string() ? e : nullptr);
  }
}

void MSet(CmdCtx& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.WrongArity();
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    ctx.db(ctx.arg(i)).SetString(ctx.arg(i), ctx.arg(i + 1), Entry::kNoExpire);
    ctx.Notify(kNotifyString, "set", ctx.arg(i));
  }
  ctx.reply.Ok();
}

void MSetNx(CmdCtx& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.WrongArity();
  for (size_t i = 1; i < ctx.argc(); i += 2)
    if (ctx.db(ctx.arg(i)).Find(ctx.arg(i))) return ctx.reply.Int(0);
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    ctx.db(ctx.arg(i)).SetString(ctx.arg(i), ctx.arg(i + 1), Entry::kNoExpire);
    ctx.Notify(kNotifyString, "set", ctx.arg(i));
  }
  ctx.reply.Int(1);
}

// The integer held at key (0 if absent); false after replying an error.
bool ReadInteger(CmdCtx& ctx, Entry* e, int64_t* out) {
  if (!e) {
    *out = 0;
    return true;
  }
  if (!e->is_string()) {
    ctx.reply.Error(kErrWrongType);
    return false;
  }
  if (e->encoding() == Encoding::kInt) {
    *out = e->int_value();
    return true;
  }
  if (!ParseInt64(e->raw_value(), out)) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  return true;
}

void IncrBy(CmdCtx& ctx, int64_t delta) {
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db(key);
  Entry* e = db.Find(key);
  int64_t v;
  if (!ReadInteger(ctx, e, &v)) return;
  if ((delta < 0 && v < 0 && delta < LLONG_MIN - v) || (delta > 0 && v > 0 && delta > LLONG_MAX - v))
    return ctx.reply.Error(kErrOverflow);
  v += delta;
  if (e && e->encoding() == Encoding::kInt) {
    memcpy(e->mutable_value(), &v, 8);  // same size: update in place
  } else {
    db.SetInt(key, v, e ? e->expire_ms() : Entry::kNoExpire);
  }
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply.Int(v);
}

void Incr(CmdCtx& ctx) { IncrBy(ctx, 1); }
void Decr(CmdCtx& ctx) { IncrBy(ctx, -1); }
void IncrByCmd(CmdCtx& ctx) {
  int64_t d;
  if (!ParseInt64(ctx.arg(2), &d)) return ctx.reply.Error(kErrNotInteger);
  IncrBy(ctx, d);
}
void DecrByCmd(CmdCtx& ctx) {
  int64_t d;
  if (!ParseInt64(ctx.arg(2), &d)) return ctx.reply.Error(kErrNotInteger);
  if (d == LLONG_MIN) return ctx.reply.Error("decrement would overflow");
  IncrBy(ctx, -d);
}

void IncrByFloat(CmdCtx& ctx) {
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db(key);
  Entry* e = db.Find(key);
  long double v = 0, incr;
  if (e) {
    if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
    char buf[24];
    if (!ParseLongDouble(e->StringValue(buf), &v)) return ctx.reply.Error(kErrNotFloat);
  }
  if (!ParseLongDouble(ctx.arg(2), &incr)) return ctx.reply.Error(kErrNotFloat);
  v += incr;
  if (std::isnan(v) || std::isinf(v)) return ctx.reply.Error("increment would produce NaN or Infinity");
  std::string text = LongDoubleToString(v);
  db.SetString(key, text, e ? e->expire_ms() : Entry::kNoExpire);
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply.Bulk(text);
}

// Redis's checkStringLength: whether a string of size + append bytes is
// allowed; the sum is taken so that it cannot overflow.
bool CheckStringLength(CmdCtx& ctx, uint64_t size, uint64_t append) {
  uint64_t limit =
      static_cast<uint64_t>(ctx.server.config().live.proto_max_bulk_len.load(std::memory_order_relaxed));
  if (size > limit || append > limit - size) {
    ctx.reply.Error("string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

void Append(CmdCtx& ctx) {
  std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  Db& db = ctx.db(key);
  Entry* e = db.Find(key);
  if (!e) {
    db.SetString(key, tail, Entry::kNoExpire);
    ctx.Notify(kNotifyString, "append", key);
    return ctx.reply.Int(static_cast<int64_t>(tail.size()));
  }
  if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
  char buf[24];
  std::string_view cur = e->StringValue(buf);
  if (!CheckStringLength(ctx, cur.size(), tail.size())) return;
  Entry* fresh = Entry::CreateUninit(key, cur.size() + tail.size(), Encoding::kRaw, e->expire_ms());
  memcpy(fresh->mutable_value(), cur.data(), cur.size());
  if (!tail.empty()) memcpy(fresh->mutable_value() + cur.size(), tail.data(), tail.size());
  db.Put(fresh);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply.Int(static_cast<int64_t>(fresh->raw_value().size()));
}

void StrLen(CmdCtx& ctx) {
  Entry* e = ctx.db(ctx.arg(1)).FindRead(ctx.arg(1));
  if (!e) return ctx.reply.Int(0);
  if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
  ctx.reply.Int(static_cast<int64_t>(e->StringLength()));
}

void GetRange(CmdCtx& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) return ctx.reply.Error(kErrNotInteger);
  Entry* e = ctx.db(ctx.arg(1)).FindRead(ctx.arg(1));
  if (!e) return ctx.reply.Bulk("");
  if (!e->is_string()) return ctx.reply.Error(kErrWrongType);
  char buf[24];
  std::string_view s = e->StringValue(buf);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return ctx.reply.Bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

// LCS a b [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common
// subsequence by Redis's dynamic programming table, its matches reported
// from the ends of the strings backwards, as Redis reports them.
void Lcs(CmdCtx& ctx) {
  std::string_view ka = ctx.arg(1), kb = ctx.arg(2);
  Entry* ea = ctx.db(ka).FindRead(ka);
  Entry* eb = ctx.db(kb).FindRead(kb);
  if ((ea && !ea->is_string()) || (eb && !eb->is_string()))
    return ctx.reply.Error("The specified keys must contain string values");
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "idx")) {
      get_idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      get_len = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && i + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++i), &min_match_len)) return ctx.reply.Error(kErrNotInteger);
      min_match_len = std::max<int64_t>(min_match_len, 0);
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  if (get_idx && get_len) return ctx.reply.Error("If you want both the length and indexes, please just use IDX.");
  char buf_a[24], buf_b[24];
  std::string_view a = ea ? ea->StringValue(buf_a) : std::string_view();
  std::string_view b = eb ? eb->StringValue(buf_b) : std::string_view();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) return ctx.reply.Error("String too long for LCS");
  // The table is (|a|+1) x (|b|+1) lengths: bounded by proto-max-bulk-len
  // as in Redis, so two long strings cannot make one command allocate
  // without limit.
  const uint64_t alen = a.size(), blen = b.size();
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) >
      static_cast<uint64_t>(ctx.server.config().live.proto_max_bulk_len.load(std::memory_order_relaxed)))
    return ctx.reply.Error("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  std::vector<uint32_t> table(cells);
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint64_t i = 1; i <= alen; ++i)
    for (uint64_t j = 1; j <= blen; ++j)
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
  const uint32_t total = at(alen, blen);
  if (get_len) return ctx.reply.Int(total);

  std::string result(total, '\0');
  size_t deferred = 0;
  uint32_t matches = 0;
  if (get_idx) {
    ctx.reply.Map(2);
    ctx.reply.Bulk("matches");
    deferred = ctx.reply.BeginDeferredArray();
  }
  // Walks back from the ends; a range of matching bytes is extended while
  // contiguous and reported when it ends.
  uint64_t i = alen, j = blen, idx = total;
  uint64_t a_start = alen, a_end = 0, b_start = 0, b_end = 0;  // a_start == alen: no range open
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;
        --b_start;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1))
        --i;
      else
        --j;
      if (a_start != alen) emit = true;
    }
    if (!emit) continue;
    const uint64_t match_len = a_end - a_start + 1;
    if (get_idx && static_cast<int64_t>(match_len) >= min_match_len) {
      ctx.reply.Array(with_match_len ? 3 : 2);
      ctx.reply.Array(2);
      ctx.reply.Int(static_cast<int64_t>(a_start));
      ctx.reply.Int(static_cast<int64_t>(a_end));
      ctx.reply.Array(2);
      ctx.reply.Int(static_cast<int64_t>(b_start));
      ctx.reply.Int(static_cast<int64_t>(b_end));
      if (with_match_len) ctx.reply.Int(static_cast<int64_t>(match_len));
      ++matches;
    }
    a_start = alen;
  }
  if (!get_idx) return ctx.reply.Bulk(result);
  ctx.reply.EndDeferredArray(deferred, matches);
  ctx.reply.Bulk("len");
  ctx.reply.Int(total);
}

void SetRange(CmdCtx& ctx) {
  std::string_view key = ctx.arg(1), value = ctx.arg(3);
  int64_t offset;
  if (!ParseInt64(ctx.arg(2), &offset)) return ctx.reply.Error(kErrNotInteger);
  if (offset < 0) return ctx.reply.Error("offset is out of range");
  Db& db = ctx.db(key);
  Entry* e = db.Find(key);
  if (e && !e->is_string()) return ctx.reply.Error(kErrWrongType);
  char buf[24];
  std::string_view cur = e ? e->StringValue(buf) : std::string_view();
  if (value.empty()) return ctx.reply.Int(static_cast<int64_t>(cur.size()));
  if (!CheckStringLength(ctx, static_cast<uint64_t>(offset), value.size())) return;
  size_t new_len = std::max(cur.size(), static_cast<size_t>(offset) + value.size());
  Entry* fresh = Entry::CreateUninit(key, new_len, Encoding::kRaw, e ? e->expire_ms() : Entry::kNoExpire);
  char* p = fresh->mutable_value();
  if (!cur.empty()) memcpy(p, cur.data(), cur.size());
  if (static_cast<size_t>(offset) > cur.size()) memset(p + cur.size(), 0, static_cast<size_t>(offset) - cur.size());
  memcpy(p + offset, value.data(), value.size());
  db.Put(fresh);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply.Int(static_cast<int64_t>(new_len));
}

}  // namespace

void RegisterStringFamily(CommandTable& t) {
  constexpr uint32_t W = kCmdWrite | kCmdDenyOom, R = kCmdReadOnly, F = kCmdFast;
  auto add = [&t](const char* name, int arity, uint32_t flags, int first, int last, int step, CommandHandler h,
                  const char* summary, const char* since) {
    t.Add({name, arity, flags, first, last, step, h, "string", summary, since, {}});
  };
  add("get", 2, R | F, 1, 1, 1, Get, "Returns the string value of a key.", "1.0.0");
  add("set", -3, W, 1, 1, 1, Set, "Sets the string value of a key, ignoring its type.", "1.0.0");
  add("setnx", 3, W | F, 1, 1, 1, SetNx, "Set the string value of a key only when the key doesn't exist.", "1.0.0");
  add("setex", 4, W, 1, 1, 1, SetEx, "Sets the string value and expiration time of a key.", "2.0.0");
  add("psetex", 4, W, 1, 1, 1, PSetEx, "Sets the string value and expiration time in milliseconds of a key.", "2.6.0");
  add("getset", 3, W | F, 1, 1, 1, GetSet, "Returns the previous string value of a key after setting it to a new value.", "1.0.0");
  add("getdel", 2, kCmdWrite | F, 1, 1, 1, GetDel, "Returns the string value of a key after deleting the key.", "6.2.0");
  add("getex", -2, kCmdWrite | F, 1, 1, 1, GetEx, "Returns the string value of a key after setting its expiration time.", "6.2.0");
  add("mget", -2, R | F, 1, -1, 1, MGet, "Atomically returns the string values of one or more keys.", "1.0.0");
  add("mset", -3, W, 1, -1, 2, MSet, "Atomically creates or modifies the string values of one or more keys.", "1.0.1");
  add("msetnx", -3, W, 1, -1, 2, MSetNx, "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1");
  add("incr", 2, W | F, 1, 1, 1, Incr, "Increments the integer value of a key by one.", "1.0.0");
  add("decr", 2, W | F, 1, 1, 1, Decr, "Decrements the integer value of a key by one.", "1.0.0");
  add("incrby", 3, W | F, 1, 1, 1, IncrByCmd, "Increments the integer value of a key by a number.", "1.0.0");
  add("decrby", 3, W | F, 1, 1, 1, DecrByCmd, "Decrements a number from the integer value of a key.", "1.0.0");
  add("incrbyfloat", 3, W | F, 1, 1, 1, IncrByFloat, "Increment the floating point value of a key by a number.", "2.6.0");
  add("append", 3, W | F, 1, 1, 1, Append, "Appends a string to the value of a key.", "2.0.0");
  add("strlen", 2, R | F, 1, 1, 1, StrLen, "Returns the length of a string value.", "2.2.0");
  add("getrange", 4, R, 1, 1, 1, GetRange, "Returns a substring of the string stored at a key.", "2.4.0");
  add("substr", 4, R, 1, 1, 1, GetRange, "Returns a substring from a string value.", "1.0.0");
  add("setrange", 4, W, 1, 1, 1, SetRange, "Overwrites a part of a string value with another by an offset.", "2.2.0");
  add("lcs", -3, R, 1, 2, 1, Lcs, "Finds the longest common substring.", "7.0.0");
}

}  // namespace ember
