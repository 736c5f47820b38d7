// Set commands. A set of canonical integers is a sorted int64 array (an
// intset) up to set-max-intset-entries; another small set is packed in its
// key's entry up to set-max-listpack-entries members of at most
// set-max-listpack-value bytes; past that it is a DictObject. Reads go
// through SetView; changes through SetEditor, which picks the encoding.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "command.h"
#include "db.h"
#include "dict_object.h"
#include "pack.h"
#include "set_view.h"
#include "server.h"
#include "util.h"

namespace ember {

namespace {

// n distinct members at random (n <= size): a partial shuffle of all the
// members when n is a good part of the set, else samples of a large set.
std::vector<std::string> PickDistinct(const SetView& s, size_t n, std::mt19937_64& rng) {
  size_t size = s.Size();
  if (s.encoding() != Encoding::kObject || n * 4 >= size) {
    std::vector<std::string> all = s.Members();
    for (size_t i = 0; i < n; ++i) std::swap(all[i], all[i + rng() % (all.size() - i)]);
    all.resize(n);
    return all;
  }
  std::unordered_set<std::string> picked;
  while (picked.size() < n) picked.insert(s.Random(rng));
  return {picked.begin(), picked.end()};
}

// Stores members as key's value in the most compact encoding that fits
// (the key is deleted when there are none).
void StoreSet(CmdCtx& ctx, std::string_view key, std::vector<std::string> members, int64_t expire, bool allow_intset) {
  Db& db = ctx.db(key);
  if (members.empty()) {
    db.Delete(key);
    return;
  }
  Config::Live& live = ctx.server.config().live;
  std::vector<int64_t> ints;
  if (allow_intset && static_cast<int64_t>(members.size()) <= live.set_max_intset_entries.load()) {
    for (const std::string& m : members) {
      int64_t v;
      if (!ParseInt64(m, &v)) break;
      ints.push_back(v);
    }
  }
  if (ints.size() == members.size()) {
    std::sort(ints.begin(), ints.end());
    db.Put(Entry::Create(key, std::string_view(reinterpret_cast<const char*>(ints.data()), ints.size() * 8),
                         Encoding::kIntSet, expire));
    return;
  }
  size_t max_value = static_cast<size_t>(live.set_max_listpack_value.load());
  bool fits = static_cast<int64_t>(members.size()) <= live.set_max_listpack_entries.load();
  for (const std::string& m : members) fits &= m.size() <= max_value;
  if (fits) {
    std::string pack;
    for (const std::string& m : members) PackAppend(&pack, m);
    db.Put(Entry::Create(key, pack, Encoding::kPackedSet, expire));
    return;
  }
  auto* obj = new DictObject(ValueType::kSet);
  for (const std::string& m : members) obj->Set(m, "");
  db.Put(Entry::CreateObject(key, obj, expire));
}

// Changes to one set: in place for a DictObject, else on a member list
// stored back by Commit. A member that would take the list past every
// packed limit (set-max-intset-entries for integers, set-max-listpack-*)
// converts it to a new DictObject at once, so the rest of a big SADD is
// O(1) a member instead of a linear search each. A set never converts back.
class SetEditor {
 public:
  SetEditor(CmdCtx& ctx, std::string_view key, Entry* e) : ctx_(ctx), key_(key), e_(e) {
    Config::Live& live = ctx.server.config().live;
    max_intset_ = live.set_max_intset_entries.load(std::memory_order_relaxed);
    max_entries_ = live.set_max_listpack_entries.load(std::memory_order_relaxed);
    max_value_ = static_cast<size_t>(live.set_max_listpack_value.load(std::memory_order_relaxed));
    intset_ = !e_ || e_->encoding() == Encoding::kIntSet;
    if (e_ && e_->encoding() == Encoding::kObject) {
      object_ = static_cast<DictObject*>(e_->object());
      return;
    }
    if (!e_) return;
    SetView(e_).ForEach([&](std::string_view m) {
      members_.emplace_back(m);
      longest_ = std::max(longest_, m.size());
    });
  }
  bool Add(std::string_view m) {
    if (!object_) {
      if (std::find(members_.begin(), members_.end(), m) != members_.end()) return false;
      int64_t unused;
      intset_ = intset_ && ParseInt64(m, &unused);
      longest_ = std::max(longest_, m.size());
      if (!PackedFits(members_.size() + 1)) Convert();
    }
    if (object_) {
      bool added = object_->Set(m, "");
      changed_ |= added;
      return added;
    }
    members_.emplace_back(m);
    return changed_ = true;
  }
  bool Remove(std::string_view m) {
    if (object_) {
      bool removed = object_->Remove(m);
      changed_ |= removed;
      return removed;
    }
    auto it = std::find(members_.begin(), members_.end(), m);
    if (it == members_.end()) return false;
    members_.erase(it);
    return changed_ = true;
  }
  // Stores the result, and notifies `event` (and "del" when the key went).
  void Commit(std::string_view event) {
    if (!changed_) return;
    bool gone = e_ && (object_ ? object_->size() == 0 : members_.empty());
    Store();
    ctx_.Notify(kNotifySet, event, key_);
    if (gone) ctx_.Notify(kNotifyGeneric, "del", key_);
  }

