// The benchmark's settings (`ember-cli benchmark --help`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ember::cli::bench {

struct BenchOptions {
  uint64_t requests = 100000;
  size_t clients = 50;
  size_t pipeline = 1;
  size_t data_size = 3;
  std::string tests;  // comma-separated; AddBenchmarkCommand makes every test the default
  uint64_t keyspace = 100000;
  size_t threads = 0;  // 0: one per core, at most one per client
  bool quiet = false;
  bool csv = false;
};

}  // namespace ember::cli::bench
