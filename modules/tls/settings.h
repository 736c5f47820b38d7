// The TLS parameters, by their Redis names, as CONFIG SET last accepted
// them. A Settings is a plain value: the module builds each SSL_CTX from a
// copy, so a reload never reads a half-changed set.
#pragma once

#include <cstdint>
#include <string>

namespace tls {

enum class AuthClients { kNo, kYes, kOptional };

struct Settings {
  std::string cert_file;          // tls-cert-file
  std::string key_file;           // tls-key-file
  std::string key_file_pass;      // tls-key-file-pass
  std::string ca_cert_file;       // tls-ca-cert-file
  std::string ca_cert_dir;        // tls-ca-cert-dir
  AuthClients auth_clients = AuthClients::kYes;  // tls-auth-clients
  std::string protocols;          // tls-protocols: "" is TLSv1.2 and TLSv1.3
  std::string ciphers;            // tls-ciphers (TLSv1.2 and below)
  std::string ciphersuites;       // tls-ciphersuites (TLSv1.3)
  bool prefer_server_ciphers = false;  // tls-prefer-server-ciphers
  bool session_caching = true;         // tls-session-caching
  int64_t session_cache_size = 20480;  // tls-session-cache-size
  int64_t session_cache_timeout = 300; // tls-session-cache-timeout, seconds
};

}  // namespace tls
