#include "tracking.h"

#include <mutex>

namespace ember {

void TrackingRegistry::AddBroadcast(uint64_t client_id, uint32_t shard, const std::vector<std::string>& prefixes) {
  std::unique_lock lock(mu_);
  auto [it, added] = broadcasters_.insert_or_assign(client_id, Broadcaster{shard, prefixes});
  if (added) bcast_clients_.fetch_add(1, std::memory_order_relaxed);
}

void TrackingRegistry::RemoveBroadcast(uint64_t client_id) {
  std::unique_lock lock(mu_);
  if (broadcasters_.erase(client_id)) bcast_clients_.fetch_sub(1, std::memory_order_relaxed);
}

void TrackingRegistry::MatchBroadcast(std::string_view key, uint64_t acting_client,
                                      std::vector<Invalidation>* out) const {
  std::shared_lock lock(mu_);
  for (const auto& [id, b] : broadcasters_)
    for (const std::string& prefix : b.prefixes)
      if (key.starts_with(prefix)) {
        out->push_back({id, b.shard, std::string(key), acting_client});
        break;
      }
}

size_t TrackingRegistry::prefixes() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [id, b] : broadcasters_) n += b.prefixes.size();
  return n;
}

void KeyReaders::Remember(std::string_view key, uint64_t client_id, uint32_t shard, int64_t max_keys) {
  auto it = readers_.find(std::string(key));
  if (it == readers_.end()) {
    if (max_keys > 0 && static_cast<int64_t>(readers_.size()) >= max_keys) {
      std::string victim = readers_.begin()->first;
      Invalidate(victim, 0);
    }
    it = readers_.emplace(std::string(key), std::vector<Reader>{}).first;
  }
  for (const Reader& r : it->second)
    if (r.client_id == client_id) return;
  it->second.push_back({client_id, shard});
  ++items_;
}

void KeyReaders::Invalidate(std::string_view key, uint64_t acting_client) {
  if (!readers_.empty()) {
    auto it = readers_.find(std::string(key));
    if (it != readers_.end()) {
      for (const Reader& r : it->second) outbox_.push_back({r.client_id, r.shard, std::string(key), acting_client});
      items_ -= it->second.size();
      readers_.erase(it);
    }
  }
  if (registry_ && registry_->any_bcast()) registry_->MatchBroadcast(key, acting_client, &outbox_);
}

void KeyReaders::Flush() {
  readers_.clear();
  items_ = 0;
  flushed_ = registry_ && registry_->any_client();
}

}  // namespace ember
