#include "acl.h"

#include <fstream>
#include <sstream>

#include "command.h"
#include "conn.h"
#include "server.h"
#include "sha256.h"
#include "shard.h"
#include "util.h"

namespace ember {

namespace {

constexpr const char* kErrUnknownRule = "Unknown command or category name in ACL";
constexpr const char* kErrRuleSyntax = "Syntax error";

// Every command and subcommand spec, each once.
template <typename Fn>
void ForEachSpec(Fn fn) {
  for (const CommandSpec* spec : CommandTable::Get().All()) {
    fn(*spec);
    for (const CommandSpec& sub : spec->subcommands) fn(sub);
  }
}

// Redis 7.0's categories of each of its commands and subcommands, by name.
struct RedisCommandCategories {
  const char* name;
  const char* categories;  // space-separated, without '@'
};
constexpr RedisCommandCategories kRedisCategories[] = {
#include "acl_categories.inc"
};

// The bit of a category name (without '@', lower case), or 0 for one Redis
// does not have.
uint32_t CategoryBit(std::string_view name) {
  const std::vector<std::string>& names = AclCategoryNames();
  for (size_t i = 0; i < names.size(); ++i)
    if (EqualsIgnoreCase(names[i], name)) return uint32_t{1} << i;
  return 0;
}

bool KnownCategory(std::string_view name) {
  for (const std::string& c : AclCategoryNames())
    if (EqualsIgnoreCase(c, name)) return true;
  return false;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

const std::vector<std::string>& AclCategoryNames() {
  static const std::vector<std::string> names = {
      "keyspace", "read",   "write",  "set",        "sortedset",   "list",     "hash",
      "string",   "bitmap", "hyperloglog", "geo",   "stream",      "pubsub",   "admin",
      "fast",     "slow",   "blocking", "dangerous", "connection", "transaction", "scripting"};
  return names;
}

uint32_t AclCategoryBits(const CommandSpec& spec) {
  uint32_t bits = 0;
  if (!spec.module) {
    // Start-up only: a scan of a few hundred rows per command is nothing.
    for (const RedisCommandCategories& row : kRedisCategories) {
      if (spec.name != row.name) continue;
      for (std::string_view rest = row.categories; !rest.empty();) {
        size_t end = std::min(rest.find(' '), rest.size());
        bits |= CategoryBit(rest.substr(0, end));
        rest.remove_prefix(std::min(end + 1, rest.size()));
      }
      return bits;
    }
  }
  auto add = [&bits](std::string_view name) { bits |= CategoryBit(name); };
  if (spec.flags & kCmdWrite) add("write");
  if (spec.flags & kCmdReadOnly) add("read");
  if (spec.flags & kCmdAdmin) {
    add("admin");
    add("dangerous");
  }
  if (spec.group == "generic") add("keyspace");
  if (spec.group == "string" || spec.group == "hash" || spec.group == "list" || spec.group == "set")
    add(spec.group);
  if (spec.group == "sorted-set") add("sortedset");
  if (spec.group == "connection") add("connection");
  if (spec.group == "pubsub" || (spec.flags & kCmdPubSub)) add("pubsub");
  if (spec.group == "transactions") add("transaction");
  if (spec.flags & kCmdBlocking) add("blocking");
  add(spec.flags & kCmdFast ? "fast" : "slow");
  for (const std::string& c : spec.acl_extra) add(std::string_view(c).substr(c.starts_with('@')));
  return bits;
}

std::vector<std::string> AclCategories(const CommandSpec& spec) {
  std::vector<std::string> cats;
  const std::vector<std::string>& names = AclCategoryNames();
  for (size_t i = 0; i < names.size(); ++i)
    if (spec.acl_categories & (uint32_t{1} << i)) cats.push_back("@" + names[i]);
  for (const std::string& c : spec.acl_extra)
    if (!CategoryBit(std::string_view(c).substr(c.starts_with('@')))) cats.push_back(c);
  return cats;
}

bool HasAclCategory(const CommandSpec& spec, std::string_view category) {
  uint32_t bit = CategoryBit(category);
  return bit && (spec.acl_categories & bit);
}

bool AclUser::CheckPassword(std::string_view password) const {
  if (nopass) return true;
  std::string hash = Sha256Hex(password);
  bool match = false;
  // Every stored hash is compared, so the time says nothing about which.
  for (const std::string& p : passwords) match |= ConstantTimeEquals(p, hash);
  return match;
}

void AclUser::SetCommand(const CommandSpec& spec, bool allow) {
  size_t need = CommandTable::Get().id_count() / 64 + 1;
  if (allowed.size() < need) allowed.resize(need, 0);
  uint64_t bit = uint64_t{1} << (spec.id % 64);
  if (allow)
    allowed[spec.id / 64] |= bit;
  else
    allowed[spec.id / 64] &= ~bit;
}

std::string AclUser::Apply(std::string_view rule) {
  std::string lower = ToLower(rule);
  if (lower == "on") {
    enabled = true;
  } else if (lower == "off") {
    enabled = false;
  } else if (lower == "nopass") {
    nopass = true;
    passwords.clear();
  } else if (lower == "sanitize-payload" || lower == "skip-sanitize-payload") {
    payload_flag = lower;
  } else if (lower == "resetpass") {
    nopass = false;
    passwords.clear();
  } else if (lower == "allkeys" || rule == "~*") {
    all_keys = true;
    keys.clear();
  } else if (lower == "resetkeys") {
    all_keys = false;
    keys.clear();
  } else if (lower == "allchannels" || rule == "&*") {
    all_channels = true;
    channels.clear();
  } else if (lower == "resetchannels") {
    all_channels = false;
    channels.clear();
  } else if (lower == "allcommands" || lower == "+@all") {
    all_commands = true;
    allowed.assign(CommandTable::Get().id_count() / 64 + 1, ~uint64_t{0});
    command_rules.assign({"+@all"});
  } else if (lower == "nocommands" || lower == "-@all") {
    all_commands = false;
    allowed.clear();
    command_rules.assign({"-@all"});
  } else if (lower == "reset") {
    std::string keep = std::move(name);
    *this = AclUser();
    name = std::move(keep);
    payload_flag = "sanitize-payload";
    command_rules.assign({"-@all"});
  } else if (rule[0] == '>' || rule[0] == '#') {
    std::string hash = rule[0] == '>' ? Sha256Hex(rule.substr(1)) : std::string(rule.substr(1));
    if (rule[0] == '#' && (hash.size() != 64 || !IsLowerHex(hash)))
      return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    if (std::find(passwords.begin(), passwords.end(), hash) == passwords.end()) passwords.push_back(hash);
    nopass = false;
  } else if (rule[0] == '<' || rule[0] == '!') {
    std::string hash = rule[0] == '<' ? Sha256Hex(rule.substr(1)) : std::string(rule.substr(1));
    if (rule[0] == '!' && (hash.size() != 64 || !IsLowerHex(hash)))
      return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    auto it = std::find(passwords.begin(), passwords.end(), hash);
    if (it == passwords.end()) return "The password you are trying to remove from the user does not exist";
    passwords.erase(it);
  } else if (rule[0] == '~' || rule[0] == '%') {
    bool read = true, write = true;
    std::string_view pattern = rule.substr(1);
    if (rule[0] == '%') {
      size_t tilde = rule.find('~');
      if (tilde == std::string_view::npos || tilde == 1) return kErrRuleSyntax;
      read = write = false;
      for (char c : rule.substr(1, tilde - 1)) {
        if (c == 'R' || c == 'r')
          read = true;
        else if (c == 'W' || c == 'w')
          write = true;
        else
          return kErrRuleSyntax;
      }
      pattern = rule.substr(tilde + 1);
    }
    if (all_keys)
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
             "effect. Try 'resetkeys' to start with an empty list of patterns";
    if (pattern == "*" && read && write) {
      all_keys = true;
      keys.clear();
    } else {
      keys.push_back({std::string(pattern), read, write});
    }
  } else if (rule[0] == '&') {
    if (all_channels)
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any "
             "effect. Try 'resetchannels' to start with an empty list of channels";
    channels.emplace_back(rule.substr(1));
  } else if (rule[0] == '+' || rule[0] == '-') {
    bool allow = rule[0] == '+';
    std::string_view name = std::string_view(lower).substr(1);
    if (name.empty()) return kErrRuleSyntax;
    if (name[0] == '@') {
      std::string_view category = name.substr(1);
      if (!KnownCategory(category)) return kErrUnknownRule;
      ForEachSpec([&](const CommandSpec& spec) {
        if (HasAclCategory(spec, category)) SetCommand(spec, allow);
      });
    } else {
      size_t bar = name.find('|');
      const CommandSpec* spec = CommandTable::Get().Find(name.substr(0, bar));
      if (!spec) return kErrUnknownRule;
      if (bar != std::string_view::npos) {
        const CommandSpec* sub = nullptr;
        for (const CommandSpec& s : spec->subcommands)
          if (s.name == name) sub = &s;
        if (!sub) return kErrUnknownRule;
        SetCommand(*sub, allow);
      } else {
        SetCommand(*spec, allow);
        for (const CommandSpec& s : spec->subcommands) SetCommand(s, allow);
      }
    }
    if (!allow) all_commands = false;
    command_rules.push_back(lower);
  } else {
    return kErrRuleSyntax;
  }
  return "";
}

std::string AclUser::KeysText() const {
  if (all_keys) return "~*";
  std::string out;
  for (const KeyPattern& k : keys) {
    if (!out.empty()) out += ' ';
    out += k.read && k.write ? "~" : k.read ? "%R~" : "%W~";
    out += k.pattern;
  }
  return out;
}

std::string AclUser::ChannelsText() const {
  if (all_channels) return "&*";
  std::string out;
  for (const std::string& c : channels) out += (out.empty() ? "&" : " &") + c;
  return out;
}

std::string AclUser::CommandsText() const {
  std::string out;
  for (const std::string& r : command_rules) out += (out.empty() ? "" : " ") + r;
  return out.empty() ? "-@all" : out;
}

std::string AclUser::Describe() const {
  std::string out = "user " + name + (enabled ? " on" : " off");
  if (nopass) out += " nopass";
  if (!payload_flag.empty()) out += " " + payload_flag;
  for (const std::string& p : passwords) out += " #" + p;
  std::string k = KeysText();
  if (!k.empty()) out += " " + k;
  out += all_channels ? " &*" : " resetchannels";
  if (!all_channels && !channels.empty()) out += " " + ChannelsText();
  return out + " " + CommandsText();
}

bool RedactSecrets(const CommandSpec& spec, std::span<const std::string_view> argv,
                   std::vector<std::string_view>* out) {
  static constexpr std::string_view kRedacted = "(redacted)";
  std::string_view name = spec.name;
  bool setuser = name == "acl|setuser", hello = name == "hello", config = name == "config|set";
  if (!setuser && !hello && !config) return false;
  out->assign(argv.begin(), argv.end());
  bool any = false;
  for (size_t i = 2; i < out->size(); ++i) {
    std::string_view a = (*out)[i];
    if (setuser) {
      (*out)[i] = kRedacted;
      any = true;
    } else if (hello && EqualsIgnoreCase(a, "auth") && i + 2 < out->size()) {
      (*out)[i + 1] = (*out)[i + 2] = kRedacted;
      any = true;
    } else if (config && EqualsIgnoreCase(a, "requirepass") && i + 1 < out->size()) {
      (*out)[i + 1] = kRedacted;
      any = true;
    }
  }
  return any;
}

Acl::Acl() {
  auto user = std::make_shared<AclUser>();
  user->name = "default";
  for (const char* rule : {"on", "nopass", "~*", "&*", "+@all"}) user->Apply(rule);
  users_["default"] = user;
}

std::shared_ptr<AclUser> Acl::Find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::string Acl::SetUser(std::string_view name, std::span<const std::string_view> rules) {
  for (char c : name)
    if (c == ' ') return "Usernames can't contain spaces or null characters";
  std::shared_ptr<AclUser> existing = Find(name);
  AclUser next;
  if (existing) {
    next = *existing;
  } else {
    next.name = std::string(name);
    next.command_rules.assign({"-@all"});
  }
  for (std::string_view rule : rules) {
    if (rule.empty()) return "Error in ACL SETUSER modifier '': Syntax error";
    std::string err = next.Apply(rule);
    if (!err.empty()) return "Error in ACL SETUSER modifier '" + std::string(rule) + "': " + err;
  }
  // Clients hold the user by pointer: change it in place.
  if (existing)
    *existing = std::move(next);
  else
    users_[std::string(name)] = std::make_shared<AclUser>(std::move(next));
  UpdateDefaultFlag();
  return "";
}

bool Acl::DeleteUser(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end()) return false;
  users_.erase(it);
  return true;
}

void Acl::SetRequirePass(const std::string& password) {
  AclUser& user = *users_["default"];
  user.Apply("resetpass");
  user.Apply(password.empty() ? "nopass" : ">" + password);
  UpdateDefaultFlag();
}

void Acl::UpdateDefaultFlag() {
  std::shared_ptr<AclUser> d = Find("default");
  default_nopass_.store(d && d->enabled && d->nopass, std::memory_order_relaxed);
}

std::shared_ptr<AclUser> Acl::Authenticate(std::string_view user, std::string_view password) const {
  std::shared_ptr<AclUser> u = Find(user);
  if (!u || !u->enabled || !u->CheckPassword(password)) return nullptr;
  return u;
}

AclDenial Acl::Check(const AclUser& user, const CommandSpec& spec, std::span<const std::string_view> argv) const {
  const CommandSpec& resolved = CommandTable::Resolve(spec, argv);
  if (!(resolved.flags & kCmdNoAuth) && !user.Allows(resolved.id))
    return {"-NOPERM this user has no permissions to run the '" + resolved.name + "' command", "command",
            resolved.name};
  if (!user.all_keys) {
    std::vector<size_t> keys;
    CommandTable::KeyIndexes(spec, argv, &keys);
    bool write = spec.flags & kCmdWrite;
    for (size_t i : keys) {
      bool ok = false;
      for (const AclUser::KeyPattern& p : user.keys)
        if ((write ? p.write : p.read) && GlobMatch(p.pattern, argv[i])) {
          ok = true;
          break;
        }
      if (!ok)
        return {"-NOPERM this user has no permissions to access one of the keys used as arguments", "key",
                std::string(argv[i])};
    }
  }
  if (!user.all_channels && (spec.flags & kCmdPubSub)) {
    std::string_view n = spec.name;
    bool literal = n == "psubscribe";
    size_t first = 1, last = 0;
    if (n == "publish" || n == "spublish")
      last = 1;
    else if (n == "subscribe" || n == "ssubscribe" || literal)
      last = argv.size() - 1;
    for (size_t i = first; i <= last && i < argv.size(); ++i) {
      bool ok = false;
      for (const std::string& p : user.channels)
        if (literal ? p == argv[i] : GlobMatch(p, argv[i])) {
          ok = true;
          break;
        }
      if (!ok)
        return {"-NOPERM this user has no permissions to access one of the channels used as arguments", "channel",
                std::string(argv[i])};
    }
  }
  return {};
}

std::string Acl::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "Error loading ACLs, opening file '" + path + "': " + strerror(errno);
  Acl fresh;
  fresh.users_.clear();
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> words = SplitArgs(line);
    if (words.empty() || words[0][0] == '#') continue;
    std::string where = path + ":" + std::to_string(lineno) + ": ";
    if (words[0] != "user" || words.size() < 2) return where + "should start with user keyword";
    if (fresh.Find(words[1])) return where + "Duplicate user '" + words[1] + "' found";
    std::vector<std::string_view> rules(words.begin() + 2, words.end());
    std::string err = fresh.SetUser(words[1], rules);
    if (!err.empty()) return where + err;
  }
  // A file without the default user keeps it as it starts.
  if (!fresh.Find("default")) fresh.users_["default"] = Acl().users_["default"];
  users_ = std::move(fresh.users_);
  UpdateDefaultFlag();
  return "";
}

