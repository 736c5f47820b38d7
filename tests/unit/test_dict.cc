// Dict: growth and shrink with incremental rehashing, lookups throughout,
// the Scan guarantee across resizes, and Random.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dict.h"
#include "entry.h"
#include "isolate.h"

using ember::Dict;
using ember::Encoding;
using ember::Entry;

namespace {

std::string Key(const char* prefix, size_t i) { return prefix + std::to_string(i); }

Entry* Make(std::string_view key, std::string_view value) {
  return Entry::Create(key, value, Encoding::kRaw, Entry::kNoExpire);
}

void Add(Dict& d, std::string_view key, std::string_view value = "v") {
  REQUIRE(d.Find(key, d.Hash(key)) == nullptr);
  d.Insert(Make(key, value), d.Hash(key));
}

bool Remove(Dict& d, std::string_view key) {
  Dict::Slot slot = d.FindSlot(key, d.Hash(key));
  if (!slot) return false;
  Entry* e = d.UnlinkAt(slot);
  REQUIRE(e->key() == key);
  REQUIRE(e->next() == nullptr);
  Entry::Destroy(e);
  return true;
}

bool Has(Dict& d, std::string_view key) { return d.Find(key, d.Hash(key)) != nullptr; }

void FinishRehash(Dict& d) {
  for (int i = 0; i < 10'000'000 && d.rehashing(); ++i) d.RehashStep(100);
  REQUIRE_FALSE(d.rehashing());
}

size_t ForEachCount(const Dict& d) {
  size_t n = 0;
  d.ForEach([&](Entry*) { ++n; });
  return n;
}

}  // namespace

TEST_CASE("Dict: empty", "[dict]") {
  Dict d(1);
  CHECK(d.size() == 0);
  CHECK(d.bucket_count() == 0);
  CHECK_FALSE(d.rehashing());
  CHECK(d.Find("x", d.Hash("x")) == nullptr);
  CHECK_FALSE(d.FindSlot("x", d.Hash("x")));
  std::mt19937_64 rng(1);
  CHECK(d.Random(rng) == nullptr);
  CHECK(d.Scan(0, [](Entry*) { FAIL("entry in an empty dict"); }) == 0);
  d.RehashStep(10);  // no-op
  d.MaybeShrink();   // no-op
  CHECK(d.size() == 0);
}

TEST_CASE("Dict: Hash depends on the seed and the key only", "[dict]") {
  Dict a(1), b(1), c(2);
  CHECK(a.Hash("key") == b.Hash("key"));
  CHECK(a.Hash("key") != c.Hash("key"));
  CHECK(a.Hash("key") != a.Hash("kez"));
  CHECK(a.Hash(std::string_view("k\0a", 3)) != a.Hash(std::string_view("k\0b", 3)));
}

TEST_CASE("Dict: 100k inserts through growth, all found", "[dict]") {
  constexpr size_t kN = 100'000;
  Dict d(42);
  bool saw_rehashing = false;
  size_t max_buckets = 0;
  for (size_t i = 0; i < kN; ++i) {
    std::string k = Key("key:", i);
    d.Insert(Make(k, "val:" + std::to_string(i)), d.Hash(k));
    saw_rehashing |= d.rehashing();
    max_buckets = std::max(max_buckets, d.bucket_count());
    if (d.size() != i + 1) FAIL("size " << d.size() << " after " << i + 1 << " inserts");
  }
  CHECK(saw_rehashing);
  CHECK(d.size() == kN);
  CHECK(max_buckets >= kN);  // grew to at least one bucket per entry

  size_t missing = 0, wrong = 0;
  for (size_t i = 0; i < kN; ++i) {
    std::string k = Key("key:", i);
    Entry* e = d.Find(k, d.Hash(k));
    if (!e) {
      ++missing;
    } else if (e->key() != k || e->raw_value() != "val:" + std::to_string(i)) {
      ++wrong;
    }
  }
  CHECK(missing == 0);
  CHECK(wrong == 0);
  CHECK_FALSE(Has(d, "key:100000"));
  CHECK_FALSE(Has(d, "nope"));
  CHECK(ForEachCount(d) == kN);

  // Lookups stay right while the rest of the rehash completes.
  FinishRehash(d);
  CHECK(d.size() == kN);
  CHECK(ForEachCount(d) == kN);
  CHECK(Has(d, "key:0"));
  CHECK(Has(d, "key:99999"));
}

