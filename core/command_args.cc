#include "command_args.h"

#include <cctype>
#include <charconv>
#include <unordered_map>

#include <spdlog/spdlog.h>

namespace ember {

namespace {

const CommandArgsEntry kEntries[] = {
#include "command_args.inc"
};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// A keyword: upper-case letters (with digits, '-' and '_').
bool IsToken(std::string_view w) {
  bool letter = false;
  for (char c : w) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
    letter |= std::isupper(static_cast<unsigned char>(c)) != 0;
  }
  return letter;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool Parse(std::vector<CommandArg>* out, std::string* error) {
    std::vector<std::vector<Item>> alts;
    if (!ParseAlternatives('\0', &alts)) return Fail(error);
    if (alts.size() != 1) {
      error_ = "'|' outside a group";
      return Fail(error);
    }
    out->clear();
    for (Item& item : alts[0]) out->push_back(std::move(item.arg));
    return true;
  }

 private:
  struct Item {
    CommandArg arg;
    bool bare_token = false;  // a keyword on its own, not yet merged
  };

  bool Fail(std::string* error) {
    *error = error_ + " at offset " + std::to_string(pos_);
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  std::string_view Word() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // Alternatives separated by '|' up to `closer` ('\0': the end).
  bool ParseAlternatives(char closer, std::vector<std::vector<Item>>* alts) {
    alts->emplace_back();
    while (true) {
      SkipSpace();
      if (pos_ == text_.size()) {
        if (closer == '\0') break;
        error_ = std::string("missing '") + closer + "'";
        return false;
      }
      char c = text_[pos_];
      if (c == closer) {
        ++pos_;
        break;
      }
      if (c == '|') {
        ++pos_;
        alts->emplace_back();
        continue;
      }
      Item item;
      if (!ParseItem(&item)) return false;
      alts->back().push_back(std::move(item));
    }
    for (const auto& alt : *alts)
      if (alt.empty()) {
        error_ = "an empty group or alternative";
        return false;
      }
    return true;
  }

  bool ParseItem(Item* item) {
    char c = text_[pos_];
    bool from_word = false;
    if (c == '[' || c == '(') {
      ++pos_;
      std::vector<std::vector<Item>> alts;
      if (!ParseAlternatives(c == '[' ? ']' : ')', &alts)) return false;
      item->arg = Fold(std::move(alts));
      item->arg.optional |= c == '[';
    } else {
      std::string_view w = Word();
      if (w.empty()) {
        error_ = std::string("unexpected '") + c + "'";
        return false;
      }
      from_word = true;
      if (IsToken(w)) {
        item->arg.type = CommandArg::Type::kPureToken;
        item->arg.token = std::string(w);
        item->arg.name = Lower(w);
        item->bare_token = true;
      } else {
        item->arg.name = std::string(w);
      }
    }
    // Suffixes, in any order: ":type" or ":name", "..." or "...+", and
    // "@version".
    while (pos_ < text_.size() && (text_[pos_] == ':' || text_[pos_] == '.' || text_[pos_] == '@')) {
      if (text_[pos_] == '@') {
        size_t start = ++pos_;
        while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.'))
          ++pos_;
        if (pos_ == start) {
          error_ = "'@' without a version";
          return false;
        }
        item->arg.since = std::string(text_.substr(start, pos_ - start));
      } else if (text_[pos_] == ':') {
        ++pos_;
        std::string_view w = Word();
        if (w.empty()) {
          error_ = "':' without a name";
          return false;
        }
        if (from_word && !item->bare_token) {
          if (!SetType(w, &item->arg)) return false;
        } else {
          item->arg.name = std::string(w);
        }
      } else {
        if (text_.substr(pos_, 3) != "...") {
          error_ = "'.' that is not '...'";
          return false;
        }
        pos_ += 3;
        item->arg.multiple = true;
        if (pos_ < text_.size() && text_[pos_] == '+') {
          ++pos_;
          item->arg.multiple_token = true;
        }
      }
    }
    if (item->arg.optional || item->arg.multiple) item->bare_token = false;
    return true;
  }

  // "key", "integer", ..., and "key=N" for a key spec other than the next.
  bool SetType(std::string_view w, CommandArg* arg) {
    using T = CommandArg::Type;
    static const std::pair<std::string_view, T> kTypes[] = {
        {"string", T::kString},   {"integer", T::kInteger}, {"double", T::kDouble},
        {"key", T::kKey},         {"pattern", T::kPattern}, {"unix-time", T::kUnixTime}};
    bool known = false;
    for (const auto& [name, type] : kTypes)
      if (w == name) {
        arg->type = type;
        known = true;
      }
    if (!known) {
      error_ = "unknown type '" + std::string(w) + "'";
      return false;
    }
    if (arg->type == T::kKey) arg->key_spec_index = next_key_spec_++;
    if (pos_ < text_.size() && text_[pos_] == '=') {
      ++pos_;
      std::string_view n = Word();
      int index = -1;
      auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), index);
      if (ec != std::errc() || end != n.data() + n.size() || index < 0) {
        error_ = "a bad key spec index";
        return false;
      }
      arg->key_spec_index = index;
      if (arg->type == T::kKey) next_key_spec_ = index + 1;
    }
    return true;
  }

