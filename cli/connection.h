// One blocking connection to the server: connect and greet (AUTH, HELLO 3),
// send commands, read replies.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/connection_options.h"
#include "cli/reply.h"
#include "cli/tls_session.h"

namespace ember::cli {

// The connection failed or was closed; the message is ready to print.
struct ConnectionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Connection {
 public:
  explicit Connection(ConnectionOptions options) : options_(std::move(options)) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects and greets. Throws ConnectionError ("Could not connect to Redis
  // at ...") when the server cannot be reached; a refused AUTH or HELLO is
  // reported on stderr and the connection stays up, as in redis-cli.
  void Open();
  void Close();
  bool is_open() const { return fd_ >= 0; }
  const ConnectionOptions& options() const { return options_; }

  void Send(const std::vector<std::string>& args);
  // Blocks for the next reply; throws ConnectionError when the server closes
  // the connection.
  Reply Read();
  // A reply that has already arrived (a push message), without blocking.
  std::optional<Reply> ReadIfAvailable();
  Reply Execute(const std::vector<std::string>& args) {
    Send(args);
    return Read();
  }
  // The socket and, with --tls, its session: handed over to the
  // benchmark's event loop.
  struct Released {
    int fd;
    std::unique_ptr<TlsSession> tls;
  };
  Released Release();

 private:
  // Reads what the socket has (waiting for it when `block`); false when
  // nothing was there.
  bool Fill(bool block);
  std::optional<Reply> Parsed();
  void Greet();

  ConnectionOptions options_;
  int fd_ = -1;
  std::unique_ptr<TlsSession> tls_;
  ReplyParser parser_;
};

}  // namespace ember::cli
