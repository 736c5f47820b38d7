#include "key_ring.h"

#include <mutex>

namespace ember_encryption {

KeyRing::~KeyRing() {
  for (Key& k : keys_) WipeKey(&k);
}

void KeyRing::Use(const Key& key) {
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i].id == key.id) {
      current_ = i;
      current_id_.store(key.id, std::memory_order_relaxed);
      return;
    }
  // Growing would leave a copy of every key in the freed block: wipe it.
  if (keys_.size() == keys_.capacity()) {
    std::vector<Key> grown;
    grown.reserve(keys_.size() * 2 + 4);
    grown.insert(grown.end(), keys_.begin(), keys_.end());
    for (Key& k : keys_) WipeKey(&k);
    keys_.swap(grown);
  }
  keys_.push_back(key);
  current_ = keys_.size() - 1;
  current_id_.store(key.id, std::memory_order_relaxed);
}

bool KeyRing::Current(Key* out) const {
  std::shared_lock lock(mu_);
  if (keys_.empty()) return false;
  *out = keys_[current_];
  return true;
}

bool KeyRing::Find(const KeyId& id, Key* out) const {
  std::shared_lock lock(mu_);
  for (const Key& k : keys_)
    if (k.id == id) {
      *out = k;
      return true;
    }
  return false;
}

size_t KeyRing::size() const {
  std::shared_lock lock(mu_);
  return keys_.size();
}

}  // namespace ember_encryption
