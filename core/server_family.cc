// Connection and server commands: PING, HELLO, CLIENT, CONFIG, INFO,
// COMMAND, FLUSHALL, SHUTDOWN and the rest. Most run on the client's own
// thread; those that read every shard (INFO, CLIENT LIST) hold them all.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cinttypes>
#include <fstream>
#include <map>
#include <sstream>

#include "acl.h"
#include "command.h"
#include "command_args.h"
#include "conn.h"
#include "db.h"
#include "memory_report.h"
#include "module.h"
#include "server.h"
#include "shard.h"
#include "util.h"
#include "version.h"

namespace ember {

namespace {

void UnknownSubcommand(CmdCtx& ctx, const char* container) {
  ctx.reply.Error("unknown subcommand '" + std::string(ctx.arg(1).substr(0, 128)) + "'. Try " + container +
                  " HELP.");
}

void SubcommandArity(CmdCtx& ctx, const char* container) {
  ctx.reply.Error("wrong number of arguments for '" + ToLower(container) + "|" + ToLower(ctx.arg(1)) + "' command");
}

void Ping(CmdCtx& ctx) {
  if (ctx.argc() > 2) return ctx.WrongArity();
  // A RESP2 client in subscribed mode gets ["pong", message].
  if (ctx.conn->resp == 2 && ctx.conn->subscriptions() > 0) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    return ctx.reply.Bulk(ctx.argc() == 2 ? ctx.arg(1) : "");
  }
  if (ctx.argc() == 2) return ctx.reply.Bulk(ctx.arg(1));
  ctx.reply.Simple("PONG");
}

void Echo(CmdCtx& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

void Quit(CmdCtx& ctx) {
  ctx.reply.Ok();
  ctx.conn->close_after_reply = true;
}

void Select(CmdCtx& ctx) {
  uint32_t db;
  if (!ParseDbIndex(ctx, ctx.arg(1), &db)) return;
  ctx.conn->db_index = db;
  ctx.reply.Ok();
}

void Reset(CmdCtx& ctx) {
  ResetTransaction(ctx);
  ctx.shard.UnsubscribeAll(*ctx.conn);
  StopMonitoring(ctx);
  if (ctx.conn->tracking.on) ctx.shard.DisableTracking(*ctx.conn);
  // Back to the default user, authenticated only if it needs no password.
  Conn& conn = *ctx.conn;
  conn.user = ctx.server.acl().default_user();
  conn.authenticated = ctx.server.acl().default_nopass();
  conn.acl_unrestricted = conn.authenticated && conn.user->Unrestricted();
  ctx.conn->resp = 2;
  ctx.conn->db_index = 0;
  ctx.conn->name.clear();
  ctx.reply.set_resp(2);
  ctx.reply.Simple("RESET");
}

bool ValidClientName(std::string_view name) {
  for (unsigned char c : name)
    if (c < '!' || c > '~') return false;
  return true;
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void Hello(CmdCtx& ctx) {
  Conn& conn = *ctx.conn;
  int64_t ver = conn.resp;
  size_t i = 1;
  if (ctx.argc() > 1) {
    if (!ParseInt64(ctx.arg(1), &ver)) return ctx.reply.Error("Protocol version is not an integer or out of range");
    if (ver < 2 || ver > 3) return ctx.reply.Error("-NOPROTO unsupported protocol version");
    i = 2;
  }
  std::string_view setname, auth_user, auth_pass;
  bool has_setname = false, has_auth = false;
  for (; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "auth") && i + 2 < ctx.argc()) {
      auth_user = ctx.arg(i + 1);
      auth_pass = ctx.arg(i + 2);
      has_auth = true;
      i += 2;
    } else if (EqualsIgnoreCase(a, "setname") && i + 1 < ctx.argc()) {
      setname = ctx.arg(++i);
      if (!ValidClientName(setname))
        return ctx.reply.Error("Client names cannot contain spaces, newlines or special characters.");
      has_setname = true;
    } else {
      return ctx.reply.Error("Syntax error in HELLO option '" + std::string(a) + "'");
    }
  }
  if (has_auth) {
    if (!AuthenticateClient(ctx, auth_user, auth_pass)) return;
  } else if (!conn.authenticated) {
    return ctx.reply.Error(
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> "
        "option can be used to authenticate the client and select the RESP protocol version at the same time");
  }
  if (has_setname) conn.name = std::string(setname);
  conn.resp = static_cast<int>(ver);
  ctx.reply.set_resp(conn.resp);
  ctx.reply.Map(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisCompatVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Int(conn.resp);
  ctx.reply.Bulk("id");
  ctx.reply.Int(static_cast<int64_t>(conn.id()));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.Array(0);
}

void Time(CmdCtx& ctx) {
  int64_t us = NowUs();
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(us / 1000000));
  ctx.reply.Bulk(std::to_string(us % 1000000));
}

void Flush(CmdCtx& ctx) {
  bool async = false;
  if (ctx.argc() > 2) return ctx.reply.Error(kErrSyntax);
  if (ctx.argc() == 2) {
    if (EqualsIgnoreCase(ctx.arg(1), "async"))
      async = true;
    else if (!EqualsIgnoreCase(ctx.arg(1), "sync"))
      return ctx.reply.Error(kErrSyntax);
  }
  bool all = ctx.spec.name == "flushall";
  for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) {
    if (all)
      ctx.server.shard(s).ForEachDb([async](Db& db) { db.Flush(async); });
    else
      ctx.db_at(s).Flush(async);
  }
  ctx.reply.Ok();
}

// ROLE: a primary with no replicas (replication does not exist yet).
void Role(CmdCtx& ctx) {
  ctx.reply.Array(3);
  ctx.reply.Bulk("master");
  ctx.reply.Int(0);
  ctx.reply.Array(0);
}

// LOLWUT [VERSION v]: Redis 7.0 answers every version but its older art
// (5 and 6) with the version line, and ignores other arguments; ember
// draws no art, so it answers every version with that line.
void Lolwut(CmdCtx& ctx) {
  if (ctx.argc() == 3 && EqualsIgnoreCase(ctx.arg(1), "version")) {
    int64_t version;
    if (!ParseInt64(ctx.arg(2), &version)) return ctx.reply.Error(kErrNotInteger);
  }
  ctx.reply.Verbatim(std::string("Redis ver. ") + kRedisCompatVersion + "\n");
}

void Shutdown(CmdCtx& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "abort")) return ctx.reply.Error("No shutdown in progress.");
    if (!EqualsIgnoreCase(a, "nosave") && !EqualsIgnoreCase(a, "save") && !EqualsIgnoreCase(a, "now") &&
        !EqualsIgnoreCase(a, "force"))
      return ctx.reply.Error(kErrSyntax);
  }
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "save")) ctx.server.persistence().set_shutdown_save(1);
    if (EqualsIgnoreCase(ctx.arg(i), "nosave")) ctx.server.persistence().set_shutdown_save(-1);
  }
  // Like Redis, no reply: the connection closes as the server exits.
  ctx.server.RequestShutdown();
}

