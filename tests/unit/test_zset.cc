// Sorted sets: the skiplist + index of ZSetObject against a std::set model
// under thousands of random operations (ranks, access by rank, prefix
// counts, range removal), deep copies, and the listpack → skiplist
// conversion as the commands drive it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "command.h"
#include "config.h"
#include "db.h"
#include "entry.h"
#include "server.h"
#include "shard.h"
#include "zset_object.h"

using ember::ZSetObject;

namespace {

using Model = std::set<std::pair<double, std::string>>;

std::string Check(const ZSetObject& z) {
  std::string why;
  return z.Validate(&why) ? "" : why;
}

std::vector<std::pair<double, std::string>> Contents(const ZSetObject& z) {
  std::vector<std::pair<double, std::string>> out;
  for (const ZSetObject::Node* n = z.First(); n; n = n->next()) out.emplace_back(n->score, std::string(n->member()));
  return out;
}

std::vector<std::pair<double, std::string>> ContentsBackwards(const ZSetObject& z) {
  std::vector<std::pair<double, std::string>> out;
  for (const ZSetObject::Node* n = z.Last(); n; n = n->prev()) out.emplace_back(n->score, std::string(n->member()));
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("ZSetObject: empty", "[zset]") {
  ZSetObject z;
  CHECK(z.size() == 0);
  CHECK(z.First() == nullptr);
  CHECK(z.Last() == nullptr);
  CHECK(z.AtRank(0) == nullptr);
  CHECK(z.Rank("a") == -1);
  CHECK_FALSE(z.Remove("a"));
  CHECK(z.RemoveRange(0, 10) == 0);
  double s;
  CHECK_FALSE(z.Score("a", &s));
  std::mt19937_64 rng(1);
  CHECK(z.Random(rng) == nullptr);
  CHECK(Check(z) == "");
}

TEST_CASE("ZSetObject: order is (score, member), members byte-wise", "[zset]") {
  ZSetObject z;
  CHECK(z.Set("b", 1));
  CHECK(z.Set("a", 1));
  CHECK(z.Set(std::string("\xff", 1), 1));
  CHECK(z.Set(std::string("a\0", 2), 1));
  CHECK(z.Set("z", -1));
  CHECK(z.Set("", 1));
  CHECK(z.Set("inf", std::numeric_limits<double>::infinity()));
  CHECK(z.Set("-inf", -std::numeric_limits<double>::infinity()));
  std::vector<std::string> want = {"-inf", "z", "", "a", std::string("a\0", 2), "b", "\xff", "inf"};
  std::vector<std::string> got;
  for (const ZSetObject::Node* n = z.First(); n; n = n->next()) got.emplace_back(n->member());
  CHECK(got == want);
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(z.Rank(want[i]) == static_cast<int64_t>(i));
    REQUIRE(z.AtRank(i) != nullptr);
    CHECK(z.AtRank(i)->member() == want[i]);
  }
  CHECK(Check(z) == "");
  // An update that keeps the position, one that moves it, one that is a no-op.
  CHECK_FALSE(z.Set("z", -0.5));
  CHECK(z.Rank("z") == 1);
  CHECK_FALSE(z.Set("z", 2));
  CHECK(z.Rank("z") == 6);
  CHECK_FALSE(z.Set("z", 2));
  double s;
  REQUIRE(z.Score("z", &s));
  CHECK(s == 2);
  CHECK(Check(z) == "");
}

TEST_CASE("ZSetObject: random operations against a model", "[zset]") {
  std::mt19937_64 rng(GENERATE(1, 2, 3));
  ZSetObject z;
  Model order;
  std::map<std::string, double> scores;
  auto member = [&] { return "m" + std::to_string(rng() % 600); };
  // Few distinct scores, so that member order matters a lot.
  auto score = [&] { return static_cast<double>(static_cast<int>(rng() % 41) - 20) / 2; };
  auto rank_of = [&](const std::string& m) {
    auto it = order.find({scores[m], m});
    return static_cast<int64_t>(std::distance(order.begin(), it));
  };
  for (int op = 0; op < 20000; ++op) {
    INFO("op " << op);
    unsigned kind = static_cast<unsigned>(rng() % 100);
    if (kind < 45) {
      std::string m = member();
      double s = score();
      auto it = scores.find(m);
      bool fresh = it == scores.end();
      if (!fresh) {
        order.erase({it->second, m});
        it->second = s;
      } else {
        scores[m] = s;
      }
      order.insert({s, m});
      REQUIRE(z.Set(m, s) == fresh);
    } else if (kind < 65) {
      std::string m = member();
      auto it = scores.find(m);
      bool present = it != scores.end();
      if (present) {
        order.erase({it->second, m});
        scores.erase(it);
      }
      REQUIRE(z.Remove(m) == present);
    } else if (kind < 68) {
      size_t start = order.empty() ? 0 : rng() % (order.size() + 3);
      size_t count = rng() % 12;
      size_t expect = start < order.size() ? std::min(count, order.size() - start) : 0;
      auto first = order.begin();
      std::advance(first, static_cast<ptrdiff_t>(std::min(start, order.size())));
      auto last = first;
      std::advance(last, static_cast<ptrdiff_t>(expect));
      for (auto it = first; it != last; ++it) scores.erase(it->second);
      order.erase(first, last);
      REQUIRE(z.RemoveRange(start, count) == expect);
    } else if (kind < 80) {
      std::string m = member();
      int64_t want = scores.count(m) ? rank_of(m) : -1;
      REQUIRE(z.Rank(m) == want);
      double s;
      REQUIRE(z.Score(m, &s) == (want >= 0));
      if (want >= 0) REQUIRE(s == scores[m]);
    } else if (kind < 90) {
      size_t r = rng() % (order.size() + 2);
      const ZSetObject::Node* n = z.AtRank(r);
      if (r >= order.size()) {
        REQUIRE(n == nullptr);
      } else {
        auto it = order.begin();
        std::advance(it, static_cast<ptrdiff_t>(r));
        REQUIRE(n != nullptr);
        REQUIRE(n->score == it->first);
        REQUIRE(n->member() == it->second);
      }
    } else {
      // Prefix counts: members below a score, at or below it, below a
      // (score, member) point.
      double x = score() + 0.25 * static_cast<double>(rng() % 3);
      size_t below = static_cast<size_t>(std::distance(order.begin(), order.lower_bound({x, ""})));
      size_t at_most = 0;
      for (auto& [s, m] : order) at_most += s <= x;
      REQUIRE(z.CountWhile([&](const ZSetObject::Node* n) { return n->score < x; }) == below);
      REQUIRE(z.CountWhile([&](const ZSetObject::Node* n) { return n->score <= x; }) == at_most);
      std::string m = member();
      auto point = std::make_pair(x, m);
      size_t before_point = static_cast<size_t>(std::distance(order.begin(), order.lower_bound(point)));
      REQUIRE(z.CountWhile([&](const ZSetObject::Node* n) {
        return n->score < x || (n->score == x && n->member() < m);
      }) == before_point);
    }
    REQUIRE(z.size() == order.size());
    if (op % 500 == 0) {
      REQUIRE(Check(z) == "");
      REQUIRE(Contents(z) == std::vector<std::pair<double, std::string>>(order.begin(), order.end()));
    }
  }
  REQUIRE(Check(z) == "");
  REQUIRE(Contents(z) == std::vector<std::pair<double, std::string>>(order.begin(), order.end()));
  REQUIRE(ContentsBackwards(z) == Contents(z));
  // Random picks come from the set.
  std::mt19937_64 pick(7);
  for (int i = 0; i < 100 && z.size(); ++i) {
    ember::Entry* e = z.Random(pick);
    REQUIRE(e != nullptr);
    REQUIRE(scores.count(std::string(e->key())));
    REQUIRE(ZSetObject::EntryScore(e) == scores[std::string(e->key())]);
  }
}

TEST_CASE("ZSetObject: many members, ascending, descending and removal", "[zset]") {
  ZSetObject z;
  const int n = 50000;
  for (int i = 0; i < n; ++i) z.Insert("a" + std::to_string(i), i);
  for (int i = 0; i < n; ++i) z.Insert("b" + std::to_string(i), -i);
  REQUIRE(z.size() == 2 * n);
  REQUIRE(Check(z) == "");
  CHECK(z.Rank("b" + std::to_string(n - 1)) == 0);
  CHECK(z.Rank("a0") == n - 1);  // score 0 twice: "a0" before "b0"
  CHECK(z.Rank("b0") == n);
  CHECK(z.AtRank(2 * n - 1)->member() == "a" + std::to_string(n - 1));
  // Remove the middle half by rank, then every other remaining member.
  CHECK(z.RemoveRange(n / 2, n) == static_cast<size_t>(n));
  REQUIRE(Check(z) == "");
  std::vector<std::string> members;
  for (const ZSetObject::Node* x = z.First(); x; x = x->next()) members.emplace_back(x->member());
  for (size_t i = 0; i < members.size(); i += 2) REQUIRE(z.Remove(members[i]));
  REQUIRE(z.size() == static_cast<size_t>(n / 2));
  REQUIRE(Check(z) == "");
  CHECK(z.RemoveRange(0, z.size()) == static_cast<size_t>(n / 2));
  CHECK(z.size() == 0);
  CHECK(z.First() == nullptr);
  CHECK(z.Last() == nullptr);
  REQUIRE(Check(z) == "");
  // Usable again after being emptied.
  z.Insert("x", 1);
  CHECK(z.Rank("x") == 0);
  REQUIRE(Check(z) == "");
}

TEST_CASE("ZSetObject: Clone is deep", "[zset]") {
  ZSetObject z;
  for (int i = 0; i < 1000; ++i) z.Insert("m" + std::to_string(i), i % 17);
  auto copy_obj = z.Clone();
  auto* copy = static_cast<ZSetObject*>(copy_obj.get());
  CHECK(std::string(copy->encoding_name()) == "skiplist");
  CHECK(copy->type() == ember::ValueType::kZSet);
  REQUIRE(Check(*copy) == "");
  REQUIRE(Contents(*copy) == Contents(z));
  copy->Set("m1", 100);
  copy->Remove("m2");
  copy->Insert("new", -1);
  double s;
  REQUIRE(z.Score("m1", &s));
  CHECK(s == 1);
  CHECK(z.Score("m2", &s));
  CHECK_FALSE(z.Score("new", &s));
  CHECK(z.size() == 1000);
  CHECK(copy->size() == 1000);
  REQUIRE(Check(z) == "");
  REQUIRE(Check(*copy) == "");
}

// ---------------------------------------------------------------------------
// The commands' encodings, run directly against one shard's Db.

namespace {

struct Harness {
  ember::Config config;
  std::unique_ptr<ember::Server> server;
  Harness() {
    config.Set("shards", "1", true);
    server = std::make_unique<ember::Server>(config);
  }
  ember::Db& db() { return server->shard(0).db(0); }
  // Runs one command (RESP2) and returns its raw reply.
  std::string Run(std::vector<std::string> args) {
    std::vector<std::string_view> argv(args.begin(), args.end());
    const ember::CommandSpec* spec = ember::CommandTable::Get().Find(argv[0]);
    REQUIRE(spec != nullptr);
    std::string out;
    ember::Reply reply(&out, 2);
    ember::CmdCtx ctx{argv, reply, *server, server->shard(0), nullptr, *spec, &db()};
    spec->handler(ctx);
    return out;
  }
  ember::Encoding EncodingOf(std::string_view key) {
    ember::Entry* e = db().Find(key);
    REQUIRE(e != nullptr);
    return e->encoding();
  }
};

}  // namespace

TEST_CASE("ZSet encodings: listpack to skiplist, never back", "[zset]") {
  Harness h;
  h.config.live.zset_max_listpack_entries.store(4);
  h.config.live.zset_max_listpack_value.store(8);
  CHECK(h.Run({"zadd", "z", "3", "c", "1", "a", "2", "b", "2", "bb"}) == ":4\r\n");
  CHECK(h.EncodingOf("z") == ember::Encoding::kPackedZSet);
  std::string packed_range = h.Run({"zrange", "z", "0", "-1", "withscores"});
  CHECK(packed_range == "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  // Updating scores does not convert; a fifth member does.
  CHECK(h.Run({"zadd", "z", "5", "a"}) == ":0\r\n");
  CHECK(h.EncodingOf("z") == ember::Encoding::kPackedZSet);
  CHECK(h.Run({"zadd", "z", "4", "d"}) == ":1\r\n");
  REQUIRE(h.EncodingOf("z") == ember::Encoding::kObject);
  CHECK(std::string(h.db().Find("z")->object()->encoding_name()) == "skiplist");
  CHECK(h.Run({"zrange", "z", "0", "-1"}) == "*5\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n");
  CHECK(h.Run({"zrank", "z", "a"}) == ":4\r\n");
  std::string why;
  CHECK(static_cast<ZSetObject*>(h.db().Find("z")->object())->Validate(&why));
  // Shrinking keeps the skiplist.
  CHECK(h.Run({"zrem", "z", "a", "b", "c"}) == ":3\r\n");
  CHECK(h.EncodingOf("z") == ember::Encoding::kObject);
  CHECK(h.Run({"zpopmin", "z", "5"}) == "*4\r\n$2\r\nbb\r\n$1\r\n2\r\n$1\r\nd\r\n$1\r\n4\r\n");
  CHECK(h.db().Find("z") == nullptr);  // the last member took the key with it

  // A member longer than zset-max-listpack-value converts too, and a new
  // key whose first member is too long starts as a skiplist.
  CHECK(h.Run({"zadd", "v", "1", "short"}) == ":1\r\n");
  CHECK(h.EncodingOf("v") == ember::Encoding::kPackedZSet);
  CHECK(h.Run({"zadd", "v", "2", "longer-than-8"}) == ":1\r\n");
  CHECK(h.EncodingOf("v") == ember::Encoding::kObject);
  CHECK(h.Run({"zadd", "w", "1", "longer-than-8", "2", "x"}) == ":2\r\n");
  CHECK(h.EncodingOf("w") == ember::Encoding::kObject);

  // STORE results take the encoding their size calls for.
  CHECK(h.Run({"zunionstore", "u", "1", "w"}) == ":2\r\n");
  CHECK(h.EncodingOf("u") == ember::Encoding::kObject);
  CHECK(h.Run({"zrangestore", "r", "w", "1", "1"}) == ":1\r\n");
  CHECK(h.EncodingOf("r") == ember::Encoding::kPackedZSet);
  CHECK(h.Run({"zrange", "r", "0", "-1", "withscores"}) == "*2\r\n$1\r\nx\r\n$1\r\n2\r\n");

  // zset-max-listpack-entries 0: always a skiplist.
  h.config.live.zset_max_listpack_entries.store(0);
  CHECK(h.Run({"zadd", "s", "1", "a"}) == ":1\r\n");
  CHECK(h.EncodingOf("s") == ember::Encoding::kObject);
}

TEST_CASE("ZSet encodings: both answer alike", "[zset]") {
  Harness h;
  std::mt19937_64 rng(42);
  std::vector<std::string> args = {"zadd", "p"};
  for (int i = 0; i < 100; ++i) {
    args.push_back(std::to_string(static_cast<int>(rng() % 21) - 10) + ".5");
    args.push_back("m" + std::to_string(rng() % 60));
  }
  h.config.live.zset_max_listpack_entries.store(128);
  h.Run(args);
  REQUIRE(h.EncodingOf("p") == ember::Encoding::kPackedZSet);
  h.config.live.zset_max_listpack_entries.store(0);
  args[1] = "s";
  h.Run(args);
  REQUIRE(h.EncodingOf("s") == ember::Encoding::kObject);
  std::vector<std::vector<std::string>> queries = {
      {"zrange", "K", "0", "-1", "withscores"},       {"zrange", "K", "3", "-4", "rev"},
      {"zrangebyscore", "K", "(-2.5", "5.5"},          {"zrevrangebyscore", "K", "+inf", "0", "limit", "2", "5"},
      {"zrange", "K", "-", "+", "bylex"},              {"zcount", "K", "-3", "(3.5"},
      {"zrank", "K", "m7"},
      {"zrevrank", "K", "m7"},                         {"zscore", "K", "m3"},
      {"zmscore", "K", "m1", "nope", "m2"},            {"zcard", "K"},
      {"zrangebyscore", "K", "-inf", "+inf", "withscores", "limit", "10", "10"}};
  for (auto q : queries) {
    INFO(q[0]);
    q[1] = "p";
    std::string packed = h.Run(q);
    q[1] = "s";
    CHECK(h.Run(q) == packed);
  }
  // Lexicographic ranges assume equal scores.
  std::vector<std::string> add = {"zadd", ""};
  for (int i = 0; i < 60; ++i) {
    add.push_back("0");
    add.push_back("m" + std::to_string(rng() % 100));
  }
  for (std::string key : {"lp", "ls"}) {
    h.config.live.zset_max_listpack_entries.store(key == "lp" ? 128 : 0);
    add[1] = key;
    h.Run(add);
  }
  REQUIRE(h.EncodingOf("lp") == ember::Encoding::kPackedZSet);
  REQUIRE(h.EncodingOf("ls") == ember::Encoding::kObject);
  std::vector<std::vector<std::string>> lex = {{"zlexcount", "K", "[m1", "(m5"},
                                               {"zrangebylex", "K", "(m2", "+", "limit", "1", "7"},
                                               {"zrevrangebylex", "K", "[m8", "-"},
                                               {"zrange", "K", "[m3", "[m6", "bylex"}};
  for (auto q : lex) {
    INFO(q[0]);
    q[1] = "lp";
    std::string packed = h.Run(q);
    q[1] = "ls";
    CHECK(h.Run(q) == packed);
  }
}
