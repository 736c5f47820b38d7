// Where and how ember-cli connects. Shared by every mode, the benchmark too;
// transport options (TLS) belong here, next to the address.
#pragma once

#include <string>

namespace ember::cli {

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // with a password: AUTH user password
  std::string password;  // empty: no AUTH
  bool resp3 = false;    // HELLO 3 after connecting

  // TLS (--tls): the server's certificate is checked against cacert (or
  // the system's CAs) unless insecure; cert and key are the client's own
  // for mTLS; sni is the name sent and checked (default: host).
  bool tls = false;
  std::string cacert, cert, key, sni;
  bool insecure = false;

  std::string Address() const { return host + ":" + std::to_string(port); }
};

}  // namespace ember::cli
