// List commands. A small list is packed in its key's entry; past
// list-max-listpack-size it becomes a ListObject (a deque of packed
// chunks). ListView reads either; ListEditor changes either and stores the
// result in the right encoding.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "blocking.h"
#include "command.h"
#include "shard.h"
#include "snapshot.h"
#include "db.h"
#include "list_object.h"
#include "pack.h"
#include "server.h"
#include "util.h"

namespace ember {

namespace {

class ListView {
 public:
  explicit ListView(Entry* e) : e_(e) {}
  bool packed() const { return e_->encoding() == Encoding::kPackedList; }
  ListObject* object() const { return static_cast<ListObject*>(e_->object()); }
  size_t Len() const {
    if (!packed()) return object()->size();
    size_t n = 0;
    for (PackReader r(e_->raw_value()); !r.Done(); r.Next()) ++n;
    return n;
  }
  // fn(item) for the items at [start, stop] (valid, start <= stop).
  template <typename Fn>
  void ForRange(size_t start, size_t stop, Fn fn) const {
    if (!packed()) return object()->ForRange(start, stop, fn);
    size_t i = 0;
    for (PackReader r(e_->raw_value()); !r.Done() && i <= stop; ++i) {
      std::string_view item = r.Next();
      if (i >= start) fn(item);
    }
  }
  // fn(index, item) from the head (or, reverse, from the tail) while it
  // returns true; nothing is copied.
  template <typename Fn>
  void Walk(bool reverse, Fn fn) const {
    if (!packed()) return object()->Walk(reverse, fn);
    std::vector<std::string_view> items;
    for (PackReader r(e_->raw_value()); !r.Done();) items.push_back(r.Next());
    for (size_t k = 0; k < items.size(); ++k) {
      size_t i = reverse ? items.size() - 1 - k : k;
      if (!fn(i, items[i])) return;
    }
  }

