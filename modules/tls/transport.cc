#include "transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "context.h"
#include "handshake_reaper.h"
#include "host.h"

namespace tls {

namespace {

struct TransportState {
  CurrentContext* contexts;
  HandshakeReaper* reaper;
};

// One connection: its SSL and, until the handshake is done, its place in
// the reaper's list.
struct Connection {
  SSL* ssl;
  int fd;
  HandshakeReaper* reaper;
  std::optional<HandshakeReaper::Handle> handshaking;
  std::string peer;  // for the log
  // CLIENT LIST's fields, fixed once the handshake is done.
  std::string info;
};

std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

// A certificate subject as one CLIENT LIST word: RFC 2253 text whose
// spaces become "\20" (an RFC 4514 hex escape).
std::string SubjectWord(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  BIO* bio = BIO_new(BIO_s_mem());
  if (!bio) return "";
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out;
  for (long i = 0; i < n; ++i) {
    if (data[i] == ' ')
      out += "\\20";
    else
      out += data[i];
  }
  BIO_free(bio);
  return out;
}

void FinishHandshake(Connection* c) {
  c->reaper->Remove(*c->handshaking);
  c->handshaking.reset();
  c->info = std::string(" tls-version=") + SSL_get_version(c->ssl) + " tls-cipher=" + SSL_get_cipher_name(c->ssl);
  X509* peer = SSL_get1_peer_certificate(c->ssl);
  c->info += " tls-client-subject=";
  if (peer) {
    c->info += SubjectWord(peer);
    X509_free(peer);
  }
}

// Why a handshake failed, for the log: the certificate verdict when
// verification failed, otherwise OpenSSL's reason or the socket's.
std::string HandshakeError(Connection* c, int ssl_error, int saved_errno) {
  long verify = SSL_get_verify_result(c->ssl);
  std::string why = OpenSslErrors();
  if (verify != X509_V_OK) return std::string("client certificate: ") + X509_verify_cert_error_string(verify);
  if (!why.empty()) return why;
  if (ssl_error == SSL_ERROR_SYSCALL) return saved_errno ? strerror(saved_errno) : "the peer closed the connection";
  return "SSL error " + std::to_string(ssl_error);
}

// Advances the handshake: 1 when done, otherwise what read or write
// should answer.
long Handshake(Connection* c) {
  ERR_clear_error();
  errno = 0;
  int rc = SSL_accept(c->ssl);
  if (rc == 1) {
    FinishHandshake(c);
    return 1;
  }
  int saved_errno = errno;
  int err = SSL_get_error(c->ssl, rc);
  if (err == SSL_ERROR_WANT_READ) return EMBER_IO_WANT_READ;
  if (err == SSL_ERROR_WANT_WRITE) return EMBER_IO_WANT_WRITE;
  bool timed_out = (*c->handshaking)->timed_out.load();
  std::string why = timed_out ? "handshake timed out (tls.handshake-timeout)" : HandshakeError(c, err, saved_errno);
  Log(EMBER_LOG_VERBOSE, "Error accepting a client connection: " + why + " (addr=" + c->peer + ")");
  return EMBER_IO_ERROR;
}

// What SSL_read / SSL_write's failure means to the server.
long IoResult(Connection* c, int rc, bool writing) {
  int saved_errno = errno;
  int err = SSL_get_error(c->ssl, rc);
  switch (err) {
    case SSL_ERROR_WANT_READ: return EMBER_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return EMBER_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: return 0;  // close_notify
    case SSL_ERROR_SYSCALL:
      if (saved_errno == EAGAIN || saved_errno == EINTR) return writing ? EMBER_IO_WANT_WRITE : EMBER_IO_WANT_READ;
      if (saved_errno == 0) return 0;  // EOF without close_notify
      break;
    default: break;
  }
  std::string why = OpenSslErrors();
  if (why.empty()) why = saved_errno ? strerror(saved_errno) : "SSL error " + std::to_string(err);
  Log(EMBER_LOG_VERBOSE, std::string("TLS ") + (writing ? "write" : "read") + " error: " + why + " (addr=" + c->peer + ")");
  return EMBER_IO_ERROR;
}

void* Accept(void* state, int fd) {
  auto* st = static_cast<TransportState*>(state);
  SSL* ssl = st->contexts->NewSsl();
  if (!ssl) {
    Log(EMBER_LOG_WARNING, "refusing a TLS connection from " + PeerAddress(fd) +
                               ": TLS is not configured (tls-cert-file, tls-key-file, tls-ca-cert-file)");
    return nullptr;
  }
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  auto* c = new Connection{ssl, fd, st->reaper, std::nullopt, PeerAddress(fd), {}};
  c->handshaking = st->reaper->Add(fd, g_api->milliseconds());
  return c;
}

long Read(void* conn, void* buf, size_t len) {
  auto* c = static_cast<Connection*>(conn);
  if (c->handshaking) {
    long h = Handshake(c);
    if (h != 1) return h;
  }
  ERR_clear_error();
  errno = 0;
  int n = SSL_read(c->ssl, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return n;
  return IoResult(c, n, false);
}

long Write(void* conn, const void* buf, size_t len) {
  auto* c = static_cast<Connection*>(conn);
  if (c->handshaking) {
    long h = Handshake(c);
    if (h != 1) return h;
  }
  ERR_clear_error();
  errno = 0;
  int n = SSL_write(c->ssl, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
  if (n > 0) return n;
  long r = IoResult(c, n, true);
  return r == 0 ? EMBER_IO_ERROR : r;
}

// Decrypted bytes of the current record, or whole records read ahead:
// either way the socket will not signal them again.
size_t Pending(void* conn) {
  auto* c = static_cast<Connection*>(conn);
  if (c->handshaking) return 0;
  int n = SSL_pending(c->ssl);
  if (n > 0) return static_cast<size_t>(n);
  return SSL_has_pending(c->ssl) ? 1 : 0;
}

void Close(void* conn) {
  auto* c = static_cast<Connection*>(conn);
  if (c->handshaking) {
    c->reaper->Remove(*c->handshaking);
  } else {
    // A close_notify if the socket takes it now; never waits for the peer's.
    SSL_set_quiet_shutdown(c->ssl, 0);
    ERR_clear_error();
    SSL_shutdown(c->ssl);
    ERR_clear_error();
  }
  SSL_free(c->ssl);
  delete c;
}

size_t ClientInfo(void* conn, char* buf, size_t cap) {
  auto* c = static_cast<Connection*>(conn);
  if (cap == 0) return 0;
  size_t n = std::min(c->info.size(), cap - 1);
  memcpy(buf, c->info.data(), n);
  buf[n] = 0;
  return n;
}

}  // namespace

EmberTransportDef MakeTransport(CurrentContext* contexts, HandshakeReaper* reaper) {
  static TransportState state;
  state = TransportState{contexts, reaper};
  return EmberTransportDef{sizeof(EmberTransportDef), "tls", &state, Accept, Read, Write, Pending, Close, ClientInfo};
}

}  // namespace tls
