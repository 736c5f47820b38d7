// Sorted set commands. A small sorted set is packed in its key's entry
// (member, score, member, score ... with each score the 8 bytes of a double,
// in (score, member) order) while it has at most zset-max-listpack-entries
// members of at most zset-max-listpack-value bytes; past that it is a
// ZSetObject (skiplist + member index), and stays one. Reads go through
// ZSetView, which hides the difference; changes through ZSetEditor, which
// converts at the moment Redis does.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "blocking.h"
#include "command.h"
#include "db.h"
#include "dict_object.h"
#include "pack.h"
#include "set_view.h"
#include "server.h"
#include "util.h"
#include "zset_object.h"

namespace ember {

namespace {

constexpr std::string_view kErrMinMaxFloat = "min or max is not a float";
constexpr std::string_view kErrMinMaxLex = "min or max not valid string range item";
constexpr std::string_view kErrNaNResult = "resulting score is not a number (NaN)";

// A member and its score, owned (results, edits).
struct ZItem {
  std::string member;
  double score;
};
bool ItemLess(const ZItem& a, const ZItem& b) {
  return a.score < b.score || (a.score == b.score && a.member < b.member);
}

// A member and its score viewed in place (valid until the key changes).
struct ZRef {
  std::string_view m;
  double score;
  std::string_view member() const { return m; }
};

// In the packed form a score is its shortest round-trip decimal text
// ("1.5", "3", "inf"), as Redis's listpack keeps it: 2-4 bytes for typical
// scores where a raw double takes 8.
double ReadScore(std::string_view raw) {
  double s = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), s);
  return s;
}

// Redis's listpack keeps an integral score as an integer, so -0 comes back
// as 0: so does ours.
std::string PackZSet(const std::vector<ZItem>& items) {
  std::string pack;
  for (const ZItem& it : items) {
    PackAppend(&pack, it.member);
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof(buf), it.score == 0 ? 0.0 : it.score);
    PackAppend(&pack, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
  }
  return pack;
}

// Read access to a sorted set in either representation.
class ZSetView {
 public:
  explicit ZSetView(Entry* e) : e_(e) {}
  bool packed() const { return e_->encoding() == Encoding::kPackedZSet; }
  ZSetObject* object() const { return static_cast<ZSetObject*>(e_->object()); }

  size_t Len() const {
    if (!packed()) return object()->size();
    if (decoded_) return items_.size();
    size_t n = 0;
    for (PackReader r(e_->raw_value()); !r.Done(); r.Next()) ++n;
    return n / 2;
  }
  bool Score(std::string_view member, double* score) const {
    if (!packed()) return object()->Score(member, score);
    for (PackReader r(e_->raw_value()); !r.Done();) {
      std::string_view m = r.Next(), s = r.Next();
      if (m == member) {
        *score = ReadScore(s);
        return true;
      }
    }
    return false;
  }
  // 0-based rank in ascending order, or -1.
  int64_t Rank(std::string_view member) const {
    if (!packed()) return object()->Rank(member);
    int64_t rank = 0;
    for (PackReader r(e_->raw_value()); !r.Done(); ++rank) {
      std::string_view m = r.Next();
      r.Next();
      if (m == member) return rank;
    }
    return -1;
  }
  // How many leading members satisfy pred(x) (x.score, x.member()); pred
  // holds for a prefix of the order.
  template <typename Pred>
  size_t CountWhile(Pred pred) const {
    if (!packed()) return object()->CountWhile([&](const ZSetObject::Node* n) { return pred(*n); });
    Decode();
    size_t n = 0;
    while (n < items_.size() && pred(items_[n])) ++n;
    return n;
  }
  // fn(member, score) from 0-based rank on, ascending or descending, while
  // it returns true.
  template <typename Fn>
  void Walk(size_t rank, bool reverse, Fn fn) const {
    if (!packed()) {
      for (ZSetObject::Node* n = object()->AtRank(rank); n && fn(n->member(), n->score);)
        n = reverse ? n->prev() : n->next();
      return;
    }
    if (!reverse && !decoded_) {
      // Forward over the pack itself: no decoding.
      PackReader r(e_->raw_value());
      for (size_t i = 0; i < rank && !r.Done(); ++i) {
        r.Next();
        r.Next();
      }
      while (!r.Done()) {
        std::string_view m = r.Next();
        if (!fn(m, ReadScore(r.Next()))) return;
      }
      return;
    }
    Decode();
    for (int64_t i = static_cast<int64_t>(rank); i >= 0 && i < static_cast<int64_t>(items_.size());
         reverse ? --i : ++i) {
      const ZRef& it = items_[static_cast<size_t>(i)];
      if (!fn(it.m, it.score)) return;
    }
  }
  template <typename Fn>
  void ForEach(Fn fn) const {
    Walk(0, false, [&](std::string_view m, double s) {
      fn(m, s);
      return true;
    });
  }
  // The member at 0-based rank (< Len()).
  ZRef At(size_t rank) const {
    if (packed()) {
      Decode();
      return items_[rank];
    }
    ZSetObject* o = object();
    const ZSetObject::Node* n = rank == 0 ? o->First() : rank + 1 == o->size() ? o->Last() : o->AtRank(rank);
    return {n->member(), n->score};
  }
  // A member at random (the set is not empty).
  ZRef Random(std::mt19937_64& rng) const {
    if (!packed()) {
      Entry* m = object()->Random(rng);
      return {m->key(), ZSetObject::EntryScore(m)};
    }
    Decode();
    return items_[rng() % items_.size()];
  }

 private:
  void Decode() const {
    if (decoded_) return;
    decoded_ = true;
    for (PackReader r(e_->raw_value()); !r.Done();) {
      std::string_view m = r.Next();
      items_.push_back({m, ReadScore(r.Next())});
    }
  }

  Entry* e_;
  mutable bool decoded_ = false;
  mutable std::vector<ZRef> items_;
};

// Stores items (sorted, distinct) as key's value, packed when it fits; the
// key is deleted when there are none. The old value and TTL are replaced.
void StoreZSet(CmdCtx& ctx, std::string_view key, const std::vector<ZItem>& items, std::string_view event) {
  Db& db = ctx.db(key);
  if (items.empty()) {
    if (db.Delete(key)) ctx.Notify(kNotifyGeneric, "del", key);
    return;
  }
  Config::Live& live = ctx.server.config().live;
  size_t max_entries = static_cast<size_t>(live.zset_max_listpack_entries.load(std::memory_order_relaxed));
  size_t max_value = static_cast<size_t>(live.zset_max_listpack_value.load(std::memory_order_relaxed));
  bool fits = items.size() <= max_entries;
  for (const ZItem& it : items) fits &= it.member.size() <= max_value;
  if (fits) {
    db.Put(Entry::Create(key, PackZSet(items), Encoding::kPackedZSet, Entry::kNoExpire));
  } else {
    auto* obj = new ZSetObject();
    for (auto it = items.rbegin(); it != items.rend(); ++it) obj->Insert(it->member, it->score);
    db.Put(Entry::CreateObject(key, obj, Entry::kNoExpire));
  }
  ctx.Notify(kNotifyZSet, event, key);
}

