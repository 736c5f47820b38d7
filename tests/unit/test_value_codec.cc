// The value codec (value_codec.h): every encoding round-trips into the
// encoding the thresholds pick, and hostile bytes (truncations, flips,
// crafted lies) are refused without a crash or an over-read (run under the
// Asan build too). Also the collections' MemoryUsage.
#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "config.h"
#include "dict_object.h"
#include "entry.h"
#include "list_object.h"
#include "object.h"
#include "pack.h"
#include "set_view.h"
#include "value_codec.h"
#include "zset_object.h"

using namespace ember;

namespace {

// Owns an entry for the test's duration.
struct Owned {
  Entry* e = nullptr;
  explicit Owned(Entry* p) : e(p) {}
  ~Owned() {
    if (e) Entry::Destroy(e);
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  Entry* operator->() const { return e; }
};

std::string Pack(const std::vector<std::string>& items) {
  std::string p;
  for (const std::string& s : items) PackAppend(&p, s);
  return p;
}

std::string ScoreText(double s) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), s);
  return std::string(buf, static_cast<size_t>(r.ptr - buf));
}

// The logical content of a value, independent of its encoding: type, then
// its items in a canonical order (hash and set sorted; list and zset as they
// are ordered).
std::string Describe(const Entry* e) {
  std::vector<std::string> parts;
  std::string type;
  auto unpack = [&](std::string_view raw) {
    for (PackReader r(raw); !r.Done();) parts.emplace_back(r.Next());
  };
  switch (e->encoding()) {
    case Encoding::kRaw:
    case Encoding::kInt: {
      char buf[24];
      return "string:" + std::string(e->StringValue(buf));
    }
    case Encoding::kPackedList:
      type = "list";
      unpack(e->raw_value());
      break;
    case Encoding::kPackedHash: {
      type = "hash";
      std::vector<std::string> items;
      for (PackReader r(e->raw_value()); !r.Done();) {
        std::string k(r.Next());
        items.push_back(k + "=" + std::string(r.Next()));
      }
      std::sort(items.begin(), items.end());
      parts = items;
      break;
    }
    case Encoding::kPackedSet:
    case Encoding::kIntSet:
      type = "set";
      parts = SetView(const_cast<Entry*>(e)).Members();
      std::sort(parts.begin(), parts.end());
      break;
    case Encoding::kPackedZSet: {
      type = "zset";
      for (PackReader r(e->raw_value()); !r.Done();) {
        std::string m(r.Next());
        double s = 0;
        std::string_view t = r.Next();
        std::from_chars(t.data(), t.data() + t.size(), s);
        parts.push_back(m + "@" + ScoreText(s == 0 ? 0.0 : s));
      }
      break;
    }
    case Encoding::kObject: {
      const Object* o = e->object();
      switch (o->type()) {
        case ValueType::kList: {
          type = "list";
          const auto& l = static_cast<const ListObject&>(*o);
          parts = l.ToVector();
          break;
        }
        case ValueType::kHash:
          type = "hash";
          static_cast<const DictObject&>(*o).ForEach(
              [&](Entry* f) { parts.push_back(std::string(f->key()) + "=" + std::string(f->raw_value())); });
          std::sort(parts.begin(), parts.end());
          break;
        case ValueType::kSet:
          type = "set";
          static_cast<const DictObject&>(*o).ForEach([&](Entry* m) { parts.emplace_back(m->key()); });
          std::sort(parts.begin(), parts.end());
          break;
        case ValueType::kZSet: {
          type = "zset";
          const auto& z = static_cast<const ZSetObject&>(*o);
          for (const ZSetObject::Node* n = z.First(); n; n = n->next())
            parts.push_back(std::string(n->member()) + "@" + ScoreText(n->score == 0 ? 0.0 : n->score));
          break;
        }
        default:
          type = "other";
      }
      break;
    }
  }
  std::string out = type + ":";
  for (const std::string& p : parts) out += std::to_string(p.size()) + "/" + p + ",";
  return out;
}

std::string Serialize(const Entry* e) {
  std::string out;
  REQUIRE(SerializeValue(*e, &out));
  return out;
}

// Decodes bytes; the entry (or nullptr with the error).
Entry* Decode(std::string_view bytes, const Config::Live& live, std::string* error, int64_t expire = Entry::kNoExpire) {
  return DeserializeValue("key", bytes, expire, live, error);
}

