// ListObject (chunked packed list) and the pack format, against std::deque.
#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <string>

#include "list_object.h"
#include "pack.h"

using ember::ListObject;
using ember::PackAppend;
using ember::PackItemSize;
using ember::PackReader;

TEST_CASE("Pack: items of every length class round-trip", "[pack]") {
  std::vector<std::string> items = {"", "a", std::string(127, 'x'), std::string(128, 'y'), std::string(20000, 'z'),
                                    std::string("\0\r\n", 3)};
  std::string pack;
  size_t expected = 0;
  for (const std::string& s : items) {
    PackAppend(&pack, s);
    expected += PackItemSize(s.size());
  }
  CHECK(pack.size() == expected);
  PackReader r(pack);
  for (const std::string& s : items) {
    REQUIRE_FALSE(r.Done());
    CHECK(r.Next() == s);
  }
  CHECK(r.Done());
}

TEST_CASE("ListObject: random pushes, pops and ranges match a deque", "[list]") {
  for (int64_t limit : {-2, 3, 16}) {
    ListObject list(limit);
    std::deque<std::string> model;
    std::mt19937 rng(static_cast<unsigned>(limit + 100));
    for (int step = 0; step < 20000; ++step) {
      int op = static_cast<int>(rng() % 5);
      std::string item = "item-" + std::to_string(step) + std::string(rng() % 300, 'p');
      if (op == 0) {
        list.PushFront(item);
        model.push_front(item);
      } else if (op == 1 || model.empty()) {
        list.PushBack(item);
        model.push_back(item);
      } else if (op == 2) {
        REQUIRE(list.PopFront() == model.front());
        model.pop_front();
      } else if (op == 3) {
        REQUIRE(list.PopBack() == model.back());
        model.pop_back();
      } else {
        size_t a = rng() % model.size(), b = a + rng() % (model.size() - a);
        std::vector<std::string> got;
        list.ForRange(a, b, [&](std::string_view s) { got.emplace_back(s); });
        REQUIRE(got == std::vector<std::string>(model.begin() + static_cast<ptrdiff_t>(a),
                                                model.begin() + static_cast<ptrdiff_t>(b) + 1));
      }
      REQUIRE(list.size() == model.size());
    }
    std::vector<std::string> all = list.ToVector();
    CHECK(all == std::vector<std::string>(model.begin(), model.end()));
    // A copy is independent.
    auto copy = list.Clone();
    if (!model.empty()) {
      list.PopFront();
      CHECK(static_cast<ListObject&>(*copy).size() == model.size());
    }
  }
}

namespace {

std::vector<std::string> Items(const ListObject& list) { return list.ToVector(); }

std::string At(const ListObject& list, size_t i) {
  std::string out;
  list.ForRange(i, i, [&](std::string_view s) { out = s; });
  return out;
}

ListObject Numbered(int64_t limit, int n) {
  ListObject list(limit);
  for (int i = 0; i < n; ++i) list.PushBack(std::to_string(i));
  return list;
}

}  // namespace

TEST_CASE("ListObject: an insert at a chunk boundary goes to the later chunk, which splits", "[list]") {
  ListObject list = Numbered(4, 8);
  REQUIRE(list.ChunkCounts() == std::vector<uint32_t>{4, 4});
  list.Insert(4, "x");  // before "4", the first item of the second chunk
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{4, 2, 3});
  CHECK(Items(list) == std::vector<std::string>{"0", "1", "2", "3", "x", "4", "5", "6", "7"});
  list.Insert(0, "head");
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{2, 3, 2, 3});
  list.Insert(list.size(), "tail");  // appends: the last chunk has room
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{2, 3, 2, 4});
  CHECK(list.size() == 11);
  for (size_t i = 0; i < list.size(); ++i) CHECK(At(list, i) == Items(list)[i]);
}

TEST_CASE("ListObject: Set finds the item by chunk counts from either end", "[list]") {
  ListObject list = Numbered(3, 10);
  for (size_t i = 0; i < 10; ++i) list.Set(i, "s" + std::to_string(i));
  for (size_t i = 0; i < 10; ++i) CHECK(At(list, i) == "s" + std::to_string(i));
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{3, 3, 3, 1});
}

TEST_CASE("ListObject: a Set that outgrows a byte-limited chunk splits it", "[list]") {
  ListObject list(-1);  // 4 KB chunks
  for (int i = 0; i < 100; ++i) list.PushBack(std::string(100, 'a'));
  std::vector<uint32_t> before = list.ChunkCounts();
  REQUIRE(before.size() == 3);
  list.Set(10, std::string(3000, 'b'));
  std::vector<uint32_t> after = list.ChunkCounts();
  CHECK(after.size() == 4);
  CHECK(At(list, 10) == std::string(3000, 'b'));
  CHECK(At(list, 9) == std::string(100, 'a'));
  CHECK(At(list, 11) == std::string(100, 'a'));
  // An item bigger than the limit sits in a chunk of its own.
  list.Set(50, std::string(10000, 'c'));
  CHECK(At(list, 50) == std::string(10000, 'c'));
  CHECK(list.size() == 100);
}