TEST_CASE("Dict: delete most entries, shrink, the rest still found", "[dict]") {
  constexpr size_t kN = 100'000;
  Dict d(7);
  for (size_t i = 0; i < kN; ++i) Add(d, Key("key:", i), Key("v", i));
  // Finish growing first: deleting entries inserted during a grow-rehash is
  // covered by the grow-rehash deletion test below.
  FinishRehash(d);
  size_t big = d.bucket_count();
  REQUIRE(big >= kN);

  bool saw_shrink_rehash = false;
  size_t deleted = 0;
  for (size_t i = 0; i < kN; ++i) {
    if (i % 10 == 0) continue;
    if (!Remove(d, Key("key:", i))) FAIL("key:" << i << " missing before delete");
    ++deleted;
    d.MaybeShrink();
    saw_shrink_rehash |= d.rehashing();
    if (i % 7 == 0) d.RehashStep();
  }
  CHECK(deleted == kN - kN / 10);
  CHECK(saw_shrink_rehash);
  CHECK(d.size() == kN / 10);

  // Shrink as far as it goes.
  for (int round = 0; round < 64; ++round) {
    FinishRehash(d);
    d.MaybeShrink();
    if (!d.rehashing()) break;
  }
  FinishRehash(d);
  CHECK(d.bucket_count() < big);
  CHECK(d.bucket_count() >= d.size());
  CHECK(d.size() == kN / 10);
  CHECK(ForEachCount(d) == kN / 10);

  size_t missing = 0, resurrected = 0;
  for (size_t i = 0; i < kN; ++i) {
    std::string k = Key("key:", i);
    Entry* e = d.Find(k, d.Hash(k));
    if (i % 10 == 0) {
      if (!e || e->raw_value() != Key("v", i)) ++missing;
    } else if (e) {
      ++resurrected;
    }
  }
  CHECK(missing == 0);
  CHECK(resurrected == 0);
}

TEST_CASE("Dict: delete everything, then reuse", "[dict]") {
  Dict d(3);
  for (size_t i = 0; i < 5000; ++i) Add(d, Key("k", i));
  FinishRehash(d);
  for (size_t i = 0; i < 5000; ++i) {
    REQUIRE(Remove(d, Key("k", i)));
    d.MaybeShrink();
    d.RehashStep();
  }
  // MaybeShrink does nothing while a rehash runs: repeat until it settles.
  for (int round = 0; round < 64; ++round) {
    FinishRehash(d);
    d.MaybeShrink();
  }
  FinishRehash(d);
  CHECK(d.size() == 0);
  CHECK(ForEachCount(d) == 0);
  CHECK(d.bucket_count() == 4);
  Add(d, "again");
  CHECK(Has(d, "again"));
  CHECK(d.size() == 1);
}

TEST_CASE("Dict: ReplaceAt swaps the entry in place", "[dict]") {
  Dict d(5);
  for (size_t i = 0; i < 100; ++i) Add(d, Key("k", i), "old");
  std::string k = "k42";
  uint64_t h = d.Hash(k);
  Dict::Slot slot = d.FindSlot(k, h);
  REQUIRE(slot);
  Entry* old = *slot.link;
  Entry* fresh = Make(k, "a much longer new value");
  d.ReplaceAt(slot, fresh);
  Entry::Destroy(old);
  CHECK(d.size() == 100);
  Entry* e = d.Find(k, h);
  REQUIRE(e == fresh);
  CHECK(e->raw_value() == "a much longer new value");
  // Its chain neighbours are intact.
  for (size_t i = 0; i < 100; ++i) CHECK(Has(d, Key("k", i)));
}

TEST_CASE("Dict: Clear calls back for every entry", "[dict]") {
  Dict d(9);
  for (size_t i = 0; i < 1500; ++i) Add(d, Key("k", i));  // leaves a rehash in progress
  std::set<std::string> seen;
  d.Clear([&](Entry* e) {
    seen.emplace(e->key());
    Entry::Destroy(e);
  });
  CHECK(seen.size() == 1500);
  CHECK(d.size() == 0);
  CHECK(d.bucket_count() == 0);
  CHECK_FALSE(d.rehashing());
  CHECK_FALSE(Has(d, "k1"));
  Add(d, "k1");
  CHECK(Has(d, "k1"));
}

