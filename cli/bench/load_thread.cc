#include "cli/bench/load_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "cli/connection.h"

namespace ember::cli::bench {

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + ts.tv_nsec;
}

uint64_t RequestPool::Claim(uint64_t want) {
  uint64_t before = issued.fetch_add(want, std::memory_order_relaxed);
  if (before >= total) return 0;
  return std::min(want, total - before);
}

LoadThread::LoadThread(const Workload& workload, const BenchOptions& options, RequestPool& pool, uint64_t seed)
    : workload_(workload), options_(options), pool_(pool), rng_(seed), read_buffer_(256 * 1024) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + strerror(errno));
}

LoadThread::~LoadThread() {
  for (Client& c : clients_)
    if (c.fd >= 0) close(c.fd);
  close(epoll_fd_);
}

void LoadThread::AddClient(const ConnectionOptions& options) {
  Connection conn(options);
  conn.Open();
  Client c;
  Connection::Released r = conn.Release();
  c.fd = r.fd;
  c.tls = std::move(r.tls);
  c.batch = workload_.batch();
  fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
  clients_.push_back(std::move(c));
}

void LoadThread::WatchWrites(Client& c, bool on) {
  if (c.want_write == on) return;
  c.want_write = on;
  epoll_event ev{};
  ev.events = on ? EPOLLIN | EPOLLOUT : EPOLLIN;
  ev.data.u64 = &c - clients_.data();
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

bool LoadThread::StartBatch(Client& c) {
  c.requests = pool_.Claim(options_.pipeline);
  if (c.requests == 0) return false;
  c.unsent = workload_.Prepare(c.batch, c.requests, rng_, options_.keyspace);
  c.replies_expected = c.requests * workload_.replies_per_request();
  c.replies = 0;
  c.latency_ns = -1;
  c.sent_ns = NowNs();
  Write(c);
  return true;
}

void LoadThread::Write(Client& c) {
  while (!c.unsent.empty()) {
    if (c.tls) {
      long n = c.tls->Write(c.unsent.data(), c.unsent.size());
      if (n == TlsSession::kWouldBlock) break;
      if (n <= 0) throw ConnectionError("Error writing to the server: " + c.tls->error());
      c.unsent.remove_prefix(n);
      continue;
    }
    ssize_t n = write(c.fd, c.unsent.data(), c.unsent.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) throw ConnectionError(std::string("Error writing to the server: ") + strerror(errno));
    c.unsent.remove_prefix(n);
  }
  WatchWrites(c, !c.unsent.empty());
}

void LoadThread::Read(Client& c) {
  if (c.tls) {
    // Records already decrypted or read ahead are not signalled again:
    // read until the session has nothing more.
    while (true) {
      long n = c.tls->Read(read_buffer_.data(), read_buffer_.size());
      if (n == TlsSession::kWouldBlock) return;
      if (n <= 0)
        throw ConnectionError(n == 0 ? "Error: Server closed the connection"
                                     : "Error reading from the server: " + c.tls->error());
      Received(c, static_cast<size_t>(n));
    }
  }
  ssize_t n = read(c.fd, read_buffer_.data(), read_buffer_.size());
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n <= 0) {
    throw ConnectionError(n == 0 ? "Error: Server closed the connection"
                                 : std::string("Error reading from the server: ") + strerror(errno));
  }
  Received(c, static_cast<size_t>(n));
}

void LoadThread::Received(Client& c, size_t n) {
  if (c.latency_ns < 0) c.latency_ns = NowNs() - c.sent_ns;
  c.replies += c.scanner.Feed(read_buffer_.data(), n);
  if (c.requests == 0 || c.replies < c.replies_expected) return;
  histogram_.Record(c.latency_ns, c.requests);
  c.requests = 0;
  answered_.push_back(static_cast<size_t>(&c - clients_.data()));
}

void LoadThread::Run() {
  try {
    for (size_t i = 0; i < clients_.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, clients_[i].fd, &ev);
    }
    for (Client& c : clients_)
      if (StartBatch(c)) ++active_;
    std::vector<epoll_event> events(std::max<size_t>(clients_.size(), 1));
    answered_.reserve(clients_.size());
    while (active_ > 0) {
      int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(std::string("epoll_wait: ") + strerror(errno));
      for (int i = 0; i < n; ++i) {
        Client& c = clients_[events[i].data.u64];
        if (c.requests == 0) continue;
        if (events[i].events & EPOLLOUT) Write(c);
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) Read(c);
      }
      for (size_t index : answered_)
        if (!StartBatch(clients_[index])) --active_;
      answered_.clear();
    }
  } catch (const std::exception& e) {
    failure_ = e.what();
  }
  finished_ns_ = NowNs();
}

uint64_t LoadThread::errors() const {
  uint64_t total = 0;
  for (const Client& c : clients_) total += c.scanner.errors();
  return total;
}

std::string LoadThread::first_error() const {
  for (const Client& c : clients_)
    if (c.scanner.errors() > 0) return c.scanner.first_error();
  return "";
}

}  // namespace ember::cli::bench
