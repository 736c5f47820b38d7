// tls.so: Redis-compatible TLS and mTLS for ember on its own port (tls-port),
// built against module-api/ember_module.h and OpenSSL 3 (the server itself
// links no OpenSSL). This file is the module's face to the server: its
// identity, init, its config parameters (Redis's tls-* names) and INFO.
#include <openssl/ssl.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "context.h"
#include "ember_module.h"
#include "handshake_reaper.h"
#include "host.h"
#include "settings.h"
#include "transport.h"

EMBER_MODULE("tls", 1);

namespace tls {

const EmberApi* g_api = nullptr;
EmberModule* g_module = nullptr;

void Log(int level, const std::string& message) { g_api->log(g_module, level, message.c_str()); }

namespace {

CurrentContext g_contexts;
HandshakeReaper g_reaper;

// The parameters as last accepted, and what became of them. CONFIG SET
// runs on one thread at a time (under the server's config lock), but the
// start-up check runs on a shard: hence the mutex.
std::mutex g_settings_mu;
Settings g_settings;
bool g_built = false;          // a context was built from them at least once
std::string g_last_error;      // why the newest settings built no context
int g_port = 0;                // the port listened on; 0 before tls-port

bool IsYes(EmberStr v) { return v.len == 3 && memcmp(v.ptr, "yes", 3) == 0; }

int Refuse(char* err, size_t cap, const std::string& why) {
  snprintf(err, cap, "%s", why.c_str());
  return EMBER_ERR;
}

// Writes one parameter's value into s; false for a name it does not know.
bool Assign(Settings* s, const std::string& name, EmberStr value) {
  std::string v(value.ptr, value.len);
  if (name == "tls-cert-file") s->cert_file = v;
  else if (name == "tls-key-file") s->key_file = v;
  else if (name == "tls-key-file-pass") s->key_file_pass = v;
  else if (name == "tls-ca-cert-file") s->ca_cert_file = v;
  else if (name == "tls-ca-cert-dir") s->ca_cert_dir = v;
  else if (name == "tls-auth-clients")
    s->auth_clients = v == "no" ? AuthClients::kNo : v == "optional" ? AuthClients::kOptional : AuthClients::kYes;
  else if (name == "tls-protocols") s->protocols = v;
  else if (name == "tls-ciphers") s->ciphers = v;
  else if (name == "tls-ciphersuites") s->ciphersuites = v;
  else if (name == "tls-prefer-server-ciphers") s->prefer_server_ciphers = IsYes(value);
  else if (name == "tls-session-caching") s->session_caching = IsYes(value);
  else if (name == "tls-session-cache-size") s->session_cache_size = std::stoll(v);
  else if (name == "tls-session-cache-timeout") s->session_cache_timeout = std::stoll(v);
  else return false;
  return true;
}

// A TLS parameter changed: build a context from the new settings and let
// new connections use it. Start-up sets the parameters one at a time, so
// until a context could be built, missing parameters and a key that does
// not load yet are not errors; a file that does not load always is. A key
// that does not load keeps the previous context (with a warning): its
// certificate or passphrase may be the next parameter of the same CONFIG
// SET.
int OnSetContext(const std::string& name, EmberStr value, char* err, size_t cap) {
  std::lock_guard lock(g_settings_mu);
  Settings next = g_settings;
  if (!Assign(&next, name, value)) return Refuse(err, cap, "unexpected parameter " + name);
  if (name == "tls-protocols") {
    long disabled;
    if (!ParseProtocols(next.protocols, &disabled))
      return Refuse(err, cap,
                    "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and "
                    "'TLSv1.3'.");
  }
  BuildResult r = BuildContext(next);
  switch (r.status) {
    case BuildResult::kOk:
      g_contexts.Replace(r.ctx);
      if (g_built) Log(EMBER_LOG_NOTICE, "TLS configuration reloaded (" + name + ")");
      g_built = true;
      g_last_error.clear();
      break;
    case BuildResult::kIncomplete:
      if (g_built) return Refuse(err, cap, r.error);
      g_last_error = r.error;
      break;
    case BuildResult::kKeyProblem:
      if (g_built) Log(EMBER_LOG_WARNING, "TLS keeps its previous certificate and key: " + r.error);
      g_last_error = r.error;
      break;
    case BuildResult::kError: return Refuse(err, cap, r.error);
  }
  g_settings = next;
  return EMBER_OK;
}

// Runs once the server runs (every parameter given at start-up applied):
// a TLS port without a usable certificate is worth a warning, since every
// connection to it will be refused.
void StartupCheck(EmberCtx*, void*) {
  std::lock_guard lock(g_settings_mu);
  if (g_port != 0 && !g_built)
    Log(EMBER_LOG_WARNING, "tls-port " + std::to_string(g_port) + " refuses connections: " + g_last_error);
}

int OnSetPort(EmberStr value, char* err, size_t cap) {
  int port = std::stoi(std::string(value.ptr, value.len));
  std::lock_guard lock(g_settings_mu);
  if (port == g_port) return EMBER_OK;
  if (g_port != 0) return Refuse(err, cap, "tls-port is already " + std::to_string(g_port));
  if (g_api->listen(g_module, "tls", nullptr, port) != EMBER_OK)
    return Refuse(err, cap, "could not listen on tls-port " + std::to_string(port));
  g_port = port;
  // Started only now: a module that listens stays mapped even if a later
  // parameter fails its MODULE LOADEX, so the thread and the task never
  // outlive the code they run.
  g_reaper.Start();
  g_api->run_on_shard(g_module, 0, StartupCheck, nullptr);
  return EMBER_OK;
}

int OnSet(void*, const char* name, EmberStr value, char* err, size_t cap) {
  std::string n(name);
  if (n == "tls-port") return OnSetPort(value, err, cap);
  if (n == "tls.handshake-timeout") {
    g_reaper.set_timeout_ms(std::stoll(std::string(value.ptr, value.len)));
    return EMBER_OK;
  }
  return OnSetContext(n, value, err, cap);
}

void OnInfo(EmberInfoCtx* ctx, int) {
  std::lock_guard lock(g_settings_mu);
  g_api->info_section(ctx, "tls");
  g_api->info_field_i64(ctx, "tls_port", g_port);
  g_api->info_field_i64(ctx, "tls_configured", g_built ? 1 : 0);
  g_api->info_field_str(ctx, "tls_last_error", g_last_error.c_str());
}

int Fail(EmberModule* m, const char* why) {
  g_api->set_load_error(m, why);
  return EMBER_ERR;
}

}  // namespace
}  // namespace tls

