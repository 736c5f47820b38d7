#include "value_codec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "dict_object.h"
#include "list_object.h"
#include "module_value.h"
#include "pack.h"
#include "util.h"
#include "zset_object.h"

namespace ember {

namespace {

enum Tag : uint8_t {
  kTagString = 0,
  kTagInt = 1,
  kTagList = 2,
  kTagHash = 3,
  kTagSet = 4,
  kTagIntSet = 5,
  kTagZSet = 6,
  kTagModule = 7,
};

// Entries store value lengths in 32 bits.
constexpr uint64_t kMaxValueBytes = UINT32_MAX;

void PutInt64LE(std::string* out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

// Shortest round-trip text: what a packed sorted set holds, and what the
// zset body carries (2-4 bytes for typical scores, where a double takes 8).
std::string_view ScoreText(double score, char (&buf)[32]) {
  auto res = std::to_chars(buf, buf + sizeof(buf), score);
  return {buf, static_cast<size_t>(res.ptr - buf)};
}

// Writes a collection body: count, pack byte length, then the items that
// each(fn) produces, walked twice so the length can precede them without a
// temporary copy of the pack.
template <typename Each>
void PutCollection(std::string* out, Tag tag, size_t count, Each each) {
  size_t nbytes = 0;
  each([&](std::string_view item) { nbytes += PackItemSize(item.size()); });
  out->push_back(static_cast<char>(tag));
  PutVarint(out, count);
  PutVarint(out, nbytes);
  out->reserve(out->size() + nbytes);
  each([&](std::string_view item) { PackAppend(out, item); });
}

size_t CountPackItems(std::string_view pack) {
  size_t n = 0;
  for (PackReader r(pack); !r.Done(); r.Next()) ++n;
  return n;
}

// Bounds-checked reading of the input.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  size_t left() const { return in_.size(); }
  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  // A shortest-form varint: a longer form would make the same pack bytes
  // mean different lengths to PackItemSize, which pops rely on.
  bool Varint(uint64_t* v) {
    uint64_t n = 0;
    for (int i = 0; i < 10; ++i) {
      if (static_cast<size_t>(i) >= in_.size()) return false;
      auto c = static_cast<uint8_t>(in_[static_cast<size_t>(i)]);
      if (i == 9 && c > 1) return false;  // past 64 bits
      n |= static_cast<uint64_t>(c & 0x7f) << (7 * i);
      if (!(c & 0x80)) {
        if (i > 0 && c == 0) return false;
        in_.remove_prefix(static_cast<size_t>(i) + 1);
        *v = n;
        return true;
      }
    }
    return false;
  }
  bool Bytes(uint64_t n, std::string_view* out) {
    if (n > in_.size()) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view in_;
};

// Splits a pack that must hold exactly `count` items into them.
bool SplitPack(std::string_view pack, uint64_t count, std::vector<std::string_view>* items) {
  // Every item takes at least one byte: a count beyond that is a lie, and
  // checking first keeps a hostile count from sizing the vector.
  if (count > pack.size()) return false;
  items->clear();
  items->reserve(count);
  Reader r(pack);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t n;
    std::string_view item;
    if (!r.Varint(&n) || !r.Bytes(n, &item)) return false;
    items->push_back(item);
  }
  return r.left() == 0;
}

// No two equal among views (compared as a sorted copy).
bool Distinct(std::vector<std::string_view> views) {
  std::sort(views.begin(), views.end());
  return std::adjacent_find(views.begin(), views.end()) == views.end();
}

bool ParseScore(std::string_view text, double* score) {
  if (text.empty()) return false;
  auto res = std::from_chars(text.data(), text.data() + text.size(), *score);
  return res.ec == std::errc() && res.ptr == text.data() + text.size() && !std::isnan(*score);
}

int64_t Load(const std::atomic<int64_t>& v) { return v.load(std::memory_order_relaxed); }

bool Fail(std::string* error, const char* why) {
  *error = why;
  return false;
}

// The decoders: each reads one body (after the tag) and builds the entry.
struct Decoder {
  std::string_view key;
  int64_t expire;
  const Config::Live& live;
  std::string* error;
  Entry* out = nullptr;