// ---- CLIENT ----

}  // namespace

std::string ClientLine(Conn& c, int64_t now) {
  std::ostringstream o;
  o << "id=" << c.id() << " addr=" << c.peer() << " laddr=" << c.local() << " fd=" << c.fd() << " name=" << c.name
    << " age=" << (now - c.created_ms) / 1000 << " idle=" << (now - c.last_active_ms) / 1000
    << " flags=" << (c.blocked() ? "b" : "N") << " db=" << c.db_index << " sub=0 psub=0 ssub=0 multi=-1 qbuf=" << c.QueryBufferSize()
    << " qbuf-free=" << (c.QueryBufferCapacity() - c.QueryBufferSize()) << " argv-mem=0 multi-mem=0 rbs="
    << c.QueryBufferCapacity() << " rbp=0 obl=0 oll=0 omem=" << c.OutputSize() << " tot-mem="
    << (c.QueryBufferCapacity() + c.OutputSize() + sizeof(Conn)) << " events=r cmd=" << (c.last_command ? c.last_command->name : "NULL")
    << " user=" << (c.user ? c.user->name : "default") << " redir=" << (c.tracking.on ? static_cast<int64_t>(c.tracking.redirect) : -1) << " resp=" << c.resp << " lib-name=" << c.lib_name << " lib-ver=" << c.lib_ver
    << " shard=" << c.shard().index() << c.TransportInfo() << "\n";
  return o.str();
}

namespace {

// Every client on every shard; the caller holds all shards.
template <typename Fn>
void ForEachClient(CmdCtx& ctx, Fn fn) {
  for (uint32_t s = 0; s < ctx.server.shard_count(); ++s)
    for (Conn* c : ctx.server.shard(s).conns()) fn(*c);
}

// CLIENT LIST / KILL TYPE: normal or pubsub (a client with subscriptions,
// as Redis's CLIENT_PUBSUB); no client is a replica or a master yet.
enum class ClientType { kAny, kNormal, kPubSub, kNone };

// False for a name Redis does not know.
bool ParseClientType(std::string_view v, ClientType* type) {
  if (EqualsIgnoreCase(v, "normal"))
    *type = ClientType::kNormal;
  else if (EqualsIgnoreCase(v, "pubsub"))
    *type = ClientType::kPubSub;
  else if (EqualsIgnoreCase(v, "master") || EqualsIgnoreCase(v, "replica") || EqualsIgnoreCase(v, "slave"))
    *type = ClientType::kNone;
  else
    return false;
  return true;
}

bool IsClientType(Conn& c, ClientType type) {
  switch (type) {
    case ClientType::kAny: return true;
    case ClientType::kNormal: return c.subscriptions() == 0;
    case ClientType::kPubSub: return c.subscriptions() > 0;
    case ClientType::kNone: return false;
  }
  return false;
}

void ClientKill(CmdCtx& ctx) {
  // Old form: CLIENT KILL addr:port
  if (ctx.argc() == 3) {
    std::string_view addr = ctx.arg(2);
    bool found = false;
    ctx.shard.RunHoldingAll([&] {
      ForEachClient(ctx, [&](Conn& c) {
        if (!found && c.peer() == addr) {
          found = true;
          if (&c == ctx.conn)
            c.close_after_reply = true;
          else
            c.shard().Kill(&c);
        }
      });
    });
    if (!found) return ctx.reply.Error("No such client");
    return ctx.reply.Ok();
  }
  if (ctx.argc() % 2 != 0) return ctx.reply.Error(kErrSyntax);
  int64_t id = -1, max_age = 0;
  std::string_view addr, laddr, user;
  bool has_addr = false, has_laddr = false, skipme = true;
  ClientType type = ClientType::kAny;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
    std::string_view k = ctx.arg(i), v = ctx.arg(i + 1);
    if (EqualsIgnoreCase(k, "id")) {
      if (!ParseInt64(v, &id) || id <= 0) return ctx.reply.Error("client-id should be greater than 0");
    } else if (EqualsIgnoreCase(k, "addr")) {
      addr = v;
      has_addr = true;
    } else if (EqualsIgnoreCase(k, "laddr")) {
      laddr = v;
      has_laddr = true;
    } else if (EqualsIgnoreCase(k, "skipme")) {
      if (EqualsIgnoreCase(v, "yes"))
        skipme = true;
      else if (EqualsIgnoreCase(v, "no"))
        skipme = false;
      else
        return ctx.reply.Error(kErrSyntax);
    } else if (EqualsIgnoreCase(k, "type")) {
      if (!ParseClientType(v, &type)) return ctx.reply.Error("Unknown client type '" + std::string(v) + "'");
    } else if (EqualsIgnoreCase(k, "maxage")) {
      // Redis 7.4's filter: clients connected at least this many seconds.
      if (!ParseInt64(v, &max_age) || max_age <= 0) return ctx.reply.Error(kErrSyntax);
    } else if (EqualsIgnoreCase(k, "user")) {
      user = v;
      if (!ctx.server.acl().Find(user)) return ctx.reply.Error("No such user '" + std::string(user) + "'");
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  int64_t killed = 0;
  const int64_t now_ms = NowMs();
  ctx.shard.RunHoldingAll([&] {
    ForEachClient(ctx, [&](Conn& c) {
      if (id > 0 && c.id() != static_cast<uint64_t>(id)) return;
      if (!IsClientType(c, type)) return;
      if (max_age > 0 && (now_ms - c.created_ms) / 1000 < max_age) return;
      if (has_addr && c.peer() != addr) return;
      if (has_laddr && c.local() != laddr) return;
      if (!user.empty() && (!c.user || c.user->name != user)) return;
      if (&c == ctx.conn) {
        if (skipme) return;
        c.close_after_reply = true;
      } else {
        c.shard().Kill(&c);
      }
      ++killed;
    });
  });
  ctx.reply.Int(killed);
}

// CLIENT TRACKING on|off [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN]
// [OPTOUT] [NOLOOP], with Redis 7.0's checks in its order.
void ClientTracking(CmdCtx& ctx) {
  Conn& me = *ctx.conn;
  int64_t redirect = 0;
  bool bcast = false, optin = false, optout = false, noloop = false;
  std::vector<std::string> prefixes;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "redirect") && more) {
      if (redirect != 0) return ctx.reply.Error("A client can only redirect to a single other client");
      if (!ParseInt64(ctx.arg(++j), &redirect)) return ctx.reply.Error(kErrNotInteger);
    } else if (EqualsIgnoreCase(opt, "bcast")) {
      bcast = true;
    } else if (EqualsIgnoreCase(opt, "optin")) {
      optin = true;
    } else if (EqualsIgnoreCase(opt, "optout")) {
      optout = true;
    } else if (EqualsIgnoreCase(opt, "noloop")) {
      noloop = true;
    } else if (EqualsIgnoreCase(opt, "prefix") && more) {
      prefixes.emplace_back(ctx.arg(++j));
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
  }
  // The redirect client must exist now (it may leave later).
  bool redirect_found = false;
  uint32_t redirect_shard = 0;
  if (redirect != 0) {
    ctx.shard.RunHoldingAll([&] {
      ForEachClient(ctx, [&](Conn& c) {
        if (c.id() == static_cast<uint64_t>(redirect) && !c.closed()) {
          redirect_found = true;
          redirect_shard = c.shard().index();
        }
      });
    });
    if (!redirect_found) return ctx.reply.Error("The client ID you want redirect to does not exist");
  }
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "off")) {
    if (me.tracking.on) ctx.shard.DisableTracking(me);
    return ctx.reply.Ok();
  }
  if (!EqualsIgnoreCase(mode, "on")) return ctx.reply.Error(kErrSyntax);
  if (!bcast && !prefixes.empty()) return ctx.reply.Error("PREFIX option requires BCAST mode to be enabled");
  if (me.tracking.on && me.tracking.bcast != bcast)
    return ctx.reply.Error(
        "You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with "
        "a different mode.");
  if (bcast && (optin || optout)) return ctx.reply.Error("OPTIN and OPTOUT are not compatible with BCAST");
  if (optin && optout) return ctx.reply.Error("You can't specify both OPTIN mode and OPTOUT mode");
  if ((optin && me.tracking.optout) || (optout && me.tracking.optin))
    return ctx.reply.Error(
        "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a "
        "different mode.");
  if (bcast) {
    auto overlap = [](std::string_view a, std::string_view b) {
      return a.substr(0, std::min(a.size(), b.size())) == b.substr(0, std::min(a.size(), b.size()));
    };
    for (size_t i = 0; i < prefixes.size(); ++i) {
      for (const std::string& old : me.tracking.prefixes)
        if (old != prefixes[i] && overlap(old, prefixes[i]))
          return ctx.reply.Error("Prefix '" + prefixes[i] + "' overlaps with an existing prefix '" + old +
                                 "'. Prefixes for a single client must not overlap.");
      for (size_t j = i + 1; j < prefixes.size(); ++j)
        if (overlap(prefixes[i], prefixes[j]))
          return ctx.reply.Error("Prefix '" + prefixes[i] + "' overlaps with another provided prefix '" +
                                 prefixes[j] + "'. Prefixes for a single client must not overlap.");
    }
  }
  if (!me.tracking.on) ctx.shard.EnableTracking(me);
  Conn::Tracking& t = me.tracking;
  t.broken_redirect = false;
  t.redirect = static_cast<uint64_t>(redirect);
  t.redirect_shard = redirect_shard;
  t.bcast = bcast;
  t.optin = optin;
  t.optout = optout;
  t.noloop = noloop;
  if (bcast) {
    // No prefix: every key.
    if (prefixes.empty()) prefixes.emplace_back();
    for (std::string& p : prefixes)
      if (std::find(t.prefixes.begin(), t.prefixes.end(), p) == t.prefixes.end()) t.prefixes.push_back(std::move(p));
    ctx.server.tracking().AddBroadcast(me.id(), ctx.shard.index(), t.prefixes);
  }
  ctx.reply.Ok();
}