  void Store() {
    if (!changed_) return;
    int64_t expire = e_ ? e_->expire_ms() : Entry::kNoExpire;
    if (owned_) {
      ctx_.db(key_).Put(Entry::CreateObject(key_, owned_.release(), expire));
      return;
    }
    if (object_) {
      if (object_->size() == 0) ctx_.db(key_).Delete(key_);
      return;
    }
    StoreSet(ctx_, key_, std::move(members_), expire, intset_);
  }

 private:
  // Whether n members as they are now would still be stored packed (the
  // choice StoreSet makes).
  bool PackedFits(size_t n) const {
    if (intset_ && static_cast<int64_t>(n) <= max_intset_) return true;
    return static_cast<int64_t>(n) <= max_entries_ && longest_ <= max_value_;
  }
  void Convert() {
    owned_ = std::make_unique<DictObject>(ValueType::kSet);
    for (const std::string& m : members_) owned_->Set(m, "");
    members_.clear();
    object_ = owned_.get();
    changed_ = true;
  }

  CmdCtx& ctx_;
  std::string_view key_;
  Entry* e_;
  int64_t max_intset_;
  int64_t max_entries_;
  size_t max_value_;
  bool intset_;         // new or an intset, and every member an integer
  size_t longest_ = 0;  // the longest member ever in members_
  DictObject* object_ = nullptr;       // the entry's object, or owned_
  std::unique_ptr<DictObject> owned_;  // a new object, stored by Commit
  std::vector<std::string> members_;   // intset or packed: the members
  bool changed_ = false;
};

void ReplyMembers(CmdCtx& ctx, const std::vector<std::string>& members) {
  ctx.reply.Set(members.size());
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

void SAdd(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  SetEditor s(ctx, ctx.arg(1), e);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) added += s.Add(ctx.arg(i));
  s.Commit("sadd");
  ctx.reply.Int(added);
}

void SRem(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  if (!e) return ctx.reply.Int(0);
  SetEditor s(ctx, ctx.arg(1), e);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) removed += s.Remove(ctx.arg(i));
  s.Commit("srem");
  ctx.reply.Int(removed);
}

void SMembers(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  if (!e) return ctx.reply.Set(0);
  SetView s(e);
  ctx.reply.Set(s.Size());
  s.ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
}

void SIsMember(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  ctx.reply.Int(e && SetView(e).Contains(ctx.arg(2)) ? 1 : 0);
}

void SMIsMember(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply.Int(e && SetView(e).Contains(ctx.arg(i)) ? 1 : 0);
}

void SCard(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  ctx.reply.Int(e ? static_cast<int64_t>(SetView(e).Size()) : 0);
}

// SPOP key [count]
void SPop(CmdCtx& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(kErrSyntax);
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (has_count && (!ParseInt64(ctx.arg(2), &count) || count < 0))
    return ctx.reply.Error("value is out of range, must be positive");
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  if (!e) return has_count ? ctx.reply.Set(0) : ctx.reply.Null();
  std::mt19937_64& rng = ThreadRng();
  SetView view(e);
  size_t size = view.Size();
  size_t n = std::min(static_cast<size_t>(count), size);
  std::vector<std::string> popped = PickDistinct(view, n, rng);
  SetEditor s(ctx, ctx.arg(1), e);
  for (const std::string& m : popped) s.Remove(m);
  s.Commit("spop");
  // Replayed, SPOP would choose again: what it took is recorded instead.
  ctx.propagate_as = {"SREM", std::string(ctx.arg(1))};
  ctx.propagate_as.insert(ctx.propagate_as.end(), popped.begin(), popped.end());
  if (!has_count) return ctx.reply.Bulk(popped[0]);
  ReplyMembers(ctx, popped);
}

// SRANDMEMBER key [count]
void SRandMember(CmdCtx& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(kErrSyntax);
  int64_t count = 0;
  bool has_count = ctx.argc() == 3;
  if (has_count) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(kErrNotInteger);
    if (count == INT64_MIN) return ctx.reply.Error(kErrCountRange);
  }
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  if (!e) return has_count ? ctx.reply.Array(0) : ctx.reply.Null();
  SetView s(e);
  std::mt19937_64& rng = ThreadRng();
  if (!has_count) return ctx.reply.Bulk(s.Random(rng));
  if (count < 0) {
    size_t n = static_cast<size_t>(-count), start = ctx.reply.buffer()->size();
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) {
      if (i % kCountedCheckEvery == 0 && !CountedReplyFits(ctx, start)) return;
      ctx.reply.Bulk(s.Random(rng));
    }
    return;
  }
  std::vector<std::string> picked = PickDistinct(s, std::min(static_cast<size_t>(count), s.Size()), rng);
  ctx.reply.Array(picked.size());
  for (const std::string& m : picked) ctx.reply.Bulk(m);
}

