#include "server.h"

#include "module.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <event2/thread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <random>
#include <sstream>
#include <thread>

#include "command.h"
#include "metrics_http.h"
#include "version.h"
#include "util.h"

namespace ember {

namespace {
std::string FormatAddress(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

bool IsLoopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET)
    return (ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return false;
}

constexpr char kProtectedModeDenied[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the "
    "default user. In this mode connections are only accepted from the loopback interface. If you want to connect "
    "from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode "
    "sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the "
    "same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode "
    "by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting "
    "the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the "
    "above things in order for the server to start accepting connections from the outside.\r\n";

std::string RandomHex(size_t n) {
  std::random_device rd;
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "0123456789abcdef"[rd() & 15];
  return s;
}
}  // namespace

Server::Server(Config& config) : config_(config) {
  RegisterAllCommands();
  std::string shards_text;
  config_.Get("shards", &shards_text);
  int64_t n = 0;
  ParseInt64(shards_text, &n);
  if (n <= 0) n = std::max(1u, std::thread::hardware_concurrency());
  config_.Set("shards", std::to_string(n), true);
  std::string databases_text;
  config_.Get("databases", &databases_text);
  int64_t databases = 16;
  ParseInt64(databases_text, &databases);
  databases_ = static_cast<uint32_t>(databases);
  for (int64_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(*this, static_cast<uint32_t>(i)));
  persistence_ = std::make_unique<Persistence>(*this);
  config_.OnChange("appendonly", [this](const std::string& v) { persistence_->OnAppendOnlyChanged(v == "yes"); });
  config_.OnChange("appendfsync", [this](const std::string& v) { persistence_->OnFsyncChanged(v); });
  run_id_ = RandomHex(40);
  start_ms_ = NowMs();
  config_.OnChange("requirepass", [this](const std::string& password) {
    // Users change while every shard is held (see acl.h).
    auto apply = [this, &password] {
      acl_.SetRequirePass(password);
      acl_.RefreshClients(*this);
    };
    if (Shard* current = Shard::Current())
      current->RunHoldingAll(apply);
    else
      apply();
  });
}

std::string Server::LoadUsers() {
  std::string aclfile, password;
  config_.Get("aclfile", &aclfile);
  config_.Get("requirepass", &password);
  if (!aclfile.empty()) {
    if (!password.empty()) return "requirepass and aclfile are both set: put the default user's password in the aclfile";
    return acl_.LoadFile(aclfile);
  }
  acl_.SetRequirePass(password);
  return "";
}

bool Server::Snapshot(std::vector<ShardSnapshot>* out, int timeout_ms) {
  // Shared with the shards' callbacks, which may finish after a timeout.
  struct Gather {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<ShardSnapshot> snaps;
    std::vector<bool> done;
    size_t left;
  };
  auto g = std::make_shared<Gather>();
  g->snaps.resize(shard_count());
  g->done.assign(shard_count(), false);
  g->left = shard_count();
  for (uint32_t i = 0; i < shard_count(); ++i)
    shards_[i]->Call([g, i](Shard& sh) {
      ShardSnapshot snap;
      sh.TakeSnapshot(&snap);
      std::lock_guard<std::mutex> lock(g->mu);
      g->snaps[i] = std::move(snap);
      g->done[i] = true;
      if (--g->left == 0) g->cv.notify_all();
    });
  std::unique_lock<std::mutex> lock(g->mu);
  bool all = g->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return g->left == 0; });
  out->clear();
  for (uint32_t i = 0; i < shard_count(); ++i)
    if (g->done[i]) out->push_back(std::move(g->snaps[i]));
  return all;
}

Server::~Server() {
  metrics_.reset();
  for (evconnlistener* l : listeners_) evconnlistener_free(l);
  ModuleHost::Get().DropEvents();
  for (event* e : signal_evs_) event_free(e);
  if (shutdown_ev_) event_free(shutdown_ev_);
  if (persistence_cron_ev_) event_free(persistence_cron_ev_);
  persistence_.reset();
  shards_.clear();
  if (base_) event_base_free(base_);
}

