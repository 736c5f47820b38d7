#include "cli/bench/benchmark.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <latch>
#include <memory>
#include <random>
#include <thread>

#include "cli/args.h"
#include "cli/bench/load_thread.h"
#include "cli/bench/workload.h"
#include "cli/connection.h"

namespace ember::cli::bench {

namespace {

struct TestResult {
  std::string title;
  double seconds = 0;
  LatencyHistogram latency;
  uint64_t errors = 0;
  std::string first_error;
};

std::vector<std::string> SplitTests(const std::string& list) {
  std::vector<std::string> tests;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) tests.push_back(ToLower(list.substr(start, comma - start)));
    start = comma + 1;
  }
  return tests;
}

// Throws ConnectionError when a client cannot connect, runtime_error when a
// connection fails during the run.
TestResult RunTest(const Workload& workload, const ConnectionOptions& connection, const BenchOptions& options,
                   size_t threads) {
  RequestPool pool(options.requests);
  std::random_device seed;
  std::vector<std::unique_ptr<LoadThread>> loaders;
  for (size_t t = 0; t < threads; ++t)
    loaders.push_back(std::make_unique<LoadThread>(workload, options, pool, (uint64_t{seed()} << 32) | seed()));
  for (size_t i = 0; i < options.clients; ++i) loaders[i % threads]->AddClient(connection);

  std::latch go(1);
  std::vector<std::thread> running;
  for (auto& loader : loaders)
    running.emplace_back([&go, l = loader.get()] {
      go.wait();
      l->Run();
    });
  uint64_t start = NowNs();
  go.count_down();
  for (std::thread& t : running) t.join();

  TestResult result;
  result.title = workload.title();
  uint64_t end = start;
  for (auto& loader : loaders) {
    if (!loader->failure().empty()) throw std::runtime_error(loader->failure());
    end = std::max(end, loader->finished_ns());
    result.latency.Merge(loader->histogram());
    if (result.errors == 0) result.first_error = loader->first_error();
    result.errors += loader->errors();
  }
  result.seconds = static_cast<double>(end - start) / 1e9;
  return result;
}

double Ms(double ns) { return ns / 1e6; }

void Report(const TestResult& r, const BenchOptions& options, size_t threads) {
  double rps = r.seconds > 0 ? options.requests / r.seconds : 0;
  const LatencyHistogram& h = r.latency;
  if (options.csv) {
    printf("\"%s\",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"\n", r.title.c_str(), rps,
           Ms(h.mean()), Ms(h.min()), Ms(h.Percentile(50)), Ms(h.Percentile(99)), Ms(h.Percentile(99.9)), Ms(h.max()));
  } else if (options.quiet) {
    printf("%s: %.2f requests per second, p50=%.3f p99=%.3f p99.9=%.3f max=%.3f msec\n", r.title.c_str(), rps,
           Ms(h.Percentile(50)), Ms(h.Percentile(99)), Ms(h.Percentile(99.9)), Ms(h.max()));
  } else {
    printf("====== %s ======\n", r.title.c_str());
    printf("  %llu requests completed in %.2f seconds\n", static_cast<unsigned long long>(options.requests),
           r.seconds);
    printf("  %zu parallel clients, pipeline %zu, %zu bytes payload, %zu threads, keyspace %llu\n\n",
           options.clients, options.pipeline, options.data_size, threads,
           static_cast<unsigned long long>(options.keyspace));
    printf("  throughput: %.2f requests per second\n", rps);
    printf("  latency (msec): avg %.3f  min %.3f  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n\n", Ms(h.mean()),
           Ms(h.min()), Ms(h.Percentile(50)), Ms(h.Percentile(99)), Ms(h.Percentile(99.9)), Ms(h.max()));
  }
  fflush(stdout);
  if (r.errors > 0)
    fprintf(stderr, "%s: %llu error replies, the first: %s\n", r.title.c_str(),
            static_cast<unsigned long long>(r.errors), r.first_error.c_str());
}

}  // namespace

CLI::App* AddBenchmarkCommand(CLI::App& app, BenchOptions& o) {
  o.tests.clear();
  for (std::string_view n : Workload::Names()) o.tests += (o.tests.empty() ? "" : ",") + std::string(n);
  CLI::App* cmd = app.add_subcommand("benchmark", "Load the server and report requests/s and latency percentiles");
  // The parent reads a Redis command as its trailing words; here every word is a flag.
  cmd->prefix_command(false);
  cmd->add_option("-n,--requests", o.requests, "Total requests per test")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("-c,--clients", o.clients, "Parallel connections")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("-P,--pipeline", o.pipeline, "Requests in flight per connection")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("-d,--data-size", o.data_size, "Value size in bytes")->capture_default_str();
  cmd->add_option("-t,--tests", o.tests, "Comma-separated tests")->capture_default_str();
  cmd->add_option("-r,--keyspace", o.keyspace, "Keys (and set/hash members) are random below this")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--threads", o.threads, "Load threads (default: one per core, at most one per client)");
  cmd->add_flag("-q,--quiet", o.quiet, "One line per test");
  cmd->add_flag("--csv", o.csv, "CSV output");
  return cmd;
}

int RunBenchmark(const ConnectionOptions& connection, const BenchOptions& options) {
  std::vector<Workload> workloads;
  for (const std::string& test : SplitTests(options.tests)) {
    std::optional<Workload> w = Workload::Make(test, options.data_size, options.pipeline);
    if (!w) {
      std::cerr << "Unknown test '" << test << "'\n";
      return 1;
    }
    workloads.push_back(std::move(*w));
  }
  size_t threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, options.clients);
  if (options.csv)
    printf("\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p99_latency_ms\","
           "\"p99.9_latency_ms\",\"max_latency_ms\"\n");
  int status = 0;
  for (const Workload& w : workloads) {
    try {
      TestResult r = RunTest(w, connection, options, threads);
      Report(r, options, threads);
      if (r.errors > 0) status = 1;
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      return 1;
    }
  }
  return status;
}

}  // namespace ember::cli::bench
