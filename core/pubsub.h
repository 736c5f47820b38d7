// PubSub: who is subscribed to what, server-wide. Subscriptions change
// rarely and are read by every PUBLISH, from any shard: a reader-writer
// lock guards them (the one structure shards share). Messages themselves
// travel to a subscriber's shard as messages (Shard::DeliverPushes).
#pragma once

#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

struct Subscriber {
  uint64_t conn_id;
  uint32_t shard;
  bool operator==(const Subscriber& o) const { return conn_id == o.conn_id; }
};

class PubSubRegistry {
 public:
  void Subscribe(std::string_view channel, Subscriber s);
  void Unsubscribe(std::string_view channel, uint64_t conn_id);
  void PSubscribe(std::string_view pattern, Subscriber s);
  void PUnsubscribe(std::string_view pattern, uint64_t conn_id);

  // fn(subscriber, pattern) for every subscription that matches channel;
  // pattern is empty for a direct channel subscription.
  void ForEachReceiver(std::string_view channel,
                       const std::function<void(const Subscriber&, std::string_view pattern)>& fn) const;
  std::vector<std::string> Channels(std::string_view pattern, bool has_pattern) const;
  size_t NumSub(std::string_view channel) const;
  size_t NumPat() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::vector<Subscriber>> channels_;
  std::unordered_map<std::string, std::vector<Subscriber>> patterns_;
};

}  // namespace ember