// ZADD's input and output flags (Redis's zsetAdd).
enum : int { kAddNX = 1, kAddXX = 2, kAddGT = 4, kAddLT = 8, kAddIncr = 16 };
enum : int { kOutAdded = 1, kOutUpdated = 2, kOutNop = 4, kOutNaN = 8 };

// Changes to one sorted set: in place for a ZSetObject, else on a sorted
// member list stored back packed by Commit. A packed set becomes a
// ZSetObject when a new member would pass the thresholds (as Redis
// converts), and never goes back.
class ZSetEditor {
 public:
  ZSetEditor(CmdCtx& ctx, std::string_view key, Entry* e) : ctx_(ctx), key_(key), e_(e) {
    Config::Live& live = ctx.server.config().live;
    max_entries_ = static_cast<size_t>(live.zset_max_listpack_entries.load(std::memory_order_relaxed));
    max_value_ = static_cast<size_t>(live.zset_max_listpack_value.load(std::memory_order_relaxed));
    if (e_ && e_->encoding() == Encoding::kObject) {
      object_ = static_cast<ZSetObject*>(e_->object());
    } else if (e_) {
      ZSetView(e_).ForEach([&](std::string_view m, double s) { items_.push_back({std::string(m), s}); });
    }
  }

  // A new key: Redis starts it as a skiplist when zset-max-listpack-entries
  // is 0 or the first member is longer than zset-max-listpack-value.
  void CreateFor(std::string_view first_member) {
    if (max_entries_ == 0 || first_member.size() > max_value_) {
      owned_ = std::make_unique<ZSetObject>();
      object_ = owned_.get();
    }
    changed_ = true;
  }

  size_t Len() const { return object_ ? object_->size() : items_.size(); }

  // Redis's zsetAdd: returns kOut* flags; *newscore gets the score set.
  int Add(std::string_view member, double score, int flags, double* newscore) {
    if (std::isnan(score)) return kOutNaN;
    double cur;
    size_t idx = 0;
    bool found = object_ ? object_->Score(member, &cur) : FindPacked(member, &idx);
    if (found && !object_) cur = items_[idx].score;
    if (found) {
      if (flags & kAddNX) return kOutNop;
      if (flags & kAddIncr) {
        score += cur;
        if (std::isnan(score)) return kOutNaN;
      }
      if (((flags & kAddLT) && score >= cur) || ((flags & kAddGT) && score <= cur)) return kOutNop;
      *newscore = score;
      if (score == cur) return 0;
      changed_ = true;
      if (object_) {
        object_->Set(member, score);
      } else {
        ZItem item = std::move(items_[idx]);
        items_.erase(items_.begin() + static_cast<ptrdiff_t>(idx));
        item.score = score;
        InsertPacked(std::move(item));
      }
      return kOutUpdated;
    }
    if (flags & kAddXX) return kOutNop;
    changed_ = true;
    if (!object_ && (items_.size() + 1 > max_entries_ || member.size() > max_value_)) Convert();
    if (object_)
      object_->Insert(member, score);
    else
      InsertPacked({std::string(member), score});
    *newscore = score;
    return kOutAdded;
  }

  bool Remove(std::string_view member) {
    if (object_) {
      bool removed = object_->Remove(member);
      changed_ |= removed;
      return removed;
    }
    size_t idx;
    if (!FindPacked(member, &idx)) return false;
    items_.erase(items_.begin() + static_cast<ptrdiff_t>(idx));
    return changed_ = true;
  }

  // Removes count members from 0-based rank start on.
  size_t RemoveRange(size_t start, size_t count) {
    size_t n = Len();
    if (start >= n || count == 0) return 0;
    count = std::min(count, n - start);
    changed_ = true;
    if (object_) return object_->RemoveRange(start, count);
    items_.erase(items_.begin() + static_cast<ptrdiff_t>(start),
                 items_.begin() + static_cast<ptrdiff_t>(start + count));
    return count;
  }

  // Removes and returns up to n members from the low (or high) end, in
  // the order they are popped.
  std::vector<ZItem> Pop(bool max, size_t n) {
    std::vector<ZItem> out;
    n = std::min(n, Len());
    if (n == 0) return out;
    if (object_) {
      ZSetObject::Node* node = max ? object_->Last() : object_->First();
      for (size_t i = 0; i < n; ++i, node = max ? node->prev() : node->next())
        out.push_back({std::string(node->member()), node->score});
    } else {
      for (size_t i = 0; i < n; ++i) out.push_back(items_[max ? items_.size() - 1 - i : i]);
    }
    RemoveRange(max ? Len() - n : 0, n);
    return out;
  }

  // Stores the result: packed, converted, in place, or the key deleted
  // when empty.
  // Stores the result, and notifies `event` (and "del" when the key went).
  void Commit(std::string_view event) {
    if (!changed_) return;
    bool gone = e_ && (Len() == 0);
    Store();
    ctx_.Notify(kNotifyZSet, event, key_);
    if (gone) ctx_.Notify(kNotifyGeneric, "del", key_);
  }

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
    db.Put(Entry::Create(key_, PackZSet(items_), Encoding::kPackedZSet, expire));
  }

 private:
  bool FindPacked(std::string_view member, size_t* idx) const {
    for (size_t i = 0; i < items_.size(); ++i)
      if (items_[i].member == member) {
        *idx = i;
        return true;
      }
    return false;
  }
  void InsertPacked(ZItem item) {
    if (item.score == 0) item.score = 0;  // a listpack keeps -0 as the integer 0
    auto at = std::lower_bound(items_.begin(), items_.end(), item, ItemLess);
    items_.insert(at, std::move(item));
  }
  void Convert() {
    owned_ = std::make_unique<ZSetObject>();
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) owned_->Insert(it->member, it->score);
    object_ = owned_.get();
    items_.clear();
  }

  CmdCtx& ctx_;
  std::string_view key_;
  Entry* e_;
  size_t max_entries_ = 128;
  size_t max_value_ = 64;
  ZSetObject* object_ = nullptr;        // the entry's object, or owned_
  std::unique_ptr<ZSetObject> owned_;  // a new object, stored by Commit
  std::vector<ZItem> items_;           // packed: the members in order
  bool changed_ = false;
};

// ---------------------------------------------------------------------------
// Ranges

