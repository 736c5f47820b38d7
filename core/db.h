// Db: one shard's part of one database (SELECT n). Owns the Dict of
// entries and the array of keys that have an expire time (for O(1) random
// sampling by active expiry), and applies lazy expiry on every lookup. Only
// the owning shard's thread calls it, or a thread that holds the shard (see
// Shard::RunHolding). The databases of a shard share a DbShared: the clock,
// the configuration they read, the tracking table and the notification sink.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <random>
#include <string_view>
#include <vector>

#include "blocking.h"
#include "client_pause.h"
#include "config.h"
#include "dict.h"
#include "entry.h"
#include "tracking.h"
#include "eviction.h"

namespace ember {

struct SnapshotShard;

struct DbStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expire_cycles = 0;
  uint64_t evicted_keys = 0;
};

// Set when a key a client WATCHes changes; EXEC then fails.
using WatchFlag = std::atomic<bool>;

// Keyspace notifications a Db itself raises ("expired", "new"), sent as
// (class, event, key, database).
using DbNotifyFn = std::function<void(int64_t, std::string_view, std::string_view, uint32_t)>;

// What the databases of one shard share (the shard owns it).
struct DbShared {
  explicit DbShared(uint64_t seed);
  // The clock expiry decisions use; the shard sets it once per batch.
  int64_t now_ms = 0;
  uint32_t lru_clock = 0;
  // maxmemory-policy and the lfu-* parameters, read on every lookup to keep
  // the entries' access bits (eviction.h); the shard points this at its
  // config.
  const Config::Live* live;
  // CLIENT PAUSE: while one is in force nothing expires (a lookup of an
  // expired key finds nothing but leaves it), as in Redis.
  const ClientPause* pause = nullptr;
  // CLIENT TRACKING: the keys read by tracking clients, whatever database
  // they were read in (as Redis's tracking table, a write to the name in
  // any database invalidates them).
  KeyReaders tracking;
  std::mt19937_64 rng;
  DbNotifyFn notify;
};

class Db {
 public:
  // A Db of its own (unit tests).
  explicit Db(uint64_t seed);
  // Database `index` of a shard, sharing `shared` with the shard's others.
  Db(uint64_t seed, uint32_t index, DbShared* shared);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  uint32_t index() const { return index_; }
  void set_notify(DbNotifyFn fn) { shared_->notify = std::move(fn); }

  // The clock expiry decisions use: shared by the shard's databases.
  void set_now(int64_t ms) {
    shared_->now_ms = ms;
    shared_->lru_clock = lru::Clock(ms);
  }
  int64_t now() const { return shared_->now_ms; }

  void set_live(const Config::Live* live) { shared_->live = live; }
  void set_pause(const ClientPause* pause) { shared_->pause = pause; }
  bool ExpiryFrozen() const { return shared_->pause && shared_->pause->Frozen(shared_->now_ms); }
  EvictionPolicy policy() const {
    return static_cast<EvictionPolicy>(shared_->live->maxmemory_policy.load(std::memory_order_relaxed));
  }

  // A live entry, or nullptr (an expired one is deleted on the way); the
  // lookup counts as an access for eviction.
  Entry* Find(std::string_view key) {
    Entry* e = Peek(key);
    if (e) Accessed(e);
    return e;
  }
  // As Find, but not an access (OBJECT, TYPE, EXISTS: Redis's NOTOUCH).
  Entry* Peek(std::string_view key);
  // As Find, counting keyspace hits and misses; `touch` false: not an
  // access (TTL family: Redis's NOTOUCH).
  Entry* FindRead(std::string_view key, bool touch = true);

  // Stores a string value, int-encoded when it is a canonical integer as
  // Redis does. expire_ms is absolute or Entry::kNoExpire.
  Entry* SetString(std::string_view key, std::string_view value, int64_t expire_ms);
  Entry* SetInt(std::string_view key, int64_t v, int64_t expire_ms);
  // Stores an entry built by the caller (replacing any entry with its key).
  void Put(Entry* e) { PutHashed(e, dict_.Hash(e->key())); }
  // Put with the key's hash (KeyHash) already known: a bulk load hashes
  // and prefetches a batch of keys before storing them.
  void PutHashed(Entry* e, uint64_t hash);
  uint64_t KeyHash(std::string_view key) const { return dict_.Hash(key); }
  void Prefetch(uint64_t hash) const { dict_.PrefetchBucket(hash); }
  // Unlinks an entry and hands it to the caller (nullptr if absent).
  Entry* Take(std::string_view key);
  bool Delete(std::string_view key);
  // Moves the entry at key to new_key in `to` (which may be this Db),
  // replacing what was there; the value (and its object) is not copied.
  Entry* Move(std::string_view key, Db& to, std::string_view new_key);

  // Sets or clears (Entry::kNoExpire) the expire time; the entry may move,
  // the new one is returned.
  Entry* SetExpire(Entry* e, int64_t expire_ms);

  size_t size() const { return dict_.size(); }
  size_t expires() const { return volatile_.size(); }
  // Average remaining TTL of a sample of volatile keys, in ms (0 if none).
  int64_t AverageTtlSample();

  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const { return dict_.Scan(cursor, fn); }
  uint64_t ScanMany(uint64_t cursor, size_t steps, const std::function<void(Entry*)>& fn) const {
    return dict_.ScanMany(cursor, steps, fn);
  }
  void Reserve(size_t keys) { dict_.Reserve(keys); }
  void ForEach(const std::function<void(Entry*)>& fn) const { dict_.ForEach(fn); }
  Entry* Random();