void ClientTrackingInfo(CmdCtx& ctx) {
  const Conn::Tracking& t = ctx.conn->tracking;
  std::vector<const char*> flags = {t.on ? "on" : "off"};
  if (t.bcast) flags.push_back("bcast");
  if (t.optin) flags.push_back("optin");
  if (t.optin && t.caching_given) flags.push_back("caching-yes");
  if (t.optout) flags.push_back("optout");
  if (t.optout && t.caching_given) flags.push_back("caching-no");
  if (t.noloop) flags.push_back("noloop");
  if (t.broken_redirect) flags.push_back("broken_redirect");
  ctx.reply.Map(3);
  ctx.reply.Bulk("flags");
  ctx.reply.Set(flags.size());
  for (const char* f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("redirect");
  ctx.reply.Int(t.on ? static_cast<int64_t>(t.redirect) : -1);
  ctx.reply.Bulk("prefixes");
  ctx.reply.Array(t.prefixes.size());
  for (const std::string& p : t.prefixes) ctx.reply.Bulk(p);
}

void Client(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  Conn& me = *ctx.conn;
  if (EqualsIgnoreCase(sub, "help")) {
    return ReplyHelp(ctx, {"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GETNAME",
                           "    Return the name of the current connection.", "ID",
                           "    Return the ID of the current connection.", "INFO",
                           "    Return information about the current client connection.",
                           "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                           "KILL <option> <value> [<option> <value> [...]]",
                           "    Kill connections. Options are: ID, ADDR, LADDR, SKIPME, TYPE, USER.",
                           "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <id> [<id> ...]]",
                           "    Return information about client connections.", "UNPAUSE",
                           "    Stop the current client pause, resuming traffic.", "PAUSE <timeout> [WRITE|ALL]",
                           "    Suspend all, or just write, clients for <timeout> milliseconds.", "REPLY (ON|OFF|SKIP)",
                           "    Control the replies sent to the current connection.", "SETNAME <name>",
                           "    Assign the name <name> to the current connection.",
                           "SETINFO <LIB-NAME|LIB-VER> <value>", "    Set client library name or version.",
                           "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                           "    Unblock the specified blocked client.", "HELP",
                           "    Print this help."});
  }
  if (EqualsIgnoreCase(sub, "id")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CLIENT");
    return ctx.reply.Int(static_cast<int64_t>(me.id()));
  }
  if (EqualsIgnoreCase(sub, "getname")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CLIENT");
    return me.name.empty() ? ctx.reply.Null() : ctx.reply.Bulk(me.name);
  }
  if (EqualsIgnoreCase(sub, "setname")) {
    if (ctx.argc() != 3) return SubcommandArity(ctx, "CLIENT");
    if (!ValidClientName(ctx.arg(2)))
      return ctx.reply.Error("Client names cannot contain spaces, newlines or special characters.");
    me.name = std::string(ctx.arg(2));
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "setinfo")) {
    if (ctx.argc() != 4) return SubcommandArity(ctx, "CLIENT");
    std::string_view attr = ctx.arg(2), v = ctx.arg(3);
    bool name = EqualsIgnoreCase(attr, "lib-name");
    if (!name && !EqualsIgnoreCase(attr, "lib-ver"))
      return ctx.reply.Error("Unrecognized option '" + std::string(attr) + "'");
    if (!ValidClientName(v))
      return ctx.reply.Error(std::string(name ? "lib-name" : "lib-ver") +
                             " cannot contain spaces, newlines or special characters.");
    (name ? me.lib_name : me.lib_ver) = std::string(v);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "info")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CLIENT");
    return ctx.reply.Verbatim(ClientLine(me, NowMs()));
  }
  if (EqualsIgnoreCase(sub, "list")) {
    std::vector<int64_t> ids;
    ClientType type = ClientType::kAny;
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (EqualsIgnoreCase(ctx.arg(i), "type") && i + 1 < ctx.argc()) {
        std::string_view t = ctx.arg(++i);
        if (!ParseClientType(t, &type)) return ctx.reply.Error("Unknown client type '" + std::string(t) + "'");
      } else if (EqualsIgnoreCase(ctx.arg(i), "id") && i + 1 < ctx.argc()) {
        for (++i; i < ctx.argc(); ++i) {
          int64_t id;
          if (!ParseInt64(ctx.arg(i), &id) || id <= 0) return ctx.reply.Error("Invalid client ID");
          ids.push_back(id);
        }
      } else {
        return ctx.reply.Error(kErrSyntax);
      }
    }
    std::string text;
    int64_t now = NowMs();
    ctx.shard.RunHoldingAll([&] {
      ForEachClient(ctx, [&](Conn& c) {
        if (!ids.empty() && std::find(ids.begin(), ids.end(), static_cast<int64_t>(c.id())) == ids.end()) return;
        if (!IsClientType(c, type)) return;
        text += ClientLine(c, now);
      });
    });
    return ctx.reply.Verbatim(text);
  }
  if (EqualsIgnoreCase(sub, "kill")) {
    if (ctx.argc() < 3) return SubcommandArity(ctx, "CLIENT");
    return ClientKill(ctx);
  }
  if (EqualsIgnoreCase(sub, "unblock")) {
    // CLIENT UNBLOCK id [TIMEOUT|ERROR]
    if (ctx.argc() != 3 && ctx.argc() != 4) return SubcommandArity(ctx, "CLIENT");
    int64_t id;
    if (!ParseInt64(ctx.arg(2), &id)) return ctx.reply.Error(kErrNotInteger);
    bool error = false;
    if (ctx.argc() == 4) {
      if (EqualsIgnoreCase(ctx.arg(3), "error"))
        error = true;
      else if (!EqualsIgnoreCase(ctx.arg(3), "timeout"))
        return ctx.reply.Error("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
    bool unblocked = false;
    ctx.shard.RunHoldingAll([&] {
      ForEachClient(ctx, [&](Conn& c) {
        std::shared_ptr<BlockedClient> b = c.blocked();
        if (c.id() != static_cast<uint64_t>(id) || !b || !b->Claim()) return;
        unblocked = true;
        // The client's own thread answers it, as if its time had run out.
        std::string reply = error ? "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" : b->timeout_reply;
        c.shard().Call([b, reply](Shard& sh) { sh.FinishBlocked(*b, reply); });
      });
    });
    return ctx.reply.Int(unblocked ? 1 : 0);
  }
  if (EqualsIgnoreCase(sub, "tracking")) {
    if (ctx.argc() < 3) return SubcommandArity(ctx, "CLIENT");
    return ClientTracking(ctx);
  }
  if (EqualsIgnoreCase(sub, "caching")) {
    if (ctx.argc() != 3) return SubcommandArity(ctx, "CLIENT");
    if (!me.tracking.on)
      return ctx.reply.Error(
          "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
    if (EqualsIgnoreCase(ctx.arg(2), "yes")) {
      if (!me.tracking.optin)
        return ctx.reply.Error("CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    } else if (EqualsIgnoreCase(ctx.arg(2), "no")) {
      if (!me.tracking.optout)
        return ctx.reply.Error("CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    } else {
      return ctx.reply.Error(kErrSyntax);
    }
    me.tracking.caching_given = true;
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "getredir")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CLIENT");
    return ctx.reply.Int(me.tracking.on ? static_cast<int64_t>(me.tracking.redirect) : -1);
  }
  if (EqualsIgnoreCase(sub, "trackinginfo")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CLIENT");
    return ClientTrackingInfo(ctx);
  }
  if (EqualsIgnoreCase(sub, "pause")) {
    if (ctx.argc() != 3 && ctx.argc() != 4)
      return ctx.reply.Error("unknown subcommand or wrong number of arguments for '" + std::string(sub) +
                             "'. Try CLIENT HELP.");
    bool all = true;
    if (ctx.argc() == 4) {
      if (EqualsIgnoreCase(ctx.arg(3), "write"))
        all = false;
      else if (!EqualsIgnoreCase(ctx.arg(3), "all"))
        return ctx.reply.Error("CLIENT PAUSE mode must be WRITE or ALL");
    }
    int64_t ms;
    if (!ParseInt64(ctx.arg(2), &ms)) return ctx.reply.Error("timeout is not an integer or out of range");
    if (ms < 0) return ctx.reply.Error("timeout is negative");
    int64_t now = NowMs();
    ctx.server.client_pause().Pause(ms > INT64_MAX - now ? INT64_MAX : now + ms, all);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "unpause")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CLIENT");
    ctx.server.client_pause().Unpause();
    // Every shard runs its waiting clients now, not at its next cron tick.
    for (uint32_t s = 0; s < ctx.server.shard_count(); ++s)
      ctx.server.shard(s).Call([](Shard& shard) { shard.ResumePostponed(); });
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "reply")) {
    if (ctx.argc() != 3) return SubcommandArity(ctx, "CLIENT");
    std::string_view mode = ctx.arg(2);
    // The reply is appended after the command (RunAside), in the new mode:
    // ON answers OK, OFF and SKIP answer nothing.
    if (EqualsIgnoreCase(mode, "on")) {
      me.SetReplyMode(Conn::ReplyMode::kOn);
      return ctx.reply.Ok();
    }
    if (EqualsIgnoreCase(mode, "off")) return me.SetReplyMode(Conn::ReplyMode::kOff);
    if (EqualsIgnoreCase(mode, "skip")) return me.SetReplyMode(Conn::ReplyMode::kSkip);
    return ctx.reply.Error(kErrSyntax);
  }
  if (EqualsIgnoreCase(sub, "no-evict") || EqualsIgnoreCase(sub, "no-touch")) {
    if (ctx.argc() != 3) return SubcommandArity(ctx, "CLIENT");
    if (!EqualsIgnoreCase(ctx.arg(2), "on") && !EqualsIgnoreCase(ctx.arg(2), "off"))
      return ctx.reply.Error(kErrSyntax);
    return ctx.reply.Ok();
  }
  UnknownSubcommand(ctx, "CLIENT");
}

// ---- CONFIG ----

void Config_(CmdCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  Config& config = ctx.server.config();
  if (EqualsIgnoreCase(sub, "help")) {
    return ReplyHelp(ctx, {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                           "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                           "RESETSTAT", "    Reset statistics reported by the INFO command.", "REWRITE",
                           "    Rewrite the configuration file.", "HELP", "    Print this help."});
  }
  if (EqualsIgnoreCase(sub, "get")) {
    if (ctx.argc() < 3) return SubcommandArity(ctx, "CONFIG");
    std::map<std::string, std::string> found;
    for (size_t i = 2; i < ctx.argc(); ++i)
      for (auto& [k, v] : config.Match(ctx.arg(i))) found[k] = v;
    ctx.reply.Map(found.size());
    for (const auto& [k, v] : found) {
      ctx.reply.Bulk(k);
      ctx.reply.Bulk(v);
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "set")) {
    if (ctx.argc() < 4) return SubcommandArity(ctx, "CONFIG");
    if (ctx.argc() % 2 != 0) return ctx.reply.Error(kErrSyntax);
    // All or nothing, as Redis 7: check every pair, then apply.
    for (size_t i = 2; i < ctx.argc(); i += 2) {
      if (!config.Known(ctx.arg(i)))
        return ctx.reply.Error("Unknown option or number of arguments for CONFIG SET - '" + std::string(ctx.arg(i)) +
                               "'");
      if (config.Protected(ctx.arg(i))) {
        int64_t mode = config.live.enable_protected_configs.load(std::memory_order_relaxed);
        if (mode != kProtectedYes && !(mode == kProtectedLocal && ctx.conn && ctx.conn->IsLocal()))
          return ctx.reply.Error("CONFIG SET failed (possibly related to argument '" + std::string(ctx.arg(i)) +
                                 "') - can't set protected config");
      }
      for (size_t j = 2; j < i; j += 2)
        if (EqualsIgnoreCase(ctx.arg(i), ctx.arg(j)))
          return ctx.reply.Error("CONFIG SET failed (possibly related to argument '" + std::string(ctx.arg(i)) +
                                 "') - duplicate parameter");
    }
    std::vector<std::pair<std::string, std::string>> previous;
    for (size_t i = 2; i < ctx.argc(); i += 2) {
      std::string old;
      config.Get(ctx.arg(i), &old);
      std::string err = config.Set(ctx.arg(i), ctx.arg(i + 1), false);
      if (!err.empty()) {
        for (auto& [k, v] : previous) config.Set(k, v, false);
        return ctx.reply.Error("CONFIG SET failed (possibly related to argument '" + std::string(ctx.arg(i)) + "') - " +
                               err);
      }
      previous.emplace_back(std::string(ctx.arg(i)), old);
    }
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "resetstat")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CONFIG");
    ctx.shard.RunHoldingAll([&] { ctx.server.ResetStats(); });
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "rewrite")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "CONFIG");
    std::string err = config.Rewrite();
    if (!err.empty()) return ctx.reply.Error(err);
    return ctx.reply.Ok();
  }
  UnknownSubcommand(ctx, "CONFIG");
}

