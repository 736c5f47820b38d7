// Hash commands. A small hash is packed inside its key's entry (field,
// value, field, value ...); past hash-max-listpack-entries fields or a
// field or value longer than hash-max-listpack-value it becomes a
// DictObject. Reads go through HashView, which hides the difference.
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "command.h"
#include "db.h"
#include "dict_object.h"
#include "pack.h"
#include "server.h"
#include "util.h"

namespace ember {

namespace {

// Read access to a hash in either representation.
class HashView {
 public:
  explicit HashView(Entry* e) : e_(e) {}
  bool packed() const { return e_->encoding() == Encoding::kPackedHash; }
  DictObject* object() const { return static_cast<DictObject*>(e_->object()); }

  size_t Len() const {
    if (!packed()) return object()->size();
    size_t n = 0;
    for (PackReader r(e_->raw_value()); !r.Done(); r.Next()) ++n;
    return n / 2;
  }
  bool Get(std::string_view field, std::string_view* value) const {
    if (!packed()) {
      Entry* f = object()->Find(field);
      if (f) *value = f->raw_value();
      return f != nullptr;
    }
    for (PackReader r(e_->raw_value()); !r.Done();) {
      std::string_view k = r.Next(), v = r.Next();
      if (k == field) {
        *value = v;
        return true;
      }
    }
    return false;
  }
  template <typename Fn>
  void ForEach(Fn fn) const {
    if (!packed()) return object()->ForEach([&](Entry* f) { fn(f->key(), f->raw_value()); });
    for (PackReader r(e_->raw_value()); !r.Done();) {
      std::string_view k = r.Next(), v = r.Next();
      fn(k, v);
    }
  }

 private:
  Entry* e_;
};

using FieldList = std::vector<std::pair<std::string, std::string>>;

// Changes to the hash at key (e: its entry, or nullptr for a new hash). A
// DictObject is changed in place; a packed hash as a list of pairs stored
// back by Commit, until a field past hash-max-listpack-entries or a field
// or value longer than hash-max-listpack-value converts it to a new
// DictObject at once, so the rest of a big HSET is O(1) a field instead of
// a linear search each. A hash never converts back.
class HashEditor {
 public:
  HashEditor(CmdCtx& ctx, std::string_view key, Entry* e) : ctx_(ctx), key_(key), e_(e) {
    Config::Live& live = ctx.server.config().live;
    max_entries_ = static_cast<size_t>(live.hash_max_listpack_entries.load(std::memory_order_relaxed));
    max_value_ = static_cast<size_t>(live.hash_max_listpack_value.load(std::memory_order_relaxed));
    if (e_ && e_->encoding() == Encoding::kObject) {
      object_ = static_cast<DictObject*>(e_->object());
      return;
    }
    if (e_) HashView(e_).ForEach([&](std::string_view f, std::string_view v) { fields_.emplace_back(f, v); });
  }

  bool Get(std::string_view field, std::string* value) {
    if (object_) {
      Entry* f = object_->Find(field);
      if (f) value->assign(f->raw_value());
      return f != nullptr;
    }
    for (auto& [f, v] : fields_)
      if (f == field) {
        *value = v;
        return true;
      }
    return false;
  }
  // Returns true if the field is new.
  bool Set(std::string_view field, std::string_view value) {
    changed_ = true;
    if (!object_ && (field.size() > max_value_ || value.size() > max_value_)) Convert();
    if (object_) return object_->Set(field, value);
    for (auto& [f, v] : fields_)
      if (f == field) {
        v.assign(value);
        // A limit lowered since the hash was stored applies at its next change.
        if (fields_.size() > max_entries_) Convert();
        return false;
      }
    if (fields_.size() + 1 > max_entries_) {
      Convert();
      return object_->Set(field, value);
    }
    fields_.emplace_back(field, value);
    return true;
  }
  bool Del(std::string_view field) {
    if (object_) {
      bool removed = object_->Remove(field);
      changed_ |= removed;
      return removed;
    }
    for (size_t i = 0; i < fields_.size(); ++i)
      if (fields_[i].first == field) {
        fields_.erase(fields_.begin() + static_cast<ptrdiff_t>(i));
        changed_ = true;
        return true;
      }
    return false;
  }