TEST_CASE("Dict: Scan returns each key exactly once when the dict does not change", "[dict][scan]") {
  for (size_t n : {1u, 3u, 4u, 5u, 100u, 1025u, 4096u}) {
    Dict d(11);
    for (size_t i = 0; i < n; ++i) Add(d, Key("k", i));
    INFO("n=" << n << " rehashing=" << d.rehashing());
    std::map<std::string, int> seen;
    uint64_t cursor = 0;
    size_t calls = 0;
    do {
      cursor = d.Scan(cursor, [&](Entry* e) { ++seen[std::string(e->key())]; });
      ++calls;
    } while (cursor != 0 && calls < 1'000'000);
    CHECK(cursor == 0);
    CHECK(seen.size() == n);
    size_t dups = 0;
    for (auto& [k, c] : seen) dups += c != 1;
    CHECK(dups == 0);
  }
}

TEST_CASE("Dict: Scan guarantee across growth", "[dict][scan]") {
  // Keys present for the whole scan must each be returned at least once,
  // while inserts between Scan calls grow the table (several times).
  for (size_t initial : {1u, 16u, 700u, 3000u}) {
    Dict d(13);
    std::unordered_set<std::string> stable;
    for (size_t i = 0; i < initial; ++i) {
      std::string k = Key("old:", i);
      Add(d, k);
      stable.insert(k);
    }
    size_t start_buckets = d.bucket_count();
    std::unordered_set<std::string> seen;
    uint64_t cursor = 0;
    size_t calls = 0, added = 0;
    bool scanned_while_rehashing = false;
    do {
      scanned_while_rehashing |= d.rehashing();
      cursor = d.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
      ++calls;
      for (int j = 0; j < 7; ++j) Add(d, Key("new:", added++));
    } while (cursor != 0 && calls < 1'000'000);
    INFO("initial=" << initial << " calls=" << calls << " added=" << added);
    REQUIRE(cursor == 0);
    CHECK(d.bucket_count() > start_buckets);
    CHECK(scanned_while_rehashing);
    size_t missed = 0;
    for (const std::string& k : stable) missed += seen.count(k) == 0;
    CHECK(missed == 0);
  }
}

TEST_CASE("Dict: Scan guarantee across shrinking", "[dict][scan]") {
  for (size_t per_call : {3u, 40u, 400u}) {
    Dict d(17);
    constexpr size_t kN = 20'000;
    std::unordered_set<std::string> stable;
    std::vector<std::string> doomed;
    for (size_t i = 0; i < kN; ++i) {
      std::string k = Key("k", i);
      Add(d, k);
      if (i % 97 == 0)
        stable.insert(k);
      else
        doomed.push_back(k);
    }
    FinishRehash(d);
    size_t start_buckets = d.bucket_count();
    std::shuffle(doomed.begin(), doomed.end(), std::mt19937_64(per_call));
    std::unordered_set<std::string> seen;
    uint64_t cursor = 0;
    size_t calls = 0;
    bool scanned_while_rehashing = false;
    do {
      scanned_while_rehashing |= d.rehashing();
      cursor = d.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
      ++calls;
      for (size_t j = 0; j < per_call && !doomed.empty(); ++j) {
        REQUIRE(Remove(d, doomed.back()));
        doomed.pop_back();
        d.MaybeShrink();
      }
      d.RehashStep();
    } while (cursor != 0 && calls < 1'000'000);
    INFO("per_call=" << per_call << " calls=" << calls << " left=" << doomed.size());
    REQUIRE(cursor == 0);
    FinishRehash(d);
    CHECK(d.bucket_count() < start_buckets);
    CHECK(scanned_while_rehashing);
    size_t missed = 0;
    for (const std::string& k : stable) missed += seen.count(k) == 0;
    CHECK(missed == 0);
  }
}

