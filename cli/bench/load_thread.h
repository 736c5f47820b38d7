// One benchmark thread: its share of the clients on its own epoll loop. Each
// client sends a batch of `pipeline` requests, waits for all their replies,
// and sends the next, until the test's request count is used up; requests
// are claimed from a counter all threads share, so the total is exact.
//
// The clients answered in one loop iteration send their next batches
// together, after every event of that iteration is read, as redis-benchmark
// (which writes from the next iteration) does: the server then finds
// several requests at each wake-up instead of being woken for each one, so
// both generators present a server with the same kind of load.
//
// Latency is measured as redis-benchmark measures it, so the two agree:
// from writing a batch to the first bytes of its answer arriving, once per
// batch, and counted for every request of the batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/bench/histogram.h"
#include "cli/bench/options.h"
#include "cli/bench/reply_scanner.h"
#include "cli/bench/workload.h"
#include "cli/connection_options.h"
#include "cli/tls_session.h"

namespace ember::cli::bench {

// Requests handed out so far, shared by the threads of one test.
struct RequestPool {
  explicit RequestPool(uint64_t total) : total(total) {}
  // Up to `want` requests, fewer at the end, none when all are taken.
  uint64_t Claim(uint64_t want);

  const uint64_t total;
  std::atomic<uint64_t> issued{0};
};

class LoadThread {
 public:
  LoadThread(const Workload& workload, const BenchOptions& options, RequestPool& pool, uint64_t seed);
  ~LoadThread();
  LoadThread(const LoadThread&) = delete;
  LoadThread& operator=(const LoadThread&) = delete;

  // Opens (and authenticates) one client; throws ConnectionError.
  void AddClient(const ConnectionOptions& options);
  // Runs the loop until this thread's clients find no more requests to
  // claim, or a connection fails (then failure() says why).
  void Run();

  const LatencyHistogram& histogram() const { return histogram_; }
  uint64_t errors() const;
  std::string first_error() const;
  const std::string& failure() const { return failure_; }
  uint64_t finished_ns() const { return finished_ns_; }

 private:
  struct Client {
    int fd = -1;
    std::unique_ptr<TlsSession> tls;  // with --tls
    std::string batch;
    std::string_view unsent;
    uint64_t requests = 0;         // in the batch in flight
    uint64_t replies_expected = 0;
    uint64_t replies = 0;
    uint64_t sent_ns = 0;
    int64_t latency_ns = -1;       // measured at the batch's first read
    bool want_write = false;
    ReplyScanner scanner;
  };

  // False when no requests are left for this client.
  bool StartBatch(Client& c);
  void Write(Client& c);
  void Read(Client& c);
  // Takes n bytes that arrived; a client whose batch they complete joins
  // answered_.
  void Received(Client& c, size_t n);
  void WatchWrites(Client& c, bool on);

  const Workload& workload_;
  const BenchOptions& options_;
  RequestPool& pool_;
  Rng rng_;
  int epoll_fd_ = -1;
  std::vector<Client> clients_;
  size_t active_ = 0;
  // Clients whose batch was answered in this loop iteration.
  std::vector<size_t> answered_;
  LatencyHistogram histogram_;
  uint64_t finished_ns_ = 0;
  std::string failure_;
  std::vector<char> read_buffer_;
};

uint64_t NowNs();

}  // namespace ember::cli::bench