void SMove(CmdCtx& ctx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2), member = ctx.arg(3);
  // Redis: a missing source answers 0 before any type check.
  if (!ctx.db(src).Find(src)) return ctx.reply.Int(0);
  Entry *from, *to;
  if (!LookupTyped(ctx, src, ValueType::kSet, &from) || !LookupTyped(ctx, dst, ValueType::kSet, &to)) return;
  if (!SetView(from).Contains(member)) return ctx.reply.Int(0);
  if (src == dst) return ctx.reply.Int(1);
  SetEditor out(ctx, src, from);
  out.Remove(member);
  out.Commit("srem");
  // Committing the source may have moved entries: look dst up again.
  SetEditor in(ctx, dst, ctx.db(dst).Find(dst));
  in.Add(member);
  in.Commit("sadd");
  ctx.reply.Int(1);
}

enum class SetOp { kUnion, kInter, kDiff };

// The members of op over the sets at keys; false (replied) on WRONGTYPE.
bool ComputeSetOp(CmdCtx& ctx, SetOp op, std::span<const std::string_view> keys, std::vector<std::string>* out) {
  std::vector<Entry*> sets;
  for (std::string_view k : keys) {
    Entry* e;
    if (!LookupTyped(ctx, k, ValueType::kSet, &e)) return false;
    sets.push_back(e);
  }
  out->clear();
  if (op == SetOp::kUnion) {
    std::vector<std::string> all;
    for (Entry* e : sets)
      if (e) SetView(e).ForEach([&](std::string_view m) { all.emplace_back(m); });
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    *out = std::move(all);
    return true;
  }
  if (!sets[0]) return true;
  if (op == SetOp::kInter) {
    for (Entry* e : sets)
      if (!e) return true;
    // Walk the smallest set, probe the others.
    size_t smallest = 0;
    for (size_t i = 1; i < sets.size(); ++i)
      if (SetView(sets[i]).Size() < SetView(sets[smallest]).Size()) smallest = i;
    SetView(sets[smallest]).ForEach([&](std::string_view m) {
      for (size_t i = 0; i < sets.size(); ++i)
        if (i != smallest && !SetView(sets[i]).Contains(m)) return;
      out->emplace_back(m);
    });
    return true;
  }
  SetView(sets[0]).ForEach([&](std::string_view m) {
    for (size_t i = 1; i < sets.size(); ++i)
      if (sets[i] && SetView(sets[i]).Contains(m)) return;
    out->emplace_back(m);
  });
  return true;
}

void SetOpCommand(CmdCtx& ctx, SetOp op) {
  std::vector<std::string> result;
  if (!ComputeSetOp(ctx, op, ctx.argv.subspan(1), &result)) return;
  ReplyMembers(ctx, result);
}
void SUnion(CmdCtx& ctx) { SetOpCommand(ctx, SetOp::kUnion); }
void SInter(CmdCtx& ctx) { SetOpCommand(ctx, SetOp::kInter); }
void SDiff(CmdCtx& ctx) { SetOpCommand(ctx, SetOp::kDiff); }