// ---- INFO ----

// Commandstats, Errorstats and Latencystats, from every shard's merged
// counters.
template <typename Want>
void InfoCommandSections(const CommandStatsTable& commands, Want want, std::ostringstream& o) {
  const CommandTable& table = CommandTable::Get();
  auto each = [&](auto fn) {
    for (uint32_t id = 0; id < commands.all().size(); ++id) {
      const CommandStats& c = commands.all()[id];
      const CommandSpec* spec = table.ById(id);
      if (spec && (c.calls || c.rejected_calls || c.failed_calls)) fn(*spec, c);
    }
  };
  char buf[512];
  if (want("commandstats", false)) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Commandstats\r\n";
    each([&](const CommandSpec& spec, const CommandStats& c) {
      uint64_t usec = c.nsec / 1000;
      snprintf(buf, sizeof(buf), "cmdstat_%s:calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64 ",failed_calls=%" PRIu64 "\r\n",
               spec.name.c_str(), c.calls, usec, c.calls ? static_cast<double>(c.nsec) / 1000.0 / static_cast<double>(c.calls) : 0.0,
               c.rejected_calls, c.failed_calls);
      o << buf;
    });
  }
  if (want("errorstats")) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Errorstats\r\n";
    for (const auto& [code, n] : commands.errors()) o << "errorstat_" << code << ":count=" << n << "\r\n";
  }
  if (want("latencystats", false)) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Latencystats\r\n";
    each([&](const CommandSpec& spec, const CommandStats& c) {
      if (!c.latency || c.latency->total() == 0) return;
      snprintf(buf, sizeof(buf), "latency_percentiles_usec_%s:p50=%.3f,p99=%.3f,p99.9=%.3f\r\n", spec.name.c_str(),
               static_cast<double>(c.latency->Percentile(50)) / 1000.0,
               static_cast<double>(c.latency->Percentile(99)) / 1000.0,
               static_cast<double>(c.latency->Percentile(99.9)) / 1000.0);
      o << buf;
    });
  }
}

