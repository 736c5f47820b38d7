#include "pubsub.h"

#include <algorithm>
#include <mutex>

#include "util.h"

namespace ember {

namespace {
void Add(std::unordered_map<std::string, std::vector<Subscriber>>& m, std::string_view name, Subscriber s) {
  auto& subs = m[std::string(name)];
  if (std::find(subs.begin(), subs.end(), s) == subs.end()) subs.push_back(s);
}

void Remove(std::unordered_map<std::string, std::vector<Subscriber>>& m, std::string_view name, uint64_t conn_id) {
  auto it = m.find(std::string(name));
  if (it == m.end()) return;
  std::erase_if(it->second, [&](const Subscriber& s) { return s.conn_id == conn_id; });
  if (it->second.empty()) m.erase(it);
}
}  // namespace

void PubSubRegistry::Subscribe(std::string_view channel, Subscriber s) {
  std::unique_lock lock(mu_);
  Add(channels_, channel, s);
}

void PubSubRegistry::Unsubscribe(std::string_view channel, uint64_t conn_id) {
  std::unique_lock lock(mu_);
  Remove(channels_, channel, conn_id);
}

void PubSubRegistry::PSubscribe(std::string_view pattern, Subscriber s) {
  std::unique_lock lock(mu_);
  Add(patterns_, pattern, s);
}

void PubSubRegistry::PUnsubscribe(std::string_view pattern, uint64_t conn_id) {
  std::unique_lock lock(mu_);
  Remove(patterns_, pattern, conn_id);
}

void PubSubRegistry::ForEachReceiver(
    std::string_view channel, const std::function<void(const Subscriber&, std::string_view pattern)>& fn) const {
  std::shared_lock lock(mu_);
  if (auto it = channels_.find(std::string(channel)); it != channels_.end())
    for (const Subscriber& s : it->second) fn(s, {});
  for (const auto& [pattern, subs] : patterns_)
    if (GlobMatch(pattern, channel))
      for (const Subscriber& s : subs) fn(s, pattern);
}

std::vector<std::string> PubSubRegistry::Channels(std::string_view pattern, bool has_pattern) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : channels_)
    if (!has_pattern || GlobMatch(pattern, name)) out.push_back(name);
  return out;
}

size_t PubSubRegistry::NumSub(std::string_view channel) const {
  std::shared_lock lock(mu_);
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

size_t PubSubRegistry::NumPat() const {
  std::shared_lock lock(mu_);
  return patterns_.size();
}

}  // namespace ember