// A score interval; "(" makes a bound exclusive. The predicates take
// anything with .score and .member() (a ZRef, a skiplist node).
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  // Ranges that can hold nothing (Redis tests them before any lookup).
  bool Empty() const { return min > max || (min == max && (minex || maxex)); }
  template <typename X>
  bool GteMin(const X& x) const {
    return minex ? x.score > min : x.score >= min;
  }
  template <typename X>
  bool LteMax(const X& x) const {
    return maxex ? x.score < max : x.score <= max;
  }
};

// Redis's zslParseRange: strtod over the whole text (leading spaces, hex
// and an empty string included), NaN refused, "(" for exclusive.
bool ParseScoreBound(std::string_view s, double* v, bool* ex) {
  *ex = !s.empty() && s[0] == '(';
  if (*ex) s.remove_prefix(1);
  std::string buf(s);
  char* end;
  *v = strtod(buf.c_str(), &end);
  return *end == '\0' && !std::isnan(*v);
}
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* r) {
  return ParseScoreBound(min, &r->min, &r->minex) && ParseScoreBound(max, &r->max, &r->maxex);
}

// A lexicographic interval: "[a" inclusive, "(a" exclusive, "-" and "+" the
// ends of the string space.
struct LexBound {
  enum Kind { kValue, kNegInf, kPosInf } kind = kValue;
  std::string_view value;
  bool ex = false;
};
struct LexRange {
  LexBound min, max;
  // Redis's sdscmplex(v, bound), v a member.
  static int Compare(std::string_view v, const LexBound& b) {
    if (b.kind == LexBound::kNegInf) return 1;
    if (b.kind == LexBound::kPosInf) return -1;
    int c = v.compare(b.value);
    return c < 0 ? -1 : c > 0;
  }
  // sdscmplex of two bounds ("-" and "-", or "+" and "+", are equal).
  static int CompareBounds(const LexBound& a, const LexBound& b) {
    if (a.kind != LexBound::kValue && a.kind == b.kind) return 0;
    if (a.kind == LexBound::kNegInf || b.kind == LexBound::kPosInf) return -1;
    if (a.kind == LexBound::kPosInf || b.kind == LexBound::kNegInf) return 1;
    int c = a.value.compare(b.value);
    return c < 0 ? -1 : c > 0;
  }
  bool Empty() const {
    int c = CompareBounds(min, max);
    return c > 0 || (c == 0 && (min.ex || max.ex));
  }
  template <typename X>
  bool GteMin(const X& x) const {
    int c = Compare(x.member(), min);
    return min.ex ? c > 0 : c >= 0;
  }
  template <typename X>
  bool LteMax(const X& x) const {
    int c = Compare(x.member(), max);
    return max.ex ? c < 0 : c <= 0;
  }
};
bool ParseLexBound(std::string_view s, LexBound* b) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() != 1) return false;
      b->kind = s[0] == '+' ? LexBound::kPosInf : LexBound::kNegInf;
      b->ex = true;
      return true;
    case '(':
    case '[':
      b->kind = LexBound::kValue;
      b->ex = s[0] == '(';
      b->value = s.substr(1);
      return true;
    default: return false;
  }
}
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* r) {
  return ParseLexBound(min, &r->min) && ParseLexBound(max, &r->max);
}

// Redis's zslIsInRange / zzlIsInRange (and the lex forms): some member may
// be within r.
template <typename R>
bool MayIntersect(const ZSetView& z, const R& r) {
  size_t len = z.Len();
  return !r.Empty() && len > 0 && r.GteMin(z.At(len - 1)) && r.LteMax(z.At(0));
}

// The rank of the first member within r, as Redis finds it: a listpack is
// scanned from the start, a skiplist descended. (With monotone predicates
// the two agree; lexicographic ranges over unequal scores are Redis's
// "undefined", and this reproduces its answers.)
template <typename R>
bool FirstInRange(const ZSetView& z, const R& r, size_t* rank) {
  if (!MayIntersect(z, r)) return false;
  size_t len = z.Len(), i;
  if (z.packed()) {
    for (i = 0; i < len && !r.GteMin(z.At(i)); ++i) {
    }
  } else {
    i = z.CountWhile([&](const auto& x) { return !r.GteMin(x); });
  }
  if (i >= len || !r.LteMax(z.At(i))) return false;
  *rank = i;
  return true;
}
// The rank of the last member within r: a listpack scanned from the end.
template <typename R>
bool LastInRange(const ZSetView& z, const R& r, size_t* rank) {
  if (!MayIntersect(z, r)) return false;
  size_t len = z.Len(), i;
  if (z.packed()) {
    for (i = len; i > 0 && !r.LteMax(z.At(i - 1)); --i) {
    }
  } else {
    i = z.CountWhile([&](const auto& x) { return r.LteMax(x); });
  }
  if (i == 0 || !r.GteMin(z.At(i - 1))) return false;
  *rank = i - 1;
  return true;
}

// ZCOUNT / ZLEXCOUNT as Redis counts: a listpack from the first member in
// range while members stay in it, a skiplist by the ranks of the first and
// last.
template <typename R>
int64_t CountInRange(const ZSetView& z, const R& r) {
  size_t first, last;
  if (!FirstInRange(z, r, &first)) return 0;
  if (z.packed()) {
    int64_t n = 0;
    z.Walk(first, false, [&](std::string_view m, double s) {
      if (!r.LteMax(ZRef{m, s})) return false;
      ++n;
      return true;
    });
    return n;
  }
  int64_t count = static_cast<int64_t>(z.Len() - first);
  if (LastInRange(z, r, &last)) count -= static_cast<int64_t>(z.Len() - 1 - last);
  return count;
}

// The members ZREMRANGEBYSCORE / BYLEX deletes: from the first in range (a
// skiplist descends without the early range test) while within the range.
template <typename R>
bool RemovalSpan(const ZSetView& z, const R& r, size_t* first, size_t* count) {
  if (z.packed()) {
    if (!FirstInRange(z, r, first)) return false;
  } else {
    *first = z.CountWhile([&](const auto& x) { return !r.GteMin(x); });
  }
  *count = 0;
  z.Walk(*first, false, [&](std::string_view m, double s) {
    if (!r.LteMax(ZRef{m, s})) return false;
    ++*count;
    return true;
  });
  return *count > 0;
}

// Rank start/stop as Redis normalizes them (negative from the end); false
// when the range is empty.
bool NormalizeRankRange(int64_t start, int64_t stop, size_t len, size_t* first, size_t* count) {
  int64_t n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *first = static_cast<size_t>(start);
  *count = static_cast<size_t>(stop - start + 1);
  return true;
}