  // A group: one alternative is a sequence, several a oneof.
  static CommandArg Fold(std::vector<std::vector<Item>> alts) {
    if (alts.size() == 1) return FoldSequence(std::move(alts[0]));
    CommandArg oneof;
    oneof.type = CommandArg::Type::kOneOf;
    for (auto& alt : alts) oneof.args.push_back(FoldSequence(std::move(alt)));
    oneof.name = oneof.args[0].name;
    return oneof;
  }

  // "EX seconds" is one argument with a token, "LIMIT offset count" a
  // block with a token, "a b" a block.
  static CommandArg FoldSequence(std::vector<Item> items) {
    if (items.size() == 1) return std::move(items[0].arg);
    if (items[0].bare_token && items.size() == 2 && !items[1].bare_token &&
        items[1].arg.type != CommandArg::Type::kPureToken && items[1].arg.type != CommandArg::Type::kOneOf &&
        items[1].arg.type != CommandArg::Type::kBlock && items[1].arg.token.empty()) {
      CommandArg arg = std::move(items[1].arg);
      arg.token = std::move(items[0].arg.token);
      return arg;
    }
    CommandArg block;
    block.type = CommandArg::Type::kBlock;
    size_t first = 0;
    if (items[0].bare_token) {
      block.token = std::move(items[0].arg.token);
      block.name = std::move(items[0].arg.name);
      first = 1;
    }
    for (size_t i = first; i < items.size(); ++i) block.args.push_back(std::move(items[i].arg));
    if (block.name.empty()) block.name = block.args[0].name;
    return block;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int next_key_spec_ = 0;
  std::string error_;
};

}  // namespace

std::string_view CommandArgTypeName(CommandArg::Type type) {
  switch (type) {
    case CommandArg::Type::kString: return "string";
    case CommandArg::Type::kInteger: return "integer";
    case CommandArg::Type::kDouble: return "double";
    case CommandArg::Type::kKey: return "key";
    case CommandArg::Type::kPattern: return "pattern";
    case CommandArg::Type::kUnixTime: return "unix-time";
    case CommandArg::Type::kPureToken: return "pure-token";
    case CommandArg::Type::kOneOf: return "oneof";
    case CommandArg::Type::kBlock: return "block";
  }
  return "string";
}

bool ParseCommandArgs(std::string_view syntax, std::vector<CommandArg>* out, std::string* error) {
  return Parser(syntax).Parse(out, error);
}

const std::vector<CommandArg>* FindCommandArgs(std::string_view name) {
  static const std::unordered_map<std::string, std::vector<CommandArg>> trees = [] {
    std::unordered_map<std::string, std::vector<CommandArg>> map;
    for (const CommandArgsEntry& e : kEntries) {
      std::vector<CommandArg> args;
      std::string error;
      if (ParseCommandArgs(e.syntax, &args, &error))
        map[std::string(e.name)] = std::move(args);
      else
        spdlog::error("command_args.inc: '{}': {}", e.name, error);
    }
    return map;
  }();
  auto it = trees.find(std::string(name));
  return it == trees.end() ? nullptr : &it->second;
}

std::vector<CommandArgsEntry> AllCommandArgsEntries() { return {std::begin(kEntries), std::end(kEntries)}; }

}  // namespace ember
