// Client-side caching (CLIENT TRACKING): which clients read which keys, and
// the invalidations a change to a key owes them.
//
// Each Db keeps the readers of its own keys (KeyReaders), touched only by
// the thread owning or holding its shard, like the keys themselves. A
// change queues one Invalidation per reader (and per BCAST client whose
// prefix matches) in the Db's outbox; the shard sends the outbox to the
// readers' home shards after the loop iteration, so an invalidation never
// lands inside the reply being written. Clients in BCAST mode register
// their prefixes in the server-wide TrackingRegistry instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

struct Invalidation {
  uint64_t client_id;
  uint32_t shard;    // the client's home shard
  std::string key;   // empty with flush set
  uint64_t acting_client = 0;  // who made the change (NOLOOP), 0: no client
  bool flush = false;  // every key (FLUSHALL / FLUSHDB): a null invalidation
};

// The server-wide part: how many clients track (the cost of tracking is
// one relaxed load while none does), and BCAST prefixes.
class TrackingRegistry {
 public:
  std::atomic<int64_t>& clients() { return clients_; }
  bool any_client() const { return clients_.load(std::memory_order_relaxed) > 0; }
  bool any_bcast() const { return bcast_clients_.load(std::memory_order_relaxed) > 0; }
  // A BCAST client's prefixes ("" matches every key); replaces earlier ones.
  void AddBroadcast(uint64_t client_id, uint32_t shard, const std::vector<std::string>& prefixes);
  void RemoveBroadcast(uint64_t client_id);
  // BCAST clients one of whose prefixes key starts with.
  void MatchBroadcast(std::string_view key, uint64_t acting_client, std::vector<Invalidation>* out) const;
  size_t prefixes() const;

 private:
  struct Broadcaster {
    uint32_t shard;
    std::vector<std::string> prefixes;
  };
  std::atomic<int64_t> clients_{0};
  std::atomic<int64_t> bcast_clients_{0};
  mutable std::shared_mutex mu_;
  std::unordered_map<uint64_t, Broadcaster> broadcasters_;
};

// One Db's tracked keys and its outbox.
class KeyReaders {
 public:
  void set_registry(const TrackingRegistry* registry) { registry_ = registry; }
  // Whether a change must look here: a key is tracked, or a BCAST client
  // exists.
  bool active() const { return !readers_.empty() || (registry_ && registry_->any_bcast()); }
  // The client read key. Past max_keys (this Db's share of
  // tracking-table-max-keys) an arbitrary tracked key is invalidated, as
  // Redis invalidates random ones.
  void Remember(std::string_view key, uint64_t client_id, uint32_t shard, int64_t max_keys);
  // key changed (written, expired, evicted): its readers are owed an
  // invalidation and forgotten (a client reads it again to track again).
  // The reader's home shard drops the one NOLOOP asks it to.
  void Invalidate(std::string_view key, uint64_t acting_client);
  // A flush: every tracked key is forgotten and every tracking client
  // (anywhere) is owed a null invalidation; the shard sends those.
  void Flush();
  // Moves the owed invalidations to out; true when a flush owes every
  // tracking client of this shard a null one.
  bool TakeOutbox(std::vector<Invalidation>* out) {
    out->swap(outbox_);
    outbox_.clear();
    bool flushed = flushed_;
    flushed_ = false;
    return flushed;
  }
  bool has_outbox() const { return !outbox_.empty() || flushed_; }
  size_t keys() const { return readers_.size(); }
  size_t items() const { return items_; }

 private:
  struct Reader {
    uint64_t client_id;
    uint32_t shard;
  };
  const TrackingRegistry* registry_ = nullptr;
  std::unordered_map<std::string, std::vector<Reader>> readers_;
  size_t items_ = 0;
  std::vector<Invalidation> outbox_;
  bool flushed_ = false;
};

}  // namespace ember
