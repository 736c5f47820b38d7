// An AES-256 key and the id that names it in every frame it seals.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace ember_encryption {

constexpr size_t kKeySize = 32;   // AES-256
constexpr size_t kKeyIdSize = 8;  // the first bytes of SHA-256(key)

using KeyId = std::array<unsigned char, kKeyIdSize>;

struct Key {
  KeyId id{};
  std::array<unsigned char, kKeySize> bytes{};
};

// Fills key->id from key->bytes; false if OpenSSL fails to hash.
bool ComputeKeyId(Key* key);

// The id as 16 lower-case hex digits (INFO, error messages).
std::string KeyIdHex(const KeyId& id);

// Overwrites key material in a way the compiler may not elide.
void WipeKey(Key* key);

}  // namespace ember_encryption