bool Server::Listen() {
  std::string port_text, backlog_text;
  config_.Get("bind", &bind_);
  config_.Get("port", &port_text);
  config_.Get("tcp-backlog", &backlog_text);
  int64_t port = 0, backlog = 511;
  ParseInt64(port_text, &port);
  ParseInt64(backlog_text, &backlog);
  port_ = static_cast<int>(port);
  backlog_ = static_cast<int>(backlog);
  // Redis's `port 0`: no plain TCP, only the ports of module transports.
  if (port_ != 0) endpoints_.insert(endpoints_.begin(), std::make_unique<Endpoint>(Endpoint{this, nullptr, bind_, port_}));
  if (endpoints_.empty()) {
    spdlog::error("Configured to not listen anywhere, exiting.");
    return false;
  }
  // Module transports asked for their ports before the server ran.
  for (auto& e : endpoints_) {
    if (e->bind.empty()) e->bind = bind_;
    std::string err = Bind(e.get());
    if (!err.empty()) {
      spdlog::error("{}", err);
      return false;
    }
  }
  return true;
}

std::string Server::ListenTransport(const ModuleTransport* transport, const std::string& bind, int port) {
  if (port <= 0 || port > 65535) return "bad port " + std::to_string(port);
  auto e = std::make_unique<Endpoint>(Endpoint{this, transport, bind, port});
  if (!base_) {
    endpoints_.push_back(std::move(e));
    return "";
  }
  if (e->bind.empty()) e->bind = bind_;
  std::string err = Bind(e.get());
  if (err.empty()) endpoints_.push_back(std::move(e));
  return err;
}

std::string Server::Bind(Endpoint* endpoint) {
  int port = endpoint->port;
  std::istringstream words(endpoint->bind);
  std::string addr;
  size_t opened = 0;
  while (words >> addr) {
    // Redis's "-" prefix marks an address that may be missing.
    bool optional = addr[0] == '-';
    if (optional) addr = addr.substr(1);
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    sockaddr_storage ss{};
    int len = 0;
    if (addr.find(':') != std::string::npos) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET6, addr.c_str(), &in6->sin6_addr) != 1) return "bind: invalid address '" + addr + "'";
      len = sizeof(sockaddr_in6);
    } else {
      auto* in = reinterpret_cast<sockaddr_in*>(&ss);
      in->sin_family = AF_INET;
      in->sin_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET, addr.c_str(), &in->sin_addr) != 1) return "bind: invalid address '" + addr + "'";
      len = sizeof(sockaddr_in);
    }
    unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
    if (ss.ss_family == AF_INET6) flags |= LEV_OPT_BIND_IPV6ONLY;
    evconnlistener* l = evconnlistener_new_bind(base_, &Server::OnAccept, endpoint, flags, backlog_,
                                                reinterpret_cast<sockaddr*>(&ss), len);
    if (!l) {
      if (optional) continue;
      return "could not listen on " + addr + ":" + std::to_string(port) + ": " + strerror(errno);
    }
    listeners_.push_back(l);
    ++opened;
  }
  if (opened == 0) return "no address to listen on (bind '" + endpoint->bind + "')";
  if (endpoint->transport)
    spdlog::info("listening on port {} with the {} transport", port, endpoint->transport->name);
  return "";
}

