#include "key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace ember_encryption {

bool ComputeKeyId(Key* key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(key->bytes.data(), key->bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1 ||
      len < kKeyIdSize)
    return false;
  for (size_t i = 0; i < kKeyIdSize; ++i) key->id[i] = digest[i];
  return true;
}

std::string KeyIdHex(const KeyId& id) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : id) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

void WipeKey(Key* key) { OPENSSL_cleanse(key->bytes.data(), key->bytes.size()); }

}  // namespace ember_encryption
