// ACL users: who a client is, what it may run, which keys and channels it
// may touch. The rules are Redis's (ACL SETUSER's modifiers); the command
// categories come from the command table.
//
// Users change only while the changing thread holds every shard (ACL
// SETUSER/DELUSER/LOAD, CONFIG SET requirepass), so the shard threads read
// them without locks. Each client caches whether its user may do anything
// (Conn::acl_unrestricted): that one flag is all the dispatcher reads for
// the default user.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class Conn;
class Server;
struct CommandSpec;

struct AclUser {
  struct KeyPattern {
    std::string pattern;
    bool read, write;
  };
  std::string name;
  bool enabled = false;
  bool nopass = false;
  // "sanitize-payload", "skip-sanitize-payload" or "": accepted and shown
  // as Redis does; ember checks every RESTORE payload anyway.
  std::string payload_flag;
  std::vector<std::string> passwords;  // SHA-256, hex
  bool all_commands = false;           // +@all: commands added later too
  std::vector<uint64_t> allowed;       // a bit per command id
  std::vector<std::string> command_rules;
  bool all_keys = false;
  std::vector<KeyPattern> keys;
  bool all_channels = false;
  std::vector<std::string> channels;

  bool Unrestricted() const { return all_commands && all_keys && all_channels; }
  bool Allows(uint32_t command_id) const {
    return all_commands || (command_id / 64 < allowed.size() && (allowed[command_id / 64] >> (command_id % 64)) & 1);
  }
  bool CheckPassword(std::string_view password) const;
  // Applies one ACL SETUSER modifier; returns "" or Redis's reason.
  std::string Apply(std::string_view rule);
  // ACL LIST's line: "user default on nopass sanitize-payload ~* &* +@all".
  std::string Describe() const;
  std::string KeysText() const;
  std::string ChannelsText() const;
  std::string CommandsText() const;

 private:
  void SetCommand(const CommandSpec& spec, bool allow);
};

struct AclLogEntry {
  uint64_t count;
  std::string reason, context, object, username, client_info;
  int64_t created_ms, updated_ms;
};

// ACL's verdict on one command line for a client that is not unrestricted.
struct AclDenial {
  std::string error;   // the reply, with its code
  std::string reason;  // ACL LOG's: "command", "key", "channel"
  std::string object;
};

class Acl {
 public:
  Acl();

  std::shared_ptr<AclUser> Find(std::string_view name) const;
  const std::map<std::string, std::shared_ptr<AclUser>, std::less<>>& users() const { return users_; }
  std::shared_ptr<AclUser> default_user() const { return Find("default"); }
  // Applies the rules to the named user, creating it if new: all or
  // nothing. Returns "" or the error reply text.
  std::string SetUser(std::string_view name, std::span<const std::string_view> rules);
  bool DeleteUser(std::string_view name);
  // requirepass: the default user's one password, or nopass when empty.
  void SetRequirePass(const std::string& password);
  // The user named, if that password opens it; nullptr otherwise.
  std::shared_ptr<AclUser> Authenticate(std::string_view user, std::string_view password) const;
  // Whether a new client starts authenticated (as the default user), read
  // by the acceptor for protected mode too.
  bool default_nopass() const { return default_nopass_.load(std::memory_order_relaxed); }

  // Checks a command line against the client's user; nullopt-like: an
  // empty error means allowed.
  AclDenial Check(const AclUser& user, const CommandSpec& spec, std::span<const std::string_view> argv) const;

  // aclfile: "user <name> <rules...>" lines. Load replaces every user, or
  // none when a line is bad (returns the error).
  std::string LoadFile(const std::string& path);
  std::string SaveFile(const std::string& path) const;

  // ACL LOG.
  void Log(std::string reason, std::string context, std::string object, std::string username,
           std::string client_info, size_t max_len);
  std::vector<AclLogEntry> LogEntries(size_t count) const;
  void ResetLog();

  // Re-derives every client's user pointer and unrestricted flag after a
  // change; clients whose user is gone are closed. Caller holds every shard.
  void RefreshClients(Server& server);

 private:
  void UpdateDefaultFlag();

  std::map<std::string, std::shared_ptr<AclUser>, std::less<>> users_;
  std::atomic<bool> default_nopass_{true};
  mutable std::mutex log_mu_;
  std::deque<AclLogEntry> log_;  // newest first
};

struct CmdCtx;
// AUTH and HELLO AUTH: makes the client `user` if the password opens it;
// otherwise replies -WRONGPASS (and logs it) and returns false.
bool AuthenticateClient(CmdCtx& ctx, std::string_view user, std::string_view password);

// The command line as SLOWLOG and MONITOR may show it: secrets (ACL
// SETUSER's arguments, HELLO AUTH's, CONFIG SET requirepass's) replaced by
// "(redacted)", as Redis does. Returns false, leaving out alone, when
// there is nothing to hide.
bool RedactSecrets(const CommandSpec& spec, std::span<const std::string_view> argv,
                   std::vector<std::string_view>* out);

// A command's categories as bits (one per AclCategoryNames() entry):
// Redis 7.0's for a built-in command Redis has (acl_categories.inc); else
// those its flags and group imply, plus a module's own among them.
uint32_t AclCategoryBits(const CommandSpec& spec);
// The categories of a command ("@read", "@string", ...) in Redis's order
// (spec.acl_categories), then a module's own beyond Redis's: COMMAND INFO
// and ACL share them.
std::vector<std::string> AclCategories(const CommandSpec& spec);
// Whether spec is in the category (a name without '@', any case).
bool HasAclCategory(const CommandSpec& spec, std::string_view category);
// Every category ACL CAT lists, in Redis's order.
const std::vector<std::string>& AclCategoryNames();

}  // namespace ember
