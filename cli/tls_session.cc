#include "cli/tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

#include "cli/connection.h"

namespace ember::cli {

namespace {

std::string Errors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

[[noreturn]] void Fail(SSL_CTX* ctx, SSL* ssl, const std::string& what) {
  std::string why = Errors();
  if (ssl) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) why = X509_verify_cert_error_string(verify);
    SSL_free(ssl);
  }
  SSL_CTX_free(ctx);
  throw ConnectionError(what + (why.empty() ? "" : ": " + why));
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::unique_ptr<TlsSession> TlsSession::Connect(int fd, const ConnectionOptions& o) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) Fail(nullptr, nullptr, "Could not create an SSL context");
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx, o.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  if (!o.cacert.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, o.cacert.c_str(), nullptr) != 1)
      Fail(ctx, nullptr, "Could not load the CA certificate " + o.cacert);
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    Fail(ctx, nullptr, "Could not load the system's CA certificates");
  }
  if (!o.cert.empty() && SSL_CTX_use_certificate_chain_file(ctx, o.cert.c_str()) != 1)
    Fail(ctx, nullptr, "Could not load the certificate " + o.cert);
  if (!o.key.empty() && SSL_CTX_use_PrivateKey_file(ctx, o.key.c_str(), SSL_FILETYPE_PEM) != 1)
    Fail(ctx, nullptr, "Could not load the private key " + o.key);
  SSL* ssl = SSL_new(ctx);
  if (!ssl) Fail(ctx, nullptr, "Could not create an SSL connection");
  SSL_set_fd(ssl, fd);
  const std::string& name = o.sni.empty() ? o.host : o.sni;
  // SNI and the certificate's name: a DNS name is checked as one, an
  // address as an address (IP SANs).
  if (!IsIpAddress(name)) {
    SSL_set_tlsext_host_name(ssl, name.c_str());
    SSL_set1_host(ssl, name.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
  }
  if (SSL_connect(ssl) != 1) Fail(ctx, ssl, "Could not negotiate a TLS connection");
  return std::unique_ptr<TlsSession>(new TlsSession(ctx, ssl));
}

TlsSession::~TlsSession() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

long TlsSession::Result(int rc) {
  int saved_errno = errno;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return kWouldBlock;
    case SSL_ERROR_ZERO_RETURN: return kClosed;
    case SSL_ERROR_SYSCALL:
      if (saved_errno == EAGAIN || saved_errno == EINTR) return kWouldBlock;
      if (saved_errno == 0) return kClosed;
      error_ = strerror(saved_errno);
      return kFailed;
    default:
      error_ = Errors();
      if (error_.empty()) error_ = "TLS error";
      return kFailed;
  }
}

long TlsSession::Read(void* buf, size_t len) {
  ERR_clear_error();
  errno = 0;
  int n = SSL_read(ssl_, buf, static_cast<int>(len));
  return n > 0 ? n : Result(n);
}

long TlsSession::Write(const void* buf, size_t len) {
  ERR_clear_error();
  errno = 0;
  int n = SSL_write(ssl_, buf, static_cast<int>(len));
  return n > 0 ? n : Result(n);
}

bool TlsSession::pending() const { return SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_); }

}  // namespace ember::cli