  bool String(Reader& r) {
    uint64_t n;
    std::string_view bytes;
    if (!r.Varint(&n) || !r.Bytes(n, &bytes)) return Fail(error, "truncated string");
    if (n > kMaxValueBytes) return Fail(error, "string too long");
    // As Db::SetString: a canonical integer is kept as an int64.
    int64_t v;
    out = bytes.size() <= 20 && ParseInt64(bytes, &v) ? Entry::CreateInt(key, v, expire)
                                                      : Entry::Create(key, bytes, Encoding::kRaw, expire);
    return true;
  }

  bool Int(Reader& r) {
    uint64_t z;
    if (!r.Varint(&z)) return Fail(error, "truncated integer");
    out = Entry::CreateInt(key, static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)), expire);
    return true;
  }

  // count, nbytes, pack of count * per items: the pack and its items.
  bool Collection(Reader& r, uint64_t per, std::string_view* pack, std::vector<std::string_view>* items) {
    uint64_t count, nbytes;
    if (!r.Varint(&count) || !r.Varint(&nbytes) || !r.Bytes(nbytes, pack)) return Fail(error, "truncated collection");
    // Redis refuses empty collections in a payload: no key holds one.
    if (count == 0) return Fail(error, "empty collection");
    if (nbytes > kMaxValueBytes || count > nbytes / per || !SplitPack(*pack, count * per, items))
      return Fail(error, "bad collection items");
    return true;
  }

  bool List(Reader& r) {
    std::string_view pack;
    std::vector<std::string_view> items;
    if (!Collection(r, 1, &pack, &items)) return false;
    int64_t limit = Load(live.list_max_listpack_size);
    if (ListPackFits(limit, items.size(), pack.size())) {
      out = Entry::Create(key, pack, Encoding::kPackedList, expire);
      return true;
    }
    auto obj = std::make_unique<ListObject>(limit);
    for (std::string_view item : items) obj->PushBack(item);
    out = Entry::CreateObject(key, obj.release(), expire);
    return true;
  }

  bool Hash(Reader& r) {
    std::string_view pack;
    std::vector<std::string_view> items;
    if (!Collection(r, 2, &pack, &items)) return false;
    size_t pairs = items.size() / 2;
    auto max_value = static_cast<uint64_t>(Load(live.hash_max_listpack_value));
    bool fits = pairs <= static_cast<uint64_t>(Load(live.hash_max_listpack_entries));
    for (std::string_view item : items) fits &= item.size() <= max_value;
    if (fits) {
      std::vector<std::string_view> fields;
      fields.reserve(pairs);
      for (size_t i = 0; i < items.size(); i += 2) fields.push_back(items[i]);
      if (!Distinct(std::move(fields))) return Fail(error, "duplicate hash field");
      out = Entry::Create(key, pack, Encoding::kPackedHash, expire);
      return true;
    }
    auto obj = std::make_unique<DictObject>(ValueType::kHash);
    for (size_t i = 0; i < items.size(); i += 2)
      if (!obj->Set(items[i], items[i + 1])) return Fail(error, "duplicate hash field");
    out = Entry::CreateObject(key, obj.release(), expire);
    return true;
  }

  // Members as set-family StoreSet picks: an intset when all are integers
  // and few enough, packed when small, else a DictObject. `pack`, when not
  // empty, already holds the members packed in this order.
  bool SetOf(const std::vector<std::string_view>& members, std::string_view pack) {
    if (!Distinct(members)) return Fail(error, "duplicate set member");
    if (static_cast<int64_t>(members.size()) <= Load(live.set_max_intset_entries)) {
      std::vector<int64_t> ints;
      ints.reserve(members.size());
      for (std::string_view m : members) {
        int64_t v;
        if (!ParseInt64(m, &v)) break;
        ints.push_back(v);
      }
      if (ints.size() == members.size()) {
        std::sort(ints.begin(), ints.end());
        out = Entry::Create(key, std::string_view(reinterpret_cast<const char*>(ints.data()), ints.size() * 8),
                            Encoding::kIntSet, expire);
        return true;
      }
    }
    auto max_value = static_cast<uint64_t>(Load(live.set_max_listpack_value));
    bool fits = static_cast<int64_t>(members.size()) <= Load(live.set_max_listpack_entries);
    for (std::string_view m : members) fits &= m.size() <= max_value;
    if (fits) {
      if (!pack.empty()) {
        out = Entry::Create(key, pack, Encoding::kPackedSet, expire);
        return true;
      }
      std::string packed;
      for (std::string_view m : members) PackAppend(&packed, m);
      out = Entry::Create(key, packed, Encoding::kPackedSet, expire);
      return true;
    }
    auto obj = std::make_unique<DictObject>(ValueType::kSet);
    for (std::string_view m : members) obj->Set(m, "");
    out = Entry::CreateObject(key, obj.release(), expire);
    return true;
  }