 private:
  Entry* e_;
};

// Changes to one list. A ListObject is changed in place (list_object.h
// says how each edit stays within one chunk); a packed list as an item
// deque stored back by Commit, until a push would take it past
// list-max-listpack-size: then it becomes a new ListObject at once, so the
// rest of a big RPUSH/LPUSH goes to chunks instead of one growing list.
class ListEditor {
 public:
  ListEditor(CmdCtx& ctx, std::string_view key, Entry* e) : ctx_(ctx), key_(key), e_(e) {
    limit_ = ctx.server.config().live.list_max_listpack_size.load(std::memory_order_relaxed);
    if (e_ && !ListView(e_).packed()) {
      object_ = ListView(e_).object();
      return;
    }
    if (!e_) return;
    ListView(e_).ForRange(0, SIZE_MAX, [&](std::string_view item) {
      items_.emplace_back(item);
      bytes_ += PackItemSize(item.size());
    });
  }
  size_t size() const { return object_ ? object_->size() : items_.size(); }
  void Push(bool left, std::string_view item) {
    changed_ = true;
    if (!object_ && !ListPackFits(limit_, items_.size() + 1, bytes_ + PackItemSize(item.size()))) Convert();
    if (object_) return left ? object_->PushFront(item) : object_->PushBack(item);
    bytes_ += PackItemSize(item.size());
    if (left)
      items_.emplace_front(item);
    else
      items_.emplace_back(item);
  }
  std::string Pop(bool left) {
    changed_ = true;
    if (object_) return left ? object_->PopFront() : object_->PopBack();
    std::string item = std::move(left ? items_.front() : items_.back());
    left ? items_.pop_front() : items_.pop_back();
    bytes_ -= PackItemSize(item.size());
    return item;
  }
  // Up to n items off one end, in the order popped. A ListObject gives
  // them from its chunks and then drops them in one trim: popping them one
  // by one would shift a chunk's bytes for every item.
  std::vector<std::string> PopMany(bool left, size_t n) {
    n = std::min(n, size());
    std::vector<std::string> out;
    out.reserve(n);
    if (!object_ || n == 0) {
      for (size_t i = 0; i < n; ++i) out.push_back(Pop(left));
      return out;
    }
    size_t len = object_->size();
    object_->ForRange(left ? 0 : len - n, left ? n - 1 : len - 1, [&](std::string_view item) { out.emplace_back(item); });
    if (!left) std::reverse(out.begin(), out.end());
    Trim(left ? n : 0, left ? 0 : n);
    return out;
  }
  // Replaces the item at index (< size()).
  void Set(size_t index, std::string_view item) {
    changed_ = true;
    if (object_) return object_->Set(index, item);
    bytes_ += PackItemSize(item.size());
    bytes_ -= PackItemSize(items_[index].size());
    items_[index].assign(item);
  }
  // Inserts item before the one at index (index size() appends).
  void Insert(size_t index, std::string_view item) {
    changed_ = true;
    if (object_) return object_->Insert(index, item);
    bytes_ += PackItemSize(item.size());
    items_.emplace(items_.begin() + static_cast<ptrdiff_t>(index), item);
  }
  // LREM: up to limit items equal to item (0: all), from the head or the
  // tail; returns how many went.
  size_t RemoveEqual(std::string_view item, size_t limit, bool from_tail) {
    size_t removed;
    if (object_) {
      removed = object_->RemoveEqual(item, limit, from_tail);
    } else {
      std::deque<std::string> kept;
      removed = 0;
      auto keep = [&](std::string& v) {
        if ((limit == 0 || removed < limit) && v == item) {
          ++removed;
          bytes_ -= PackItemSize(v.size());
        } else if (from_tail) {
          kept.push_front(std::move(v));
        } else {
          kept.push_back(std::move(v));
        }
      };
      if (from_tail)
        std::for_each(items_.rbegin(), items_.rend(), keep);
      else
        std::for_each(items_.begin(), items_.end(), keep);
      items_.swap(kept);
    }
    changed_ |= removed > 0;
    return removed;
  }
  // LTRIM: drops front items from the head and back from the tail.
  void Trim(size_t front, size_t back) {
    changed_ |= front + back > 0;
    if (object_) return object_->Trim(front, back);
    for (size_t i = 0; i < front; ++i) Pop(true);
    for (size_t i = 0; i < back; ++i) Pop(false);
  }
  // Stores the result, and notifies `event` (and "del" if the list is
  // now empty).
  void Commit(std::string_view event) {
    if (!changed_) return;
    Db& db = ctx_.db(key_);
    db.Touch(key_);  // for WATCH, and clients blocked on this key
    if (size() == 0) {
      if (e_) db.Delete(key_);
      ctx_.Notify(kNotifyList, event, key_);
      if (e_) ctx_.Notify(kNotifyGeneric, "del", key_);
      return;
    }
    Store(db);
    ctx_.Notify(kNotifyList, event, key_);
  }

 private:
  void Convert() {
    owned_ = std::make_unique<ListObject>(limit_);
    for (const std::string& item : items_) owned_->PushBack(item);
    items_.clear();
    bytes_ = 0;
    object_ = owned_.get();
  }
  void Store(Db& db) {
    int64_t expire = e_ ? e_->expire_ms() : Entry::kNoExpire;
    // LSET and LINSERT grow a packed list without a push's check.
    if (!object_ && !ListPackFits(limit_, items_.size(), bytes_)) Convert();
    if (owned_) {
      db.Put(Entry::CreateObject(key_, owned_.release(), expire));
      return;
    }
    if (object_) return;
    std::string pack;
    pack.reserve(bytes_);
    for (const std::string& item : items_) PackAppend(&pack, item);
    db.Put(Entry::Create(key_, pack, Encoding::kPackedList, expire));
  }

