// Db (keyspace with lazy and active expiry) and the Entry layout under it.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "db.h"
#include "entry.h"
#include "isolate.h"

using namespace std::string_literals;
using ember::Db;
using ember::Encoding;
using ember::Entry;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // a fixed clock, unix ms
constexpr int64_t kNo = Entry::kNoExpire;

std::string Key(const char* prefix, size_t i) { return prefix + std::to_string(i); }

std::string Value(const Entry* e) {
  char buf[24];
  return std::string(e->StringValue(buf));
}

// Counts volatile keys by walking the keyspace.
size_t CountWithExpire(const Db& db) {
  size_t n = 0;
  db.ForEach([&](Entry* e) { n += e->has_expire(); });
  return n;
}

}  // namespace

TEST_CASE("Entry: layout sizes and fields", "[entry]") {
  // The header comment's example: 16-byte key, 64-byte value => 94 bytes,
  // still one 96-byte jemalloc slot with the 3 eviction bytes.
  Entry* e = Entry::Create(std::string(16, 'k'), std::string(64, 'v'), Encoding::kRaw, kNo);
  CHECK(e->AllocSize() == 94);
  CHECK(e->access() == 0);
  e->set_access(0xabcdef);
  CHECK(e->access() == 0xabcdef);
  CHECK(e->encoding() == Encoding::kRaw);
  CHECK(e->key() == std::string(16, 'k'));
  CHECK(e->key() == std::string(16, 'k'));
  CHECK(e->raw_value() == std::string(64, 'v'));
  CHECK_FALSE(e->has_expire());
  CHECK(e->expire_ms() == kNo);
  CHECK(e->encoding() == Encoding::kRaw);
  CHECK(e->is_string());
  Entry::Destroy(e);

  // With an expire: 12 more bytes (int64 time + uint32 index).
  e = Entry::Create(std::string(16, 'k'), std::string(64, 'v'), Encoding::kRaw, 1234);
  CHECK(e->AllocSize() == 106);
  CHECK(e->has_expire());
  CHECK(e->expire_ms() == 1234);
  e->set_expire_ms(kNow);
  CHECK(e->expire_ms() == kNow);
  e->set_volatile_index(0xdeadbeef);
  CHECK(e->volatile_index() == 0xdeadbeef);
  CHECK(e->key() == std::string(16, 'k'));
  CHECK(e->raw_value() == std::string(64, 'v'));
  Entry::Destroy(e);

  // Wide lengths (> 255) use 4-byte length fields.
  std::string big_key(300, 'K'), big_val(70000, '\0');
  big_val[69999] = 'z';
  e = Entry::Create(big_key, big_val, Encoding::kRaw, 99);
  CHECK(e->key() == big_key);
  CHECK(e->raw_value() == big_val);
  CHECK(e->expire_ms() == 99);
  CHECK(e->StringLength() == 70000);
  CHECK(e->AllocSize() == 12 + 8 + 12 + 300 + 70000);
  Entry::Destroy(e);

  // Boundary: 255 is still narrow, 256 is wide.
  e = Entry::Create(std::string(255, 'a'), std::string(255, 'b'), Encoding::kRaw, kNo);
  CHECK(e->AllocSize() == 12 + 2 + 510);
  CHECK(e->key().size() == 255);
  CHECK(e->raw_value().size() == 255);
  Entry::Destroy(e);
  e = Entry::Create(std::string(256, 'a'), "", Encoding::kRaw, kNo);
  CHECK(e->AllocSize() == 12 + 8 + 256);
  CHECK(e->key().size() == 256);
  CHECK(e->raw_value().empty());
  Entry::Destroy(e);

  // Int encoding: 8 bytes, printed on demand.
  e = Entry::CreateInt("n", INT64_MIN, kNo);
  CHECK(e->encoding() == Encoding::kInt);
  CHECK(e->is_string());
  CHECK(e->int_value() == INT64_MIN);
  CHECK(e->raw_value().size() == 8);
  CHECK(Value(e) == "-9223372036854775808");
  CHECK(e->StringLength() == 20);
  Entry::Destroy(e);

  // Binary keys.
  e = Entry::Create("a\0b"s, "\0"s, Encoding::kRaw, kNo);
  CHECK(e->key() == "a\0b"s);
  CHECK(e->raw_value() == "\0"s);
  Entry::Destroy(e);
}