  // Stores the result, and notifies `event` (and "del" when the key went).
  void Commit(std::string_view event) {
    if (!changed_) return;
    bool gone = e_ && Len() == 0;
    Store();
    ctx_.Notify(kNotifyHash, event, key_);
    if (gone) ctx_.Notify(kNotifyGeneric, "del", key_);
  }

  // Stores the result: packed, as a new object, or the key deleted when
  // empty.
  void Store() {
    if (!changed_) return;
    Db& db = ctx_.db(key_);
    int64_t expire = e_ ? e_->expire_ms() : Entry::kNoExpire;
    if (Len() == 0) {
      if (e_) db.Delete(key_);
      return;
    }
    if (owned_) {
      db.Put(Entry::CreateObject(key_, owned_.release(), expire));
      return;
    }
    if (object_) return;
    size_t bytes = 0;
    for (auto& [f, v] : fields_) bytes += PackItemSize(f.size()) + PackItemSize(v.size());
    std::string pack;
    pack.reserve(bytes);
    for (auto& [f, v] : fields_) {
      PackAppend(&pack, f);
      PackAppend(&pack, v);
    }
    db.Put(Entry::Create(key_, pack, Encoding::kPackedHash, expire));
  }

 private:
  size_t Len() const { return object_ ? object_->size() : fields_.size(); }
  void Convert() {
    owned_ = std::make_unique<DictObject>(ValueType::kHash);
    for (auto& [f, v] : fields_) owned_->Set(f, v);
    fields_.clear();
    object_ = owned_.get();
  }

  CmdCtx& ctx_;
  std::string_view key_;
  Entry* e_;
  size_t max_entries_;
  size_t max_value_;
  DictObject* object_ = nullptr;       // the entry's object, or owned_
  std::unique_ptr<DictObject> owned_;  // a new object, stored by Commit
  FieldList fields_;                   // packed: the pairs in order
  bool changed_ = false;
};

void HSetGeneric(CmdCtx& ctx, bool reply_ok) {
  if (ctx.argc() % 2 != 0) return ctx.WrongArity();
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  HashEditor h(ctx, ctx.arg(1), e);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) added += h.Set(ctx.arg(i), ctx.arg(i + 1));
  h.Commit("hset");
  reply_ok ? ctx.reply.Ok() : ctx.reply.Int(added);
}
void HSet(CmdCtx& ctx) { HSetGeneric(ctx, false); }
void HMSet(CmdCtx& ctx) { HSetGeneric(ctx, true); }

void HSetNx(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  std::string_view unused;
  if (e && HashView(e).Get(ctx.arg(2), &unused)) return ctx.reply.Int(0);
  HashEditor h(ctx, ctx.arg(1), e);
  h.Set(ctx.arg(2), ctx.arg(3));
  h.Commit("hset");
  ctx.reply.Int(1);
}

void HGet(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  std::string_view v;
  if (!e || !HashView(e).Get(ctx.arg(2), &v)) return ctx.reply.Null();
  ctx.reply.Bulk(v);
}

void HMGet(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view v;
    if (e && HashView(e).Get(ctx.arg(i), &v))
      ctx.reply.Bulk(v);
    else
      ctx.reply.Null();
  }
}

// HGETALL, HKEYS, HVALS.
void HGetAllGeneric(CmdCtx& ctx, bool keys, bool values) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  if (!e) return keys && values ? ctx.reply.Map(0) : ctx.reply.Array(0);
  HashView h(e);
  size_t n = h.Len();
  if (keys && values)
    ctx.reply.Map(n);
  else
    ctx.reply.Array(n);
  h.ForEach([&](std::string_view f, std::string_view v) {
    if (keys) ctx.reply.Bulk(f);
    if (values) ctx.reply.Bulk(v);
  });
}
void HGetAll(CmdCtx& ctx) { HGetAllGeneric(ctx, true, true); }
void HKeys(CmdCtx& ctx) { HGetAllGeneric(ctx, true, false); }
void HVals(CmdCtx& ctx) { HGetAllGeneric(ctx, false, true); }