void Info(CmdCtx& ctx) {
  std::vector<std::string> wanted;
  for (size_t i = 1; i < ctx.argc(); ++i) wanted.push_back(ToLower(ctx.arg(i)));
  bool everything = false, all = false, defaults = wanted.empty();
  for (const std::string& w : wanted) {
    everything |= w == "everything";
    all |= w == "all";
    defaults |= w == "default";
  }
  auto want = [&](const char* section, bool in_default = true) {
    if (everything || all) return true;
    if (defaults && in_default) return true;
    for (const std::string& w : wanted)
      if (w == section) return true;
    return false;
  };

  ShardStats shard_total;
  DbStats db_total;
  // INFO keyspace: per database, keys, expires and the samples' TTL sum.
  struct DbFigures {
    uint64_t keys = 0, expires = 0, ttl_sum = 0, ttl_n = 0;
  };
  std::map<uint32_t, DbFigures> per_db;
  uint64_t keys = 0, tracked_keys = 0, tracked_items = 0;
  size_t max_in = 0, max_out = 0, blocked = 0;
  std::vector<std::string> per_shard;
  CommandStatsTable commands;
  ctx.shard.RunHoldingAll([&] {
    for (uint32_t s = 0; s < ctx.server.shard_count(); ++s) {
      Shard& sh = ctx.server.shard(s);
      sh.command_stats().MergeInto(&commands);
      ShardStats& st = sh.stats();
      shard_total.commands += st.commands;
      shard_total.net_input_bytes += st.net_input_bytes;
      shard_total.net_output_bytes += st.net_output_bytes;
      shard_total.cross_shard_batches += st.cross_shard_batches;
      shard_total.held_commands += st.held_commands;
      shard_total.handler_exceptions += st.handler_exceptions;
      DbStats ds = sh.TotalDbStats();
      db_total.expired_keys += ds.expired_keys;
      db_total.keyspace_hits += ds.keyspace_hits;
      db_total.keyspace_misses += ds.keyspace_misses;
      db_total.evicted_keys += ds.evicted_keys;
      keys += sh.TotalKeys();
      tracked_keys += sh.tracking().keys();
      tracked_items += sh.tracking().items();
      sh.ForEachDb([&](Db& db) {
        if (db.size() == 0) return;
        DbFigures& f = per_db[db.index()];
        f.keys += db.size();
        f.expires += db.expires();
        int64_t avg = db.AverageTtlSample();
        if (avg > 0) {
          f.ttl_sum += static_cast<uint64_t>(avg);
          ++f.ttl_n;
        }
      });
      for (Conn* c : sh.conns()) {
        blocked += c->blocked() != nullptr || c->postponed();
        max_in = std::max(max_in, c->QueryBufferCapacity());
        max_out = std::max(max_out, c->OutputSize());
      }
      per_shard.push_back("shard" + std::to_string(s) + ":keys=" + std::to_string(sh.TotalKeys()) +
                          ",expires=" + std::to_string(sh.TotalExpires()) + ",clients=" +
                          std::to_string(sh.conns().size()) + ",commands=" + std::to_string(st.commands) +
                          ",cross_shard_batches=" + std::to_string(st.cross_shard_batches) +
                          ",held_commands=" + std::to_string(st.held_commands));
    }
  });

  Config& config = ctx.server.config();
  auto cfg = [&](const char* name) {
    std::string v;
    config.Get(name, &v);
    return v;
  };
  std::ostringstream o;
  int64_t now_us = NowUs();
  int64_t uptime = (now_us / 1000 - ctx.server.start_ms()) / 1000;
  if (want("server")) {
    utsname u;
    uname(&u);
    char exe[4096] = {0};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0) n = 0;
    exe[n] = 0;
    o << "# Server\r\nredis_version:" << kRedisCompatVersion << "\r\nember_version:" << kEmberVersion
      << "\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\nos:"
      << u.sysname << " " << u.release << " " << u.machine << "\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime"
      << "\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:" << __GNUC__ << "." << __GNUC_MINOR__
      << "." << __GNUC_PATCHLEVEL__ << "\r\nprocess_id:" << getpid() << "\r\nprocess_supervised:no\r\nrun_id:"
      << ctx.server.run_id() << "\r\ntcp_port:" << ctx.server.port() << "\r\nserver_time_usec:" << now_us
      << "\r\nuptime_in_seconds:" << uptime << "\r\nuptime_in_days:" << uptime / 86400 << "\r\nhz:" << cfg("hz")
      << "\r\nconfigured_hz:" << cfg("hz") << "\r\nlru_clock:" << (now_us / 1000000) % (1 << 24)
      << "\r\nexecutable:" << exe << "\r\nconfig_file:" << config.config_file() << "\r\nio_threads_active:0"
      << "\r\nshards:" << ctx.server.shard_count() << "\r\n";
  }
  if (want("clients")) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Clients\r\nconnected_clients:" << ctx.server.stats().connected_clients.load()
      << "\r\ncluster_connections:0\r\nmaxclients:" << cfg("maxclients") << "\r\nclient_recent_max_input_buffer:"
      << max_in << "\r\nclient_recent_max_output_buffer:" << max_out
      << "\r\nblocked_clients:" << blocked << "\r\ntracking_clients:" << ctx.server.tracking().clients().load()
      << "\r\nclients_in_timeout_table:0\r\n";
  }
  if (want("memory")) o << (o.tellp() > 0 ? "\r\n" : "") << InfoMemorySection(ctx.server);
  if (want("persistence")) o << (o.tellp() > 0 ? "\r\n" : "") << ctx.server.persistence().InfoSection();
  if (want("stats")) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Stats\r\ntotal_connections_received:" << ctx.server.stats().total_connections.load()
      << "\r\ntotal_commands_processed:" << shard_total.commands << "\r\ninstantaneous_ops_per_sec:0"
      << "\r\ntotal_net_input_bytes:" << shard_total.net_input_bytes << "\r\ntotal_net_output_bytes:"
      << shard_total.net_output_bytes << "\r\nrejected_connections:" << ctx.server.stats().rejected_connections.load()
      << "\r\nexpired_keys:" << db_total.expired_keys << "\r\nevicted_keys:" << db_total.evicted_keys << "\r\nkeyspace_hits:"
      << db_total.keyspace_hits << "\r\nkeyspace_misses:" << db_total.keyspace_misses
      << "\r\npubsub_channels:0\r\npubsub_patterns:0\r\ncross_shard_batches:" << shard_total.cross_shard_batches
      << "\r\nheld_commands:" << shard_total.held_commands << "\r\ncommand_exceptions:" << shard_total.handler_exceptions
      << "\r\nevent_loop_exceptions:" << EscapedExceptions()
      << "\r\ntracking_total_keys:" << tracked_keys << "\r\ntracking_total_items:" << tracked_items
      << "\r\ntracking_total_prefixes:" << ctx.server.tracking().prefixes() << "\r\n";
  }
  if (want("stats")) o << "total_error_replies:" << commands.total_errors() << "\r\n";
  if (want("replication")) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_replid:"
      << ctx.server.run_id() << "\r\nmaster_repl_offset:0\r\n";
  }
  if (want("cpu")) {
    rusage self;
    getrusage(RUSAGE_SELF, &self);
    o << (o.tellp() > 0 ? "\r\n" : "") << "# CPU\r\nused_cpu_sys:" << self.ru_stime.tv_sec << "."
      << self.ru_stime.tv_usec / 1000 << "\r\nused_cpu_user:" << self.ru_utime.tv_sec << "."
      << self.ru_utime.tv_usec / 1000 << "\r\n";
  }
  if (want("shards")) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Shards\r\n";
    for (const std::string& line : per_shard) o << line << "\r\n";
  }
  if (want("modules")) {
    std::string text;
    ModuleHost::Get().InfoModulesSection(&text);
    o << (o.tellp() > 0 ? "\r\n" : "") << text;
  }
  InfoCommandSections(commands, want, o);
  // Client libraries read cluster_enabled at start-up to pick their mode.
  if (want("cluster")) o << (o.tellp() > 0 ? "\r\n" : "") << "# Cluster\r\ncluster_enabled:0\r\n";
  if (want("keyspace")) {
    o << (o.tellp() > 0 ? "\r\n" : "") << "# Keyspace\r\n";
    for (const auto& [index, f] : per_db)
      o << "db" << index << ":keys=" << f.keys << ",expires=" << f.expires
        << ",avg_ttl=" << (f.ttl_n ? f.ttl_sum / f.ttl_n : 0) << "\r\n";
  }
  // Sections modules add: with "everything", or when named (by section or
  // by module name).
  std::string module_text;
  if (everything) {
    ModuleHost::Get().InfoModuleSections("everything", &module_text);
  } else {
    for (const std::string& w : wanted) {
      std::string part;
      if (ModuleHost::Get().InfoModuleSections(w, &part)) module_text += (module_text.empty() ? "" : "\r\n") + part;
    }
  }
  if (!module_text.empty()) o << (o.tellp() > 0 ? "\r\n" : "") << module_text;
  ctx.reply.Verbatim(o.str());
}