  CmdCtx& ctx_;
  std::string_view key_;
  Entry* e_;
  int64_t limit_;
  ListObject* object_ = nullptr;       // the entry's object, or owned_
  std::unique_ptr<ListObject> owned_;  // a new object, stored by Commit
  std::deque<std::string> items_;      // packed: the items
  size_t bytes_ = 0;                   // packed: PackItemSize of items_
  bool changed_ = false;
};

// Redis's list index: negative counts from the end.
bool ResolveIndex(int64_t index, size_t len, size_t* out) {
  if (index < 0) index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len)) return false;
  *out = static_cast<size_t>(index);
  return true;
}

void PushGeneric(CmdCtx& ctx, bool left, bool only_existing) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (only_existing && !e) return ctx.reply.Int(0);
  ListEditor l(ctx, ctx.arg(1), e);
  for (size_t i = 2; i < ctx.argc(); ++i) l.Push(left, ctx.arg(i));
  int64_t len = static_cast<int64_t>(l.size());
  l.Commit(left ? "lpush" : "rpush");
  ctx.reply.Int(len);
}
void LPush(CmdCtx& ctx) { PushGeneric(ctx, true, false); }
void RPush(CmdCtx& ctx) { PushGeneric(ctx, false, false); }
void LPushX(CmdCtx& ctx) { PushGeneric(ctx, true, true); }
void RPushX(CmdCtx& ctx) { PushGeneric(ctx, false, true); }

// LPOP/RPOP key [count]
void PopGeneric(CmdCtx& ctx, bool left) {
  if (ctx.argc() > 3) return ctx.WrongArity();
  bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count && (!ParseInt64(ctx.arg(2), &count) || count < 0))
    return ctx.reply.Error("value is out of range, must be positive");
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (!e) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  ListEditor l(ctx, ctx.arg(1), e);
  size_t n = std::min(static_cast<size_t>(count), l.size());
  std::vector<std::string> popped = l.PopMany(left, n);
  l.Commit(left ? "lpop" : "rpop");
  if (!has_count) return ctx.reply.Bulk(popped[0]);
  ctx.reply.Array(popped.size());
  for (const std::string& item : popped) ctx.reply.Bulk(item);
}
void LPop(CmdCtx& ctx) { PopGeneric(ctx, true); }
void RPop(CmdCtx& ctx) { PopGeneric(ctx, false); }

void LLen(CmdCtx& ctx) {
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  ctx.reply.Int(e ? static_cast<int64_t>(ListView(e).Len()) : 0);
}

void LRange(CmdCtx& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) return ctx.reply.Error(kErrNotInteger);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (!e) return ctx.reply.Array(0);
  ListView l(e);
  int64_t len = static_cast<int64_t>(l.Len());
  if (start < 0) start = std::max<int64_t>(start + len, 0);
  if (stop < 0) stop += len;
  if (stop >= len) stop = len - 1;
  if (start > stop || start >= len) return ctx.reply.Array(0);
  ctx.reply.Array(static_cast<size_t>(stop - start + 1));
  l.ForRange(static_cast<size_t>(start), static_cast<size_t>(stop), [&](std::string_view item) { ctx.reply.Bulk(item); });
}

void LIndex(CmdCtx& ctx) {
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.reply.Error(kErrNotInteger);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  size_t i;
  if (!e || !ResolveIndex(index, ListView(e).Len(), &i)) return ctx.reply.Null();
  ListView(e).ForRange(i, i, [&](std::string_view item) { ctx.reply.Bulk(item); });
}

void LSet(CmdCtx& ctx) {
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.reply.Error(kErrNotInteger);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (!e) return ctx.reply.Error(kErrNoSuchKey);
  size_t i;
  if (!ResolveIndex(index, ListView(e).Len(), &i)) return ctx.reply.Error("index out of range");
  ListEditor l(ctx, ctx.arg(1), e);
  l.Set(i, ctx.arg(3));
  l.Commit("lset");
  ctx.reply.Ok();
}

