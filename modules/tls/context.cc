#include "context.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace tls {

namespace {

constexpr char kSessionIdContext[] = "ember";

int PasswordCallback(char* buf, int size, int, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (!pass || size <= 0) return 0;
  int n = static_cast<int>(std::min(pass->size(), static_cast<size_t>(size - 1)));
  memcpy(buf, pass->data(), static_cast<size_t>(n));
  buf[n] = 0;
  return n;
}

bool EqualsIgnoreCase(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

BuildResult Fail(SSL_CTX* ctx, std::string what, BuildResult::Status status = BuildResult::kError) {
  SSL_CTX_free(ctx);
  BuildResult r;
  r.status = status;
  std::string why = OpenSslErrors();
  r.error = why.empty() ? what : what + ": " + why;
  return r;
}

}  // namespace

std::string OpenSslErrors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool ParseProtocols(const std::string& text, long* disabled_options) {
  long all = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;
  if (text.find_first_not_of(" \t") == std::string::npos) {
    *disabled_options = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
    return true;
  }
  long enabled = 0;
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    if (EqualsIgnoreCase(w, "TLSv1"))
      enabled |= SSL_OP_NO_TLSv1;
    else if (EqualsIgnoreCase(w, "TLSv1.1"))
      enabled |= SSL_OP_NO_TLSv1_1;
    else if (EqualsIgnoreCase(w, "TLSv1.2"))
      enabled |= SSL_OP_NO_TLSv1_2;
    else if (EqualsIgnoreCase(w, "TLSv1.3"))
      enabled |= SSL_OP_NO_TLSv1_3;
    else
      return false;
  }
  *disabled_options = all & ~enabled;
  return true;
}

BuildResult BuildContext(const Settings& s) {
  ERR_clear_error();
  if (s.cert_file.empty() || s.key_file.empty())
    return Fail(nullptr, "tls-cert-file and tls-key-file must both be set", BuildResult::kIncomplete);
  if (s.auth_clients != AuthClients::kNo && s.ca_cert_file.empty() && s.ca_cert_dir.empty())
    return Fail(nullptr, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients is enabled",
                BuildResult::kIncomplete);
  long disabled = 0;
  if (!ParseProtocols(s.protocols, &disabled)) return Fail(nullptr, "Invalid tls-protocols specified");
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return Fail(nullptr, "SSL_CTX_new failed");
  // A client that closes its socket without a close_notify (redis-cli
  // does) has ended its connection, not broken it.
  long options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                 SSL_OP_SINGLE_DH_USE | SSL_OP_IGNORE_UNEXPECTED_EOF | disabled;
  if (s.prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (!s.session_caching) options |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, options);
  // Writes resume from wherever the output buffer is when the socket
  // takes more (it may have moved and grown), one record at a time.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One read() takes every record the socket holds, not header and body
  // apart: the transport reports what is buffered as pending.
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_dh_auto(ctx, 1);
  if (s.session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, s.session_cache_size);
    SSL_CTX_set_timeout(ctx, s.session_cache_timeout);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(kSessionIdContext),
                                 sizeof(kSessionIdContext) - 1);
  int verify = SSL_VERIFY_NONE;
  if (s.auth_clients == AuthClients::kYes) verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (s.auth_clients == AuthClients::kOptional) verify = SSL_VERIFY_PEER;
  SSL_CTX_set_verify(ctx, verify, nullptr);

  if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) <= 0)
    return Fail(ctx, "Failed to load certificate: " + s.cert_file);
  // The callback reads the password while the key loads, and only then.
  SSL_CTX_set_default_passwd_cb(ctx, PasswordCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&s.key_file_pass));
  int key_ok = SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (key_ok <= 0) return Fail(ctx, "Failed to load private key: " + s.key_file, BuildResult::kKeyProblem);
  if (!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str(),
                                      s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str()) <= 0)
      return Fail(ctx, "Failed to configure CA certificate(s) file/directory");
  }
  if (!s.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str()))
    return Fail(ctx, "Failed to configure ciphers: " + s.ciphers);
  if (!s.ciphersuites.empty() && !SSL_CTX_set_ciphersuites(ctx, s.ciphersuites.c_str()))
    return Fail(ctx, "Failed to configure ciphersuites: " + s.ciphersuites);
  BuildResult r;
  r.status = BuildResult::kOk;
  r.ctx = ctx;
  return r;
}

CurrentContext::~CurrentContext() { SSL_CTX_free(ctx_); }

void CurrentContext::Replace(SSL_CTX* ctx) {
  SSL_CTX* old;
  {
    std::lock_guard lock(mu_);
    old = ctx_;
    ctx_ = ctx;
  }
  SSL_CTX_free(old);
}

SSL* CurrentContext::NewSsl() {
  std::lock_guard lock(mu_);
  return ctx_ ? SSL_new(ctx_) : nullptr;
}

bool CurrentContext::ready() {
  std::lock_guard lock(mu_);
  return ctx_ != nullptr;
}

}  // namespace tls