void Server::OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int, void* arg) {
  auto* endpoint = static_cast<Endpoint*>(arg);
  Server* self = endpoint->server;
  if (self->shutdown_requested_.load()) {
    close(fd);
    return;
  }
  self->stats_.total_connections.fetch_add(1, std::memory_order_relaxed);
  uint64_t connected = self->stats_.connected_clients.load(std::memory_order_relaxed);
  if (static_cast<int64_t>(connected) >= self->config_.live.maxclients.load(std::memory_order_relaxed)) {
    // Plain text only: a client of a transport could not read it anyway.
    if (!endpoint->transport) {
      static constexpr char kMsg[] = "-ERR max number of clients reached\r\n";
      ssize_t w = write(fd, kMsg, sizeof(kMsg) - 1);
      (void)w;
    }
    close(fd);
    self->stats_.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (self->config_.live.protected_mode.load(std::memory_order_relaxed) && self->acl_.default_nopass() &&
      !IsLoopback(addr)) {
    if (!endpoint->transport) {
      ssize_t w = write(fd, kProtectedModeDenied, sizeof(kProtectedModeDenied) - 1);
      (void)w;
    }
    close(fd);
    self->stats_.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  evutil_make_socket_nonblocking(fd);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int64_t keepalive = self->config_.live.tcp_keepalive.load(std::memory_order_relaxed);
  if (keepalive > 0) {
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    int idle = static_cast<int>(keepalive);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  self->stats_.connected_clients.fetch_add(1, std::memory_order_relaxed);
  uint32_t target = self->next_shard_++ % self->shard_count();
  bool handed = RunGuarded("accepting a client", [&] {
    self->shards_[target]->AcceptConn(fd, self->NextClientId(), FormatAddress(addr),
                                      FormatAddress(reinterpret_cast<sockaddr*>(&local)), endpoint->transport);
  });
  if (!handed) {
    close(fd);
    self->stats_.connected_clients.fetch_sub(1, std::memory_order_relaxed);
  }
}

void Server::OnSignal(evutil_socket_t sig, short, void* arg) {
  spdlog::warn("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  static_cast<Server*>(arg)->Shutdown();
}

void Server::OnShutdownEvent(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Server*>(arg);
  RunGuarded("shutdown", [self] { self->Shutdown(); });
}

void Server::OnPersistenceCron(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Server*>(arg);
  RunGuarded("the persistence cron", [self] { self->persistence_->Cron(); });
}

void Server::RequestShutdown() {
  if (shutdown_ev_) event_active(shutdown_ev_, EV_READ, 0);
}

int Server::Run() {
  evthread_use_pthreads();
  // The data is in place before the first client can connect.
  std::string err = persistence_->LoadAndOpen();
  if (!err.empty()) {
    spdlog::error("{}", err);
    return 1;
  }
  base_ = event_base_new();
  if (std::string err = LoadUsers(); !err.empty()) {
    spdlog::error("{}", err);
    return 1;
  }
  if (!Listen()) return 1;
  persistence_cron_ev_ = event_new(base_, -1, EV_PERSIST, &Server::OnPersistenceCron, this);
  timeval every{0, 100 * 1000};
  event_add(persistence_cron_ev_, &every);
  std::string metrics_port, bind;
  config_.Get("metrics-port", &metrics_port);
  config_.Get("bind", &bind);
  if (metrics_port != "0") {
    metrics_ = std::make_unique<MetricsHttp>(*this);
    std::string err = metrics_->Start(bind, static_cast<int>(std::stoi(metrics_port)));
    if (!err.empty()) {
      spdlog::error("{}", err);
      return 1;
    }
  }
  shutdown_ev_ = event_new(base_, -1, 0, &Server::OnShutdownEvent, this);
  for (int sig : {SIGINT, SIGTERM}) {
    event* e = evsignal_new(base_, sig, &Server::OnSignal, this);
    event_add(e, nullptr);
    signal_evs_.push_back(e);
  }
  signal(SIGPIPE, SIG_IGN);
  for (auto& s : shards_) s->Start();
  spdlog::info("ember {} ready on port {} with {} shard(s)", kEmberVersion, port_, shards_.size());
  event_base_dispatch(base_);
  for (auto& s : shards_) s->Join();
  persistence_->Shutdown();
  spdlog::info("ember is now ready to exit, bye bye...");
  return 0;
}

void Server::Shutdown() {
  if (shutdown_requested_.exchange(true)) return;
  for (evconnlistener* l : listeners_) evconnlistener_disable(l);
  // Stop reading, let commands in flight finish and their replies go out,
  // then close every connection and stop the shard loops.
  for (auto& s : shards_) s->Call([](Shard& sh) { sh.BeginShutdown(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::atomic<int> drained{0};
    for (auto& s : shards_)
      s->Call([&drained](Shard& sh) {
        if (sh.Drained()) drained.fetch_add(1);
        drained.fetch_add(1000);
      });
    while (drained.load() < 1000 * static_cast<int>(shards_.size())) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (drained.load() % 1000 == static_cast<int>(shards_.size())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& s : shards_) s->Call([](Shard& sh) { sh.Stop(); });
  event_base_loopexit(base_, nullptr);
}

void Server::ResetStats() {
  stats_.total_connections.store(0);
  stats_.rejected_connections.store(0);
  for (auto& s : shards_) {
    s->stats() = ShardStats{};
    s->command_stats().Clear();
    s->ResetDbStats();
  }
}

}  // namespace ember
