// SHA-256 (FIPS 180-4), for ACL password hashes: the core links no crypto
// library.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

std::array<uint8_t, 32> Sha256(std::string_view data);
// The digest as 64 lowercase hex digits, as ACL GETUSER shows it.
std::string Sha256Hex(std::string_view data);
// Compares in time that depends on the lengths only, not on where the
// bytes differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ember
