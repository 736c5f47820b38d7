// slot: Redis Cluster's key -> hash slot mapping (CRC16/XMODEM, hash tags).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "slot.h"

using namespace std::string_literals;
using ember::Crc16;
using ember::HashTag;
using ember::KeySlot;

namespace {

// Bit-at-a-time CRC16/XMODEM (poly 0x1021, init 0), independent of the
// table-driven one under test.
uint16_t ReferenceCrc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc ^= static_cast<uint16_t>(c << 8);
    for (int i = 0; i < 8; ++i) crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

}  // namespace

TEST_CASE("Crc16: the Redis Cluster spec's check value", "[slot]") {
  CHECK(Crc16("123456789") == 0x31C3);
  CHECK(KeySlot("123456789") == 12739);
  CHECK(Crc16("") == 0);
  // Usable at compile time.
  STATIC_REQUIRE(KeySlot("123456789") == 12739);
  STATIC_REQUIRE(ember::kSlotCount == 16384);
}

TEST_CASE("Crc16 matches a bitwise reference", "[slot]") {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    REQUIRE(Crc16(s) == ReferenceCrc16(s));
    REQUIRE(KeySlot(s) < 16384);
  }
}

TEST_CASE("KeySlot: values Redis reports for CLUSTER KEYSLOT", "[slot]") {
  CHECK(KeySlot("somekey") == 11058);
  CHECK(KeySlot("foo{hash_tag}") == 2515);
  CHECK(KeySlot("{hash_tag}") == 2515);
  CHECK(KeySlot("hash_tag") == 2515);
}

TEST_CASE("HashTag and KeySlot: hash tag rules", "[slot]") {
  CHECK(HashTag("{user1000}.following") == "user1000");
  CHECK(HashTag("{user1000}.followers") == "user1000");
  CHECK(KeySlot("{user1000}.following") == KeySlot("{user1000}.followers"));
  CHECK(KeySlot("{user1000}.following") == KeySlot("user1000"));

  // Empty tag: the whole key is hashed.
  CHECK(HashTag("foo{}{bar}") == "foo{}{bar}");
  CHECK(KeySlot("foo{}{bar}") == Crc16("foo{}{bar}") % 16384);
  CHECK(KeySlot("foo{}{bar}") != KeySlot("bar"));
  // First '{' to the next '}'.
  CHECK(HashTag("foo{{bar}}zap") == "{bar");
  CHECK(KeySlot("foo{{bar}}zap") == KeySlot("{bar"));
  CHECK(HashTag("foo{bar}{zap}") == "bar");
  CHECK(KeySlot("foo{bar}{zap}") == KeySlot("bar"));
  // No tag.
  CHECK(HashTag("foo") == "foo");
  CHECK(HashTag("foo{bar") == "foo{bar");
  CHECK(HashTag("foo}bar{") == "foo}bar{");
  CHECK(HashTag("a}b{c}") == "c");
  CHECK(HashTag("{}") == "{}");
  CHECK(HashTag("{") == "{");
  CHECK(HashTag("") == "");
  CHECK(HashTag("{a}") == "a");
  CHECK(HashTag("x{\0}"s) == "\0"s);
  CHECK(KeySlot("") == 0);
}

TEST_CASE("KeySlot spreads keys over all slots", "[slot]") {
  std::vector<int> hits(16384, 0);
  for (int i = 0; i < 200000; ++i) ++hits[KeySlot("key:" + std::to_string(i))];
  size_t empty = 0;
  for (int h : hits) empty += h == 0;
  CHECK(empty < 16);  // ~12 hits per slot expected
}