// Members with scores: a flat array in RESP2, [member, score] pairs in RESP3.
void ReplyItems(Reply& reply, const std::vector<ZRef>& items, bool withscores) {
  bool pairs = withscores && reply.resp() >= 3;
  reply.Array(withscores && !pairs ? items.size() * 2 : items.size());
  for (const ZRef& it : items) {
    if (pairs) reply.Array(2);
    reply.Bulk(it.m);
    if (withscores) reply.Double(it.score);
  }
}
void ReplyItems(Reply& reply, const std::vector<ZItem>& items, bool withscores) {
  std::vector<ZRef> refs;
  refs.reserve(items.size());
  for (const ZItem& it : items) refs.push_back({it.member, it.score});
  ReplyItems(reply, refs, withscores);
}

// ---------------------------------------------------------------------------
// Commands

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...; ZINCRBY is ZADD
// with INCR (so, as in Redis, its increment is read as an option first).
void ZAddGeneric(CmdCtx& ctx, int flags) {
  size_t idx = 2;
  bool ch = false;
  for (; idx < ctx.argc(); ++idx) {
    std::string_view o = ctx.arg(idx);
    if (EqualsIgnoreCase(o, "nx"))
      flags |= kAddNX;
    else if (EqualsIgnoreCase(o, "xx"))
      flags |= kAddXX;
    else if (EqualsIgnoreCase(o, "ch"))
      ch = true;
    else if (EqualsIgnoreCase(o, "incr"))
      flags |= kAddIncr;
    else if (EqualsIgnoreCase(o, "gt"))
      flags |= kAddGT;
    else if (EqualsIgnoreCase(o, "lt"))
      flags |= kAddLT;
    else
      break;
  }
  size_t elements = ctx.argc() - idx;
  if (elements == 0 || elements % 2) return ctx.reply.Error(kErrSyntax);
  elements /= 2;
  bool nx = flags & kAddNX, xx = flags & kAddXX, gt = flags & kAddGT, lt = flags & kAddLT, incr = flags & kAddIncr;
  if (nx && xx) return ctx.reply.Error("XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt))
    return ctx.reply.Error("GT, LT, and/or NX options at the same time are not compatible");
  if (incr && elements > 1) return ctx.reply.Error("INCR option supports a single increment-element pair");
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j)
    if (!ParseDouble(ctx.arg(idx + j * 2), &scores[j])) return ctx.reply.Error(kErrNotFloat);
  std::string_view key = ctx.arg(1);
  Entry* e;
  if (!LookupTyped(ctx, key, ValueType::kZSet, &e)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (!e && xx) return incr ? ctx.reply.Null() : ctx.reply.Int(0);
  ZSetEditor z(ctx, key, e);
  if (!e) z.CreateFor(ctx.arg(idx + 1));
  for (size_t j = 0; j < elements; ++j) {
    double newscore = 0;
    int out = z.Add(ctx.arg(idx + 1 + j * 2), scores[j], flags, &newscore);
    if (out & kOutNaN) {
      z.Commit(incr ? "zincr" : "zadd");
      return ctx.reply.Error(kErrNaNResult);
    }
    if (out & kOutAdded) ++added;
    if (out & kOutUpdated) ++updated;
    if (!(out & kOutNop)) ++processed;
    score = newscore;
  }
  z.Commit(incr ? "zincr" : "zadd");
  if (incr) return processed ? ctx.reply.Double(score) : ctx.reply.Null();
  ctx.reply.Int(ch ? added + updated : added);
}
void ZAdd(CmdCtx& ctx) { ZAddGeneric(ctx, 0); }
void ZIncrBy(CmdCtx& ctx) { ZAddGeneric(ctx, kAddIncr); }

void ZRem(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  if (!e) return ctx.reply.Int(0);
  ZSetEditor z(ctx, ctx.arg(1), e);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && z.Len() > 0; ++i) removed += z.Remove(ctx.arg(i));
  z.Commit("zrem");
  ctx.reply.Int(removed);
}

void ZScore(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  double s;
  if (!e || !ZSetView(e).Score(ctx.arg(2), &s)) return ctx.reply.Null();
  ctx.reply.Double(s);
}

void ZMScore(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    double s;
    if (e && ZSetView(e).Score(ctx.arg(i), &s))
      ctx.reply.Double(s);
    else
      ctx.reply.Null();
  }
}

void ZCard(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  ctx.reply.Int(e ? static_cast<int64_t>(ZSetView(e).Len()) : 0);
}

void ZCount(CmdCtx& ctx) {
  ScoreRange r;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &r)) return ctx.reply.Error(kErrMinMaxFloat);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  ctx.reply.Int(e ? CountInRange(ZSetView(e), r) : 0);
}

void ZLexCount(CmdCtx& ctx) {
  LexRange r;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &r)) return ctx.reply.Error(kErrMinMaxLex);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  ctx.reply.Int(e ? CountInRange(ZSetView(e), r) : 0);
}

void ZRankGeneric(CmdCtx& ctx, bool reverse) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  if (!e) return ctx.reply.Null();
  ZSetView z(e);
  int64_t rank = z.Rank(ctx.arg(2));
  if (rank < 0) return ctx.reply.Null();
  ctx.reply.Int(reverse ? static_cast<int64_t>(z.Len()) - 1 - rank : rank);
}
void ZRank(CmdCtx& ctx) { ZRankGeneric(ctx, false); }
void ZRevRank(CmdCtx& ctx) { ZRankGeneric(ctx, true); }

