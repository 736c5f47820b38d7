// The keys this process has loaded: the current one seals new frames; every
// one opens frames, so a file that mixes frames written before and after a
// key rotation stays readable until it is rewritten under the new key.
// Safe to use from any number of threads at once.
#pragma once

#include <atomic>
#include <shared_mutex>
#include <vector>

#include "key.h"

namespace ember_encryption {

static_assert(std::atomic<KeyId>::is_always_lock_free, "INFO in a crash report must not take a lock");

class KeyRing {
 public:
  KeyRing() = default;
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;
  ~KeyRing();

  // Makes key the current one, keeping the others (a key already held
  // just becomes current again).
  void Use(const Key& key);
  // Copies the current key to *out; false when there is none.
  bool Current(Key* out) const;
  // Copies the key with this id to *out; false when none has it.
  bool Find(const KeyId& id, Key* out) const;
  // The current key's id (all zeros before the first Use), without the
  // lock: INFO reads it, also in a crash report.
  KeyId current_id() const { return current_id_.load(std::memory_order_relaxed); }
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<Key> keys_;
  size_t current_ = 0;  // index in keys_, when keys_ is not empty
  std::atomic<KeyId> current_id_{KeyId{}};
};

}  // namespace ember_encryption
