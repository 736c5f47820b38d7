// Key files: exactly 32 raw bytes, the AES-256 key itself.
#pragma once

#include <string>

#include "key.h"

namespace ember_encryption {

// Reads the key file at path into key (bytes and id). Returns "" or why the
// file is not a usable key file, naming it. A file others may read is
// accepted with *warning set (the caller logs it).
std::string ReadKeyFile(const std::string& path, Key* key, std::string* warning);

}  // namespace ember_encryption