TEST_CASE("Db: SetString int-encodes canonical integers only", "[db]") {
  Db db(1);
  db.set_now(kNow);
  struct Case {
    std::string value;
    bool is_int;
  };
  std::vector<Case> cases = {
      {"0", true},
      {"1", true},
      {"-1", true},
      {"123456", true},
      {"9223372036854775807", true},
      {"-9223372036854775808", true},  // 20 chars
      {"9223372036854775808", false},  // overflow
      {"-9223372036854775809", false},
      {"12345678901234567890", false},  // 20 digits, too big
      {"007", false},
      {"01", false},
      {"-0", false},
      {"+1", false},
      {" 1", false},
      {"1 ", false},
      {"1.0", false},
      {"1e3", false},
      {"0x10", false},
      {"", false},
      {"-", false},
      {"abc", false},
      {"1\0"s, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO("value '" << c.value << "'");
    std::string k = Key("k", i);
    Entry* e = db.SetString(k, c.value, kNo);
    REQUIRE(e != nullptr);
    CHECK((e->encoding() == Encoding::kInt) == c.is_int);
    Entry* found = db.Find(k);
    REQUIRE(found == e);
    // Either way the value reads back byte for byte.
    CHECK(Value(found) == c.value);
    CHECK(found->StringLength() == c.value.size());
  }
  CHECK(db.size() == cases.size());
  CHECK(db.expires() == 0);

  Entry* e = db.SetInt("n", 42, kNo);
  CHECK(e->encoding() == Encoding::kInt);
  CHECK(Value(db.Find("n")) == "42");
}

TEST_CASE("Db: overwrite replaces the value and the expire", "[db]") {
  Db db(2);
  db.set_now(kNow);
  db.SetString("k", "v1", kNow + 1000);
  CHECK(db.expires() == 1);
  Entry* e = db.SetString("k", "a longer second value", kNo);
  CHECK(db.size() == 1);
  CHECK(db.expires() == 0);
  CHECK(db.Find("k") == e);
  CHECK(Value(e) == "a longer second value");
  CHECK_FALSE(e->has_expire());
  db.SetString("k", "3", kNow + 5);
  CHECK(db.expires() == 1);
  CHECK(db.Find("k")->encoding() == Encoding::kInt);
  CHECK(db.Find("k")->expire_ms() == kNow + 5);
}

TEST_CASE("Db: lazy expiry on Find", "[db]") {
  Db db(3);
  db.set_now(kNow);
  db.SetString("k", "v", kNow + 100);
  db.SetString("p", "v", kNo);
  REQUIRE(db.Find("k") != nullptr);
  CHECK(db.stats().expired_keys == 0);

  db.set_now(kNow + 99);
  CHECK(db.Find("k") != nullptr);
  db.set_now(kNow + 100);  // expire <= now: gone
  CHECK(db.Find("k") == nullptr);
  CHECK(db.stats().expired_keys == 1);
  CHECK(db.size() == 1);
  CHECK(db.expires() == 0);
  CHECK(db.Find("k") == nullptr);
  CHECK(db.stats().expired_keys == 1);  // counted once
  CHECK(db.Find("p") != nullptr);

  // An entry stored with an expire already in the past is also gone on Find.
  db.SetString("past", "v", kNow - 1);
  CHECK(db.size() == 2);
  CHECK(db.Find("past") == nullptr);
  CHECK(db.stats().expired_keys == 2);
  CHECK(db.size() == 1);
}

TEST_CASE("Db: FindRead counts hits and misses", "[db]") {
  Db db(4);
  db.set_now(kNow);
  db.SetString("a", "1", kNo);
  db.SetString("gone", "1", kNow - 10);
  CHECK(db.FindRead("a") != nullptr);
  CHECK(db.FindRead("a") != nullptr);
  CHECK(db.FindRead("b") == nullptr);
  CHECK(db.FindRead("gone") == nullptr);  // expired counts as a miss
  CHECK(db.stats().keyspace_hits == 2);
  CHECK(db.stats().keyspace_misses == 2);
  CHECK(db.stats().expired_keys == 1);
}

TEST_CASE("Db: SetExpire adds, changes and removes", "[db]") {
  Db db(5);
  db.set_now(kNow);
  Entry* e = db.SetString("k", "12345", kNo);
  REQUIRE(e->encoding() == Encoding::kInt);
  CHECK(db.expires() == 0);

  // Same state: no-op.
  CHECK(db.SetExpire(e, kNo) == e);
  CHECK(db.expires() == 0);

  // Add: the entry grows, so it may move.
  Entry* e2 = db.SetExpire(e, kNow + 5000);
  CHECK(db.expires() == 1);
  CHECK(db.Find("k") == e2);
  CHECK(e2->expire_ms() == kNow + 5000);
  CHECK(e2->encoding() == Encoding::kInt);
  CHECK(Value(e2) == "12345");
  CHECK(db.size() == 1);

  // Change: in place.
  Entry* e3 = db.SetExpire(e2, kNow + 9000);
  CHECK(e3 == e2);
  CHECK(db.expires() == 1);
  CHECK(db.Find("k")->expire_ms() == kNow + 9000);

  // Remove.
  Entry* e4 = db.SetExpire(e3, kNo);
  CHECK(db.expires() == 0);
  CHECK(db.Find("k") == e4);
  CHECK_FALSE(e4->has_expire());
  CHECK(Value(e4) == "12345");

  // The changed expire is the one lazy expiry uses.
  Entry* e5 = db.SetExpire(e4, kNow + 10);
  db.set_now(kNow + 9);
  CHECK(db.Find("k") == e5);
  db.set_now(kNow + 10);
  CHECK(db.Find("k") == nullptr);
  CHECK(db.expires() == 0);
}

TEST_CASE("Db: the volatile-key array stays consistent", "[db]") {
  Db db(6);
  db.set_now(kNow);
  constexpr size_t kN = 3000;
  std::map<std::string, int64_t> model;  // key -> expire
  for (size_t i = 0; i < kN; ++i) {
    int64_t exp = i % 3 ? kNow + 1'000'000 : kNo;
    db.SetString(Key("k", i), "v", exp);
    model[Key("k", i)] = exp;
  }
  CHECK(db.expires() == 2000);
  // Finish growing before deleting (deletes during a grow-rehash are the
  //  test at the end of this file).
  db.RehashFor(10'000'000);
  // Remove expires from some, delete others, overwrite others, in a scattered order.
  for (size_t i = 0; i < kN; i += 7) {
    std::string k = Key("k", i);
    if (i % 2) {
      CHECK(db.Delete(k));
      model.erase(k);
    } else {
      Entry* e = db.Find(k);
      REQUIRE(e);
      db.SetExpire(e, kNo);
      model[k] = kNo;
    }
  }
  for (size_t i = 1; i < kN; i += 11) {
    db.SetString(Key("k", i), "w", kNow + 5);
    model[Key("k", i)] = kNow + 5;
  }
  size_t model_volatile = 0;
  for (auto& [k, exp] : model) model_volatile += exp != kNo;
  CHECK(db.size() == model.size());
  CHECK(db.expires() == model_volatile);
  CHECK(db.expires() == CountWithExpire(db));
  // Now expire everything with a TTL via lazy expiry; the array must drain
  // to zero without tripping over stale indexes.
  db.set_now(kNow + 2'000'000);
  for (size_t i = 0; i < kN; ++i) db.Find(Key("k", i));
  CHECK(db.expires() == 0);
  CHECK(CountWithExpire(db) == 0);
  CHECK(db.stats().expired_keys == model_volatile);
  CHECK(db.size() == model.size() - model_volatile);
}

TEST_CASE("Db: ActiveExpireCycle removes expired keys and nothing else", "[db]") {
  Db db(7);
  db.set_now(kNow);
  constexpr size_t kN = 10'000;
  for (size_t i = 0; i < kN; ++i) {
    std::string k = Key("k", i);
    if (i % 2 == 0) {
      db.SetString(k, "persist" + std::to_string(i), kNo);
    } else if (i % 10 == 1) {
      db.SetString(k, "future" + std::to_string(i), kNow + 3'600'000);
    } else {
      db.SetString(k, "past" + std::to_string(i), kNow - 1);
    }
  }
  const size_t future = kN / 10;              // i % 10 == 1
  const size_t expired = kN / 2 - future;     // the other odd keys
  REQUIRE(db.size() == kN);
  REQUIRE(db.expires() == kN / 2);
  // Finish growing first (see the  test at the end of this file).
  db.RehashFor(10'000'000);

  // One cycle keeps sampling while samples are mostly expired: it alone
  // removes most of them.
  db.ActiveExpireCycle(1'000'000, 1);
  int cycles = 1;
  INFO("volatile keys left after the first cycle: " << db.expires());
  CHECK(db.expires() <= future + expired / 2);
  CHECK(db.expires() >= future);
  // Later cycles pick off the stragglers.
  while (db.expires() > future && cycles < 100'000) {
    db.ActiveExpireCycle(1'000'000, 1);
    ++cycles;
  }
  INFO("cycles: " << cycles);
  CHECK(db.expires() == future);
  CHECK(db.stats().expired_keys == expired);
  CHECK(db.stats().expire_cycles == static_cast<uint64_t>(cycles));
  CHECK(db.size() == kN - expired);

  // Count what is left without going through Find (which would expire lazily).
  size_t persist = 0, fut = 0, past = 0;
  db.ForEach([&](Entry* e) {
    std::string v = Value(e);
    if (v.rfind("persist", 0) == 0) ++persist;
    if (v.rfind("future", 0) == 0) ++fut;
    if (v.rfind("past", 0) == 0) ++past;
  });
  CHECK(persist == kN / 2);
  CHECK(fut == future);
  CHECK(past == 0);
  // Every surviving key holds its own value.
  size_t bad = 0;
  for (size_t i = 0; i < kN; ++i) {
    Entry* e = db.Find(Key("k", i));
    if (i % 2 == 0)
      bad += !e || Value(e) != "persist" + std::to_string(i);
    else if (i % 10 == 1)
      bad += !e || Value(e) != "future" + std::to_string(i);
    else
      bad += e != nullptr;
  }
  CHECK(bad == 0);
}

TEST_CASE("Db: ActiveExpireCycle with nothing volatile is a no-op", "[db]") {
  Db db(8);
  db.set_now(kNow);
  for (size_t i = 0; i < 100; ++i) db.SetString(Key("k", i), "v", kNo);
  db.ActiveExpireCycle(1000, 1);
  CHECK(db.size() == 100);
  CHECK(db.stats().expired_keys == 0);
  CHECK(db.stats().expire_cycles == 1);
}

TEST_CASE("Db: Take and Put move entries", "[db]") {
  Db db(9);
  db.set_now(kNow);
  db.SetString("src", "payload", kNow + 1000);
  db.SetString("other", "x", kNow + 2000);
  REQUIRE(db.expires() == 2);

  Entry* e = db.Take("src");
  REQUIRE(e != nullptr);
  CHECK(e->key() == "src");
  CHECK(db.Find("src") == nullptr);
  CHECK(db.size() == 1);
  CHECK(db.expires() == 1);
  CHECK(db.Take("src") == nullptr);

  // Put it back unchanged.
  db.Put(e);
  CHECK(db.Find("src") == e);
  CHECK(db.expires() == 2);

  // A rename: take, rebuild under the new key, put.
  e = db.Take("src");
  REQUIRE(e);
  Entry* moved = Entry::Create("dst", e->raw_value(), e->encoding(), e->expire_ms());
  Entry::Destroy(e);
  db.Put(moved);
  CHECK(db.Find("src") == nullptr);
  REQUIRE(db.Find("dst") == moved);
  CHECK(Value(moved) == "payload");
  CHECK(moved->expire_ms() == kNow + 1000);
  CHECK(db.expires() == 2);
  CHECK(db.size() == 2);

  // Put over an existing key replaces it (and its expire bookkeeping).
  Entry* over = Entry::Create("other", "y", Encoding::kRaw, kNo);
  db.Put(over);
  CHECK(db.Find("other") == over);
  CHECK(db.size() == 2);
  CHECK(db.expires() == 1);
  CHECK(CountWithExpire(db) == 1);

  // Take of an expired key: nullptr, counted as expired.
  db.set_now(kNow + 1000);
  CHECK(db.Take("dst") == nullptr);
  CHECK(db.stats().expired_keys == 1);
  CHECK(db.size() == 1);
  CHECK(db.expires() == 0);

  CHECK(db.Delete("other"));
  CHECK_FALSE(db.Delete("other"));
  CHECK(db.size() == 0);
}

TEST_CASE("Db: Flush", "[db]") {
  for (bool async : {false, true}) {
    INFO("async=" << async);
    Db db(10);
    db.set_now(kNow);
    for (size_t i = 0; i < 5000; ++i) db.SetString(Key("k", i), "v", i % 2 ? kNow + 1000 : kNo);
    REQUIRE(db.size() == 5000);
    REQUIRE(db.expires() == 2500);
    db.Flush(async);
    CHECK(db.size() == 0);
    CHECK(db.expires() == 0);
    CHECK(db.Find("k1") == nullptr);
    CHECK(db.Random() == nullptr);
    size_t n = 0;
    db.ForEach([&](Entry*) { ++n; });
    CHECK(n == 0);
    // Usable afterwards.
    db.SetString("k1", "again", kNow + 10);
    CHECK(Value(db.Find("k1")) == "again");
    CHECK(db.size() == 1);
    CHECK(db.expires() == 1);
    db.Flush(async);
    CHECK(db.size() == 0);
  }
}

TEST_CASE("Db: Random skips and deletes expired keys", "[db]") {
  Db db(11);
  db.set_now(kNow);
  CHECK(db.Random() == nullptr);
  for (size_t i = 0; i < 20; ++i) db.SetString(Key("k", i), "v", i < 10 ? kNow + 10 : kNo);
  db.RehashFor(10'000'000);
  db.set_now(kNow + 10);
  std::unordered_set<std::string> seen;
  for (int j = 0; j < 2000; ++j) {
    Entry* e = db.Random();
    REQUIRE(e != nullptr);
    REQUIRE_FALSE(e->has_expire());
    seen.emplace(e->key());
  }
  CHECK(seen.size() == 10);

  // All expired: nullptr (eventually), and what was sampled is gone.
  Db all(12);
  all.set_now(kNow);
  for (size_t i = 0; i < 5; ++i) all.SetString(Key("k", i), "v", kNow + 1);
  all.set_now(kNow + 1);
  CHECK(all.Random() == nullptr);
  CHECK(all.size() == 0);
  CHECK(all.stats().expired_keys == 5);
}

TEST_CASE("Db: Scan sees every key", "[db]") {
  Db db(13);
  db.set_now(kNow);
  for (size_t i = 0; i < 2000; ++i) db.SetString(Key("k", i), "v", kNo);
  std::unordered_set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = db.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
  } while (cursor != 0 && ++calls < 1'000'000);
  CHECK(seen.size() == 2000);
}