// ZRANGE BYSCORE / BYLEX: from the first member in range (the last for
// REV), offset members further (a negative offset walks off the end, as in
// Redis), then on while members stay within it, up to limit (negative: no
// limit).
template <typename R>
void CollectInRange(const ZSetView& z, const R& r, bool reverse, int64_t offset, int64_t limit,
                    std::vector<ZRef>* out) {
  size_t at;
  if (offset < 0 || limit == 0 || !(reverse ? LastInRange(z, r, &at) : FirstInRange(z, r, &at))) return;
  uint64_t skip = static_cast<uint64_t>(offset);
  if (reverse ? skip > at : skip >= z.Len() - at) return;
  at = reverse ? at - skip : at + skip;
  z.Walk(at, reverse, [&](std::string_view m, double s) {
    ZRef x{m, s};
    if (!(reverse ? r.GteMin(x) : r.LteMax(x))) return false;
    out->push_back(x);
    return limit < 0 || out->size() < static_cast<uint64_t>(limit);
  });
}

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX], as Redis's
// zrangeGenericCommand: src is the source key's index; with store the
// result goes to argv[1].
void ZRangeGeneric(CmdCtx& ctx, size_t src, bool store, RangeType type, Direction dir) {
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = src + 3; j < ctx.argc(); ++j) {
    std::string_view a = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (!store && EqualsIgnoreCase(a, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(a, "limit") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &offset) || !ParseInt64(ctx.arg(j + 2), &limit))
        return ctx.reply.Error(kErrNotInteger);
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(a, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a, "byscore")) {
      type = RangeType::kScore;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  bool reverse = dir == Direction::kReverse;
  // Redis: "LIMIT o -1" is the same as no LIMIT.
  if (limit != -1 && type == RangeType::kRank)
    return ctx.reply.Error("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (withscores && type == RangeType::kLex)
    return ctx.reply.Error("syntax error, WITHSCORES not supported in combination with BYLEX");
  std::string_view min = ctx.arg(src + 1), max = ctx.arg(src + 2);
  if (reverse && type != RangeType::kRank) std::swap(min, max);
  int64_t start = 0, stop = 0;
  ScoreRange score_range;
  LexRange lex_range;
  switch (type) {
    case RangeType::kScore:
      if (!ParseScoreRange(min, max, &score_range)) return ctx.reply.Error(kErrMinMaxFloat);
      break;
    case RangeType::kLex:
      if (!ParseLexRange(min, max, &lex_range)) return ctx.reply.Error(kErrMinMaxLex);
      break;
    default:
      if (!ParseInt64(min, &start) || !ParseInt64(max, &stop)) return ctx.reply.Error(kErrNotInteger);
  }
  std::string_view key = ctx.arg(src);
  Entry* e;
  if (!LookupTyped(ctx, key, ValueType::kZSet, &e)) return;
  std::vector<ZRef> out;
  if (e) {
    ZSetView z(e);
    size_t len = z.Len();
    if (type == RangeType::kRank) {
      size_t first, count;
      if (NormalizeRankRange(start, stop, len, &first, &count)) {
        out.reserve(count);
        z.Walk(reverse ? len - 1 - first : first, reverse, [&](std::string_view m, double s) {
          out.push_back({m, s});
          return out.size() < count;
        });
      }
    } else if (type == RangeType::kScore) {
      CollectInRange(z, score_range, reverse, offset, limit, &out);
    } else {
      CollectInRange(z, lex_range, reverse, offset, limit, &out);
    }
  }
  if (!store) return ReplyItems(ctx.reply, out, withscores);
  // Redis fills the destination as a listpack, which keeps -0 as 0, and
  // converts it once a member passes the thresholds; later members keep
  // their scores as they are.
  Config::Live& live = ctx.server.config().live;
  size_t max_entries = static_cast<size_t>(live.zset_max_listpack_entries.load(std::memory_order_relaxed));
  size_t max_value = static_cast<size_t>(live.zset_max_listpack_value.load(std::memory_order_relaxed));
  std::vector<ZItem> items;
  items.reserve(out.size());
  bool listpack = true;
  for (const ZRef& r : out) {
    listpack &= items.size() + 1 <= max_entries && r.m.size() <= max_value;
    items.push_back({std::string(r.m), listpack && r.score == 0 ? 0.0 : r.score});
  }
  if (reverse) std::reverse(items.begin(), items.end());
  StoreZSet(ctx, ctx.arg(1), items, "zrangestore");
  ctx.reply.Int(static_cast<int64_t>(items.size()));
}
void ZRange(CmdCtx& ctx) { ZRangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto); }
void ZRangeStore(CmdCtx& ctx) { ZRangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto); }
void ZRevRange(CmdCtx& ctx) { ZRangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse); }
void ZRangeByScore(CmdCtx& ctx) { ZRangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward); }
void ZRevRangeByScore(CmdCtx& ctx) { ZRangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse); }
void ZRangeByLex(CmdCtx& ctx) { ZRangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward); }
void ZRevRangeByLex(CmdCtx& ctx) { ZRangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse); }

// ZREMRANGEBYRANK / BYSCORE / BYLEX key min max
void ZRemRangeGeneric(CmdCtx& ctx, RangeType type) {
  int64_t start = 0, stop = 0;
  ScoreRange score_range;
  LexRange lex_range;
  if (type == RangeType::kRank) {
    if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) return ctx.reply.Error(kErrNotInteger);
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &score_range)) return ctx.reply.Error(kErrMinMaxFloat);
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &lex_range)) {
    return ctx.reply.Error(kErrMinMaxLex);
  }
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  if (!e) return ctx.reply.Int(0);
  size_t first = 0, count = 0;
  {
    ZSetView z(e);
    if (type == RangeType::kRank) {
      if (!NormalizeRankRange(start, stop, z.Len(), &first, &count)) return ctx.reply.Int(0);
    } else {
      bool any = type == RangeType::kScore ? RemovalSpan(z, score_range, &first, &count)
                                           : RemovalSpan(z, lex_range, &first, &count);
      if (!any) return ctx.reply.Int(0);
    }
  }
  ZSetEditor ed(ctx, ctx.arg(1), e);
  size_t removed = ed.RemoveRange(first, count);
  ed.Commit(type == RangeType::kRank ? "zremrangebyrank" : type == RangeType::kScore ? "zremrangebyscore"
                                                                                  : "zremrangebylex");
  ctx.reply.Int(static_cast<int64_t>(removed));
}
void ZRemRangeByRank(CmdCtx& ctx) { ZRemRangeGeneric(ctx, RangeType::kRank); }
void ZRemRangeByScore(CmdCtx& ctx) { ZRemRangeGeneric(ctx, RangeType::kScore); }
void ZRemRangeByLex(CmdCtx& ctx) { ZRemRangeGeneric(ctx, RangeType::kLex); }

// ZPOPMIN / ZPOPMAX key [count]
void ZPopGeneric(CmdCtx& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply.Error(kErrSyntax);
  int64_t count = -1;
  if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &count) || count < 0))
    return ctx.reply.Error("value is out of range, must be positive");
  // RESP3 with a count: [member, score] pairs; else a flat array.
  bool pairs = ctx.reply.resp() >= 3 && count != -1;
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  if (!e || count == 0) return ctx.reply.Array(0);
  ZSetEditor z(ctx, ctx.arg(1), e);
  std::vector<ZItem> popped = z.Pop(max, count == -1 ? 1 : static_cast<size_t>(count));
  z.Commit(max ? "zpopmax" : "zpopmin");
  ctx.reply.Array(pairs ? popped.size() : popped.size() * 2);
  for (const ZItem& it : popped) {
    if (pairs) ctx.reply.Array(2);
    ctx.reply.Bulk(it.member);
    ctx.reply.Double(it.score);
  }
}
void ZPopMin(CmdCtx& ctx) { ZPopGeneric(ctx, false); }
void ZPopMax(CmdCtx& ctx) { ZPopGeneric(ctx, true); }