// Round-trips e under live and returns the rebuilt entry, checking content.
Entry* RoundTrip(const Entry* e, const Config::Live& live) {
  std::string bytes = Serialize(e);
  std::string error;
  Entry* back = Decode(bytes, live, &error);
  INFO(error);
  REQUIRE(back != nullptr);
  CHECK(back->key() == "key");
  CHECK(Describe(back) == Describe(e));
  // And the rebuilt value serializes to a value with the same content.
  std::string again = Serialize(back);
  Owned third(Decode(again, live, &error));
  REQUIRE(third.e != nullptr);
  CHECK(Describe(third.e) == Describe(e));
  return back;
}

// Sample values of every encoding, at sizes that straddle the defaults.
std::vector<Entry*> Samples() {
  std::vector<Entry*> v;
  v.push_back(Entry::Create("k", "", Encoding::kRaw, Entry::kNoExpire));
  v.push_back(Entry::Create("k", "hello", Encoding::kRaw, Entry::kNoExpire));
  v.push_back(Entry::Create("k", std::string(100000, 'x') + std::string("\0\r\n", 3), Encoding::kRaw, Entry::kNoExpire));
  for (int64_t n : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{1} << 40, INT64_MAX, INT64_MIN})
    v.push_back(Entry::CreateInt("k", n, Entry::kNoExpire));
  v.push_back(Entry::Create("k", Pack({"a", "", std::string(300, 'b')}), Encoding::kPackedList, Entry::kNoExpire));
  v.push_back(Entry::Create("k", Pack({"f1", "v1", "f2", ""}), Encoding::kPackedHash, Entry::kNoExpire));
  v.push_back(Entry::Create("k", Pack({"x", "y", "12"}), Encoding::kPackedSet, Entry::kNoExpire));
  std::vector<int64_t> ints = {INT64_MIN, -5, 0, 7, INT64_MAX};
  v.push_back(Entry::Create("k", std::string_view(reinterpret_cast<const char*>(ints.data()), ints.size() * 8),
                            Encoding::kIntSet, Entry::kNoExpire));
  v.push_back(Entry::Create("k", Pack({"m1", "-inf", "m2", "0", "m3", "1.5", "m0", "inf"}), Encoding::kPackedZSet,
                            Entry::kNoExpire));
  for (size_t n : {size_t{1}, size_t{200}, size_t{5000}}) {
    auto* list = new ListObject(-2);
    for (size_t i = 0; i < n; ++i) list->PushBack("item" + std::to_string(i) + std::string(i % 50, 'p'));
    v.push_back(Entry::CreateObject("k", list, Entry::kNoExpire));
    auto* hash = new DictObject(ValueType::kHash);
    for (size_t i = 0; i < n; ++i) hash->Set("field" + std::to_string(i), std::string(i % 70, 'v'));
    v.push_back(Entry::CreateObject("k", hash, Entry::kNoExpire));
    auto* set = new DictObject(ValueType::kSet);
    for (size_t i = 0; i < n; ++i) set->Set("member" + std::to_string(i), "");
    v.push_back(Entry::CreateObject("k", set, Entry::kNoExpire));
    auto* intlike = new DictObject(ValueType::kSet);
    for (size_t i = 0; i < n; ++i) intlike->Set(std::to_string(i * 3), "");
    v.push_back(Entry::CreateObject("k", intlike, Entry::kNoExpire));
    auto* zset = new ZSetObject();
    for (size_t i = 0; i < n; ++i) zset->Insert("z" + std::to_string(i), static_cast<double>(i % 17) / 3 - 2);
    v.push_back(Entry::CreateObject("k", zset, Entry::kNoExpire));
  }
  return v;
}

struct SampleSet {
  std::vector<Entry*> v = Samples();
  ~SampleSet() {
    for (Entry* e : v) Entry::Destroy(e);
  }
};

bool IsPacked(Encoding enc) { return enc != Encoding::kObject; }

size_t ListLength(const Entry* e) {
  if (e->encoding() == Encoding::kObject) return static_cast<const ListObject*>(e->object())->size();
  size_t n = 0;
  for (PackReader r(e->raw_value()); !r.Done(); r.Next()) ++n;
  return n;
}

}  // namespace