void LTrim(CmdCtx& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) return ctx.reply.Error(kErrNotInteger);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (!e) return ctx.reply.Ok();
  ListEditor l(ctx, ctx.arg(1), e);
  int64_t len = static_cast<int64_t>(l.size());
  if (start < 0) start = std::max<int64_t>(start + len, 0);
  if (stop < 0) stop += len;
  if (stop >= len) stop = len - 1;
  size_t from_left = 0, from_right = 0;
  if (start > stop || start >= len) {
    from_left = static_cast<size_t>(len);  // empties the list
  } else {
    from_left = static_cast<size_t>(start);
    from_right = static_cast<size_t>(len - 1 - stop);
  }
  // Redis notifies (and raises WATCH) even when nothing was trimmed.
  if (from_left + from_right == 0) {
    ctx.Notify(kNotifyList, "ltrim", ctx.arg(1));
    return ctx.reply.Ok();
  }
  l.Trim(from_left, from_right);
  l.Commit("ltrim");
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element
void LInsert(CmdCtx& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "after"))
    after = true;
  else if (EqualsIgnoreCase(ctx.arg(2), "before"))
    after = false;
  else
    return ctx.reply.Error(kErrSyntax);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (!e) return ctx.reply.Int(0);
  size_t pivot = SIZE_MAX;
  ListView(e).Walk(false, [&](size_t i, std::string_view item) {
    if (item != ctx.arg(3)) return true;
    pivot = i;
    return false;
  });
  if (pivot == SIZE_MAX) return ctx.reply.Int(-1);
  ListEditor l(ctx, ctx.arg(1), e);
  l.Insert(after ? pivot + 1 : pivot, ctx.arg(4));
  int64_t len = static_cast<int64_t>(l.size());
  l.Commit("linsert");
  ctx.reply.Int(len);
}

// LREM key count element
void LRem(CmdCtx& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(kErrNotInteger);
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  if (!e) return ctx.reply.Int(0);
  ListEditor l(ctx, ctx.arg(1), e);
  // |count| as a limit; INT64_MIN's magnitude is past any list's length.
  size_t limit = count == 0 ? 0 : count > 0 ? static_cast<size_t>(count) : static_cast<size_t>(-(count + 1)) + 1;
  size_t removed = l.RemoveEqual(ctx.arg(3), limit, count < 0);
  l.Commit("lrem");
  ctx.reply.Int(static_cast<int64_t>(removed));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void LPos(CmdCtx& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (i + 1 >= ctx.argc()) return ctx.reply.Error(kErrSyntax);
    int64_t v;
    bool is_int = ParseInt64(ctx.arg(i + 1), &v);
    if (EqualsIgnoreCase(a, "rank")) {
      if (!is_int) return ctx.reply.Error(kErrNotInteger);
      if (v == 0)
        return ctx.reply.Error(
            "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to "
            "start from the end of the list");
      // Redis 7.0 negates the rank, which leaves INT64_MIN negative: every
      // match from the tail counts, as with -1.
      rank = v == INT64_MIN ? -1 : v;
    } else if (EqualsIgnoreCase(a, "count")) {
      if (!is_int || v < 0) return ctx.reply.Error("COUNT can't be negative");
      count = v;
    } else if (EqualsIgnoreCase(a, "maxlen")) {
      if (!is_int || v < 0) return ctx.reply.Error("MAXLEN can't be negative");
      maxlen = v;
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
    ++i;
  }
  Entry* e;
  if (!LookupTyped(ctx, ctx.arg(1), ValueType::kList, &e)) return;
  std::vector<int64_t> found;
  if (e) {
    int64_t want = count < 0 ? 1 : count;  // COUNT 0: every match
    int64_t skip = (rank > 0 ? rank : -rank) - 1;
    int64_t scanned = 0;
    ListView(e).Walk(rank < 0, [&](size_t i, std::string_view item) {
      if (maxlen != 0 && scanned++ >= maxlen) return false;
      if (item != ctx.arg(2)) return true;
      if (skip > 0) {
        --skip;
        return true;
      }
      found.push_back(static_cast<int64_t>(i));
      return want == 0 || static_cast<int64_t>(found.size()) < want;
    });
  }
  if (count < 0) return found.empty() ? ctx.reply.Null() : ctx.reply.Int(found[0]);
  ctx.reply.Array(found.size());
  for (int64_t idx : found) ctx.reply.Int(idx);
}

bool ParseWhere(std::string_view s, bool* left) {
  if (EqualsIgnoreCase(s, "left")) {
    *left = true;
    return true;
  }
  if (EqualsIgnoreCase(s, "right")) {
    *left = false;
    return true;
  }
  return false;
}

// Pops from the list at src (the entry `from`, not empty) and pushes the
// item onto the list at dst (type already checked); src and dst may be the
// same key, or on two shards this thread holds. Returns the item.
std::string MoveItem(CmdCtx& ctx, std::string_view src, Entry* from, std::string_view dst, bool from_left,
                     bool to_left) {
  ListEditor out(ctx, src, from);
  std::string item = out.Pop(from_left);
  std::string_view popped = from_left ? "lpop" : "rpop", pushed = to_left ? "lpush" : "rpush";
  // Redis's order of events: the push, then the pop (then "del").
  if (src == dst) {
    out.Push(to_left, item);
    out.Commit(pushed);
    ctx.Notify(kNotifyList, popped, src);
  } else {
    ListEditor in(ctx, dst, ctx.db(dst).Find(dst));
    in.Push(to_left, item);
    in.Commit(pushed);
    out.Commit(popped);
  }
  return item;
}

// LMOVE / RPOPLPUSH: src and dst may be on different shards (the
// dispatcher holds both) or the same key.
void MoveGeneric(CmdCtx& ctx, bool from_left, bool to_left) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  // Redis: a missing source answers nil before the destination's type is
  // looked at.
  Entry *from, *to;
  if (!LookupTyped(ctx, src, ValueType::kList, &from)) return;
  if (!from) return ctx.reply.Null();
  if (!LookupTyped(ctx, dst, ValueType::kList, &to)) return;
  ctx.reply.Bulk(MoveItem(ctx, src, from, dst, from_left, to_left));
}

