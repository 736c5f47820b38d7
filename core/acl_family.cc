// AUTH and ACL: who a client is and what users may do (acl.h). Changes to
// users run while holding every shard, so no shard reads a user mid-change.
#include <random>

#include "acl.h"
#include "command.h"
#include "conn.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {

bool AuthenticateClient(CmdCtx& ctx, std::string_view user, std::string_view password) {
  Acl& acl = ctx.server.acl();
  std::shared_ptr<AclUser> u = acl.Authenticate(user, password);
  Conn& conn = *ctx.conn;
  if (!u) {
    acl.Log("auth", "toplevel", "AUTH", std::string(user), ClientLine(conn, NowMs()),
            static_cast<size_t>(ctx.server.config().live.acllog_max_len.load(std::memory_order_relaxed)));
    ctx.reply.Error("-WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  conn.user = std::move(u);
  conn.authenticated = true;
  conn.acl_unrestricted = conn.user->Unrestricted();
  return true;
}

namespace {

void Auth(CmdCtx& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(kErrSyntax);
  if (ctx.argc() == 2 && ctx.server.acl().default_nopass())
    return ctx.reply.Error(
        "AUTH <password> called without any password configured for the default user. Are you sure your "
        "configuration is correct?");
  std::string_view user = ctx.argc() == 2 ? std::string_view("default") : ctx.arg(1);
  if (AuthenticateClient(ctx, user, ctx.arg(ctx.argc() - 1))) ctx.reply.Ok();
}

void SubcommandArity(CmdCtx& ctx) {
  ctx.reply.Error("wrong number of arguments for 'acl|" + ToLower(ctx.arg(1)) + "' command");
}

void ReplyUser(CmdCtx& ctx, const AclUser& u) {
  ctx.reply.Map(6);
  ctx.reply.Bulk("flags");
  ctx.reply.Array(1 + u.nopass + !u.payload_flag.empty());
  ctx.reply.Bulk(u.enabled ? "on" : "off");
  if (u.nopass) ctx.reply.Bulk("nopass");
  if (!u.payload_flag.empty()) ctx.reply.Bulk(u.payload_flag);
  ctx.reply.Bulk("passwords");
  ctx.reply.Array(u.passwords.size());
  for (const std::string& p : u.passwords) ctx.reply.Bulk(p);
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(u.CommandsText());
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(u.KeysText());
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(u.ChannelsText());
  ctx.reply.Bulk("selectors");
  ctx.reply.Array(0);
}

void AclLog(CmdCtx& ctx) {
  Acl& acl = ctx.server.acl();
  int64_t count = 10;
  if (ctx.argc() > 3) return SubcommandArity(ctx);
  if (ctx.argc() == 3) {
    if (EqualsIgnoreCase(ctx.arg(2), "reset")) {
      acl.ResetLog();
      return ctx.reply.Ok();
    }
    if (!ParseInt64(ctx.arg(2), &count) || count < 0)
      return ctx.reply.Error("value is out of range, must be positive");
  }
  int64_t now = NowMs();
  std::vector<AclLogEntry> entries = acl.LogEntries(static_cast<size_t>(count));
  ctx.reply.Array(entries.size());
  for (const AclLogEntry& e : entries) {
    ctx.reply.Map(7);
    ctx.reply.Bulk("count");
    ctx.reply.Int(static_cast<int64_t>(e.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(e.reason);
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(e.context);
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(e.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(e.username);
    ctx.reply.Bulk("age-seconds");
    ctx.reply.Double(static_cast<double>(now - e.created_ms) / 1000.0);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(e.client_info);
  }
}

std::string AclFile(CmdCtx& ctx) {
  std::string path;
  ctx.server.config().Get("aclfile", &path);
  return path;
}

constexpr const char* kNoAclFile =
    "This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER "
    "command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store "
    "users in the Redis configuration.";

void AclDryRun(CmdCtx& ctx) {
  std::shared_ptr<AclUser> user = ctx.server.acl().Find(ctx.arg(2));
  if (!user) return ctx.reply.Error("User '" + std::string(ctx.arg(2)) + "' not found");
  const CommandSpec* spec = CommandTable::Get().Find(ctx.arg(3));
  if (!spec) return ctx.reply.Error("Command '" + std::string(ctx.arg(3)) + "' not found");
  std::span<const std::string_view> argv = ctx.argv.subspan(3);
  int64_t argc = static_cast<int64_t>(argv.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity))
    return ctx.reply.Error("wrong number of arguments for '" + spec->name + "' command");
  AclDenial denial = ctx.server.acl().Check(*user, *spec, argv);
  if (denial.error.empty()) return ctx.reply.Ok();
  // DRYRUN answers the refusal as text, not as an error.
  std::string text = denial.error.substr(denial.error.find(' ') + 1);
  if (!text.empty()) text[0] = static_cast<char>(toupper(static_cast<unsigned char>(text[0])));
  ctx.reply.Bulk(text);
}

void AclCmd(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  Acl& acl = ctx.server.acl();
  Conn& conn = *ctx.conn;
  // Every change runs with all shards held, then refreshes their clients.
  auto change = [&](const std::function<void()>& fn) {
    ctx.shard.RunHoldingAll([&] {
      fn();
      acl.RefreshClients(ctx.server);
    });
  };
  if (EqualsIgnoreCase(sub, "help")) {
    return ReplyHelp(
        ctx, {"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "CAT [<category>]",
              "    List all commands that belong to <category>, or all command categories",
              "    when no category is specified.", "DELUSER <username> [<username> ...]",
              "    Delete a list of users.", "DRYRUN <username> <command> [<arg> ...]",
              "    Returns whether the user can execute the given command without executing the command.",
              "GETUSER <username>", "    Get the user's details.", "GENPASS [<bits>]",
              "    Generate a secure 256-bit user password. The optional `bits` argument can",
              "    be used to specify a different size.", "LIST", "    Show users details in config file format.",
              "LOAD", "    Reload users from the ACL file.", "LOG [<count> | RESET]", "    Show the ACL log entries.",
              "SAVE", "    Save the current config to the ACL file.",
              "SETUSER <username> <attribute> [<attribute> ...]",
              "    Create or modify a user with the specified attributes.", "USERS",
              "    List all the registered usernames.", "WHOAMI", "    Return the current connection username.",
              "HELP", "    Prints this help."});
  }
  if (EqualsIgnoreCase(sub, "whoami")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx);
    return ctx.reply.Bulk(conn.user ? conn.user->name : "default");
  }
  if (EqualsIgnoreCase(sub, "users")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx);
    ctx.reply.Array(acl.users().size());
    for (const auto& [name, u] : acl.users()) ctx.reply.Bulk(name);
    return;
  }
  if (EqualsIgnoreCase(sub, "list")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx);
    ctx.reply.Array(acl.users().size());
    for (const auto& [name, u] : acl.users()) ctx.reply.Bulk(u->Describe());
    return;
  }
  if (EqualsIgnoreCase(sub, "getuser")) {
    if (ctx.argc() != 3) return SubcommandArity(ctx);
    std::shared_ptr<AclUser> u = acl.Find(ctx.arg(2));
    if (!u) return ctx.reply.Null();
    return ReplyUser(ctx, *u);
  }
  if (EqualsIgnoreCase(sub, "setuser")) {
    if (ctx.argc() < 3) return SubcommandArity(ctx);
    std::string err;
    change([&] { err = acl.SetUser(ctx.arg(2), ctx.argv.subspan(3)); });
    return err.empty() ? ctx.reply.Ok() : ctx.reply.Error(err);
  }
  if (EqualsIgnoreCase(sub, "deluser")) {
    if (ctx.argc() < 3) return SubcommandArity(ctx);
    for (size_t i = 2; i < ctx.argc(); ++i)
      if (ctx.arg(i) == "default") return ctx.reply.Error("The 'default' user cannot be removed");
    int64_t deleted = 0;
    change([&] {
      for (size_t i = 2; i < ctx.argc(); ++i) deleted += acl.DeleteUser(ctx.arg(i));
    });
    return ctx.reply.Int(deleted);
  }
  if (EqualsIgnoreCase(sub, "cat")) {
    if (ctx.argc() > 3) return SubcommandArity(ctx);
    if (ctx.argc() == 2) {
      ctx.reply.Array(AclCategoryNames().size());
      for (const std::string& c : AclCategoryNames()) ctx.reply.Bulk(c);
      return;
    }
    std::string_view want = ctx.arg(2);
    bool known = false;
    for (const std::string& c : AclCategoryNames()) known |= EqualsIgnoreCase(c, want);
    if (!known) return ctx.reply.Error("Unknown category '" + std::string(want) + "'");
    std::vector<std::string_view> names;
    auto consider = [&](const CommandSpec& spec) {
      if (HasAclCategory(spec, want)) names.push_back(spec.name);
    };
    // As Redis: module commands are not listed.
    for (const CommandSpec* spec : CommandTable::Get().All()) {
      if (spec->module) continue;
      consider(*spec);
      for (const CommandSpec& s : spec->subcommands) consider(s);
    }
    ctx.reply.Array(names.size());
    for (std::string_view n : names) ctx.reply.Bulk(n);
    return;
  }
  if (EqualsIgnoreCase(sub, "log")) return AclLog(ctx);
  if (EqualsIgnoreCase(sub, "save")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx);
    std::string path = AclFile(ctx);
    if (path.empty()) return ctx.reply.Error(kNoAclFile);
    std::string err = acl.SaveFile(path);
    return err.empty() ? ctx.reply.Ok() : ctx.reply.Error(err);
  }
  if (EqualsIgnoreCase(sub, "load")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx);
    std::string path = AclFile(ctx);
    if (path.empty()) return ctx.reply.Error(kNoAclFile);
    std::string err;
    change([&] { err = acl.LoadFile(path); });
    return err.empty() ? ctx.reply.Ok() : ctx.reply.Error(err);
  }
  if (EqualsIgnoreCase(sub, "dryrun")) {
    if (ctx.argc() < 4) return SubcommandArity(ctx);
    return AclDryRun(ctx);
  }
  if (EqualsIgnoreCase(sub, "genpass")) {
    if (ctx.argc() > 3) return SubcommandArity(ctx);
    int64_t bits = 256;
    if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &bits) || bits <= 0 || bits > 4096))
      return ctx.reply.Error(
          "ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
    std::random_device rd;
    std::string out;
    for (int64_t i = 0; i < (bits + 3) / 4; ++i) out += "0123456789abcdef"[rd() & 15];
    return ctx.reply.Bulk(out);
  }
  ctx.reply.Error("unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try ACL HELP.");
}