TEST_CASE("Dict: Random returns present entries, each key of a small dict", "[dict]") {
  Dict d(19);
  std::set<std::string> keys;
  for (size_t i = 0; i < 10; ++i) {
    keys.insert(Key("k", i));
    Add(d, Key("k", i));
  }
  std::mt19937_64 rng(123);
  std::map<std::string, int> hits;
  for (int i = 0; i < 5000; ++i) {
    Entry* e = d.Random(rng);
    REQUIRE(e != nullptr);
    REQUIRE(keys.count(std::string(e->key())) == 1);
    REQUIRE(d.Find(e->key(), d.Hash(e->key())) == e);
    ++hits[std::string(e->key())];
  }
  CHECK(hits.size() == keys.size());

  // After deletes only the survivors come back. (Finish the rehash first:
  // deletes during a grow-rehash are the grow-rehash deletion test below.)
  FinishRehash(d);
  for (size_t i = 0; i < 10; i += 2) REQUIRE(Remove(d, Key("k", i)));
  hits.clear();
  for (int i = 0; i < 5000; ++i) {
    Entry* e = d.Random(rng);
    REQUIRE(e != nullptr);
    ++hits[std::string(e->key())];
  }
  CHECK(hits.size() == 5);
  for (auto& [k, n] : hits) CHECK((k.back() - '0') % 2 == 1);
}

TEST_CASE("Dict: Random while rehashing", "[dict]") {
  Dict d(23);
  std::unordered_set<std::string> keys;
  size_t i = 0;
  // Insert until a rehash is in progress, then a bit more.
  while (!d.rehashing() || keys.size() < 1100) {
    std::string k = Key("k", i++);
    Add(d, k);
    keys.insert(k);
    if (i > 100000) FAIL("never rehashing");
  }
  REQUIRE(d.rehashing());
  std::mt19937_64 rng(7);
  std::unordered_set<std::string> hits;
  for (int j = 0; j < 20000; ++j) {
    Entry* e = d.Random(rng);
    REQUIRE(e != nullptr);
    REQUIRE(keys.count(std::string(e->key())) == 1);
    REQUIRE(d.Find(e->key(), d.Hash(e->key())) == e);
    hits.emplace(e->key());
  }
  // Both tables are sampled: far more than one bucket chain's worth.
  CHECK(hits.size() > keys.size() / 2);
}

// Entries inserted while a grow-rehash is in progress go to the new table
// (table 1) whatever their old-table bucket; unlinking one must count it out
// of that table, or table 0's count reaches zero while it still holds
// entries (they vanish, or RehashStep walks off the table). Runs in a child
// process so a crash is a failed check.
TEST_CASE("Dict: deleting entries inserted during a grow-rehash keeps the others", "[dict]") {
  auto result = ember_test::RunIsolated([]() -> std::string {
    Dict d(29);
    auto add = [&](const std::string& k) { d.Insert(Make(k, "v"), d.Hash(k)); };
    // 1024 entries fill a 1024-bucket table; the next insert starts a
    // grow-rehash to 2048 buckets.
    for (size_t i = 0; i < 1024; ++i) add(Key("old:", i));
    while (d.rehashing()) d.RehashStep(100);
    if (d.bucket_count() != 1024) return "setup: expected 1024 buckets";
    for (size_t i = 0; i < 50; ++i) add(Key("new:", i));
    if (!d.rehashing()) return "setup: expected a rehash in progress";
    // Delete the 50 entries inserted during the rehash (all in table 1).
    for (size_t i = 0; i < 50; ++i) {
      std::string k = Key("new:", i);
      Dict::Slot slot = d.FindSlot(k, d.Hash(k));
      if (!slot) return "setup: " + k + " not found";
      Entry::Destroy(d.UnlinkAt(slot));
    }
    for (int i = 0; i < 100000 && d.rehashing(); ++i) d.RehashStep(1);
    if (d.rehashing()) return "rehash never finished";
    size_t missing = 0;
    for (size_t i = 0; i < 1024; ++i) missing += d.Find(Key("old:", i), d.Hash(Key("old:", i))) == nullptr;
    size_t walked = 0;
    d.ForEach([&](Entry*) { ++walked; });
    if (missing || walked != 1024 || d.size() != 1024)
      return std::to_string(missing) + " of 1024 untouched keys lost; size()=" + std::to_string(d.size()) +
             " ForEach=" + std::to_string(walked);
    return "";
  });
  INFO(result.what);
  CHECK(result.ok);
}