void LMove(CmdCtx& ctx) {
  bool from_left, to_left;
  if (!ParseWhere(ctx.arg(3), &from_left) || !ParseWhere(ctx.arg(4), &to_left)) return ctx.reply.Error(kErrSyntax);
  MoveGeneric(ctx, from_left, to_left);
}
void RPopLPush(CmdCtx& ctx) { MoveGeneric(ctx, false, true); }

// Pops up to count items from the list at key (which exists) and replies
// [key, [items]] as LMPOP and BLMPOP do.
void PopManyAndReply(CmdCtx& ctx, std::string_view key, Entry* e, bool left, int64_t count) {
  ListEditor l(ctx, key, e);
  size_t n = std::min(static_cast<size_t>(count), l.size());
  std::vector<std::string> popped = l.PopMany(left, n);
  l.Commit(left ? "lpop" : "rpop");
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Array(popped.size());
  for (const std::string& item : popped) ctx.reply.Bulk(item);
}

// The part of LMPOP/BLMPOP after the keys: LEFT|RIGHT [COUNT count].
bool ParseMPopTail(CmdCtx& ctx, size_t where, bool* left, int64_t* count) {
  if (!ParseWhere(ctx.arg(where), left)) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  *count = 1;
  bool has_count = false;
  for (size_t i = where + 1; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "count") && i + 1 < ctx.argc() && !has_count) {
      has_count = true;
      if (!ParseInt64(ctx.arg(++i), count) || *count <= 0) {
        ctx.reply.Error("count should be greater than 0");
        return false;
      }
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void LMPop(CmdCtx& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys <= 0) return ctx.reply.Error("numkeys should be greater than 0");
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 3) return ctx.reply.Error(kErrSyntax);
  size_t where = 2 + static_cast<size_t>(numkeys);
  bool left;
  int64_t count;
  if (!ParseMPopTail(ctx, where, &left, &count)) return;
  for (size_t k = 2; k < where; ++k) {
    Entry* e;
    if (!LookupTyped(ctx, ctx.arg(k), ValueType::kList, &e)) return;
    if (e) return PopManyAndReply(ctx, ctx.arg(k), e, left, count);
  }
  ctx.reply.NullArray();
}