  bool Set(Reader& r) {
    std::string_view pack;
    std::vector<std::string_view> items;
    if (!Collection(r, 1, &pack, &items)) return false;
    return SetOf(items, pack);
  }

  bool IntSet(Reader& r) {
    uint64_t count;
    if (!r.Varint(&count)) return Fail(error, "truncated intset");
    if (count == 0) return Fail(error, "empty collection");
    std::string_view raw;
    if (count > r.left() / 8 || !r.Bytes(count * 8, &raw)) return Fail(error, "truncated intset");
    std::vector<int64_t> ints(count);
    for (size_t i = 0; i < count; ++i) {
      uint64_t u = 0;
      for (int b = 7; b >= 0; --b) u = (u << 8) | static_cast<uint8_t>(raw[i * 8 + static_cast<size_t>(b)]);
      ints[i] = static_cast<int64_t>(u);
      if (i > 0 && ints[i] <= ints[i - 1]) return Fail(error, "intset not ascending");
    }
    if (static_cast<int64_t>(count) <= Load(live.set_max_intset_entries)) {
      out = Entry::Create(key, std::string_view(reinterpret_cast<const char*>(ints.data()), count * 8),
                          Encoding::kIntSet, expire);
      return true;
    }
    std::vector<std::string> text;
    text.reserve(count);
    for (int64_t v : ints) text.push_back(Int64ToString(v));
    std::vector<std::string_view> members(text.begin(), text.end());
    return SetOf(members, {});
  }

  bool ZSet(Reader& r) {
    std::string_view pack;
    std::vector<std::string_view> items;
    if (!Collection(r, 2, &pack, &items)) return false;
    size_t n = items.size() / 2;
    std::vector<double> scores(n);
    for (size_t i = 0; i < n; ++i) {
      if (!ParseScore(items[2 * i + 1], &scores[i])) return Fail(error, "bad sorted set score");
      bool ascending = i == 0 || scores[i - 1] < scores[i] ||
                       (scores[i - 1] == scores[i] && items[2 * i - 2] < items[2 * i]);
      if (!ascending) return Fail(error, "sorted set not in order");
    }
    auto max_value = static_cast<uint64_t>(Load(live.zset_max_listpack_value));
    bool fits = n <= static_cast<uint64_t>(Load(live.zset_max_listpack_entries));
    for (size_t i = 0; i < n; ++i) fits &= items[2 * i].size() <= max_value;
    if (fits) {
      std::vector<std::string_view> members;
      members.reserve(n);
      for (size_t i = 0; i < n; ++i) members.push_back(items[2 * i]);
      if (!Distinct(std::move(members))) return Fail(error, "duplicate sorted set member");
      // Re-packed rather than copied: the packed form holds each score's
      // canonical text, with -0 as 0 as Redis's listpack does.
      std::string packed;
      packed.reserve(pack.size());
      for (size_t i = 0; i < n; ++i) {
        char buf[32];
        PackAppend(&packed, items[2 * i]);
        PackAppend(&packed, ScoreText(scores[i] == 0 ? 0.0 : scores[i], buf));
      }
      out = Entry::Create(key, packed, Encoding::kPackedZSet, expire);
      return true;
    }
    auto obj = std::make_unique<ZSetObject>();
    // From the greatest down, so each insertion stops at the head.
    for (size_t i = n; i-- > 0;) {
      double existing;
      if (obj->Score(items[2 * i], &existing)) return Fail(error, "duplicate sorted set member");
      obj->Insert(items[2 * i], scores[i]);
    }
    out = Entry::CreateObject(key, obj.release(), expire);
    return true;
  }

  bool Module(Reader& r) {
    uint64_t n;
    std::string_view bytes;
    if (!r.Varint(&n) || !r.Bytes(n, &bytes)) return Fail(error, "truncated module value");
    std::unique_ptr<ModuleValue> v = DeserializeModuleValue(bytes, error);
    if (!v) {
      if (error->empty()) *error = "bad module value";
      return false;
    }
    out = Entry::CreateObject(key, v.release(), expire);
    return true;
  }
};

}  // namespace

