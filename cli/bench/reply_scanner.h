// Counts complete replies in a stream of RESP bytes without building them:
// the benchmark only needs to know when a batch is answered, and whether
// any answer was an error. Resumable at any byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::cli::bench {

class ReplyScanner {
 public:
  // The number of top-level replies completed by `data`. Throws
  // ProtocolError on bytes that are not RESP.
  size_t Feed(const char* data, size_t n);

  uint64_t errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  // A header line (without CRLF); returns replies completed by it.
  size_t Line(std::string_view line);
  // A value ended: returns 1 when that completed a top-level reply.
  size_t ValueDone();
  void Error(std::string_view message);

  struct Open {
    int64_t remaining;
    bool attribute;
  };
  std::vector<Open> open_;
  std::string partial_;   // a header line cut by the end of a read
  uint64_t skip_ = 0;     // payload bytes (with CRLF) still to pass over
  uint64_t errors_ = 0;
  std::string first_error_;
};

}  // namespace ember::cli::bench
