// Building an SSL_CTX from the settings, and the one the TLS port uses now.
#pragma once

#include <openssl/ssl.h>

#include <mutex>
#include <string>

#include "settings.h"

namespace tls {

// tls-protocols as a set of SSL_OP_NO_* options to clear ("" is TLSv1.2
// and TLSv1.3); false for a word that is not a protocol name.
bool ParseProtocols(const std::string& text, long* disabled_options);

struct BuildResult {
  enum Status {
    kOk,
    // A parameter it needs is not set yet (start-up sets them one by one).
    kIncomplete,
    // The private key did not load: a wrong passphrase, or a key that is
    // not the certificate's. The other half may be the next parameter set
    // (CONFIG SET tls-cert-file a tls-key-file b sets them in turn).
    kKeyProblem,
    kError,
  };
  Status status = kError;
  SSL_CTX* ctx = nullptr;  // owned by the caller; set when kOk
  std::string error;       // why it failed, with OpenSSL's reason
};

BuildResult BuildContext(const Settings& s);

// The context new connections get. CONFIG SET swaps it from the thread
// that runs CONFIG SET while shard threads accept: a mutex guards the
// pointer, and each SSL holds its own reference to the SSL_CTX it came
// from, so connections already open go on with the old one.
class CurrentContext {
 public:
  ~CurrentContext();
  void Replace(SSL_CTX* ctx);  // takes ownership
  // A new SSL for a connection, or nullptr when no context was built yet.
  SSL* NewSsl();
  bool ready();

 private:
  std::mutex mu_;
  SSL_CTX* ctx_ = nullptr;
};

// OpenSSL's queued errors of this thread as one line (and clears them).
std::string OpenSslErrors();

}  // namespace tls