bool SerializeValue(const Entry& e, std::string* out) {
  std::string_view raw = e.raw_value();
  switch (e.encoding()) {
    case Encoding::kRaw:
      out->push_back(static_cast<char>(kTagString));
      PutVarint(out, raw.size());
      out->append(raw);
      return true;
    case Encoding::kInt: {
      auto v = static_cast<uint64_t>(e.int_value());
      out->push_back(static_cast<char>(kTagInt));
      PutVarint(out, (v << 1) ^ (0 - (v >> 63)));
      return true;
    }
    case Encoding::kPackedList:
    case Encoding::kPackedHash:
    case Encoding::kPackedSet: {
      Tag tag = e.encoding() == Encoding::kPackedList ? kTagList
                : e.encoding() == Encoding::kPackedHash ? kTagHash
                                                        : kTagSet;
      size_t items = CountPackItems(raw);
      out->push_back(static_cast<char>(tag));
      PutVarint(out, tag == kTagHash ? items / 2 : items);
      PutVarint(out, raw.size());
      out->append(raw);
      return true;
    }
    case Encoding::kPackedZSet:
      // Already member, shortest score text, ... in (score, member) order.
      out->push_back(static_cast<char>(kTagZSet));
      PutVarint(out, CountPackItems(raw) / 2);
      PutVarint(out, raw.size());
      out->append(raw);
      return true;
    case Encoding::kIntSet: {
      size_t n = raw.size() / 8;
      out->push_back(static_cast<char>(kTagIntSet));
      PutVarint(out, n);
      for (size_t i = 0; i < n; ++i) {
        int64_t v;
        memcpy(&v, raw.data() + i * 8, 8);
        PutInt64LE(out, v);
      }
      return true;
    }
    case Encoding::kObject:
      break;
  }
  const Object* obj = e.object();
  switch (obj->type()) {
    case ValueType::kList: {
      const auto& list = static_cast<const ListObject&>(*obj);
      PutCollection(out, kTagList, list.size(), [&](auto fn) {
        if (list.size()) list.ForRange(0, list.size() - 1, fn);
      });
      return true;
    }
    case ValueType::kHash: {
      const auto& hash = static_cast<const DictObject&>(*obj);
      PutCollection(out, kTagHash, hash.size(), [&](auto fn) {
        hash.ForEach([&](Entry* f) {
          fn(f->key());
          fn(f->raw_value());
        });
      });
      return true;
    }
    case ValueType::kSet: {
      const auto& set = static_cast<const DictObject&>(*obj);
      PutCollection(out, kTagSet, set.size(), [&](auto fn) { set.ForEach([&](Entry* m) { fn(m->key()); }); });
      return true;
    }
    case ValueType::kZSet: {
      const auto& zset = static_cast<const ZSetObject&>(*obj);
      PutCollection(out, kTagZSet, zset.size(), [&](auto fn) {
        for (const ZSetObject::Node* n = zset.First(); n; n = n->next()) {
          char buf[32];
          fn(n->member());
          fn(ScoreText(n->score, buf));
        }
      });
      return true;
    }
    case ValueType::kModule: {
      std::string bytes;
      if (!SerializeModuleValue(static_cast<const ModuleValue&>(*obj), &bytes)) return false;
      out->push_back(static_cast<char>(kTagModule));
      PutVarint(out, bytes.size());
      out->append(bytes);
      return true;
    }
    case ValueType::kString:
      break;
  }
  return false;
}

Entry* DeserializeValue(std::string_view key, std::string_view in, int64_t expire_ms, const Config::Live& live,
                        std::string* error) {
  error->clear();
  Reader r(in);
  uint8_t tag;
  if (!r.Byte(&tag)) {
    *error = "empty value";
    return nullptr;
  }
  Decoder d{key, expire_ms, live, error};
  bool ok;
  switch (tag) {
    case kTagString: ok = d.String(r); break;
    case kTagInt: ok = d.Int(r); break;
    case kTagList: ok = d.List(r); break;
    case kTagHash: ok = d.Hash(r); break;
    case kTagSet: ok = d.Set(r); break;
    case kTagIntSet: ok = d.IntSet(r); break;
    case kTagZSet: ok = d.ZSet(r); break;
    case kTagModule: ok = d.Module(r); break;
    default: ok = Fail(error, "unknown value type");
  }
  if (ok && r.left() != 0) ok = Fail(error, "trailing bytes after value");
  if (!ok) {
    if (d.out) Entry::Destroy(d.out);
    return nullptr;
  }
  return d.out;
}

}  // namespace ember
