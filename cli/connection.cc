#include "cli/connection.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "cli/args.h"

namespace ember::cli {

void Connection::Open() {
  Close();
  parser_ = ReplyParser();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addrs = nullptr;
  std::string port = std::to_string(options_.port);
  std::string prefix = "Could not connect to Redis at " + options_.Address() + ": ";
  if (int rc = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &addrs); rc != 0)
    throw ConnectionError(prefix + gai_strerror(rc));
  int err = 0;
  for (addrinfo* a = addrs; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    err = errno;
    close(fd);
  }
  freeaddrinfo(addrs);
  if (fd_ < 0) throw ConnectionError(prefix + strerror(err));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (options_.tls) {
    try {
      tls_ = TlsSession::Connect(fd_, options_);
      fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    } catch (const ConnectionError& e) {
      Close();
      throw ConnectionError(prefix + e.what());
    }
  }
  Greet();
}

void Connection::Greet() {
  if (!options_.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options_.user.empty()) auth.push_back(options_.user);
    auth.push_back(options_.password);
    Reply r = Execute(auth);
    if (r.type == Reply::Type::kError) std::cerr << "AUTH failed: " << r.str << "\n";
  }
  if (options_.resp3) {
    Reply r = Execute({"HELLO", "3"});
    if (r.type == Reply::Type::kError) std::cerr << "HELLO 3 failed: " << r.str << "\n";
  }
}

void Connection::Close() {
  tls_.reset();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Connection::Released Connection::Release() {
  Released r{fd_, std::move(tls_)};
  fd_ = -1;
  return r;
}

void Connection::Send(const std::vector<std::string>& args) {
  if (fd_ < 0) throw ConnectionError("Not connected");
  std::string request = EncodeCommand(args);
  size_t sent = 0;
  while (sent < request.size()) {
    if (tls_) {
      long n = tls_->Write(request.data() + sent, request.size() - sent);
      if (n == TlsSession::kWouldBlock) {
        pollfd p{fd_, POLLIN | POLLOUT, 0};
        poll(&p, 1, -1);
        continue;
      }
      if (n <= 0) {
        std::string why = n == TlsSession::kClosed ? "Server closed the connection" : tls_->error();
        Close();
        throw ConnectionError("Error: " + why);
      }
      sent += n;
      continue;
    }
    ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = strerror(errno);
      Close();
      throw ConnectionError("Error: " + why);
    }
    sent += n;
  }
}

bool Connection::Fill(bool block) {
  char buf[65536];
  if (tls_) {
    // The socket is non-blocking under TLS: a record that is not data (a
    // session ticket) must not leave SSL_read waiting.
    while (true) {
      long n = tls_->Read(buf, sizeof buf);
      if (n > 0) {
        parser_.Feed(buf, n);
        return true;
      }
      if (n != TlsSession::kWouldBlock) {
        std::string why = n == TlsSession::kClosed ? "Server closed the connection" : tls_->error();
        Close();
        throw ConnectionError("Error: " + why);
      }
      if (!block) return false;
      pollfd p{fd_, POLLIN, 0};
      poll(&p, 1, -1);
    }
  }
  while (true) {
    ssize_t n = recv(fd_, buf, sizeof buf, block ? 0 : MSG_DONTWAIT);
    if (n > 0) {
      parser_.Feed(buf, n);
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && !block && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    std::string why = n == 0 ? "Server closed the connection" : strerror(errno);
    Close();
    throw ConnectionError("Error: " + why);
  }
}

std::optional<Reply> Connection::Parsed() {
  try {
    return parser_.Next();
  } catch (const ProtocolError& e) {
    Close();
    throw ConnectionError(e.what());
  }
}

Reply Connection::Read() {
  if (fd_ < 0) throw ConnectionError("Not connected");
  while (true) {
    if (std::optional<Reply> r = Parsed()) return std::move(*r);
    Fill(true);
  }
}

std::optional<Reply> Connection::ReadIfAvailable() {
  if (fd_ < 0) return std::nullopt;
  while (true) {
    if (std::optional<Reply> r = Parsed()) return r;
    if (!Fill(false)) return std::nullopt;
  }
}

}  // namespace ember::cli
