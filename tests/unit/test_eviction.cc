// Eviction: the LRU clock and LFU counter arithmetic, the candidate pool,
// and Db::Evict choosing by policy from samples.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "db.h"
#include "eviction.h"
#include "memory_meter.h"

using ember::Config;
using ember::Db;
using ember::Entry;
using ember::EvictionPolicy;
using ember::EvictionPool;
namespace lfu = ember::lfu;
namespace lru = ember::lru;

namespace {

constexpr int64_t kT0 = 1700000000000;  // a unix time in ms
constexpr int64_t kMinute = 60000;

std::string Key(size_t i) { return "key:" + std::to_string(i); }

void SetPolicy(Config::Live& live, EvictionPolicy p) { live.maxmemory_policy = static_cast<int64_t>(p); }

}  // namespace

TEST_CASE("LRU clock: seconds, idle time across the 24-bit wrap", "[eviction]") {
  uint32_t c = lru::Clock(kT0);
  CHECK(lru::IdleMs(c, kT0) == 0);
  CHECK(lru::IdleMs(c, kT0 + 999) == 0);
  CHECK(lru::IdleMs(c, kT0 + 5000) == 5000);
  // A clock stored just before the wrap, read just after it.
  uint32_t old = lru::kClockMax - 2;
  int64_t after_wrap = (int64_t{lru::kClockMax} + 1 + 3) * 1000;
  CHECK(lru::Clock(after_wrap) == 3);
  CHECK(lru::IdleMs(old, after_wrap) == 5000);
}

TEST_CASE("LFU counter: starts at 5, grows logarithmically, saturates, decays", "[eviction]") {
  uint32_t bits = lfu::Initial(kT0);
  CHECK(lfu::Counter(bits, kT0, 1) == lfu::kInitCounter);

  // A draw of 0 always passes the coin toss; one just under 1 passes only
  // while the probability is 1 (counter at or below 5).
  CHECK(lfu::Counter(lfu::Touch(bits, kT0, 10, 1, 0.0), kT0, 1) == 6);
  CHECK(lfu::Counter(lfu::Touch(bits, kT0, 10, 1, 0.999), kT0, 1) == 6);
  uint32_t six = lfu::Touch(bits, kT0, 10, 1, 0.0);
  // At 6 the probability is 1 / (1 * 10 + 1).
  CHECK(lfu::Counter(lfu::Touch(six, kT0, 10, 1, 0.5), kT0, 1) == 6);
  CHECK(lfu::Counter(lfu::Touch(six, kT0, 10, 1, 0.09), kT0, 1) == 7);
  // lfu-log-factor 0: every access counts.
  uint32_t b = bits;
  for (int i = 0; i < 300; ++i) b = lfu::Touch(b, kT0, 0, 1, 0.999);
  CHECK(lfu::Counter(b, kT0, 1) == 255);

  // Logarithmic: with factor 10, a thousand accesses (uniform draws from a
  // fixed sequence) leave the counter far below 255 but well above 5.
  b = bits;
  uint64_t x = 12345;
  for (int i = 0; i < 1000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    b = lfu::Touch(b, kT0, 10, 1, static_cast<double>(x >> 11) * 0x1.0p-53);
  }
  int after_1000 = lfu::Counter(b, kT0, 1);
  CHECK(after_1000 > 10);
  CHECK(after_1000 < 40);

  // One off per lfu-decay-time minutes without access; 0 never decays.
  uint32_t twenty = (lfu::Initial(kT0) & ~0xffu) | 20;
  CHECK(lfu::Counter(twenty, kT0 + 3 * kMinute, 1) == 17);
  CHECK(lfu::Counter(twenty, kT0 + 6 * kMinute, 2) == 17);
  CHECK(lfu::Counter(twenty, kT0 + 600 * kMinute, 1) == 0);
  CHECK(lfu::Counter(twenty, kT0 + 600 * kMinute, 0) == 20);
  // A touch after a long idle starts from the decayed counter.
  CHECK(lfu::Counter(lfu::Touch(twenty, kT0 + 10 * kMinute, 10, 1, 0.999), kT0 + 10 * kMinute, 1) == 10);
}

