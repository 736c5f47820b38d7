// RequestParser: splits a client's byte stream into commands, RESP multibulk
// ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or inline ("GET k\r\n"), without copying
// multibulk arguments: they are views into the caller's buffer.
//
// A command may arrive in pieces. The parser then remembers how far it got
// (offsets relative to the command's first byte), and the caller hands it the
// same command start again with more bytes; nothing is parsed twice.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct ProtocolLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;   // proto-max-bulk-len
  int64_t max_multibulk_len = INT32_MAX;        // proto-max-multibulk-len
  int64_t max_inline_len = 64 * 1024;           // proto-inline-max-size
  // Set by BeforeAuth: the configured limits, which the two above then
  // undercut; a command past only Redis's pre-AUTH limits gets its own error.
  bool before_auth = false;
  int64_t configured_bulk_len = 0, configured_multibulk_len = 0;

  // Redis's limits for a client that must still AUTH: 10 arguments, bulks
  // of 16 KB, so a stranger cannot make the server buffer much. They
  // replace the two numbers the parser compares anyway, so an
  // authenticated client's parse costs nothing more.
  static constexpr int64_t kBeforeAuthMultibulkLen = 10;
  static constexpr int64_t kBeforeAuthBulkLen = 16384;
  ProtocolLimits BeforeAuth() const {
    ProtocolLimits l = *this;
    l.before_auth = true;
    l.configured_bulk_len = max_bulk_len;
    l.configured_multibulk_len = max_multibulk_len;
    l.max_bulk_len = std::min(max_bulk_len, kBeforeAuthBulkLen);
    l.max_multibulk_len = std::min(max_multibulk_len, kBeforeAuthMultibulkLen);
    return l;
  }
};

class RequestParser {
 public:
  enum class Status { kCommand, kNeedMore, kError };

  // Parses the command that starts at data[0]. kCommand: argv() is the
  // command (possibly empty for a blank line or "*0"), consumed() its size.
  // kNeedMore: call again with the same start and more bytes. kError: error()
  // is the Redis protocol error text; the connection must be closed.
  Status Parse(const char* data, size_t len, const ProtocolLimits& limits);

  const std::vector<std::string_view>& argv() const { return argv_; }
  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }
  // Bytes of a half-parsed command that are complete arguments (Redis
  // counts only the rest against client-query-buffer-limit).
  size_t parsed() const { return state_ == State::kStart ? 0 : pos_; }
  void Reset();

 private:
  enum class State { kStart, kMultibulk };
  Status ParseInline(const char* data, size_t len, const ProtocolLimits& limits);
  Status Fail(std::string msg);

  State state_ = State::kStart;
  size_t pos_ = 0;            // resume offset from the command start
  int64_t args_left_ = 0;     // multibulk arguments still to read
  int64_t bulk_len_ = -1;     // length of the bulk being read, -1 before its header
  std::vector<std::pair<size_t, size_t>> offsets_;
  std::vector<std::string_view> argv_;
  std::vector<std::string> inline_args_;  // inline arguments may hold escapes
  size_t consumed_ = 0;
  std::string error_;
};

// Splits an inline command line as Redis's sdssplitargs: spaces separate,
// "double quotes" take \n \r \t \b \a \\ \" \xHH escapes, 'single quotes'
// take \'. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace ember