// ---- COMMAND ----

const std::pair<uint32_t, const char*> kFlagNames[] = {
    {kCmdWrite, "write"},       {kCmdReadOnly, "readonly"},       {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},       {kCmdPubSub, "pubsub"},           {kCmdNoScript, "noscript"},
    {kCmdBlocking, "blocking"}, {kCmdLoading, "loading"},         {kCmdStale, "stale"},
    {kCmdSkipMonitor, "skip_monitor"}, {kCmdSkipSlowlog, "skip_slowlog"}, {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},    {kCmdMayReplicate, "may_replicate"}, {kCmdNoMulti, "no_multi"},
    {kCmdAllowBusy, "allow_busy"}};

void CommandInfoEntry(CmdCtx& ctx, const CommandSpec& spec) {
  ctx.reply.Array(10);
  ctx.reply.Bulk(spec.name);
  ctx.reply.Int(spec.arity);
  bool movable = spec.keynum_index > 0 || (spec.module && spec.module->get_keys);
  size_t nflags = movable + (spec.module != nullptr);
  for (auto& [bit, name] : kFlagNames) nflags += (spec.flags & bit) != 0;
  ctx.reply.Set(nflags);
  for (auto& [bit, name] : kFlagNames)
    if (spec.flags & bit) ctx.reply.Simple(name);
  if (movable) ctx.reply.Simple("movablekeys");
  if (spec.module) ctx.reply.Simple("module");
  ctx.reply.Int(spec.first_key);
  ctx.reply.Int(spec.last_key);
  ctx.reply.Int(spec.key_step);
  std::vector<std::string> cats = AclCategories(spec);
  ctx.reply.Set(cats.size());
  for (const std::string& c : cats) ctx.reply.Simple(c);
  ctx.reply.Array(0);  // tips
  ctx.reply.Array(0);  // key specifications
  ctx.reply.Array(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) CommandInfoEntry(ctx, sub);
}

