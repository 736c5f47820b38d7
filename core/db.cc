#include "db.h"

#include <algorithm>
#include <thread>

#include "config.h"
#include "snapshot.h"
#include "util.h"

namespace ember {

namespace {
// Eviction parameters for a Db the shard has not pointed at its config
// (unit tests): Redis's defaults.
const Config::Live kDefaultLive;
}  // namespace

DbShared::DbShared(uint64_t seed) : live(&kDefaultLive), rng(seed ^ 0x9e3779b97f4a7c15ULL) {}

Db::Db(uint64_t seed) : own_shared_(std::make_unique<DbShared>(seed)), shared_(own_shared_.get()), dict_(seed) {
  set_now(NowMs());
}

Db::Db(uint64_t seed, uint32_t index, DbShared* shared) : shared_(shared), index_(index), dict_(seed) {}

Db::~Db() = default;

void Db::Track(Entry* e) {
  if (!e->has_expire()) return;
  e->set_volatile_index(static_cast<uint32_t>(volatile_.size()));
  volatile_.push_back(e);
}

void Db::Untrack(Entry* e) {
  if (!e->has_expire()) return;
  uint32_t i = e->volatile_index();
  Entry* last = volatile_.back();
  volatile_[i] = last;
  last->set_volatile_index(i);
  volatile_.pop_back();
}

void Db::Replace(Dict::Slot slot, Entry* fresh, bool fresh_owns_value) {
  Entry* old = *slot.link;
  // An overwrite keeps the key's history, as Redis's dbOverwrite keeps
  // the LFU counter; for LRU it is an access now.
  fresh->set_access(IsLfu(policy()) ? old->access() : shared_->lru_clock);
  Untrack(old);
  dict_.ReplaceAt(slot, fresh);
  Track(fresh);
  if (fresh_owns_value)
    Entry::DestroyShell(old);
  else
    Free(old);
}

Entry* Db::Peek(std::string_view key) {
  if (dict_.rehashing()) dict_.RehashStep();
  Dict::Slot slot = dict_.FindSlot(key, dict_.Hash(key));
  if (!slot) return nullptr;
  Entry* e = *slot.link;
  if (Expired(e)) {
    if (ExpiryFrozen()) [[unlikely]]
      return nullptr;
    Touch(e->key());
    std::string expired(e->key());
    Untrack(e);
    Free(dict_.UnlinkAt(slot));
    ++stats_.expired_keys;
    NotifyExpired(expired);
    return nullptr;
  }
  return e;
}

void Db::NotifyExpired(std::string_view key) {
  Notify(kNotifyExpired, "expired", key);
}

Entry* Db::FindRead(std::string_view key, bool touch) {
  Entry* e = touch ? Find(key) : Peek(key);
  if (e) {
    ++stats_.keyspace_hits;
  } else {
    ++stats_.keyspace_misses;
    Notify(kNotifyKeyMiss, "keymiss", key);
  }
  return e;
}

void Db::PutHashed(Entry* e, uint64_t h) {
  Dict::Slot slot = dict_.FindSlot(e->key(), h);
  if (slot) {
    Replace(slot, e, false);
  } else {
    e->set_access(InitialAccess());
    dict_.Insert(e, h);
    Track(e);
    Notify(kNotifyNew, "new", e->key());
  }
}

Entry* Db::SetString(std::string_view key, std::string_view value, int64_t expire_ms) {
  int64_t v;
  Entry* e = value.size() <= 20 && ParseInt64(value, &v) ? Entry::CreateInt(key, v, expire_ms)
                                                        : Entry::Create(key, value, Encoding::kRaw, expire_ms);
  Put(e);
  return e;
}

Entry* Db::SetInt(std::string_view key, int64_t v, int64_t expire_ms) {
  Entry* e = Entry::CreateInt(key, v, expire_ms);
  Put(e);
  return e;
}

Entry* Db::Take(std::string_view key) {
  Dict::Slot slot = dict_.FindSlot(key, dict_.Hash(key));
  if (!slot) return nullptr;
  Entry* e = *slot.link;
  bool expired = Expired(e);
  if (expired && ExpiryFrozen()) [[unlikely]]
    return nullptr;
  if (expired) Touch(e->key());
  Untrack(e);
  dict_.UnlinkAt(slot);
  dict_.MaybeShrink();
  if (expired) {
    std::string key_copy(e->key());
    Free(e);
    ++stats_.expired_keys;
    NotifyExpired(key_copy);
    return nullptr;
  }
  return e;
}

Entry* Db::Move(std::string_view key, Db& to, std::string_view new_key) {
  Entry* e = Take(key);
  if (!e) return nullptr;
  Entry* moved = Entry::Create(new_key, e->raw_value(), e->encoding(), e->expire_ms());
  Entry::DestroyShell(e);
  to.Put(moved);
  return moved;
}

bool Db::Delete(std::string_view key) {
  Entry* e = Take(key);
  if (!e) return false;
  Free(e);
  return true;
}

Entry* Db::SetExpire(Entry* e, int64_t expire_ms) {
  if (e->has_expire() && expire_ms != Entry::kNoExpire) {
    e->set_expire_ms(expire_ms);
    return e;
  }
  if (!e->has_expire() && expire_ms == Entry::kNoExpire) return e;
  // The entry changes size: build the new one beside it.
  Entry* fresh = Entry::Create(e->key(), e->raw_value(), e->encoding(), expire_ms);
  Replace(dict_.FindSlot(e->key(), dict_.Hash(e->key())), fresh, true);
  return fresh;
}

int64_t Db::AverageTtlSample() {
  if (volatile_.empty()) return 0;
  // Expire times reach INT64_MAX (PEXPIREAT): the sum of 20 would overflow.
  __int128 sum = 0;
  int64_t n = 0;
  for (int i = 0; i < 20; ++i) {
    Entry* e = volatile_[shared_->rng() % volatile_.size()];
    int64_t ttl = e->expire_ms() - shared_->now_ms;
    if (ttl > 0) {
      sum += ttl;
      ++n;
    }
  }
  return n ? static_cast<int64_t>(sum / n) : 0;
}

Entry* Db::Random() {
  for (int tries = 0; tries < 100; ++tries) {
    Entry* e = dict_.Random(shared_->rng);
    if (!e) return nullptr;
    if (!Expired(e)) return e;
    Find(e->key());  // deletes it
  }
  return nullptr;
}

void Db::Flush(bool async) {
  TouchAll();
  shared_->tracking.Flush();
  pool_.Clear();
  volatile_.clear();
  volatile_.shrink_to_fit();
  if (!async) {
    dict_.Clear([](Entry* e) { Entry::Destroy(e); });
    return;
  }
  std::vector<Entry*> doomed;
  doomed.reserve(dict_.size());
  dict_.Clear([&](Entry* e) { doomed.push_back(e); });
  std::thread([v = std::move(doomed)]() {
    for (Entry* e : v) Entry::Destroy(e);
  }).detach();
}

void Db::SwapKeys(Db& other) {
  // Raised before and after: a key watched in one database that exists in
  // either of them changes (Redis's touchAllWatchedKeysInDb).
  TouchAll();
  other.TouchAll();
  dict_.Swap(other.dict_);
  volatile_.swap(other.volatile_);
  TouchAll();
  other.TouchAll();
  pool_.Clear();
  other.pool_.Clear();
  for (Db* db : {this, &other})
    for (const auto& [key, waiters] : db->blocked_)
      if (db->dict_.FindSlot(key, db->dict_.Hash(key))) db->TouchBlocked(key);
}

void Db::Watch(std::string_view key, std::shared_ptr<WatchFlag> flag) {
  watched_[std::string(key)].push_back(std::move(flag));
}

void Db::Unwatch(std::string_view key, const WatchFlag* flag) {
  auto it = watched_.find(std::string(key));
  if (it == watched_.end()) return;
  auto& flags = it->second;
  std::erase_if(flags, [&](const std::shared_ptr<WatchFlag>& f) { return f.get() == flag; });
  if (flags.empty()) watched_.erase(it);
}

void Db::TouchWatched(std::string_view key) {
  auto it = watched_.find(std::string(key));
  if (it == watched_.end()) return;
  for (auto& f : it->second) f->store(true, std::memory_order_relaxed);
  watched_.erase(it);
}

void Db::Block(std::string_view key, std::shared_ptr<BlockedClient> b) {
  blocked_[std::string(key)].push_back(std::move(b));
}

void Db::Unblock(std::string_view key, const BlockedClient* b) {
  auto it = blocked_.find(std::string(key));
  if (it == blocked_.end()) return;
  std::erase_if(it->second, [&](const std::shared_ptr<BlockedClient>& w) { return w.get() == b; });
  if (it->second.empty()) blocked_.erase(it);
}

std::deque<std::shared_ptr<BlockedClient>>* Db::Waiters(std::string_view key) {
  auto it = blocked_.find(std::string(key));
  return it == blocked_.end() ? nullptr : &it->second;
}

void Db::TouchBlocked(std::string_view key) {
  if (blocked_.count(std::string(key)) && std::find(ready_.begin(), ready_.end(), key) == ready_.end())
    ready_.emplace_back(key);
}

void Db::TouchAll() {
  // A flush changes only the keys it deletes: as Redis, a WATCH of a key
  // that does not exist stays (and is not raised).
  std::erase_if(watched_, [this](auto& watch) {
    if (!dict_.FindSlot(watch.first, dict_.Hash(watch.first))) return false;
    for (auto& f : watch.second) f->store(true, std::memory_order_relaxed);
    return true;
  });
}

void Db::ActiveExpireCycle(int64_t budget_us, int effort) {
  if (ExpiryFrozen()) return;
  ++stats_.expire_cycles;
  const size_t per_loop = 20 + 5 * static_cast<size_t>(effort - 1);
  const size_t acceptable = per_loop / 4;
  int64_t start = NowUs();
  for (int iteration = 0;; ++iteration) {
    if (volatile_.empty()) return;
    size_t expired = 0;
    size_t n = std::min(per_loop, volatile_.size());
    for (size_t i = 0; i < n && !volatile_.empty(); ++i) {
      Entry* e = volatile_[shared_->rng() % volatile_.size()];
      if (Expired(e)) {
        Find(e->key());
        ++expired;
      }
    }
    if (expired <= acceptable) return;
    if ((iteration & 15) == 15 && NowUs() - start > budget_us) return;
  }
}

void Db::RehashFor(int64_t budget_us) {
  if (!dict_.rehashing()) return;
  int64_t start = NowUs();
  while (dict_.rehashing() && NowUs() - start < budget_us) dict_.RehashStep(100);
}

}  // namespace ember