TEST_CASE("Value codec: every encoding round-trips under default thresholds", "[codec]") {
  Config::Live live;
  SampleSet samples;
  for (Entry* e : samples.v) {
    Owned back(RoundTrip(e, live));
    CHECK(back->type() == e->type());
  }
}

TEST_CASE("Value codec: the reader picks encodings by the current thresholds", "[codec]") {
  SampleSet samples;
  SECTION("tiny thresholds make every collection an object") {
    Config::Live live;
    live.hash_max_listpack_entries = 0;
    live.set_max_intset_entries = 0;
    live.set_max_listpack_entries = 0;
    live.zset_max_listpack_entries = 0;
    live.list_max_listpack_size = 1;
    for (Entry* e : samples.v) {
      Owned back(RoundTrip(e, live));
      if (e->type() == ValueType::kString)
        CHECK(back->encoding() == e->encoding());
      else if (e->type() == ValueType::kList && ListLength(e) == 1)
        CHECK(back->encoding() == Encoding::kPackedList);  // a list of one fits a chunk of one
      else
        CHECK(back->encoding() == Encoding::kObject);
    }
  }
  SECTION("huge thresholds pack every collection") {
    Config::Live live;
    live.hash_max_listpack_entries = 1 << 20;
    live.hash_max_listpack_value = 1 << 20;
    live.set_max_intset_entries = 1 << 20;
    live.set_max_listpack_entries = 1 << 20;
    live.set_max_listpack_value = 1 << 20;
    live.zset_max_listpack_entries = 1 << 20;
    live.zset_max_listpack_value = 1 << 20;
    live.list_max_listpack_size = 1 << 20;
    for (Entry* e : samples.v) {
      Owned back(RoundTrip(e, live));
      CHECK(IsPacked(back->encoding()));
    }
  }
  SECTION("integer sets become intsets, or not, by set-max-intset-entries") {
    Config::Live live;
    auto* set = new DictObject(ValueType::kSet);
    for (int i = 0; i < 300; ++i) set->Set(std::to_string(i - 150), "");
    Owned big(Entry::CreateObject("k", set, Entry::kNoExpire));
    Owned back(RoundTrip(big.e, live));
    CHECK(back->encoding() == Encoding::kIntSet);
    live.set_max_intset_entries = 10;
    Owned back2(RoundTrip(back.e, live));
    CHECK(back2->encoding() == Encoding::kObject);
    live.set_max_listpack_entries = 1000;
    Owned back3(RoundTrip(back.e, live));
    CHECK(back3->encoding() == Encoding::kPackedSet);
  }
  SECTION("strings: canonical integers come back as ints") {
    Config::Live live;
    Owned s(Entry::Create("k", "12345", Encoding::kRaw, Entry::kNoExpire));
    Owned back(RoundTrip(s.e, live));
    CHECK(back->encoding() == Encoding::kInt);
    Owned t(Entry::Create("k", "012", Encoding::kRaw, Entry::kNoExpire));
    Owned back2(RoundTrip(t.e, live));
    CHECK(back2->encoding() == Encoding::kRaw);
  }
}

TEST_CASE("Value codec: expire time and a wide key are applied", "[codec]") {
  Config::Live live;
  Owned s(Entry::Create("k", "v", Encoding::kRaw, Entry::kNoExpire));
  std::string bytes = Serialize(s.e);
  std::string error;
  std::string long_key(1000, 'K');
  Owned back(DeserializeValue(long_key, bytes, 1234567, live, &error));
  REQUIRE(back.e != nullptr);
  CHECK(back->key() == long_key);
  CHECK(back->expire_ms() == 1234567);
}

TEST_CASE("Value codec: packed values are written as their own bytes", "[codec]") {
  Owned h(Entry::Create("k", Pack({"f", "v"}), Encoding::kPackedHash, Entry::kNoExpire));
  std::string bytes = Serialize(h.e);
  // tag, pairs, nbytes, then the pack verbatim.
  CHECK(bytes == std::string("\x03\x01\x04", 3) + Pack({"f", "v"}));
  Owned i(Entry::CreateInt("k", -3, Entry::kNoExpire));
  CHECK(Serialize(i.e) == std::string("\x01\x05", 2));
}