// One argument of COMMAND DOCS, with Redis 7.0's fields in its order.
void CommandDocsArg(CmdCtx& ctx, const CommandArg& arg) {
  size_t flags = arg.optional + arg.multiple + arg.multiple_token;
  ctx.reply.Map(2 + (arg.key_spec_index >= 0) + !arg.token.empty() + !arg.since.empty() + (flags > 0) +
                !arg.args.empty());
  ctx.reply.Bulk("name");
  ctx.reply.Bulk(arg.name);
  ctx.reply.Bulk("type");
  ctx.reply.Bulk(CommandArgTypeName(arg.type));
  if (arg.key_spec_index >= 0) {
    ctx.reply.Bulk("key_spec_index");
    ctx.reply.Int(arg.key_spec_index);
  }
  if (!arg.token.empty()) {
    ctx.reply.Bulk("token");
    ctx.reply.Bulk(arg.token);
  }
  if (!arg.since.empty()) {
    ctx.reply.Bulk("since");
    ctx.reply.Bulk(arg.since);
  }
  if (flags > 0) {
    ctx.reply.Bulk("flags");
    ctx.reply.Set(flags);
    if (arg.optional) ctx.reply.Simple("optional");
    if (arg.multiple) ctx.reply.Simple("multiple");
    if (arg.multiple_token) ctx.reply.Simple("multiple_token");
  }
  if (!arg.args.empty()) {
    ctx.reply.Bulk("arguments");
    ctx.reply.Array(arg.args.size());
    for (const CommandArg& a : arg.args) CommandDocsArg(ctx, a);
  }
}

void CommandDocsEntry(CmdCtx& ctx, const CommandSpec& spec) {
  ctx.reply.Bulk(spec.name);
  bool has_args = spec.args && !spec.args->empty();
  ctx.reply.Map(3 + has_args + !spec.subcommands.empty());
  ctx.reply.Bulk("summary");
  ctx.reply.Bulk(spec.summary);
  ctx.reply.Bulk("since");
  ctx.reply.Bulk(spec.since);
  ctx.reply.Bulk("group");
  ctx.reply.Bulk(spec.group);
  if (has_args) {
    ctx.reply.Bulk("arguments");
    ctx.reply.Array(spec.args->size());
    for (const CommandArg& a : *spec.args) CommandDocsArg(ctx, a);
  }
  if (!spec.subcommands.empty()) {
    ctx.reply.Bulk("subcommands");
    ctx.reply.Map(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) CommandDocsEntry(ctx, sub);
  }
}

void Command(CmdCtx& ctx) {
  const CommandTable& table = CommandTable::Get();
  if (ctx.argc() == 1) {
    ctx.reply.Array(table.All().size());
    for (const CommandSpec* spec : table.All()) CommandInfoEntry(ctx, *spec);
    return;
  }
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "help")) {
    return ReplyHelp(ctx, {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "(no subcommand)",
                           "    Return details about all Redis commands.", "COUNT",
                           "    Return the total number of commands in this Redis server.", "LIST",
                           "    Return a list of all commands in this Redis server.",
                           "INFO [<command-name> ...]",
                           "    Return details about multiple Redis commands.",
                           "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                           "GETKEYS <full-command>", "    Return the keys from a full Redis command.", "HELP",
                           "    Print this help."});
  }
  if (EqualsIgnoreCase(sub, "count")) {
    if (ctx.argc() != 2) return SubcommandArity(ctx, "COMMAND");
    return ctx.reply.Int(static_cast<int64_t>(table.All().size()));
  }
  if (EqualsIgnoreCase(sub, "list")) {
    std::string_view pattern;
    bool has_pattern = false;
    if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "filterby")) {
      if (EqualsIgnoreCase(ctx.arg(3), "pattern")) {
        pattern = ctx.arg(4);
        has_pattern = true;
      } else if (!EqualsIgnoreCase(ctx.arg(3), "aclcat") && !EqualsIgnoreCase(ctx.arg(3), "module")) {
        return ctx.reply.Error(kErrSyntax);
      }
    } else if (ctx.argc() != 2) {
      return ctx.reply.Error(kErrSyntax);
    }
    std::vector<const CommandSpec*> all;
    for (const CommandSpec* spec : table.All()) {
      all.push_back(spec);
      for (const CommandSpec& sub : spec->subcommands) all.push_back(&sub);
    }
    std::vector<std::string_view> names;
    for (const CommandSpec* spec : all) {
      if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(3), "module") &&
          (!spec->module || !spec->module->module || !EqualsIgnoreCase(spec->module->module->name(), ctx.arg(4))))
        continue;
      if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(3), "aclcat")) {
        std::vector<std::string> cats = AclCategories(*spec);
        if (std::find(cats.begin(), cats.end(), "@" + ToLower(ctx.arg(4))) == cats.end()) continue;
      }
      if (has_pattern && !GlobMatch(pattern, spec->name, true)) continue;
      names.push_back(spec->name);
    }
    ctx.reply.Array(names.size());
    for (std::string_view n : names) ctx.reply.Bulk(n);
    return;
  }
  if (EqualsIgnoreCase(sub, "info")) {
    if (ctx.argc() == 2) {
      ctx.reply.Array(table.All().size());
      for (const CommandSpec* spec : table.All()) CommandInfoEntry(ctx, *spec);
      return;
    }
    ctx.reply.Array(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const CommandSpec* spec = table.Find(ctx.arg(i));
      if (spec)
        CommandInfoEntry(ctx, *spec);
      else
        ctx.reply.NullArray();
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "docs")) {
    std::vector<const CommandSpec*> specs;
    if (ctx.argc() == 2) {
      specs = table.All();
    } else {
      for (size_t i = 2; i < ctx.argc(); ++i)
        if (const CommandSpec* spec = table.Find(ctx.arg(i))) specs.push_back(spec);
    }
    ctx.reply.Map(specs.size());
    for (const CommandSpec* spec : specs) CommandDocsEntry(ctx, *spec);
    return;
  }
  if (EqualsIgnoreCase(sub, "getkeys") || EqualsIgnoreCase(sub, "getkeysandflags")) {
    if (ctx.argc() < 3) return SubcommandArity(ctx, "COMMAND");
    const CommandSpec* spec = table.Find(ctx.arg(2));
    if (!spec) return ctx.reply.Error("Invalid command specified");
    int64_t argc = static_cast<int64_t>(ctx.argc() - 2);
    if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity))
      return ctx.reply.Error("Invalid number of arguments specified for command");
    std::vector<size_t> idx;
    CommandTable::KeyIndexes(*spec, ctx.argv.subspan(2), &idx);
    if (idx.empty()) return ctx.reply.Error("The command has no key arguments");
    ctx.reply.Array(idx.size());
    for (size_t i : idx) ctx.reply.Bulk(ctx.arg(i + 2));
    return;
  }
  UnknownSubcommand(ctx, "COMMAND");
}

