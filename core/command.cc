#include "command.h"

#include "server.h"
#include "util.h"

namespace ember {

CommandTable& CommandTable::Get() {
  static CommandTable table;
  return table;
}

void CommandTable::Add(CommandSpec spec) {
  const CommandSpec* owned = &specs_.emplace_back(std::move(spec));
  if (by_length_.size() <= owned->name.size()) by_length_.resize(owned->name.size() + 1);
  by_length_[owned->name.size()].push_back(owned);
  ordered_.push_back(owned);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  if (name.size() >= by_length_.size()) return nullptr;
  for (const CommandSpec* spec : by_length_[name.size()]) {
    const char* s = spec->name.data();
    size_t i = 0;
    for (; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != s[i]) break;
    }
    if (i == name.size()) return spec;
  }
  return nullptr;
}

const CommandSpec& CommandTable::Resolve(const CommandSpec& spec, std::span<const std::string_view> argv) {
  if (spec.subcommands.empty() || argv.size() < 2) return spec;
  for (const CommandSpec& sub : spec.subcommands) {
    std::string_view name = std::string_view(sub.name).substr(spec.name.size() + 1);
    if (EqualsIgnoreCase(name, argv[1])) return sub;
  }
  return spec;
}

void CommandTable::KeyIndexes(const CommandSpec& spec, size_t argc, std::vector<size_t>* out) {
  out->clear();
  if (spec.first_key <= 0 || argc <= static_cast<size_t>(spec.first_key)) return;
  int64_t last = spec.last_key >= 0 ? spec.last_key : static_cast<int64_t>(argc) + spec.last_key;
  if (last >= static_cast<int64_t>(argc)) last = static_cast<int64_t>(argc) - 1;
  for (int64_t i = spec.first_key; i <= last; i += spec.key_step) out->push_back(static_cast<size_t>(i));
}

void RegisterAllCommands() {
  static bool done = false;
  if (done) return;
  done = true;
  CommandTable& t = CommandTable::Get();
  RegisterStringFamily(t);
  RegisterKeysFamily(t);
  RegisterServerFamily(t);
}

Db& CmdCtx::KeyDb(std::string_view key) { return server.ShardFor(key).db(); }
Db& CmdCtx::db_at(uint32_t shard_index) { return server.shard(shard_index).db(); }

void CmdCtx::WrongArity() { reply.Error("wrong number of arguments for '" + spec.name + "' command"); }

}  // namespace ember