TEST_CASE("EvictionPool keeps the best candidates and pops the best first", "[eviction]") {
  EvictionPool pool;
  std::string key;
  CHECK_FALSE(pool.PopBest(&key));
  for (uint64_t s = 0; s < 40; ++s) pool.Offer((s * 7) % 40, "k" + std::to_string((s * 7) % 40));
  CHECK(pool.size() == EvictionPool::kSize);
  // A full pool refuses a candidate worse than all it holds.
  pool.Offer(1, "poor");
  for (uint64_t want = 39; want >= 24; --want) {
    REQUIRE(pool.PopBest(&key));
    CHECK(key == "k" + std::to_string(want));
  }
  CHECK_FALSE(pool.PopBest(&key));
  pool.Offer(5, "a");
  pool.Clear();
  CHECK(pool.size() == 0);
}

TEST_CASE("Db::Evict: random policies, nothing to evict, persistent keys kept", "[eviction][db]") {
  Config::Live live;
  Db db(7);
  db.set_live(&live);
  db.set_now(kT0);
  CHECK_FALSE(db.Evict(EvictionPolicy::kAllkeysRandom, 5));
  CHECK_FALSE(db.Evict(EvictionPolicy::kNoEviction, 5));
  for (size_t i = 0; i < 100; ++i) db.SetString(Key(i), "v", i < 30 ? kT0 + 1000000 : Entry::kNoExpire);

  for (auto policy : {EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                      EvictionPolicy::kVolatileTtl}) {
    Db d(11);
    d.set_live(&live);
    d.set_now(kT0);
    for (size_t i = 0; i < 100; ++i) d.SetString(Key(i), "v", i < 30 ? kT0 + 1000000 + int64_t(i) : Entry::kNoExpire);
    size_t evicted = 0;
    while (d.Evict(policy, 5)) ++evicted;
    // volatile-*: exactly the 30 keys with a TTL went.
    CHECK(evicted == 30);
    CHECK(d.size() == 70);
    CHECK(d.expires() == 0);
    CHECK(d.stats().evicted_keys == 30);
  }

  size_t evicted = 0;
  while (db.Evict(EvictionPolicy::kAllkeysRandom, 5)) ++evicted;
  CHECK(evicted == 100);
  CHECK(db.size() == 0);
}

TEST_CASE("Db::Evict: an eviction raises WATCH and notifies 'evicted'", "[eviction][db]") {
  Config::Live live;
  Db db(3);
  db.set_live(&live);
  std::vector<std::string> events;
  db.set_notify([&](int64_t type, std::string_view event, std::string_view key, uint32_t) {
    if (type == ember::kNotifyEvicted) events.push_back(std::string(event) + ":" + std::string(key));
  });
  db.SetString("only", "v", Entry::kNoExpire);
  auto flag = std::make_shared<ember::WatchFlag>(false);
  db.Watch("only", flag);
  REQUIRE(db.Evict(EvictionPolicy::kAllkeysLru, 5));
  CHECK(flag->load());
  CHECK(events == std::vector<std::string>{"evicted:only"});
  CHECK(db.Find("only") == nullptr);
}

TEST_CASE("Db::Evict: LRU keeps recently used keys, LFU frequently used ones", "[eviction][db]") {
  Config::Live live;
  for (auto policy : {EvictionPolicy::kAllkeysLru, EvictionPolicy::kAllkeysLfu}) {
    SetPolicy(live, policy);
    Db db(5);
    db.set_live(&live);
    db.set_now(kT0);
    for (size_t i = 0; i < 1000; ++i) db.SetString(Key(i), "v", Entry::kNoExpire);
    // A hundred seconds later (LRU) or at once (LFU), the first hundred
    // keys are read, 50 times each.
    if (policy == EvictionPolicy::kAllkeysLru) db.set_now(kT0 + 100000);
    for (int round = 0; round < 50; ++round)
      for (size_t i = 0; i < 100; ++i) REQUIRE(db.Find(Key(i)) != nullptr);
    if (policy == EvictionPolicy::kAllkeysLfu) CHECK(db.Frequency(db.Peek(Key(0))) > lfu::kInitCounter);
    for (int i = 0; i < 600; ++i) REQUIRE(db.Evict(policy, 5));
    size_t hot_left = 0;
    for (size_t i = 0; i < 100; ++i) hot_left += db.Peek(Key(i)) != nullptr;
    CHECK(hot_left == 100);
    CHECK(db.size() == 400);
  }
}