// The part of ZMPOP/BZMPOP after the keys: MIN|MAX [COUNT count].
bool ParseZMPopTail(CmdCtx& ctx, size_t where, bool* max, int64_t* count) {
  if (EqualsIgnoreCase(ctx.arg(where), "min")) {
    *max = false;
  } else if (EqualsIgnoreCase(ctx.arg(where), "max")) {
    *max = true;
  } else {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  *count = -1;
  for (size_t j = where + 1; j < ctx.argc(); ++j) {
    if (*count == -1 && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++j), count) || *count < 1) {
        ctx.reply.Error("count should be greater than 0");
        return false;
      }
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}

// Pops up to count members from the sorted set at key (entry e) and replies
// [key, [[member, score], ...]] as ZMPOP and BZMPOP do.
void PopManyAndReply(CmdCtx& ctx, std::string_view key, Entry* e, bool max, int64_t count) {
  ZSetEditor z(ctx, key, e);
  std::vector<ZItem> popped = z.Pop(max, static_cast<size_t>(count));
  z.Commit(max ? "zpopmax" : "zpopmin");
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Array(popped.size());
  for (const ZItem& it : popped) {
    ctx.reply.Array(2);
    ctx.reply.Bulk(it.member);
    ctx.reply.Double(it.score);
  }
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void ZMPop(CmdCtx& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys < 1) return ctx.reply.Error("numkeys should be greater than 0");
  if (numkeys >= static_cast<int64_t>(ctx.argc()) - 2) return ctx.reply.Error(kErrSyntax);
  size_t where = 2 + static_cast<size_t>(numkeys);
  bool max;
  int64_t count;
  if (!ParseZMPopTail(ctx, where, &max, &count)) return;
  for (size_t k = 2; k < where; ++k) {
    Entry* e;
    if (!LookupTyped(ctx, ctx.arg(k), ValueType::kZSet, &e)) return;
    if (e) return PopManyAndReply(ctx, ctx.arg(k), e, max, count);
  }
  ctx.reply.NullArray();
}

// ---- Blocking variants (see blocking.h) ----

// Serving BZPOPMIN/BZPOPMAX: [key, member, score].
bool ServeBZPop(CmdCtx& ctx, BlockedClient& b, std::string_view key) {
  bool max = EqualsIgnoreCase(b.args[0], "bzpopmax");
  Db& db = ctx.db(key);
  ZSetEditor z(ctx, key, db.Find(key));
  std::vector<ZItem> popped = z.Pop(max, 1);
  z.Commit(max ? "zpopmax" : "zpopmin");
  db.Touch(key);
  ctx.reply.Array(3);
  ctx.reply.Bulk(key);
  ctx.reply.Bulk(popped[0].member);
  ctx.reply.Double(popped[0].score);
  return true;
}

void BZPop(CmdCtx& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &timeout)) return;
  BlockOrServe(ctx, {ctx.argv.begin() + 1, ctx.argv.end() - 1}, ValueType::kZSet, timeout, ServeBZPop, true);
}

// Serving BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count].
bool ServeBZMPop(CmdCtx& ctx, BlockedClient& b, std::string_view key) {
  int64_t numkeys = 0;
  ParseInt64(b.args[2], &numkeys);
  size_t where = 3 + static_cast<size_t>(numkeys);
  bool max = EqualsIgnoreCase(b.args[where], "max");
  int64_t count = 1;
  if (where + 2 < b.args.size()) ParseInt64(b.args[where + 2], &count);
  PopManyAndReply(ctx, key, ctx.db(key).Find(key), max, count);
  ctx.db(key).Touch(key);
  return true;
}

void BZMPop(CmdCtx& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.arg(1), &timeout)) return;
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(2), &numkeys) || numkeys < 1) return ctx.reply.Error("numkeys should be greater than 0");
  if (numkeys >= static_cast<int64_t>(ctx.argc()) - 3) return ctx.reply.Error(kErrSyntax);
  size_t where = 3 + static_cast<size_t>(numkeys);
  bool max;
  int64_t count;
  if (!ParseZMPopTail(ctx, where, &max, &count)) return;
  BlockOrServe(ctx, {ctx.argv.begin() + 3, ctx.argv.begin() + static_cast<ptrdiff_t>(where)}, ValueType::kZSet, timeout,
               ServeBZMPop, true);
}

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMember(CmdCtx& ctx) {
  int64_t count = 0;
  bool has_count = ctx.argc() >= 3, withscores = false;
  if (has_count) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(kErrNotInteger);
    if (count == INT64_MIN) return ctx.reply.Error(kErrCountRange);
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores")))
      return ctx.reply.Error(kErrSyntax);
    withscores = ctx.argc() == 4;
    // Redis: member-score pairs must still be countable in a long.
    if (withscores && (count < -INT64_MAX / 2 || count > INT64_MAX / 2))
      return ctx.reply.Error("value is out of range");
  }
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  if (!e) return has_count ? ctx.reply.Array(0) : ctx.reply.Null();
  ZSetView z(e);
  std::mt19937_64& rng = ThreadRng();
  if (!has_count) return ctx.reply.Bulk(z.Random(rng).m);
  bool pairs = withscores && ctx.reply.resp() >= 3;
  auto header = [&](size_t n) { ctx.reply.Array(withscores && !pairs ? n * 2 : n); };
  auto emit = [&](std::string_view m, double s) {
    if (pairs) ctx.reply.Array(2);
    ctx.reply.Bulk(m);
    if (withscores) ctx.reply.Double(s);
  };
  if (count == 0) return ctx.reply.Array(0);
  size_t size = z.Len();
  if (count < 0 || count == 1) {
    // Repetitions allowed: exactly |count| picks.
    size_t n = count < 0 ? static_cast<size_t>(-count) : 1, start = ctx.reply.buffer()->size();
    header(n);
    for (size_t i = 0; i < n; ++i) {
      if (i % kCountedCheckEvery == 0 && !CountedReplyFits(ctx, start)) return;
      ZRef r = z.Random(rng);
      emit(r.m, r.score);
    }
    return;
  }
  size_t n = static_cast<size_t>(count);
  if (n >= size) {
    // The whole set, in Redis's order (from the highest score down).
    header(size);
    z.Walk(size - 1, true, [&](std::string_view m, double s) {
      emit(m, s);
      return true;
    });
    return;
  }
  std::vector<ZRef> picked;
  if (z.packed() || n * 3 > size) {
    // A good part of the set: a partial shuffle of all of it.
    std::vector<ZRef> all;
    all.reserve(size);
    z.ForEach([&](std::string_view m, double s) { all.push_back({m, s}); });
    for (size_t i = 0; i < n; ++i) std::swap(all[i], all[i + rng() % (all.size() - i)]);
    all.resize(n);
    picked = std::move(all);
  } else {
    // A few of a large set: distinct samples.
    std::unordered_set<std::string_view> seen;
    while (picked.size() < n) {
      ZRef r = z.Random(rng);
      if (seen.insert(r.m).second) picked.push_back(r);
    }
  }
  header(picked.size());
  for (const ZRef& r : picked) emit(r.m, r.score);
}