TEST_CASE("Value codec: every truncation is refused", "[codec][hostile]") {
  Config::Live live;
  SampleSet samples;
  for (Entry* e : samples.v) {
    std::string bytes = Serialize(e);
    // The big samples are checked at a stride (and at both ends).
    size_t stride = bytes.size() > 4000 ? 97 : 1;
    for (size_t n = 0; n < bytes.size(); n += (n < 64 || n + 64 > bytes.size()) ? 1 : stride) {
      std::string cut = bytes.substr(0, n);  // its own allocation, so Asan sees over-reads
      std::string error;
      Entry* back = Decode(cut, live, &error);
      INFO("prefix " << n << " of " << bytes.size());
      CHECK(back == nullptr);
      CHECK_FALSE(error.empty());
      if (back) Entry::Destroy(back);
    }
    std::string longer = bytes + "x";
    std::string error;
    CHECK(Decode(longer, live, &error) == nullptr);
    CHECK(error == "trailing bytes after value");
  }
}

TEST_CASE("Value codec: random corruption never crashes", "[codec][hostile]") {
  std::mt19937_64 rng(12345);
  Config::Live small;
  small.list_max_listpack_size = 2;
  small.hash_max_listpack_entries = 1;
  Config::Live normal;
  SampleSet samples;
  size_t refused = 0;
  for (Entry* e : samples.v) {
    std::string bytes = Serialize(e);
    if (bytes.size() > 20000) continue;
    for (int round = 0; round < 300; ++round) {
      std::string bad = bytes;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        size_t at = rng() % bad.size();
        bad[at] = static_cast<char>(rng() % 3 == 0 ? bad[at] ^ (1 << (rng() % 8)) : static_cast<char>(rng()));
      }
      std::string error;
      Entry* back = Decode(bad, round % 2 ? small : normal, &error);
      if (!back) {
        CHECK_FALSE(error.empty());
        ++refused;
        continue;
      }
      // Whatever was accepted is a sound value: it re-serializes and decodes.
      std::string again;
      CHECK(SerializeValue(*back, &again));
      Entry* third = Decode(again, normal, &error);
      CHECK(third != nullptr);
      if (third) {
        CHECK(Describe(third) == Describe(back));
        Entry::Destroy(third);
      }
      Entry::Destroy(back);
    }
  }
  CHECK(refused > 0);
  // Random garbage of every length.
  for (int round = 0; round < 20000; ++round) {
    std::string junk(rng() % 40, '\0');
    for (char& c : junk) c = static_cast<char>(rng() % 9 < 3 ? rng() % 8 : rng());
    std::string error;
    if (Entry* back = Decode(junk, normal, &error)) Entry::Destroy(back);
  }
}