void SetOpStore(CmdCtx& ctx, SetOp op) {
  std::vector<std::string> result;
  if (!ComputeSetOp(ctx, op, ctx.argv.subspan(2), &result)) return;
  size_t n = result.size();
  bool existed = ctx.db(ctx.arg(1)).Find(ctx.arg(1)) != nullptr;
  // The destination is overwritten whatever it held (and has no TTL).
  StoreSet(ctx, ctx.arg(1), std::move(result), Entry::kNoExpire, true);
  if (n > 0)
    ctx.Notify(kNotifySet, op == SetOp::kUnion ? "sunionstore" : op == SetOp::kInter ? "sinterstore" : "sdiffstore",
               ctx.arg(1));
  else if (existed)
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
  ctx.reply.Int(static_cast<int64_t>(n));
}
void SUnionStore(CmdCtx& ctx) { SetOpStore(ctx, SetOp::kUnion); }
void SInterStore(CmdCtx& ctx) { SetOpStore(ctx, SetOp::kInter); }
void SDiffStore(CmdCtx& ctx) { SetOpStore(ctx, SetOp::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCard(CmdCtx& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys <= 0) return ctx.reply.Error("numkeys should be greater than 0");
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 2)
    return ctx.reply.Error("Number of keys can't be greater than number of args");
  int64_t limit = 0;
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "limit") && i + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++i), &limit) || limit < 0) return ctx.reply.Error("LIMIT can't be negative");
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  std::vector<std::string> result;
  if (!ComputeSetOp(ctx, SetOp::kInter, ctx.argv.subspan(2, static_cast<size_t>(numkeys)), &result)) return;
  int64_t n = static_cast<int64_t>(result.size());
  ctx.reply.Int(limit > 0 ? std::min(n, limit) : n);
}

void SScan(CmdCtx& ctx) {
  ScanArgs args;
  if (!ParseScanArgs(ctx, 2, false, &args)) return;
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kSet, &e)) return;
  std::vector<std::string> items;
  uint64_t next = 0;
  if (e) {
    SetView s(e);
    if (s.encoding() != Encoding::kObject) {
      // Like Redis with an intset or listpack: everything in one call.
      s.ForEach([&](std::string_view m) {
        if (args.Matches(m)) items.emplace_back(m);
      });
    } else {
      next = args.cursor;
      int64_t max_iterations = ScanIterations(args.count);
      do {
        next = s.object()->Scan(next, [&](Entry* m) {
          if (args.Matches(m->key())) items.emplace_back(m->key());
        });
      } while (next != 0 && --max_iterations > 0 && static_cast<int64_t>(items.size()) < args.count);
    }
  }
  ReplyScanHeader(ctx.reply, next, items.size());
  for (const std::string& m : items) ctx.reply.Bulk(m);
}

}  // namespace

void RegisterSetFamily(CommandTable& t) {
  constexpr uint32_t W = kCmdWrite | kCmdDenyOom, R = kCmdReadOnly, F = kCmdFast;
  auto add = [&t](const char* name, int arity, uint32_t flags, int first, int last, CommandHandler h,
                  const char* summary, const char* since, int keynum_index = 0) {
    t.Add({name, arity, flags, first, last, first ? 1 : 0, h, "set", summary, since, {}, keynum_index});
  };
  add("sadd", -3, W | F, 1, 1, SAdd, "Adds one or more members to a set.", "1.0.0");
  add("srem", -3, kCmdWrite | F, 1, 1, SRem, "Removes one or more members from a set.", "1.0.0");
  add("smembers", 2, R, 1, 1, SMembers, "Returns all members of a set.", "1.0.0");
  add("sismember", 3, R | F, 1, 1, SIsMember, "Determines whether a member belongs to a set.", "1.0.0");
  add("smismember", -3, R | F, 1, 1, SMIsMember, "Determines whether multiple members belong to a set.", "6.2.0");
  add("scard", 2, R | F, 1, 1, SCard, "Returns the number of members in a set.", "1.0.0");
  add("spop", -2, kCmdWrite | F, 1, 1, SPop, "Returns one or more random members from a set after removing them.", "1.0.0");
  add("srandmember", -2, R, 1, 1, SRandMember, "Get one or multiple random members from a set.", "1.0.0");
  add("smove", 4, W | F, 1, 2, SMove, "Moves a member from one set to another.", "1.0.0");
  add("sunion", -2, R, 1, -1, SUnion, "Returns the union of multiple sets.", "1.0.0");
  add("sinter", -2, R, 1, -1, SInter, "Returns the intersect of multiple sets.", "1.0.0");
  add("sdiff", -2, R, 1, -1, SDiff, "Returns the difference of multiple sets.", "1.0.0");
  add("sunionstore", -3, W, 1, -1, SUnionStore, "Stores the union of multiple sets in a key.", "1.0.0");
  add("sinterstore", -3, W, 1, -1, SInterStore, "Stores the intersect of multiple sets in a key.", "1.0.0");
  add("sdiffstore", -3, W, 1, -1, SDiffStore, "Stores the difference of multiple sets in a key.", "1.0.0");
  add("sintercard", -3, R, 0, 0, SInterCard, "Returns the number of members of the intersect of multiple sets.", "7.0.0", 1);
  add("sscan", -3, R, 1, 1, SScan, "Iterates over members of a set.", "2.8.0");
}

}  // namespace ember