// A score as ZSCAN prints it: Redis's d2string (%.17g), and for a listpack
// the integer form it keeps integral scores in.
std::string ScanScore(double s, bool packed) {
  if (packed) {
    const double lim = static_cast<double>(INT64_MAX / 2);
    if (!(s < -lim || s > lim)) {
      int64_t ll = static_cast<int64_t>(s);
      if (static_cast<double>(ll) == s) return Int64ToString(ll);
    }
  }
  return DoubleToString(s);
}

void ZScan(CmdCtx& ctx) {
  ScanArgs args;
  if (!ParseScanArgs(ctx, 2, false, &args)) return;
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kZSet, &e)) return;
  std::vector<std::pair<std::string, std::string>> items;
  uint64_t next = 0;
  if (e) {
    ZSetView z(e);
    if (z.packed()) {
      // Like Redis with a listpack: everything in one call.
      z.ForEach([&](std::string_view m, double s) {
        if (args.Matches(m)) items.emplace_back(m, ScanScore(s, true));
      });
    } else {
      next = args.cursor;
      int64_t max_iterations = ScanIterations(args.count);
      do {
        next = z.object()->Scan(next, [&](Entry* m) {
          if (args.Matches(m->key())) items.emplace_back(m->key(), ScanScore(ZSetObject::EntryScore(m), false));
        });
      } while (next != 0 && --max_iterations > 0 && static_cast<int64_t>(items.size()) < args.count);
    }
  }
  ReplyScanHeader(ctx.reply, next, items.size() * 2);
  for (auto& [m, s] : items) {
    ctx.reply.Bulk(m);
    ctx.reply.Bulk(s);
  }
}

// ---------------------------------------------------------------------------
// Set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD. Plain
// sets are accepted as inputs, every member scoring 1.

// One input: a sorted set, a plain set, or a missing key.
struct ZSource {
  Entry* e = nullptr;
  double weight = 1;

  bool is_zset() const { return e->type() == ValueType::kZSet; }
  size_t Len() const {
    if (!e) return 0;
    return is_zset() ? ZSetView(e).Len() : SetView(e).Size();
  }
  bool Find(std::string_view member, double* score) const {
    if (!e) return false;
    if (is_zset()) return ZSetView(e).Score(member, score);
    *score = 1;
    return SetView(e).Contains(member);
  }
  // fn(member, score) for every member while it returns true.
  template <typename Fn>
  void ForEach(Fn fn) const {
    if (!e) return;
    if (is_zset()) {
      ZSetView(e).Walk(0, false, fn);
      return;
    }
    // A set's members all score 1; a stop just skips the rest.
    bool go = true;
    SetView(e).ForEach([&](std::string_view m) {
      if (go) go = fn(m, 1.0);
    });
  }
};

enum class ZOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

void AggregateInto(double* target, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += v;
      // inf + -inf: Redis keeps 0.
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin: *target = v < *target ? v : *target; break;
    case Aggregate::kMax: *target = v > *target ? v : *target; break;
  }
}

// Redis's zunionInterDiffGenericCommand: numkeys at argv[numkeys_index],
// the keys after it, then the options; dst_index 0 unless a STORE form.
void ZSetOpGeneric(CmdCtx& ctx, ZOp op, size_t numkeys_index, size_t dst_index, bool card_only) {
  int64_t setnum;
  if (!ParseInt64(ctx.arg(numkeys_index), &setnum)) return ctx.reply.Error(kErrNotInteger);
  if (setnum < 1) return ctx.reply.Error("at least 1 input key is needed for '" + ctx.spec.name + "' command");
  if (setnum > static_cast<int64_t>(ctx.argc() - numkeys_index - 1)) return ctx.reply.Error(kErrSyntax);
  size_t n = static_cast<size_t>(setnum);
  std::vector<ZSource> src(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.arg(numkeys_index + 1 + i);
    Entry* e = ctx.db(key).FindRead(key);
    if (e && e->type() != ValueType::kZSet && e->type() != ValueType::kSet) return ctx.reply.Error(kErrWrongType);
    src[i].e = e;
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  for (size_t j = numkeys_index + 1 + n; j < ctx.argc();) {
    std::string_view a = ctx.arg(j);
    size_t remaining = ctx.argc() - j;
    if (op != ZOp::kDiff && !card_only && remaining >= n + 1 && EqualsIgnoreCase(a, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j)
        if (!ParseDouble(ctx.arg(j), &src[i].weight)) return ctx.reply.Error("weight value is not a float");
    } else if (op != ZOp::kDiff && !card_only && remaining >= 2 && EqualsIgnoreCase(a, "aggregate")) {
      std::string_view v = ctx.arg(j + 1);
      if (EqualsIgnoreCase(v, "sum"))
        agg = Aggregate::kSum;
      else if (EqualsIgnoreCase(v, "min"))
        agg = Aggregate::kMin;
      else if (EqualsIgnoreCase(v, "max"))
        agg = Aggregate::kMax;
      else
        return ctx.reply.Error(kErrSyntax);
      j += 2;
    } else if (!dst_index && !card_only && EqualsIgnoreCase(a, "withscores")) {
      withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && EqualsIgnoreCase(a, "limit")) {
      if (!ParseInt64(ctx.arg(j + 1), &limit) || limit < 0) return ctx.reply.Error("LIMIT can't be negative");
      j += 2;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  // Smallest first, as Redis orders them for union and intersection.
  if (op != ZOp::kDiff)
    std::stable_sort(src.begin(), src.end(), [](const ZSource& a, const ZSource& b) { return a.Len() < b.Len(); });

  std::vector<ZItem> result;
  int64_t cardinality = 0;
  if (op == ZOp::kInter) {
    if (src[0].Len() > 0) {
      src[0].ForEach([&](std::string_view m, double s0) {
        double score = src[0].weight * s0;
        if (std::isnan(score)) score = 0;
        for (size_t j = 1; j < n; ++j) {
          double v;
          if (src[j].e == src[0].e) {
            v = s0 * src[j].weight;
          } else if (src[j].Find(m, &v)) {
            v *= src[j].weight;
          } else {
            return true;
          }
          AggregateInto(&score, v, agg);
        }
        if (card_only) return !(++cardinality == limit);
        result.push_back({std::string(m), score});
        return true;
      });
    }
  } else if (op == ZOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    for (const ZSource& s : src) {
      if (s.Len() == 0) continue;
      s.ForEach([&](std::string_view m, double v) {
        double score = s.weight * v;
        if (std::isnan(score)) score = 0;
        auto [it, fresh] = acc.try_emplace(std::string(m), score);
        if (!fresh) AggregateInto(&it->second, score, agg);
        return true;
      });
    }
    result.reserve(acc.size());
    for (auto& [m, s] : acc) result.push_back({m, s});
  } else if (src[0].Len() > 0) {
    bool same = false;
    for (size_t j = 1; j < n; ++j) same |= src[j].e == src[0].e;
    if (!same) {
      src[0].ForEach([&](std::string_view m, double s) {
        double v;
        for (size_t j = 1; j < n; ++j)
          if (src[j].Find(m, &v)) return true;
        result.push_back({std::string(m), s});
        return true;
      });
    }
  }
  if (card_only) return ctx.reply.Int(cardinality);
  std::sort(result.begin(), result.end(), ItemLess);
  if (dst_index) {
    StoreZSet(ctx, ctx.arg(dst_index), result,
              op == ZOp::kUnion ? "zunionstore" : op == ZOp::kInter ? "zinterstore" : "zdiffstore");
    return ctx.reply.Int(static_cast<int64_t>(result.size()));
  }
  ReplyItems(ctx.reply, result, withscores);
}
void ZUnion(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kUnion, 1, 0, false); }
void ZInter(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kInter, 1, 0, false); }
void ZDiff(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kDiff, 1, 0, false); }
void ZUnionStore(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kUnion, 2, 1, false); }
void ZInterStore(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kInter, 2, 1, false); }
void ZDiffStore(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kDiff, 2, 1, false); }
void ZInterCard(CmdCtx& ctx) { ZSetOpGeneric(ctx, ZOp::kInter, 1, 0, true); }

}  // namespace