std::string Acl::SaveFile(const std::string& path) const {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return "There was an error trying to save the ACLs. Please check the server logs for more information";
    for (const auto& [name, user] : users_) out << user->Describe() << "\n";
    if (!out.flush()) return "There was an error trying to save the ACLs. Please check the server logs for more information";
  }
  if (rename(tmp.c_str(), path.c_str()) != 0)
    return "There was an error trying to save the ACLs. Please check the server logs for more information";
  return "";
}

void Acl::Log(std::string reason, std::string context, std::string object, std::string username,
              std::string client_info, size_t max_len) {
  int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(log_mu_);
  // The same denial within a minute counts up its entry, as Redis does.
  for (auto it = log_.begin(); it != log_.end(); ++it)
    if (it->reason == reason && it->context == context && it->object == object && it->username == username &&
        now - it->updated_ms < 60000) {
      AclLogEntry e = std::move(*it);
      log_.erase(it);
      ++e.count;
      e.updated_ms = now;
      e.client_info = std::move(client_info);
      log_.push_front(std::move(e));
      return;
    }
  log_.push_front({1, std::move(reason), std::move(context), std::move(object), std::move(username),
                   std::move(client_info), now, now});
  while (log_.size() > max_len) log_.pop_back();
}

std::vector<AclLogEntry> Acl::LogEntries(size_t count) const {
  std::lock_guard<std::mutex> lock(log_mu_);
  size_t n = std::min(count, log_.size());
  return std::vector<AclLogEntry>(log_.begin(), log_.begin() + static_cast<ptrdiff_t>(n));
}

void Acl::ResetLog() {
  std::lock_guard<std::mutex> lock(log_mu_);
  log_.clear();
}

void Acl::RefreshClients(Server& server) {
  for (uint32_t s = 0; s < server.shard_count(); ++s) {
    Shard& shard = server.shard(s);
    for (Conn* c : shard.conns()) {
      std::shared_ptr<AclUser> now = c->user ? Find(c->user->name) : nullptr;
      if (c->user && !now) {
        shard.Kill(c);
        continue;
      }
      c->user = now;
      c->acl_unrestricted = c->authenticated && now && now->Unrestricted();
    }
  }
}

}  // namespace ember