void HDel(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  if (!e) return ctx.reply.Int(0);
  HashEditor h(ctx, ctx.arg(1), e);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) removed += h.Del(ctx.arg(i));
  h.Commit("hdel");
  ctx.reply.Int(removed);
}

void HExists(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  std::string_view v;
  ctx.reply.Int(e && HashView(e).Get(ctx.arg(2), &v) ? 1 : 0);
}

void HLen(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  ctx.reply.Int(e ? static_cast<int64_t>(HashView(e).Len()) : 0);
}

void HStrLen(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  std::string_view v;
  ctx.reply.Int(e && HashView(e).Get(ctx.arg(2), &v) ? static_cast<int64_t>(v.size()) : 0);
}

void HIncrBy(CmdCtx& ctx) {
  int64_t delta;
  if (!ParseInt64(ctx.arg(3), &delta)) return ctx.reply.Error(kErrNotInteger);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  HashEditor h(ctx, ctx.arg(1), e);
  std::string cur;
  int64_t v = 0;
  if (h.Get(ctx.arg(2), &cur) && !ParseInt64(cur, &v)) return ctx.reply.Error("hash value is not an integer");
  if ((delta < 0 && v < 0 && delta < INT64_MIN - v) || (delta > 0 && v > 0 && delta > INT64_MAX - v))
    return ctx.reply.Error(kErrOverflow);
  v += delta;
  h.Set(ctx.arg(2), Int64ToString(v));
  h.Commit("hincrby");
  ctx.reply.Int(v);
}

void HIncrByFloat(CmdCtx& ctx) {
  long double delta;
  if (!ParseLongDouble(ctx.arg(3), &delta)) return ctx.reply.Error(kErrNotFloat);
  if (std::isinf(delta)) return ctx.reply.Error("value is NaN or Infinity");
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  HashEditor h(ctx, ctx.arg(1), e);
  std::string cur;
  long double v = 0;
  if (h.Get(ctx.arg(2), &cur) && !ParseLongDouble(cur, &v)) return ctx.reply.Error("hash value is not a float");
  v += delta;
  if (std::isnan(v) || std::isinf(v)) return ctx.reply.Error("increment would produce NaN or Infinity");
  std::string text = LongDoubleToString(v);
  h.Set(ctx.arg(2), text);
  h.Commit("hincrbyfloat");
  ctx.reply.Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandField(CmdCtx& ctx) {
  if (ctx.argc() > 4) return ctx.reply.Error(kErrSyntax);
  bool with_values = false;
  int64_t count = 0;
  bool has_count = ctx.argc() >= 3;
  if (has_count) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(kErrNotInteger);
    if (ctx.argc() == 4) {
      if (!EqualsIgnoreCase(ctx.arg(3), "withvalues")) return ctx.reply.Error(kErrSyntax);
      with_values = true;
    }
    if (count == INT64_MIN) return ctx.reply.Error(kErrCountRange);
    // Redis: field-value pairs must still be countable in a long.
    if (with_values && (count < -INT64_MAX / 2 || count > INT64_MAX / 2))
      return ctx.reply.Error("value is out of range");
  }
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  if (!e) return has_count ? ctx.reply.Array(0) : ctx.reply.Null();
  // Materialise the fields once: a hash large enough for this to matter
  // is a DictObject, whose random sampling is used directly below.
  HashView h(e);
  std::mt19937_64& rng = ThreadRng();
  auto reply_pair = [&](std::string_view f, std::string_view v) {
    if (with_values && ctx.reply.resp() >= 3) ctx.reply.Array(2);
    ctx.reply.Bulk(f);
    if (with_values) ctx.reply.Bulk(v);
  };
  auto header = [&](size_t n) { ctx.reply.Array(with_values && ctx.reply.resp() < 3 ? n * 2 : n); };
  std::vector<std::pair<std::string_view, std::string_view>> all;
  if (h.packed()) h.ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  auto random_pair = [&]() -> std::pair<std::string_view, std::string_view> {
    if (!h.packed()) {
      Entry* f = h.object()->Random(rng);
      return {f->key(), f->raw_value()};
    }
    return all[rng() % all.size()];
  };
  if (!has_count) {
    auto [f, v] = random_pair();
    return ctx.reply.Bulk(f);
  }
  size_t size = h.Len();
  if (count < 0) {
    // Repetitions allowed: exactly |count| picks.
    size_t n = static_cast<size_t>(-count), start = ctx.reply.buffer()->size();
    header(n);
    for (size_t i = 0; i < n; ++i) {
      if (i % kCountedCheckEvery == 0 && !CountedReplyFits(ctx, start)) return;
      auto [f, v] = random_pair();
      reply_pair(f, v);
    }
    return;
  }
  if (static_cast<size_t>(count) >= size) {
    header(size);
    h.ForEach(reply_pair);
    return;
  }
  // Distinct fields: a partial shuffle of the fields.
  if (!h.packed()) h.ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  size_t n = static_cast<size_t>(count);
  for (size_t i = 0; i < n; ++i) std::swap(all[i], all[i + rng() % (all.size() - i)]);
  header(n);
  for (size_t i = 0; i < n; ++i) reply_pair(all[i].first, all[i].second);
}