void RegisterZSetFamily(CommandTable& t) {
  constexpr uint32_t W = kCmdWrite | kCmdDenyOom, R = kCmdReadOnly, F = kCmdFast;
  auto add = [&t](const char* name, int arity, uint32_t flags, int first, int last, CommandHandler h,
                  const char* summary, const char* since, int keynum_index = 0) {
    t.Add({name, arity, flags, first, last, first ? 1 : 0, h, "sorted-set", summary, since, {}, keynum_index});
  };
  add("zadd", -4, W | F, 1, 1, ZAdd,
      "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0");
  add("zincrby", 4, W | F, 1, 1, ZIncrBy, "Increment the score of a member in a sorted set", "1.2.0");
  add("zrem", -3, kCmdWrite | F, 1, 1, ZRem, "Remove one or more members from a sorted set", "1.2.0");
  add("zscore", 3, R | F, 1, 1, ZScore, "Get the score associated with the given member in a sorted set", "1.2.0");
  add("zmscore", -3, R | F, 1, 1, ZMScore, "Get the score associated with the given members in a sorted set",
      "6.2.0");
  add("zcard", 2, R | F, 1, 1, ZCard, "Get the number of members in a sorted set", "1.2.0");
  add("zcount", 4, R | F, 1, 1, ZCount, "Count the members in a sorted set with scores within the given values",
      "2.0.0");
  add("zlexcount", 4, R | F, 1, 1, ZLexCount,
      "Count the number of members in a sorted set between a given lexicographical range", "2.8.9");
  add("zrank", 3, R | F, 1, 1, ZRank, "Determine the index of a member in a sorted set", "2.0.0");
  add("zrevrank", 3, R | F, 1, 1, ZRevRank,
      "Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0");
  add("zrange", -4, R, 1, 1, ZRange, "Return a range of members in a sorted set", "1.2.0");
  add("zrangestore", -5, W, 1, 2, ZRangeStore, "Store a range of members from sorted set into another key", "6.2.0");
  add("zrevrange", -4, R, 1, 1, ZRevRange,
      "Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0");
  add("zrangebyscore", -4, R, 1, 1, ZRangeByScore, "Return a range of members in a sorted set, by score", "1.0.5");
  add("zrevrangebyscore", -4, R, 1, 1, ZRevRangeByScore,
      "Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0");
  add("zrangebylex", -4, R, 1, 1, ZRangeByLex,
      "Return a range of members in a sorted set, by lexicographical range", "2.8.9");
  add("zrevrangebylex", -4, R, 1, 1, ZRevRangeByLex,
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
      "2.8.9");
  add("zpopmin", -2, kCmdWrite | F, 1, 1, ZPopMin, "Remove and return members with the lowest scores in a sorted set",
      "5.0.0");
  add("zpopmax", -2, kCmdWrite | F, 1, 1, ZPopMax,
      "Remove and return members with the highest scores in a sorted set", "5.0.0");
  add("zmpop", -4, kCmdWrite, 0, 0, ZMPop, "Remove and return members with scores in a sorted set", "7.0.0", 1);
  // Blocking: they run on the client's thread (kCmdConnection) to block it.
  constexpr uint32_t B = kCmdWrite | kCmdBlocking | kCmdConnection;
  add("bzpopmin", -3, B | kCmdFast, 1, -2, BZPop, "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise.", "5.0.0");
  add("bzpopmax", -3, B | kCmdFast, 1, -2, BZPop, "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.", "5.0.0");
  add("bzmpop", -5, B, 0, 0, BZMPop, "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise.", "7.0.0", 2);
  add("zrandmember", -2, R, 1, 1, ZRandMember, "Get one or multiple random elements from a sorted set", "6.2.0");
  add("zremrangebyrank", 4, kCmdWrite, 1, 1, ZRemRangeByRank,
      "Remove all members in a sorted set within the given indexes", "2.0.0");
  add("zremrangebyscore", 4, kCmdWrite, 1, 1, ZRemRangeByScore,
      "Remove all members in a sorted set within the given scores", "1.2.0");
  add("zremrangebylex", 4, kCmdWrite, 1, 1, ZRemRangeByLex,
      "Remove all members in a sorted set between the given lexicographical range", "2.8.9");
  add("zunion", -3, R, 0, 0, ZUnion, "Add multiple sorted sets", "6.2.0", 1);
  add("zinter", -3, R, 0, 0, ZInter, "Intersect multiple sorted sets", "6.2.0", 1);
  add("zdiff", -3, R, 0, 0, ZDiff, "Subtract multiple sorted sets", "6.2.0", 1);
  add("zunionstore", -4, W, 1, 1, ZUnionStore,
      "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", 2);
  add("zinterstore", -4, W, 1, 1, ZInterStore,
      "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", 2);
  add("zdiffstore", -4, W, 1, 1, ZDiffStore,
      "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0", 2);
  add("zintercard", -3, R, 0, 0, ZInterCard,
      "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0", 1);
  add("zscan", -3, R, 1, 1, ZScan, "Incrementally iterate sorted sets elements and associated scores", "2.8.0");
}

}  // namespace ember
