#include "command.h"

#include "command_args.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>

#include "acl.h"
#include "module.h"

#include "db.h"
#include "server.h"
#include "util.h"

namespace ember {

CommandTable& CommandTable::Get() {
  static CommandTable table;
  return table;
}

void CommandTable::Add(CommandSpec spec) {
  const CommandSpec* owned = &specs_.emplace_back(std::move(spec));
  specs_.back().id = static_cast<uint32_t>(by_id_.size());
  specs_.back().acl_categories = AclCategoryBits(specs_.back());
  if (!owned->module) specs_.back().args = FindCommandArgs(owned->name);
  by_id_.push_back(owned);
  for (CommandSpec& sub : specs_.back().subcommands) {
    sub.id = static_cast<uint32_t>(by_id_.size());
    sub.acl_categories = AclCategoryBits(sub);
    if (!owned->module) sub.args = FindCommandArgs(sub.name);
    by_id_.push_back(&sub);
  }
  ordered_.push_back(owned);
  if (ordered_.size() * 2 > slots_.size())
    Rebuild(std::max<size_t>(kMinSlots, slots_.size() * 2));
  else
    Index(owned);
}

void CommandTable::Remove(std::string_view name) {
  const CommandSpec* spec = Find(name);
  if (!spec) return;
  std::erase(ordered_, spec);
  Rebuild(slots_.size());
}

namespace {

// LoadShort's overlapping loads make one word of each distinct name only
// where a word's bytes are in memory order, least significant first.
static_assert(std::endian::native == std::endian::little, "CommandTable::KeyOf assumes a little-endian machine");

constexpr uint64_t kEveryByte = 0x0101010101010101ULL;

uint64_t Load64(const char* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

uint32_t Load32(const char* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

// p[0, n) for n < 8 as a little-endian word, zero-padded, in at most two
// loads (overlapping where n is not a power of two) and no byte outside.
uint64_t LoadShort(const char* p, size_t n) {
  if (n >= 4) return Load32(p) | (uint64_t{Load32(p + n - 4)} << (8 * (n - 4)));
  if (n == 0) return 0;
  auto byte = [p](size_t i) { return uint64_t{static_cast<uint8_t>(p[i])} << (8 * i); };
  return byte(0) | byte(n / 2) | byte(n - 1);
}

// A-Z to a-z in all eight bytes at once; every other byte unchanged.
uint64_t LowerAscii(uint64_t x) {
  uint64_t low7 = x & (0x7F * kEveryByte);
  uint64_t at_least_a = low7 + (0x80 - 'A') * kEveryByte;  // bit 7 set where the byte is >= 'A'
  uint64_t above_z = low7 + (0x80 - 'Z' - 1) * kEveryByte;  // bit 7 set where it is > 'Z'
  uint64_t upper = at_least_a & ~above_z & ~x & (0x80 * kEveryByte);
  return x | (upper >> 2);
}

}  // namespace

CommandTable::NameKey CommandTable::KeyOf(std::string_view name) {
  const char* p = name.data();
  size_t n = name.size();
  NameKey k;
  if (n >= 8) {
    k.word[0] = LowerAscii(Load64(p));
    k.word[1] = LowerAscii(n >= 16 ? Load64(p + 8) : LoadShort(p + 8, n - 8));
  } else {
    k.word[0] = LowerAscii(LoadShort(p, n));
  }
  k.hash = ((k.word[0] ^ (k.word[1] * 0x9E3779B97F4A7C15ULL) ^ n) * 0xC2B2AE3D27D4EB4FULL) >> 32;
  return k;
}

void CommandTable::Index(const CommandSpec* spec) {
  NameKey k = KeyOf(spec->name);
  size_t mask = slots_.size() - 1;
  size_t i = k.hash & mask;
  while (slots_[i].spec) i = (i + 1) & mask;
  slots_[i] = Slot{{k.word[0], k.word[1]}, spec};
}

void CommandTable::Rebuild(size_t slots) {
  slots_.assign(slots, Slot{});
  for (const CommandSpec* spec : ordered_) Index(spec);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  if (slots_.empty()) return nullptr;
  NameKey k = KeyOf(name);
  size_t mask = slots_.size() - 1;
  for (size_t i = k.hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.spec) return nullptr;
    if (slot.word[0] != k.word[0] || slot.word[1] != k.word[1] || slot.spec->name.size() != name.size()) continue;
    // The first 16 bytes matched; a longer name compares the rest.
    if (name.size() <= 16 || EqualsIgnoreCase(name.substr(16), std::string_view(slot.spec->name).substr(16)))
      return slot.spec;
  }
}

const CommandSpec& CommandTable::Resolve(const CommandSpec& spec, std::span<const std::string_view> argv) {
  if (spec.subcommands.empty() || argv.size() < 2) return spec;
  for (const CommandSpec& sub : spec.subcommands) {
    std::string_view name = std::string_view(sub.name).substr(spec.name.size() + 1);
    if (EqualsIgnoreCase(name, argv[1])) return sub;
  }
  return spec;
}

void CommandTable::KeyIndexes(const CommandSpec& spec, std::span<const std::string_view> argv,
                              std::vector<size_t>* out) {
  out->clear();
  if (spec.module && spec.module->get_keys) return ModuleCommandKeys(*spec.module, argv, out);
  size_t argc = argv.size();
  if (spec.first_key > 0 && argc > static_cast<size_t>(spec.first_key)) {
    int64_t last = spec.last_key >= 0 ? spec.last_key : static_cast<int64_t>(argc) + spec.last_key;
    if (last >= static_cast<int64_t>(argc)) last = static_cast<int64_t>(argc) - 1;
    for (int64_t i = spec.first_key; i <= last; i += spec.key_step) out->push_back(static_cast<size_t>(i));
  }
  int64_t numkeys;
  if (spec.keynum_index > 0 && argc > static_cast<size_t>(spec.keynum_index) &&
      ParseInt64(argv[spec.keynum_index], &numkeys) && numkeys > 0) {
    size_t end = std::min(argc, static_cast<size_t>(spec.keynum_index) + 1 + static_cast<size_t>(numkeys));
    for (size_t i = static_cast<size_t>(spec.keynum_index) + 1; i < end; ++i) out->push_back(i);
  }
}

void RegisterAllCommands() {
  static bool done = false;
  if (done) return;
  done = true;
  CommandTable& t = CommandTable::Get();
  RegisterStringFamily(t);
  RegisterKeysFamily(t);
  RegisterServerFamily(t);
  RegisterHashFamily(t);
  RegisterSetFamily(t);
  RegisterListFamily(t);
  RegisterMultiFamily(t);
  RegisterPubSubFamily(t);
  RegisterZSetFamily(t);
  RegisterDumpFamily(t);
  RegisterMemoryFamily(t);
  RegisterPersistFamily(t);
  RegisterAclFamily(t);
  RegisterObservabilityFamily(t);
  RegisterModuleFamily(t);
  RegisterDebugFamily(t);
}

bool LookupTyped(CmdCtx& ctx, std::string_view key, ValueType type, Entry** e) {
  // Reads count keyspace hits and misses (and raise "keymiss"); writes don't.
  *e = (ctx.spec.flags & kCmdWrite) ? ctx.db(key).Find(key) : ctx.db(key).FindRead(key);
  if (*e && (*e)->type() != type) {
    ctx.reply.Error(kErrWrongType);
    return false;
  }
  return true;
}

bool CountedReplyFits(CmdCtx& ctx, size_t start) {
  std::string* out = ctx.reply.buffer();
  int64_t bound = ctx.server.config().live.proto_max_bulk_len.load(std::memory_order_relaxed);
  if (static_cast<int64_t>(out->size() - start) <= bound) return true;
  out->resize(start);
  out->shrink_to_fit();
  ctx.reply.Error("count is too large: the reply would exceed proto-max-bulk-len");
  return false;
}

void ReplyHelp(CmdCtx& ctx, std::initializer_list<const char*> lines) {
  ctx.reply.Array(lines.size());
  for (const char* l : lines) ctx.reply.Simple(l);
}

bool ScanArgs::Matches(std::string_view s) const { return !has_pattern || GlobMatch(pattern, s); }

bool ParseScanArgs(CmdCtx& ctx, size_t cursor_index, bool allow_type, ScanArgs* out) {
  std::string_view c = ctx.arg(cursor_index);
  uint64_t v = 0;
  bool ok = !c.empty() && c.size() <= 20;
  for (char ch : c) {
    if (!ok || ch < '0' || ch > '9') {
      ok = false;
      break;
    }
    uint64_t next = v * 10 + static_cast<uint64_t>(ch - '0');
    if (next / 10 != v) ok = false;
    v = next;
  }
  if (!ok) {
    ctx.reply.Error("invalid cursor");
    return false;
  }
  out->cursor = v;
  for (size_t i = cursor_index + 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(a, "count") && has_next) {
      if (!ParseInt64(ctx.arg(++i), &out->count)) {
        ctx.reply.Error(kErrNotInteger);
        return false;
      }
      if (out->count < 1) {
        ctx.reply.Error(kErrSyntax);
        return false;
      }
    } else if (EqualsIgnoreCase(a, "match") && has_next) {
      out->pattern = ctx.arg(++i);
      out->has_pattern = !(out->pattern.size() == 1 && out->pattern[0] == '*');
    } else if (allow_type && EqualsIgnoreCase(a, "type") && has_next) {
      out->type = ctx.arg(++i);
      out->has_type = true;
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

void ReplyScanHeader(Reply& reply, uint64_t next_cursor, size_t items) {
  reply.Array(2);
  char buf[24];
  reply.Bulk(std::string_view(buf, FormatInt64(static_cast<int64_t>(next_cursor), buf)));
  reply.Array(items);
}

std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

Db& CmdCtx::KeyDb(std::string_view key) { return server.ShardFor(key).db(db_index); }
Db& CmdCtx::db_at(uint32_t shard_index) { return server.shard(shard_index).db(db_index); }
Db& CmdCtx::db_in(uint32_t db, std::string_view key) { return server.ShardFor(key).db(db); }

void NotifyKeyspaceEvent(Server& server, Shard& shard, int64_t type, std::string_view event, std::string_view key,
                         uint32_t db) {
  int64_t flags = server.config().live.notify_flags.load(std::memory_order_relaxed);
  if (!(flags & type) || event.empty()) return;
  std::string channel;
  auto prefix = [&](const char* kind) {
    channel.assign("__");
    channel.append(kind).append("@").append(std::to_string(db)).append("__:");
  };
  if (flags & kNotifyKeyspace) {
    prefix("keyspace");
    channel.append(key);
    shard.Publish(server.pubsub(), "message", channel, event);
  }
  if (flags & kNotifyKeyevent) {
    prefix("keyevent");
    channel.append(event);
    shard.Publish(server.pubsub(), "message", channel, key);
  }
}

void CmdCtx::NotifyIn(uint32_t db, int64_t type, std::string_view event, std::string_view key) {
  if (record_touched) [[unlikely]]
    touched.push_back({db, std::string(key)});
  NotifyKeyspaceEvent(server, shard, type, event, key, db);
}

bool ParseDbIndex(CmdCtx& ctx, std::string_view arg, uint32_t* out) {
  int64_t index;
  if (!ParseInt64(arg, &index)) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  if (index < INT32_MIN || index > INT32_MAX) {
    ctx.reply.Error(kErrIntRange);
    return false;
  }
  if (index < 0 || index >= ctx.server.databases()) {
    ctx.reply.Error("DB index is out of range");
    return false;
  }
  *out = static_cast<uint32_t>(index);
  return true;
}

void CmdCtx::WrongArity() { reply.Error("wrong number of arguments for '" + spec.name + "' command"); }

}  // namespace ember