EMBER_EXPORT int ember_module_init(EmberModule* m, const EmberApi* api, int argc, const EmberStr*) {
  using namespace tls;
  g_api = api;
  g_module = m;
  if (argc != 0) return Fail(m, "the tls module takes no arguments: set its tls-* parameters instead");
  constexpr int64_t kIntMax = 2147483647;
  auto str = [](const char* name) {
    return EmberConfigDef{sizeof(EmberConfigDef), name, EMBER_CONFIG_STRING, "", 0, 0, nullptr, 0, OnSet, nullptr};
  };
  auto boolean = [](const char* name, const char* def) {
    return EmberConfigDef{sizeof(EmberConfigDef), name, EMBER_CONFIG_BOOL, def, 0, 0, nullptr, 0, OnSet, nullptr};
  };
  auto integer = [](const char* name, const char* def, int64_t min, int64_t max, int immutable) {
    return EmberConfigDef{sizeof(EmberConfigDef), name, EMBER_CONFIG_INT, def, min, max, nullptr, immutable, OnSet,
                          nullptr};
  };
  const EmberConfigDef configs[] = {
      // No API closes a listening socket, so the port is set at start-up
      // (or MODULE LOADEX ... CONFIG tls-port N).
      integer("tls-port", "0", 0, 65535, 1),
      str("tls-cert-file"),
      str("tls-key-file"),
      str("tls-key-file-pass"),
      str("tls-ca-cert-file"),
      str("tls-ca-cert-dir"),
      EmberConfigDef{sizeof(EmberConfigDef), "tls-auth-clients", EMBER_CONFIG_ENUM, "yes", 0, 0, "no yes optional", 0,
                     OnSet, nullptr},
      str("tls-protocols"),
      str("tls-ciphers"),
      str("tls-ciphersuites"),
      boolean("tls-prefer-server-ciphers", "no"),
      boolean("tls-session-caching", "yes"),
      integer("tls-session-cache-size", "20480", 0, kIntMax, 0),
      integer("tls-session-cache-timeout", "300", 0, kIntMax, 0),
      // Milliseconds a client has to finish its handshake; 0: no limit.
      integer("tls.handshake-timeout", "10000", 0, kIntMax, 0),
  };
  for (const EmberConfigDef& c : configs)
    if (api->register_config(m, &c) != EMBER_OK) return Fail(m, "register_config failed");
  EmberTransportDef transport = MakeTransport(&g_contexts, &g_reaper);
  if (api->register_transport(m, &transport) != EMBER_OK) return Fail(m, "register_transport failed");
  if (api->register_info(m, OnInfo) != EMBER_OK) return Fail(m, "register_info failed");
  return EMBER_OK;
}

EMBER_EXPORT void ember_module_deinit(EmberModule*) {
  tls::g_reaper.Stop();
  tls::g_contexts.Replace(nullptr);
}