// ---- Blocking variants ----

// Serving BLPOP/BRPOP: [key, element].
bool ServeBPop(CmdCtx& ctx, BlockedClient& b, std::string_view key) {
  bool left = EqualsIgnoreCase(b.args[0], "blpop");
  ListEditor l(ctx, key, ctx.db(key).Find(key));
  std::string item = l.Pop(left);
  l.Commit(left ? "lpop" : "rpop");
  ctx.reply.Array(2);
  ctx.reply.Bulk(key);
  ctx.reply.Bulk(item);
  return true;
}

void BPop(CmdCtx& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &timeout)) return;
  BlockOrServe(ctx, {ctx.argv.begin() + 1, ctx.argv.end() - 1}, ValueType::kList, timeout, ServeBPop, true);
}

// Serving BLMOVE src dst from to / BRPOPLPUSH src dst: the element. The
// destination may be on another shard: it is held for the push.
bool ServeBMove(CmdCtx& ctx, BlockedClient& b, std::string_view key) {
  bool brpoplpush = EqualsIgnoreCase(b.args[0], "brpoplpush");
  bool from_left = false, to_left = true;
  if (!brpoplpush) {
    ParseWhere(b.args[3], &from_left);
    ParseWhere(b.args[4], &to_left);
  }
  std::string_view dst = b.args[2];
  std::vector<uint32_t> shards = {ctx.server.ShardIndexFor(key), ctx.server.ShardIndexFor(dst)};
  bool moved = false;
  ctx.shard.RunHolding(shards, [&] {
    Snapshot::SaveBeforeWrite(ctx.db(dst), dst);
    Entry* to;
    // A destination of another type fails this client only (WRONGTYPE);
    // the element stays for the next one waiting, as in Redis.
    if (!LookupTyped(ctx, dst, ValueType::kList, &to)) return;
    ctx.reply.Bulk(MoveItem(ctx, key, ctx.db(key).Find(key), dst, from_left, to_left));
    moved = true;
  });
  return moved;
}

void BLMove(CmdCtx& ctx) {
  bool from_left, to_left;
  if (!ParseWhere(ctx.arg(3), &from_left) || !ParseWhere(ctx.arg(4), &to_left)) return ctx.reply.Error(kErrSyntax);
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.arg(5), &timeout)) return;
  BlockOrServe(ctx, {ctx.arg(1)}, ValueType::kList, timeout, ServeBMove, false);
}

void BRPopLPush(CmdCtx& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.arg(3), &timeout)) return;
  BlockOrServe(ctx, {ctx.arg(1)}, ValueType::kList, timeout, ServeBMove, false);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
bool ServeBLMPop(CmdCtx& ctx, BlockedClient& b, std::string_view key) {
  int64_t numkeys = 0;
  ParseInt64(b.args[2], &numkeys);
  size_t where = 3 + static_cast<size_t>(numkeys);
  bool left = false;
  ParseWhere(b.args[where], &left);
  int64_t count = 1;
  if (where + 2 < b.args.size()) ParseInt64(b.args[where + 2], &count);
  PopManyAndReply(ctx, key, ctx.db(key).Find(key), left, count);
  return true;
}

