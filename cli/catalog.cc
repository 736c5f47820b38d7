#include "cli/catalog.h"

#include <algorithm>
#include <unordered_map>

#include "cli/args.h"

namespace ember::cli {

namespace {

// The value under `key` in a map, or in a RESP2 array of alternating keys and values.
const Reply* Field(const Reply& r, std::string_view key) {
  if (!r.IsAggregate()) return nullptr;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    if (r.elements[i].str == key) return &r.elements[i + 1];
  return nullptr;
}

std::string FieldText(const Reply& r, std::string_view key) {
  const Reply* f = Field(r, key);
  return f ? f->str : std::string();
}

bool HasFlag(const Reply& arg, std::string_view flag) {
  const Reply* flags = Field(arg, "flags");
  if (!flags) return false;
  return std::any_of(flags->elements.begin(), flags->elements.end(),
                     [&](const Reply& f) { return f.str == flag; });
}

std::string RenderArgument(const Reply& arg) {
  std::string type = FieldText(arg, "type");
  std::string text;
  if (type == "block" || type == "oneof") {
    const Reply* parts = Field(arg, "arguments");
    for (size_t i = 0; parts && i < parts->elements.size(); ++i) {
      if (i > 0) text += type == "block" ? " " : "|";
      text += RenderArgument(parts->elements[i]);
    }
  } else if (type != "pure-token") {
    text = FieldText(arg, "display_text");
    if (text.empty()) text = FieldText(arg, "name");
  }
  std::string token = FieldText(arg, "token");
  if (HasFlag(arg, "multiple")) {
    text = HasFlag(arg, "multiple_token") ? text + " [" + token + " " + text + " ...]"
                                           : text + " [" + text + " ...]";
  }
  if (!token.empty()) text = text.empty() ? token : token + " " + text;
  if (HasFlag(arg, "optional")) text = "[" + text + "]";
  return text;
}

const std::unordered_map<std::string_view, std::string_view>& BuiltinSynopses() {
  static const std::unordered_map<std::string_view, std::string_view> table = {
#include "cli/synopses.inc"
  };
  return table;
}

CommandInfo FromCommandEntry(const Reply& entry) {
  CommandInfo info;
  if (entry.elements.size() < 2) return info;
  std::string full = ToLower(entry.elements[0].str);
  size_t bar = full.find('|');
  info.name = bar == std::string::npos ? full : full.substr(bar + 1);
  info.arity = static_cast<int>(entry.elements[1].integer);
  if (entry.elements.size() > 9) {
    for (const Reply& sub : entry.elements[9].elements) info.subcommands.push_back(FromCommandEntry(sub));
    std::sort(info.subcommands.begin(), info.subcommands.end(),
              [](const CommandInfo& a, const CommandInfo& b) { return a.name < b.name; });
  }
  return info;
}

// Fills summaries and synopses from a COMMAND DOCS entry, or from the
// built-in table where the server gives no arguments.
void AddDocs(CommandInfo& info, const std::string& full_name, const Reply* doc) {
  if (doc) {
    info.summary = FieldText(*doc, "summary");
    info.since = FieldText(*doc, "since");
    info.group = FieldText(*doc, "group");
    if (const Reply* args = Field(*doc, "arguments")) info.synopsis = RenderSynopsis(*args);
  }
  if (info.synopsis.empty()) {
    auto it = BuiltinSynopses().find(full_name);
    if (it != BuiltinSynopses().end()) info.synopsis = it->second;
  }
  const Reply* subdocs = doc ? Field(*doc, "subcommands") : nullptr;
  for (CommandInfo& sub : info.subcommands) {
    std::string sub_full = full_name + "|" + sub.name;
    AddDocs(sub, sub_full, subdocs ? Field(*subdocs, sub_full) : nullptr);
  }
}

}  // namespace

const CommandInfo* CommandInfo::FindSubcommand(std::string_view word) const {
  for (const CommandInfo& sub : subcommands)
    if (EqualsIgnoreCase(sub.name, word)) return &sub;
  return nullptr;
}

std::string RenderSynopsis(const Reply& arguments) {
  std::string out;
  for (const Reply& arg : arguments.elements) {
    if (!out.empty()) out += ' ';
    out += RenderArgument(arg);
  }
  return out;
}

void CommandCatalog::Build(const Reply& command, const Reply& docs) {
  if (command.type != Reply::Type::kArray) return;
  std::vector<CommandInfo> commands;
  for (const Reply& entry : command.elements) {
    CommandInfo info = FromCommandEntry(entry);
    if (info.name.empty()) continue;
    AddDocs(info, info.name, Field(docs, info.name));
    commands.push_back(std::move(info));
  }
  std::sort(commands.begin(), commands.end(),
            [](const CommandInfo& a, const CommandInfo& b) { return a.name < b.name; });
  commands_ = std::move(commands);
}

void CommandCatalog::Load(Connection& conn) {
  Reply command = conn.Execute({"COMMAND"});
  Reply docs = conn.Execute({"COMMAND", "DOCS"});
  Build(command, docs);
}

const CommandInfo* CommandCatalog::Find(std::string_view name) const {
  std::string lower = ToLower(name);
  auto it = std::lower_bound(commands_.begin(), commands_.end(), lower,
                             [](const CommandInfo& c, const std::string& n) { return c.name < n; });
  return it != commands_.end() && it->name == lower ? &*it : nullptr;
}

}  // namespace ember::cli
