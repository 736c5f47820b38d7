// Server: owns the config, the shards and the listening sockets. The main
// thread accepts connections and hands each to a shard (round robin), and
// turns SIGINT/SIGTERM into a graceful shutdown.
#pragma once

#include <event2/event.h>
#include <event2/listener.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acl.h"
#include "client_pause.h"
#include "config.h"
#include "persistence.h"
#include "latency.h"
#include "monitor.h"
#include "pubsub.h"
#include "slowlog.h"
#include "shard.h"
#include "slot.h"
#include "tracking.h"

namespace ember {

struct ServerStats {
  std::atomic<uint64_t> connected_clients{0};
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> rejected_connections{0};
};

struct ModuleTransport;
class MetricsHttp;

class Server {
 public:
  explicit Server(Config& config);
  ~Server();
  // The users from `aclfile` and requirepass; returns "" or the error that
  // keeps the server from starting.
  std::string LoadUsers();

  // Binds, starts the shards and runs the acceptor until shutdown; returns
  // the process exit code.
  int Run();
  // Any thread: begin a graceful shutdown.
  void RequestShutdown();
  // Any thread: SIGINT, SIGTERM or SHUTDOWN has begun the shutdown.
  bool shutdown_requested() const { return shutdown_requested_.load(std::memory_order_relaxed); }

  Config& config() { return config_; }
  uint32_t shard_count() const { return static_cast<uint32_t>(shards_.size()); }
  // `databases`: SELECT's range, fixed at start-up.
  uint32_t databases() const { return databases_; }
  Shard& shard(uint32_t i) { return *shards_[i]; }
  uint32_t ShardIndexFor(std::string_view key) const { return KeySlot(key) % shard_count(); }
  Shard& ShardFor(std::string_view key) { return *shards_[ShardIndexFor(key)]; }
  std::mutex& hold_mutex() { return hold_mu_; }
  uint64_t NextClientId() { return next_client_id_.fetch_add(1, std::memory_order_relaxed); }
  ServerStats& stats() { return stats_; }
  const std::string& run_id() const { return run_id_; }
  int64_t start_ms() const { return start_ms_; }
  int port() const { return port_; }
  Persistence& persistence() { return *persistence_; }
  // Subscriptions to channels and patterns, and to shard channels.
  PubSubRegistry& pubsub() { return pubsub_; }
  PubSubRegistry& shard_pubsub() { return shard_pubsub_; }
  // Clients with WATCHed keys or blocked on keys: while none, writes skip
  // that bookkeeping.
  std::atomic<int64_t>& key_observers() { return key_observers_; }
  // Resets INFO counters (CONFIG RESETSTAT); caller holds every shard.
  void ResetStats();
  // Users and permissions; changed only by a thread holding every shard.
  Acl& acl() { return acl_; }
  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency() { return latency_; }
  MonitorRegistry& monitors() { return monitors_; }
  ClientPause& client_pause() { return client_pause_; }
  TrackingRegistry& tracking() { return tracking_; }
  // Any thread: a copy of every shard's figures, each taken on its own
  // thread between two of its events (no shard stops). A shard that has
  // not answered within timeout_ms is left out (false).
  bool Snapshot(std::vector<ShardSnapshot>* out, int timeout_ms);
  // Listens on bind:port ("" = the `bind` parameter) for connections that
  // use a module's transport. Before Run, the sockets open when it starts.
  // Returns "" or why it could not.
  std::string ListenTransport(const ModuleTransport* transport, const std::string& bind, int port);

 private:
  // Where accepted connections go: plain TCP, or a module's transport.
  struct Endpoint {
    Server* server;
    const ModuleTransport* transport;
    std::string bind;
    int port;
  };
  bool Listen();
  // Opens a listener on every address of `bind`; returns "" or the error.
  std::string Bind(Endpoint* endpoint);
  static void OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg);
  static void OnSignal(evutil_socket_t, short, void* arg);
  static void OnShutdownEvent(evutil_socket_t, short, void* arg);
  static void OnPersistenceCron(evutil_socket_t, short, void* arg);
  void Shutdown();

  Config& config_;
  std::vector<std::unique_ptr<Shard>> shards_;
  uint32_t databases_ = 16;
  std::unique_ptr<Persistence> persistence_;
  std::vector<evconnlistener*> listeners_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  event_base* base_ = nullptr;
  event* shutdown_ev_ = nullptr;
  event* persistence_cron_ev_ = nullptr;
  std::vector<event*> signal_evs_;
  std::mutex hold_mu_;
  std::atomic<uint64_t> next_client_id_{1};
  std::atomic<bool> shutdown_requested_{false};
  std::atomic<int64_t> key_observers_{0};
  ClientPause client_pause_;
  TrackingRegistry tracking_;
  PubSubRegistry pubsub_;
  PubSubRegistry shard_pubsub_;
  uint32_t next_shard_ = 0;
  ServerStats stats_;
  Acl acl_;
  SlowLog slowlog_;
  LatencyMonitor latency_;
  MonitorRegistry monitors_;
  std::unique_ptr<MetricsHttp> metrics_;
  std::string run_id_;
  int64_t start_ms_ = 0;
  int port_ = 0;
  // `bind` and `tcp-backlog` as Listen found them: a transport may ask to
  // listen from inside CONFIG SET, which holds the config lock.
  std::string bind_;
  int backlog_ = 511;
};

}  // namespace ember