CommandSpec Sub(const char* name, int arity, uint32_t flags, const char* summary, const char* since, int first = 0,
                int last = 0, int step = 0) {
  return {name, arity, flags, first, last, step, nullptr, "server", summary, since, {}};
}

}  // namespace

void RegisterServerFamily(CommandTable& t) {
  constexpr uint32_t C = kCmdConnection, F = kCmdFast, A = kCmdAdmin;
  auto add = [&t](const char* name, int arity, uint32_t flags, CommandHandler h, const char* group,
                  const char* summary, const char* since, std::vector<CommandSpec> subs = {}) {
    CommandSpec spec{name, arity, flags, 0, 0, 0, h, group, summary, since, {}};
    spec.subcommands = std::move(subs);
    t.Add(std::move(spec));
  };
  add("ping", -1, C | F | kCmdStale | kCmdSubscribedOk, Ping, "connection", "Returns the server's liveliness response.", "1.0.0");
  add("echo", 2, C | F, Echo, "connection", "Returns the given string.", "1.0.0");
  add("quit", -1, C | F | kCmdNoAuth | kCmdAllowBusy | kCmdMultiControl | kCmdSubscribedOk, Quit, "connection", "Closes the connection.", "1.0.0");
  add("select", 2, C | F | kCmdLoading | kCmdStale, Select, "connection", "Changes the selected database.", "1.0.0");
  add("reset", 1, C | F | kCmdNoAuth | kCmdMultiControl | kCmdSubscribedOk, Reset, "connection", "Resets the connection.", "6.2.0");
  add("hello", -1, C | F | kCmdNoAuth, Hello, "connection", "Handshakes with the Redis server.", "6.0.0");
  add("time", 1, C | F | kCmdLoading | kCmdStale, Time, "server", "Returns the server time.", "2.6.0");
  add("flushdb", -1, kCmdWrite | kCmdAllShards, Flush, "server", "Removes all keys from the current database.", "1.0.0");
  add("flushall", -1, kCmdWrite | kCmdAllShards, Flush, "server", "Removes all keys from all databases.", "1.0.0");
  add("shutdown", -1, C | A | kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy, Shutdown, "server",
      "Synchronously saves the database(s) to disk and shuts down the Redis server.", "1.0.0");
  add("role", 1, C | F | A | kCmdNoScript | kCmdLoading | kCmdStale, Role, "server",
      "Return the role of the instance in the context of replication", "2.8.12");
  add("lolwut", -1, C | F | kCmdReadOnly, Lolwut, "server", "Display some computer art and the Redis version", "5.0.0");
  add("info", -1, C | kCmdLoading | kCmdStale, Info, "server", "Returns information and statistics about the server.",
      "1.0.0");
  add("client", -2, C, Client, "connection", "A container for client connection commands.", "2.4.0",
      {Sub("client|id", 2, C, "Returns the unique client ID of the connection.", "5.0.0"),
       Sub("client|getname", 2, C, "Returns the name of the connection.", "2.6.9"),
       Sub("client|setname", 3, C, "Sets the connection name.", "2.6.9"),
       Sub("client|setinfo", 4, C, "Sets information specific to the client or connection.", "7.2.0"),
       Sub("client|info", 2, C, "Returns information about the connection.", "6.2.0"),
       Sub("client|list", -2, C | A, "Lists open connections.", "2.4.0"),
       Sub("client|kill", -3, C | A, "Terminates open connections.", "2.4.0"),
       Sub("client|no-evict", 3, C | A, "Sets the client eviction mode of the connection.", "7.0.0"),
       Sub("client|reply", 3, C | kCmdNoScript | kCmdLoading | kCmdStale, "Instructs the server whether to reply to commands.",
           "3.2.0"),
       Sub("client|tracking", -3, C | kCmdLoading | kCmdStale, "Controls server-assisted client-side caching for the connection.",
           "6.0.0"),
       Sub("client|caching", 3, C | kCmdLoading | kCmdStale,
           "Instructs the server whether to track the keys in the next request.", "6.0.0"),
       Sub("client|getredir", 2, C | kCmdLoading | kCmdStale,
           "Returns the client ID to which the connection's tracking notifications are redirected.", "6.0.0"),
       Sub("client|trackinginfo", 2, C | kCmdLoading | kCmdStale,
           "Returns information about server-assisted client-side caching for the connection.", "6.2.0"),
       Sub("client|pause", -3, C | A | kCmdNoScript | kCmdLoading | kCmdStale, "Suspends commands processing.",
           "3.0.0"),
       Sub("client|unpause", 2, C | A | kCmdNoScript | kCmdLoading | kCmdStale,
           "Resumes processing of clients that were paused.", "6.2.0"),
       Sub("client|unblock", -3, C | A, "Unblocks a client blocked by a blocking command from a different connection.", "5.0.0"),
       Sub("client|help", 2, C, "Returns helpful text about the different subcommands.", "5.0.0")});
  add("config", -2, C, Config_, "server", "A container for server configuration commands.", "2.0.0",
      {Sub("config|get", -3, C | A, "Returns the effective values of configuration parameters.", "2.0.0"),
       Sub("config|set", -4, C | A, "Sets configuration parameters in-flight.", "2.0.0"),
       Sub("config|resetstat", 2, C | A, "Resets the server's statistics.", "2.0.0"),
       Sub("config|rewrite", 2, C | A, "Persists the effective configuration to file.", "2.8.0"),
       Sub("config|help", 2, C, "Returns helpful text about the different subcommands.", "5.0.0")});
  add("command", -1, C, Command, "server", "Returns detailed information about all commands.", "2.8.13",
      {Sub("command|count", 2, C, "Returns a count of commands.", "2.8.13"),
       Sub("command|list", -2, C, "Returns a list of command names.", "7.0.0"),
       Sub("command|info", -2, C, "Returns information about one, multiple or all commands.", "2.8.13"),
       Sub("command|docs", -2, C, "Returns documentary information about one, multiple or all commands.", "7.0.0"),
       Sub("command|getkeys", -3, C, "Extracts the key names from an arbitrary command.", "2.8.13"),
       Sub("command|help", 2, C, "Returns helpful text about the different subcommands.", "5.0.0")});
}

}  // namespace ember
