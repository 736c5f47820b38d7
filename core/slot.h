// Key → hash slot → shard. The slot is Redis Cluster's: CRC16 (XMODEM) of the
// key, or of its {hash tag}, mod 16384. Keys that share a tag share a slot and
// therefore a shard, which is what lets multi-key commands take the fast path.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ember {

inline constexpr uint32_t kSlotCount = 16384;

namespace detail {
constexpr std::array<uint16_t, 256> MakeCrc16Table() {
  std::array<uint16_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
    table[i] = crc;
  }
  return table;
}
inline constexpr auto kCrc16Table = MakeCrc16Table();
}  // namespace detail

constexpr uint16_t Crc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data)
    crc = static_cast<uint16_t>((crc << 8) ^ detail::kCrc16Table[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

// The part of the key that is hashed: the text between the first '{' and the
// next '}' when that text is non-empty, otherwise the whole key.
constexpr std::string_view HashTag(std::string_view key) {
  size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

constexpr uint32_t KeySlot(std::string_view key) { return Crc16(HashTag(key)) & (kSlotCount - 1); }

}  // namespace ember