  // Deletes one key chosen by the policy from maxmemory-samples samples
  // (and the pool of past candidates); false when there is none to choose.
  bool Evict(EvictionPolicy policy, int samples);
  // OBJECT FREQ / IDLETIME of an entry, without touching it.
  uint8_t Frequency(const Entry* e) const;
  uint64_t IdleMs(const Entry* e) const { return lru::IdleMs(e->access(), shared_->now_ms); }
  // Bytes of the keyspace's own structures: the bucket arrays, and the
  // array of keys with a TTL.
  size_t TableBytes() const { return dict_.TableBytes(); }
  size_t ExpiresBytes() const { return volatile_.capacity() * sizeof(Entry*); }

  // Deletes every key; with async the memory is freed on another thread.
  void Flush(bool async);
  // SWAPDB: the two databases exchange their keys; WATCHes and blocked
  // clients stay with their database (as Redis), so a watched key that
  // exists in either is raised, and blocked clients whose key now exists
  // become ready.
  void SwapKeys(Db& other);

  // Redis's active expiry: sample keys with a TTL, delete the expired ones,
  // repeat while over a quarter of a sample was expired, within budget_us.
  void ActiveExpireCycle(int64_t budget_us, int effort);
  // Rehash work for the cron (about budget_us).
  void RehashFor(int64_t budget_us);

  // WATCH: a flag raised by the next change to key (by a write command,
  // expiry or a flush).
  void Watch(std::string_view key, std::shared_ptr<WatchFlag> flag);
  void Unwatch(std::string_view key, const WatchFlag* flag);
  // A write command changed key: raise its WATCH flags, mark it ready if
  // clients are blocked on it, and owe its tracking readers an
  // invalidation.
  void Touch(std::string_view key) {
    if (!watched_.empty()) TouchWatched(key);
    if (!blocked_.empty()) TouchBlocked(key);
    if (shared_->tracking.active()) [[unlikely]]
      shared_->tracking.Invalidate(key, tls_acting_client);
  }
  // CLIENT TRACKING: the shard's tracked keys and the invalidations owed.
  KeyReaders& tracking() { return shared_->tracking; }

  // Blocking commands: clients wait on a key in arrival order.
  void Block(std::string_view key, std::shared_ptr<BlockedClient> b);
  void Unblock(std::string_view key, const BlockedClient* b);
  // Keys touched since the last call that have clients blocked on them.
  std::vector<std::string> TakeReadyKeys() { return std::move(ready_); }
  std::deque<std::shared_ptr<BlockedClient>>* Waiters(std::string_view key);
  void DropWaiters(std::string_view key) { blocked_.erase(std::string(key)); }

  DbStats& stats() { return stats_; }

  // The snapshot walking this Db (snapshot.h), or nullptr.
  SnapshotShard* snapshot() const { return snapshot_; }
  void set_snapshot(SnapshotShard* s) { snapshot_ = s; }

 private:
  void Track(Entry* e);
  void Untrack(Entry* e);
  // fresh_owns_value: fresh took over old's object, so only old's own
  // memory is freed.
  void Replace(Dict::Slot slot, Entry* fresh, bool fresh_owns_value);
  void Free(Entry* e) { Entry::Destroy(e); }
  bool Expired(const Entry* e) const { return e->has_expire() && e->expire_ms() <= shared_->now_ms; }

  void TouchWatched(std::string_view key);
  void TouchBlocked(std::string_view key);
  void TouchAll();

  void NotifyExpired(std::string_view key);

  // The access bits after a lookup (LRU: the clock, stored only when it
  // moved; LFU: decay and count), and for a new entry.
  void Accessed(Entry* e) {
    if (IsLfu(policy())) return AccessedLfu(e);
    if (e->access() != shared_->lru_clock) e->set_access(shared_->lru_clock);
  }
  void AccessedLfu(Entry* e);
  uint32_t InitialAccess() const { return IsLfu(policy()) ? lfu::Initial(shared_->now_ms) : shared_->lru_clock; }
  // The eviction score of a sample: higher goes first.
  uint64_t EvictionScore(const Entry* e, EvictionPolicy policy) const;
  Entry* Sample(bool volatile_only);
  void EvictSlot(Dict::Slot slot);

  void Notify(int64_t type, std::string_view event, std::string_view key) {
    // "new" and "keymiss" only publish: skipped here, on every new key's
    // path, unless their class is enabled. Expired and evicted keys are
    // also recorded (the shard logs their DEL), so they always go.
    constexpr int64_t kRecorded = kNotifyExpired | kNotifyEvicted;
    if (!(type & kRecorded) && !(shared_->live->notify_flags.load(std::memory_order_relaxed) & type)) return;
    if (shared_->notify) shared_->notify(type, event, key, index_);
  }

  std::unique_ptr<DbShared> own_shared_;  // a Db of its own only
  DbShared* shared_;
  uint32_t index_ = 0;
  Dict dict_;
  std::vector<Entry*> volatile_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<WatchFlag>>> watched_;
  std::unordered_map<std::string, std::deque<std::shared_ptr<BlockedClient>>> blocked_;
  std::vector<std::string> ready_;
  EvictionPool pool_;
  DbStats stats_;
  SnapshotShard* snapshot_ = nullptr;
};

}  // namespace ember