void HScan(CmdCtx& ctx) {
  ScanArgs args;
  if (!ParseScanArgs(ctx, 2, false, &args)) return;
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kHash, &e)) return;
  std::vector<std::pair<std::string, std::string>> items;
  uint64_t next = 0;
  if (e) {
    HashView h(e);
    auto take = [&](std::string_view f, std::string_view v) {
      if (args.Matches(f)) items.emplace_back(f, v);
    };
    if (h.packed()) {
      // Like Redis with a listpack: everything in one call.
      h.ForEach(take);
    } else {
      next = args.cursor;
      int64_t max_iterations = ScanIterations(args.count);
      do {
        next = h.object()->Scan(next, [&](Entry* f) { take(f->key(), f->raw_value()); });
      } while (next != 0 && --max_iterations > 0 && static_cast<int64_t>(items.size()) < args.count);
    }
  }
  ReplyScanHeader(ctx.reply, next, items.size() * 2);
  for (auto& [f, v] : items) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

}  // namespace

void RegisterHashFamily(CommandTable& t) {
  constexpr uint32_t W = kCmdWrite | kCmdDenyOom, R = kCmdReadOnly, F = kCmdFast;
  auto add = [&t](const char* name, int arity, uint32_t flags, CommandHandler h, const char* summary,
                  const char* since) { t.Add({name, arity, flags, 1, 1, 1, h, "hash", summary, since, {}}); };
  add("hset", -4, W | F, HSet, "Creates or modifies the value of a field in a hash.", "2.0.0");
  add("hmset", -4, W | F, HMSet, "Sets the values of multiple fields.", "2.0.0");
  add("hsetnx", 4, W | F, HSetNx, "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0");
  add("hget", 3, R | F, HGet, "Returns the value of a field in a hash.", "2.0.0");
  add("hmget", -3, R | F, HMGet, "Returns the values of all fields in a hash.", "2.0.0");
  add("hgetall", 2, R, HGetAll, "Returns all fields and values in a hash.", "2.0.0");
  add("hkeys", 2, R, HKeys, "Returns all fields in a hash.", "2.0.0");
  add("hvals", 2, R, HVals, "Returns all values in a hash.", "2.0.0");
  add("hdel", -3, kCmdWrite | F, HDel, "Deletes one or more fields and their values from a hash.", "2.0.0");
  add("hexists", 3, R | F, HExists, "Determines whether a field exists in a hash.", "2.0.0");
  add("hlen", 2, R | F, HLen, "Returns the number of fields in a hash.", "2.0.0");
  add("hstrlen", 3, R | F, HStrLen, "Returns the length of the value of a field.", "3.2.0");
  add("hincrby", 4, W | F, HIncrBy, "Increments the integer value of a field in a hash by a number.", "2.0.0");
  add("hincrbyfloat", 4, W | F, HIncrByFloat, "Increments the floating point value of a field by a number.", "2.6.0");
  add("hrandfield", -2, R, HRandField, "Returns one or more random fields from a hash.", "6.2.0");
  add("hscan", -3, R, HScan, "Iterates over fields and values of a hash.", "2.8.0");
}

}  // namespace ember
