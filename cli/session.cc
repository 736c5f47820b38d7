#include "cli/session.h"

#include "cli/args.h"

namespace ember::cli {

void Session::Connect() {
  conn_.Open();
  if (on_connect_) on_connect_(conn_);
}

bool Session::Streams(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  for (const char* name : {"subscribe", "psubscribe", "ssubscribe", "monitor"})
    if (EqualsIgnoreCase(args[0], name)) return true;
  return false;
}

Reply Session::ReadReplyTo(const std::string& command, const ReplyHandler& on_push) {
  while (true) {
    Reply r = conn_.Read();
    // In RESP3 a (un)subscribe is answered by a push named after it; any
    // other push (an invalidation, a message) arrived on its own.
    bool own = r.type != Reply::Type::kPush || r.elements.empty() ||
               EqualsIgnoreCase(r.elements[0].str, command);
    if (own) return r;
    if (on_push) on_push(r);
  }
}

std::optional<Reply> Session::Execute(const std::vector<std::string>& args, const ReplyHandler& on_push) {
  try {
    while (std::optional<Reply> push = conn_.ReadIfAvailable())
      if (on_push) on_push(*push);
  } catch (const ConnectionError&) {
    // The server closed the connection while we were idle; reconnect below.
  }
  if (!conn_.is_open()) Connect();
  bool shutdown = EqualsIgnoreCase(args[0], "shutdown");
  try {
    conn_.Send(args);
    return ReadReplyTo(args[0], on_push);
  } catch (const ConnectionError&) {
    if (shutdown) return std::nullopt;
  }
  Connect();
  conn_.Send(args);
  return ReadReplyTo(args[0], on_push);
}

void Session::Stream(const ReplyHandler& on_reply) {
  try {
    while (true) on_reply(conn_.Read());
  } catch (const ConnectionError&) {
    // The server went away: streaming ends with the connection.
  }
}

}  // namespace ember::cli
