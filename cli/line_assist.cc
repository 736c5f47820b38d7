#include "cli/line_assist.h"

#include <algorithm>
#include <cctype>

#include "cli/args.h"

namespace ember::cli {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// The top-level words of a synopsis: "key [NX|XX] [EX seconds]" is three.
std::vector<std::string> SynopsisTokens(std::string_view synopsis) {
  std::vector<std::string> tokens;
  std::string current;
  int depth = 0;
  for (char c : synopsis) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ' ' && depth == 0) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string SubcommandList(const CommandInfo& cmd) {
  std::string out;
  for (const CommandInfo& sub : cmd.subcommands) {
    if (!out.empty()) out += '|';
    out += ToUpper(sub.name);
  }
  return out;
}

}  // namespace

bool IsKnownCommand(const CommandCatalog& catalog, std::string_view word) {
  if (catalog.Find(word)) return true;
  return std::any_of(kBuiltins.begin(), kBuiltins.end(), [&](std::string_view b) { return EqualsIgnoreCase(b, word); });
}

Completion Complete(const CommandCatalog& catalog, std::string_view line) {
  Completion result;
  size_t start = line.size();
  while (start > 0 && !IsBlank(line[start - 1])) --start;
  result.word_start = start;
  std::string_view typed = line.substr(start);
  auto before = SplitArgs(line.substr(0, start));
  if (!before || before->size() > 1) return result;

  std::vector<std::string> words;
  if (before->empty() || EqualsIgnoreCase((*before)[0], "help")) {
    for (const CommandInfo& c : catalog.commands()) words.push_back(c.name);
    if (before->empty())
      for (std::string_view b : kBuiltins) words.emplace_back(b);
  } else if (const CommandInfo* cmd = catalog.Find((*before)[0])) {
    for (const CommandInfo& sub : cmd->subcommands) words.push_back(sub.name);
  }
  bool upper = typed.empty() || std::isupper(static_cast<unsigned char>(typed[0]));
  for (const std::string& w : words)
    if (StartsWithIgnoreCase(w, typed)) result.candidates.push_back(upper ? ToUpper(w) : w);
  std::sort(result.candidates.begin(), result.candidates.end());
  result.candidates.erase(std::unique(result.candidates.begin(), result.candidates.end()), result.candidates.end());
  return result;
}

std::string Hint(const CommandCatalog& catalog, std::string_view line) {
  auto words = SplitArgs(line);
  if (!words || words->empty()) return "";
  bool after_space = IsBlank(line.back());
  const std::string& name = (*words)[0];
  if (EqualsIgnoreCase(name, "help")) {
    if (words->size() == 1) return after_space ? "command|@group" : " command|@group";
    return "";
  }
  const CommandInfo* cmd = catalog.Find(name);
  if (!cmd) return "";
  size_t used = 1;
  std::string synopsis = cmd->synopsis;
  if (!cmd->subcommands.empty()) {
    if (words->size() == 1) return (after_space ? "" : " ") + SubcommandList(*cmd);
    const CommandInfo* sub = cmd->FindSubcommand((*words)[1]);
    if (!sub) return "";
    synopsis = sub->synopsis;
    used = 2;
  }
  if (words->size() == used && !after_space) return synopsis.empty() ? "" : " " + synopsis;
  // An argument being typed: the hint would not line up with it.
  if (!after_space) return "";
  std::vector<std::string> tokens = SynopsisTokens(synopsis);
  size_t typed = words->size() - used, skip = 0;
  while (skip < tokens.size() && typed > 0 && tokens[skip][0] != '[') {
    ++skip;
    --typed;
  }
  std::string out;
  for (size_t i = skip; i < tokens.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += tokens[i];
  }
  return out;
}

}  // namespace ember::cli