TEST_CASE("Db::Evict: volatile-ttl takes the nearest expiry first", "[eviction][db]") {
  Config::Live live;
  Db db(9);
  db.set_live(&live);
  db.set_now(kT0);
  for (size_t i = 0; i < 1000; ++i) db.SetString(Key(i), "v", kT0 + 1000000 + int64_t(i) * 1000);
  for (int i = 0; i < 200; ++i) REQUIRE(db.Evict(EvictionPolicy::kVolatileTtl, 5));
  // Sampling approximates the order: the 200 that went are mostly among
  // the earliest expiries, and the latest ones all stay.
  size_t early_gone = 0, late_gone = 0;
  for (size_t i = 0; i < 300; ++i) early_gone += db.Peek(Key(i)) == nullptr;
  for (size_t i = 700; i < 1000; ++i) late_gone += db.Peek(Key(i)) == nullptr;
  CHECK(early_gone >= 150);
  CHECK(late_gone == 0);
}

TEST_CASE("Db: an overwrite keeps the LFU counter; OBJECT's lookups do not touch", "[eviction][db]") {
  Config::Live live;
  SetPolicy(live, EvictionPolicy::kAllkeysLfu);
  live.lfu_log_factor = 0;
  Db db(13);
  db.set_live(&live);
  db.set_now(kT0);
  db.SetString("k", "v", Entry::kNoExpire);
  CHECK(db.Frequency(db.Peek("k")) == lfu::kInitCounter);
  for (int i = 0; i < 10; ++i) db.Find("k");
  CHECK(db.Frequency(db.Peek("k")) == 15);
  db.SetString("k", "other", Entry::kNoExpire);
  CHECK(db.Frequency(db.Peek("k")) == 15);

  SetPolicy(live, EvictionPolicy::kAllkeysLru);
  db.SetString("idle", "v", Entry::kNoExpire);
  db.set_now(kT0 + 7000);
  CHECK(db.IdleMs(db.Peek("idle")) == 7000);
  CHECK(db.IdleMs(db.Find("idle")) == 0);
}

#ifndef EMBER_SYSTEM_MALLOC
// A shard thread's change after a refresh, made before its next check,
// counts: the figure follows the allocator's, not the refresh alone.
TEST_CASE("MemoryMeter: a change between a refresh and the thread's next check is kept", "[eviction]") {
  using ember::MemoryMeter;
  constexpr int64_t kNoLimit = int64_t{1} << 60;  // far: only the 64 KB steps publish
  constexpr size_t kChunk = 40 * 1024;            // under one step
  std::atomic<int> step{0};
  int64_t seen = 0, truth = 0;
  std::thread shard([&] {
    ember::ThreadMeter meter;
    meter.Used(kNoLimit);
    std::vector<std::unique_ptr<char[]>> held;
    held.emplace_back(new char[kChunk]);
    step = 1;
    step.notify_one();
    step.wait(1);  // the refresh runs on another thread now
    held.emplace_back(new char[kChunk]);
    seen = meter.Used(kNoLimit);
    truth = static_cast<int64_t>(ember::AllocatedBytes());
    held.clear();
    meter.Used(kNoLimit);
  });
  step.wait(0);
  MemoryMeter::Get().Refresh();
  step = 2;
  step.notify_one();
  shard.join();
  // Within the thread's unpublished change and the main thread's noise.
  CHECK(std::abs(seen - truth) < 16 * 1024);
}
#endif
