// What one benchmark test sends: a request (one command, or MULTI ... EXEC)
// repeated `pipeline` times, with room in every key for a random number that
// is rewritten before each batch, as redis-benchmark's __rand_int__.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember::cli::bench {

// xorshift64*: cheap, and good enough to spread keys.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed | 1) {}
  uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }

 private:
  uint64_t state_;
};

class Workload {
 public:
  // nullopt for an unknown test name.
  static std::optional<Workload> Make(std::string_view test, size_t data_size, size_t pipeline);
  // The test names, in their default order.
  static std::vector<std::string_view> Names();

  const std::string& title() const { return title_; }  // "SET", "MSET (10 keys)"
  size_t replies_per_request() const { return replies_per_request_; }

  // A connection's own copy of the batch, to randomize and send.
  std::string batch() const { return batch_; }
  // The bytes of the first `requests` requests of `batch`, their keys given
  // fresh random numbers below `keyspace`.
  std::string_view Prepare(std::string& batch, size_t requests, Rng& rng, uint64_t keyspace) const;

 private:
  std::string title_;
  size_t replies_per_request_ = 1;
  size_t request_size_ = 0;
  std::string batch_;
  // Offsets of the random digits of one request.
  std::vector<size_t> key_offsets_;
};

}  // namespace ember::cli::bench
