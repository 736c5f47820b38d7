// A connection that comes back by itself: each command first checks that the
// connection is up (and reconnects when the server closed it, e.g. after a
// restart), and a command that fails in flight is sent once more on a fresh
// connection, as redis-cli does.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/connection.h"
#include "cli/reply.h"

namespace ember::cli {

class Session {
 public:
  using ReplyHandler = std::function<void(const Reply&)>;

  // `on_connect` runs after every successful connect (the REPL reloads the
  // command catalog there: a restarted server may have other commands).
  explicit Session(ConnectionOptions options, std::function<void(Connection&)> on_connect = {})
      : conn_(std::move(options)), on_connect_(std::move(on_connect)) {}

  // Throws ConnectionError when the server cannot be reached.
  void Connect();
  bool connected() const { return conn_.is_open(); }
  const Connection& connection() const { return conn_; }

  // Runs one command. Push messages that are not its reply go to `on_push`.
  // Returns nullopt when the server closed the connection in answer (SHUTDOWN).
  // Throws ConnectionError when the server cannot be reached.
  std::optional<Reply> Execute(const std::vector<std::string>& args, const ReplyHandler& on_push);

  // Pub/sub and MONITOR: after their first reply the server keeps sending.
  static bool Streams(const std::vector<std::string>& args);
  // Hands every further reply to `on_reply` until the connection closes.
  void Stream(const ReplyHandler& on_reply);

 private:
  Reply ReadReplyTo(const std::string& command, const ReplyHandler& on_push);

  Connection conn_;
  std::function<void(Connection&)> on_connect_;
};

}  // namespace ember::cli
