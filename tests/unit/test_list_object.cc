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