TEST_CASE("Db: AverageTtlSample", "[db]") {
  Db db(14);
  db.set_now(kNow);
  CHECK(db.AverageTtlSample() == 0);
  for (size_t i = 0; i < 50; ++i) db.SetString(Key("k", i), "v", kNow + 1000);
  CHECK(db.AverageTtlSample() == 1000);
}

// The Dict bug (see test_dict.cc ) seen from Db: SET 1024 keys, SET
// and DEL 50 more (the 1025th SET starts a grow-rehash; the 50 go to the new
// table), then look the first 1024 up: as Find drives the rehash, some vanish
// or the process crashes. Through the server: 1024 SETs, then SET+DEL of 50
// other keys, then GETs. Run in a child process because it usually crashes.
TEST_CASE("Db: keys survive SET+DEL of other keys during a grow-rehash", "[db]") {
  auto result = ember_test::RunIsolated([]() -> std::string {
    Db db(15);
    db.set_now(kNow);
    for (size_t i = 0; i < 1024; ++i) db.SetString(Key("old:", i), "v", kNo);
    db.RehashFor(10'000'000);  // settle the 512 -> 1024 rehash
    for (size_t i = 0; i < 50; ++i) db.SetString(Key("new:", i), "v", kNo);
    for (size_t i = 0; i < 50; ++i)
      if (!db.Delete(Key("new:", i))) return "setup: DEL failed";
    size_t missing = 0;
    for (int round = 0; round < 4; ++round)
      for (size_t i = 0; i < 1024; ++i) missing += db.Find(Key("old:", i)) == nullptr;
    if (missing) return std::to_string(missing) + " lookups of the 1024 untouched keys failed; size()=" +
                        std::to_string(db.size());
    return "";
  });
  INFO(result.what);
  CHECK(result.ok);
}