TEST_CASE("Value codec: crafted lies are refused with a reason", "[codec][hostile]") {
  Config::Live live;
  auto refused = [&](std::string bytes) {
    std::string error;
    Entry* back = Decode(bytes, live, &error);
    if (back) Entry::Destroy(back);
    return back == nullptr && !error.empty() ? error : std::string("accepted");
  };
  auto s = [](std::initializer_list<int> b) {
    std::string out;
    for (int c : b) out.push_back(static_cast<char>(c));
    return out;
  };
  CHECK(refused("") == "empty value");
  CHECK(refused(s({9})) == "unknown value type");
  CHECK(refused(s({0x00, 0x80, 0x00})) != "accepted");                 // non-minimal length
  CHECK(refused(s({0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})) != "accepted");  // > 64 bits
  CHECK(refused(s({0x00, 0xff, 0xff, 0xff, 0xff, 0x0f})) != "accepted");  // length past the input
  CHECK(refused(s({0x02, 0x00, 0x00})) == "empty collection");
  CHECK(refused(s({0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x02, 0x01, 'a'})) != "accepted");  // huge count
  CHECK(refused(s({0x02, 0x02, 0x02, 0x01, 'a'})) != "accepted");  // count says 2, pack holds 1
  CHECK(refused(s({0x02, 0x01, 0x03, 0x01, 'a', 'b'})) != "accepted");  // stray byte in the pack
  CHECK(refused(s({0x02, 0x01, 0x03, 0x80, 0x00, 'a'})) != "accepted");  // non-minimal item length
  CHECK(refused(s({0x02, 0x01, 0x02, 0x05, 'a'})) != "accepted");  // item longer than the pack
  CHECK(refused(s({0x03, 0x02, 0x08, 0x01, 'f', 0x01, 'a', 0x01, 'f', 0x01, 'b'})) == "duplicate hash field");
  CHECK(refused(s({0x04, 0x02, 0x04, 0x01, 'x', 0x01, 'x'})) == "duplicate set member");
  CHECK(refused(s({0x04, 0x02, 0x04, 0x01, '1', 0x01, '1'})) == "duplicate set member");
  CHECK(refused(s({0x05, 0x02, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})) == "intset not ascending");
  CHECK(refused(s({0x05, 0x02, 1, 0, 0, 0, 0, 0, 0, 0})) == "truncated intset");
  CHECK(refused(s({0x06, 0x01, 0x06, 0x01, 'm', 0x03, 'n', 'a', 'n'})) == "bad sorted set score");
  CHECK(refused(s({0x06, 0x01, 0x05, 0x01, 'm', 0x02, '1', 'x'})) == "bad sorted set score");
  CHECK(refused(s({0x06, 0x01, 0x03, 0x01, 'm', 0x00})) == "bad sorted set score");
  CHECK(refused(s({0x06, 0x02, 0x08, 0x01, 'm', 0x01, '2', 0x01, 'n', 0x01, '1'})) == "sorted set not in order");
  CHECK(refused(s({0x06, 0x02, 0x08, 0x01, 'm', 0x01, '1', 0x01, 'm', 0x01, '2'})) == "duplicate sorted set member");
  // Duplicates are found on the way to an object too.
  Config::Live small;
  small.hash_max_listpack_entries = 0;
  small.zset_max_listpack_entries = 0;
  small.set_max_listpack_entries = 0;
  small.set_max_intset_entries = 0;
  auto refused_small = [&](std::string bytes) {
    std::string error;
    Entry* back = Decode(bytes, small, &error);
    if (back) Entry::Destroy(back);
    return back == nullptr ? error : std::string("accepted");
  };
  CHECK(refused_small(s({0x03, 0x02, 0x08, 0x01, 'f', 0x01, 'a', 0x01, 'f', 0x01, 'b'})) == "duplicate hash field");
  CHECK(refused_small(s({0x04, 0x02, 0x04, 0x01, 'x', 0x01, 'x'})) == "duplicate set member");
  CHECK(refused_small(s({0x06, 0x02, 0x08, 0x01, 'm', 0x01, '1', 0x01, 'm', 0x01, '2'})) ==
        "duplicate sorted set member");
}

TEST_CASE("MemoryUsage: collections measure their allocations", "[memory]") {
  SECTION("DictObject") {
    DictObject small(ValueType::kHash), big(ValueType::kHash);
    for (int i = 0; i < 10; ++i) small.Set("f" + std::to_string(i), std::string(10, 'v'));
    for (int i = 0; i < 10000; ++i) big.Set("f" + std::to_string(i), std::string(10, 'v'));
    size_t all = big.MemoryUsage(0);
    CHECK(small.MemoryUsage(0) > 10 * 20);
    CHECK(all > 10000 * 20);
    CHECK(all > small.MemoryUsage(0) * 100);
    // A sample scales to about the whole (entries here are nearly uniform).
    size_t sampled = big.MemoryUsage(5);
    CHECK(sampled > all / 2);
    CHECK(sampled < all * 2);
  }
  SECTION("ListObject") {
    ListObject list(-2);
    size_t empty = list.MemoryUsage(0);
    for (int i = 0; i < 20000; ++i) list.PushBack(std::string(20, 'x'));
    size_t all = list.MemoryUsage(0);
    CHECK(all > empty + 20000 * 21);
    size_t sampled = list.MemoryUsage(5);
    CHECK(sampled > all / 2);
    CHECK(sampled < all * 2);
  }
  SECTION("ZSetObject") {
    ZSetObject z;
    for (int i = 0; i < 5000; ++i) z.Insert("member" + std::to_string(i), i);
    size_t all = z.MemoryUsage(0);
    CHECK(all > 5000 * (sizeof(ZSetObject::Node) + 20));
    size_t sampled = z.MemoryUsage(100);
    CHECK(sampled > all / 2);
    CHECK(sampled < all * 2);
  }
}
