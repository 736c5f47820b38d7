// The client side of TLS for ember-cli (--tls): OpenSSL over a connected
// socket. The server core links no OpenSSL; ember-cli does.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "cli/connection_options.h"

namespace ember::cli {

class TlsSession {
 public:
  // Read and Write answer a byte count, or one of these.
  static constexpr long kClosed = 0;
  static constexpr long kWouldBlock = -2;  // a non-blocking socket has no room / nothing yet
  static constexpr long kFailed = -1;      // error() says why

  // Handshakes over the connected, blocking socket fd (left blocking).
  // Throws ConnectionError with OpenSSL's reason.
  static std::unique_ptr<TlsSession> Connect(int fd, const ConnectionOptions& options);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  long Read(void* buf, size_t len);
  long Write(const void* buf, size_t len);
  // Decrypted bytes or records read ahead, which the socket will not signal.
  bool pending() const;
  const std::string& error() const { return error_; }

 private:
  TlsSession(SSL_CTX* ctx, SSL* ssl) : ctx_(ctx), ssl_(ssl) {}
  long Result(int rc);

  SSL_CTX* ctx_;
  SSL* ssl_;
  std::string error_;
};

}  // namespace ember::cli
