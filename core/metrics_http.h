// The metrics endpoint (--metrics-port): Prometheus text format on
// /metrics and a liveness answer on /health, served by libevent's evhttp on
// a thread of its own. A scrape asks each shard for a copy of its figures
// by message (Server::Snapshot), so it never stops a shard.
#pragma once

#include <event2/event.h>
#include <event2/http.h>

#include <string>
#include <thread>

namespace ember {

class Server;

class MetricsHttp {
 public:
  explicit MetricsHttp(Server& server) : server_(server) {}
  ~MetricsHttp();
  // Listens on the first address of `bind` and starts the thread; returns
  // "" or why it could not.
  std::string Start(const std::string& bind, int port);
  // The /metrics body.
  std::string Render();

 private:
  static void OnMetrics(evhttp_request* req, void* arg);
  static void OnHealth(evhttp_request* req, void* arg);

  Server& server_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  std::thread thread_;
};

}  // namespace ember