CommandSpec Sub(const char* name, int arity, uint32_t flags, const char* summary) {
  return {name, arity, flags, 0, 0, 0, nullptr, "server", summary, "6.0.0", {}};
}

}  // namespace

void RegisterAclFamily(CommandTable& t) {
  constexpr uint32_t C = kCmdConnection, A = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({"auth", -2, C | kCmdFast | kCmdNoAuth | kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipMonitor |
                         kCmdSkipSlowlog,
         0, 0, 0, Auth, "connection", "Authenticates the connection.", "1.0.0", {}});
  CommandSpec acl{"acl", -2, C, 0, 0, 0, AclCmd, "server", "A container for Access List Control commands.",
                  "6.0.0", {}};
  acl.subcommands = {
      Sub("acl|cat", -2, C | kCmdNoScript | kCmdLoading | kCmdStale, "Lists the ACL categories, or the commands inside a category."),
      Sub("acl|deluser", -3, C | A, "Deletes ACL users, and terminates their connections."),
      Sub("acl|dryrun", -4, C | A, "Simulates the execution of a command by a user, without executing the command."),
      Sub("acl|genpass", -2, C | kCmdNoScript | kCmdLoading | kCmdStale, "Generates a pseudorandom, secure password that can be used to identify ACL users."),
      Sub("acl|getuser", 3, C | A, "Lists the ACL rules of a user."),
      Sub("acl|list", 2, C | A, "Dumps the effective rules in ACL file format."),
      Sub("acl|load", 2, C | A, "Reloads the rules from the configured ACL file."),
      Sub("acl|log", -2, C | A, "Lists recent security events generated due to ACL rules."),
      Sub("acl|save", 2, C | A, "Saves the effective ACL rules in the configured ACL file."),
      Sub("acl|setuser", -3, C | A, "Creates and modifies an ACL user and its rules."),
      Sub("acl|users", 2, C | A, "Lists all ACL users."),
      Sub("acl|whoami", 2, C | kCmdNoScript | kCmdLoading | kCmdStale, "Returns the authenticated username of the current connection."),
      Sub("acl|help", 2, C | kCmdLoading | kCmdStale, "Returns helpful text about the different subcommands.")};
  t.Add(std::move(acl));
}

}  // namespace ember
