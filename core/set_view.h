// SetView: read access to a set in any of its representations (an
// intset, packed members, or a DictObject). Shared by the set family and
// the sorted-set algebra, which takes plain sets as inputs.
#pragma once

#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dict_object.h"
#include "entry.h"
#include "pack.h"
#include "util.h"

namespace ember {

inline size_t IntSetSize(const Entry* e) { return e->raw_value().size() / 8; }
inline int64_t IntSetAt(const Entry* e, size_t i) {
  int64_t v;
  memcpy(&v, e->raw_value().data() + i * 8, 8);
  return v;
}

// Read access to a set in any representation.
class SetView {
 public:
  explicit SetView(Entry* e) : e_(e) {}
  Encoding encoding() const { return e_->encoding(); }
  DictObject* object() const { return static_cast<DictObject*>(e_->object()); }

  size_t Size() const {
    switch (encoding()) {
      case Encoding::kIntSet: return IntSetSize(e_);
      case Encoding::kObject: return object()->size();
      default: {
        size_t n = 0;
        for (PackReader r(e_->raw_value()); !r.Done(); r.Next()) ++n;
        return n;
      }
    }
  }
  bool Contains(std::string_view member) const {
    switch (encoding()) {
      case Encoding::kIntSet: {
        int64_t v;
        if (!ParseInt64(member, &v)) return false;
        size_t lo = 0, hi = IntSetSize(e_);
        while (lo < hi) {
          size_t mid = (lo + hi) / 2;
          int64_t m = IntSetAt(e_, mid);
          if (m == v) return true;
          if (m < v)
            lo = mid + 1;
          else
            hi = mid;
        }
        return false;
      }
      case Encoding::kObject: return object()->Find(member) != nullptr;
      default:
        for (PackReader r(e_->raw_value()); !r.Done();)
          if (r.Next() == member) return true;
        return false;
    }
  }
  // fn(member) for every member; intset members are printed on the way.
  template <typename Fn>
  void ForEach(Fn fn) const {
    switch (encoding()) {
      case Encoding::kIntSet: {
        char buf[24];
        for (size_t i = 0; i < IntSetSize(e_); ++i) fn(std::string_view(buf, FormatInt64(IntSetAt(e_, i), buf)));
        return;
      }
      case Encoding::kObject: return object()->ForEach([&](Entry* m) { fn(m->key()); });
      default:
        for (PackReader r(e_->raw_value()); !r.Done();) fn(r.Next());
    }
  }
  std::vector<std::string> Members() const {
    std::vector<std::string> out;
    ForEach([&](std::string_view m) { out.emplace_back(m); });
    return out;
  }
  // One member at random (the set is not empty).
  std::string Random(std::mt19937_64& rng) const {
    switch (encoding()) {
      case Encoding::kIntSet: return Int64ToString(IntSetAt(e_, rng() % IntSetSize(e_)));
      case Encoding::kObject: return std::string(object()->Random(rng)->key());
      default: {
        size_t pick = rng() % Size();
        PackReader r(e_->raw_value());
        while (pick--) r.Next();
        return std::string(r.Next());
      }
    }
  }

 private:
  Entry* e_;
};

}  // namespace ember