TEST_CASE("ListObject: removals that empty a chunk drop it and merge neighbours", "[list]") {
  ListObject list(4);
  for (const char* s : {"a", "a", "b", "b", "x", "x", "x", "x", "c", "c", "d", "d"}) list.PushBack(s);
  REQUIRE(list.ChunkCounts() == std::vector<uint32_t>{4, 4, 4});
  CHECK(list.RemoveEqual("x", 0, false) == 4);
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{4, 4});
  CHECK(Items(list) == std::vector<std::string>{"a", "a", "b", "b", "c", "c", "d", "d"});
  CHECK(list.RemoveEqual("b", 1, false) == 1);
  CHECK(list.RemoveEqual("c", 1, true) == 1);
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{3, 3});
  CHECK(list.RemoveEqual("a", 0, false) == 2);  // {1, 3} fit in one chunk
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{4});
  CHECK(Items(list) == std::vector<std::string>{"b", "c", "d", "d"});
  CHECK(list.RemoveEqual("zz", 0, false) == 0);
}

TEST_CASE("ListObject: LREM from the tail removes the last matches of a chunk", "[list]") {
  ListObject list(8);
  for (const char* s : {"m", "1", "m", "2", "m", "3"}) list.PushBack(s);
  CHECK(list.RemoveEqual("m", 2, true) == 2);
  CHECK(Items(list) == std::vector<std::string>{"m", "1", "2", "3"});
}

TEST_CASE("ListObject: Trim drops whole chunks and cuts the end ones", "[list]") {
  ListObject list = Numbered(4, 14);  // {4, 4, 4, 2}
  list.Trim(5, 6);
  CHECK(list.size() == 3);
  CHECK(list.ChunkCounts() == std::vector<uint32_t>{3});
  CHECK(Items(list) == std::vector<std::string>{"5", "6", "7"});
  list.Trim(0, 3);
  CHECK(list.size() == 0);
  CHECK(list.ChunkCounts().empty());
}

TEST_CASE("ListObject: random edits match a deque, chunks stay within the limit", "[list]") {
  for (int64_t limit : {-1, 3, 16}) {
    ListObject list(limit);
    std::deque<std::string> model;
    std::mt19937 rng(static_cast<unsigned>(limit + 7));
    for (int step = 0; step < 20000; ++step) {
      int op = static_cast<int>(rng() % 7);
      std::string item = "v" + std::to_string(rng() % 50) + std::string(rng() % 200, 'p');
      if (model.empty() || op == 0) {
        list.PushBack(item);
        model.push_back(item);
      } else if (op == 1) {
        size_t i = rng() % (model.size() + 1);
        list.Insert(i, item);
        model.insert(model.begin() + static_cast<ptrdiff_t>(i), item);
      } else if (op == 2) {
        size_t i = rng() % model.size();
        list.Set(i, item);
        model[i] = item;
      } else if (op == 3) {
        size_t i = rng() % model.size();
        REQUIRE(At(list, i) == model[i]);
      } else if (op == 4) {
        std::string target = model[rng() % model.size()];
        size_t limit_n = rng() % 3;
        bool tail = rng() % 2;
        size_t removed = 0;
        if (tail) {
          for (size_t k = model.size(); k-- > 0;)
            if (model[k] == target && (limit_n == 0 || removed < limit_n)) {
              model.erase(model.begin() + static_cast<ptrdiff_t>(k));
              ++removed;
            }
        } else {
          for (size_t k = 0; k < model.size();)
            if (model[k] == target && (limit_n == 0 || removed < limit_n)) {
              model.erase(model.begin() + static_cast<ptrdiff_t>(k));
              ++removed;
            } else {
              ++k;
            }
        }
        REQUIRE(list.RemoveEqual(target, limit_n, tail) == removed);
      } else if (op == 5 && model.size() > 4) {
        size_t front = rng() % 3, back = rng() % 3;
        list.Trim(front, back);
        model.erase(model.begin(), model.begin() + static_cast<ptrdiff_t>(front));
        model.erase(model.end() - static_cast<ptrdiff_t>(back), model.end());
      } else {
        list.PushFront(item);
        model.push_front(item);
      }
      REQUIRE(list.size() == model.size());
      if (step % 500 == 0) {
        std::vector<uint32_t> counts = list.ChunkCounts();
        size_t sum = 0;
        for (uint32_t c : counts) {
          CHECK(c > 0);
          if (limit > 0) CHECK(c <= static_cast<uint32_t>(limit));
          sum += c;
        }
        CHECK(sum == model.size());
        REQUIRE(Items(list) == std::vector<std::string>(model.begin(), model.end()));
      }
    }
    std::vector<std::string> seen;
    list.Walk(true, [&](size_t i, std::string_view s) {
      CHECK(s == model[i]);
      seen.emplace_back(s);
      return true;
    });
    CHECK(seen.size() == model.size());
  }
}

TEST_CASE("ListPackFits: list-max-listpack-size 0 means one item a chunk, as Redis's fill 0", "[list]") {
  CHECK(ember::ListPackFits(0, 1, 10));
  CHECK_FALSE(ember::ListPackFits(0, 2, 10));
  CHECK(ember::ListPackFits(3, 3, 1 << 20));
  CHECK_FALSE(ember::ListPackFits(-1, 1, 4097));
  CHECK(ember::ListPackFits(-100, 1, 64 * 1024));
}