void BLMPop(CmdCtx& ctx) {
  int64_t timeout;
  if (!ParseBlockTimeout(ctx, ctx.arg(1), &timeout)) return;
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(2), &numkeys) || numkeys <= 0) return ctx.reply.Error("numkeys should be greater than 0");
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 4) return ctx.reply.Error(kErrSyntax);
  size_t where = 3 + static_cast<size_t>(numkeys);
  bool left;
  int64_t count;
  if (!ParseMPopTail(ctx, where, &left, &count)) return;
  BlockOrServe(ctx, {ctx.argv.begin() + 3, ctx.argv.begin() + static_cast<ptrdiff_t>(where)}, ValueType::kList, timeout,
               ServeBLMPop, true);
}

}  // namespace

void RegisterListFamily(CommandTable& t) {
  constexpr uint32_t W = kCmdWrite | kCmdDenyOom, R = kCmdReadOnly, F = kCmdFast;
  auto add = [&t](const char* name, int arity, uint32_t flags, int first, int last, CommandHandler h,
                  const char* summary, const char* since, int keynum_index = 0) {
    t.Add({name, arity, flags, first, last, first ? 1 : 0, h, "list", summary, since, {}, keynum_index});
  };
  add("lpush", -3, W | F, 1, 1, LPush, "Prepends one or more elements to a list.", "1.0.0");
  add("rpush", -3, W | F, 1, 1, RPush, "Appends one or more elements to a list.", "1.0.0");
  add("lpushx", -3, W | F, 1, 1, LPushX, "Prepends one or more elements to a list only when the list exists.", "2.2.0");
  add("rpushx", -3, W | F, 1, 1, RPushX, "Appends an element to a list only when the list exists.", "2.2.0");
  add("lpop", -2, kCmdWrite | F, 1, 1, LPop, "Returns the first elements in a list after removing it.", "1.0.0");
  add("rpop", -2, kCmdWrite | F, 1, 1, RPop, "Returns and removes the last elements of a list.", "1.0.0");
  add("llen", 2, R | F, 1, 1, LLen, "Returns the length of a list.", "1.0.0");
  add("lrange", 4, R, 1, 1, LRange, "Returns a range of elements from a list.", "1.0.0");
  add("lindex", 3, R, 1, 1, LIndex, "Returns an element from a list by its index.", "1.0.0");
  add("lset", 4, W, 1, 1, LSet, "Sets the value of an element in a list by its index.", "1.0.0");
  add("ltrim", 4, kCmdWrite, 1, 1, LTrim, "Removes elements from both ends a list.", "1.0.0");
  add("linsert", 5, W, 1, 1, LInsert, "Inserts an element before or after another element in a list.", "2.2.0");
  add("lrem", 4, kCmdWrite, 1, 1, LRem, "Removes elements from a list.", "1.0.0");
  add("lpos", -3, R, 1, 1, LPos, "Returns the index of matching elements in a list.", "6.0.6");
  add("lmove", 5, W, 1, 2, LMove, "Returns an element after popping it from one list and pushing it to another.", "6.2.0");
  add("rpoplpush", 3, W, 1, 2, RPopLPush, "Returns the last element of a list after removing and pushing it to another list.", "1.2.0");
  add("lmpop", -4, kCmdWrite, 0, 0, LMPop, "Returns multiple elements from a list after removing them.", "7.0.0", 1);
  // Blocking: they run on the client's thread (kCmdConnection) to block it.
  constexpr uint32_t B = kCmdWrite | kCmdBlocking | kCmdConnection;
  add("blpop", -3, B, 1, -2, BPop, "Removes and returns the first element in a list. Blocks until an element is available otherwise.", "2.0.0");
  add("brpop", -3, B, 1, -2, BPop, "Removes and returns the last element in a list. Blocks until an element is available otherwise.", "2.0.0");
  add("blmove", 6, B | kCmdDenyOom, 1, 2, BLMove, "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise.", "6.2.0");
  add("brpoplpush", 4, B | kCmdDenyOom, 1, 2, BRPopLPush, "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise.", "2.2.0");
  add("blmpop", -5, B, 0, 0, BLMPop, "Pops the first element from one of multiple lists. Blocks until an element is available otherwise.", "7.0.0", 2);
}

}  // namespace ember