namespace ember {

void Db::AccessedLfu(Entry* e) {
  // A cheap uniform draw: the increment is a coin toss, not a statistic.
  double r = static_cast<double>(shared_->rng() >> 11) * 0x1.0p-53;
  e->set_access(lfu::Touch(e->access(), shared_->now_ms, shared_->live->lfu_log_factor.load(std::memory_order_relaxed),
                           shared_->live->lfu_decay_time.load(std::memory_order_relaxed), r));
}

uint8_t Db::Frequency(const Entry* e) const {
  return lfu::Counter(e->access(), shared_->now_ms, shared_->live->lfu_decay_time.load(std::memory_order_relaxed));
}

uint64_t Db::EvictionScore(const Entry* e, EvictionPolicy policy) const {
  switch (policy) {
    case EvictionPolicy::kVolatileLfu:
    case EvictionPolicy::kAllkeysLfu:
      return 255 - Frequency(e);
    case EvictionPolicy::kVolatileTtl:
      return UINT64_MAX - static_cast<uint64_t>(e->expire_ms());
    default:
      return IdleMs(e);
  }
}

Entry* Db::Sample(bool volatile_only) {
  if (!volatile_only) return dict_.Random(shared_->rng);
  if (volatile_.empty()) return nullptr;
  return volatile_[shared_->rng() % volatile_.size()];
}

void Db::EvictSlot(Dict::Slot slot) {
  Entry* e = *slot.link;
  if (snapshot_) Snapshot::SaveEntryBeforeWrite(*this, *e);
  Touch(e->key());
  Untrack(e);
  dict_.UnlinkAt(slot);
  ++stats_.evicted_keys;
  Notify(kNotifyEvicted, "evicted", e->key());
  Free(e);
  dict_.MaybeShrink();
}

bool Db::Evict(EvictionPolicy policy, int samples) {
  if (policy == EvictionPolicy::kNoEviction) return false;
  bool volatile_only = IsVolatile(policy);
  if (IsRandom(policy)) {
    Entry* e = Sample(volatile_only);
    if (!e) return false;
    EvictSlot(dict_.FindSlot(e->key(), dict_.Hash(e->key())));
    return true;
  }
  // Candidates in the pool may have gone (deleted, evicted, or lost their
  // TTL) since they were sampled; each round samples afresh, and a round
  // that finds the pool empty of live ones means nothing is left.
  std::string key;
  while (true) {
    for (int i = 0; i < samples; ++i) {
      Entry* e = Sample(volatile_only);
      if (!e) break;
      pool_.Offer(EvictionScore(e, policy), e->key());
    }
    if (pool_.size() == 0) return false;
    while (pool_.PopBest(&key)) {
      Dict::Slot slot = dict_.FindSlot(key, dict_.Hash(key));
      if (!slot || (volatile_only && !(*slot.link)->has_expire())) continue;
      EvictSlot(slot);
      return true;
    }
  }
}

}  // namespace ember
