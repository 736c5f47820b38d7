#include "cli/bench/reply_scanner.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "cli/reply.h"

namespace ember::cli::bench {

namespace {

int64_t Count(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) throw ProtocolError("Protocol error: bad length");
  return v;
}

}  // namespace

size_t ReplyScanner::Feed(const char* data, size_t n) {
  size_t replies = 0;
  const char* p = data;
  const char* end = data + n;
  while (p < end) {
    if (skip_ > 0) {
      size_t k = std::min<uint64_t>(skip_, end - p);
      p += k;
      skip_ -= k;
      if (skip_ == 0) replies += ValueDone();
      continue;
    }
    const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
    if (nl == nullptr) {
      partial_.append(p, end);
      break;
    }
    std::string_view line(p, nl - p);
    if (!partial_.empty()) {
      partial_.append(p, nl - p);
      line = partial_;
    }
    p = nl + 1;
    if (line.empty() || line.back() != '\r') throw ProtocolError("Protocol error: expected CRLF");
    line.remove_suffix(1);
    replies += Line(line);
    partial_.clear();
  }
  return replies;
}

size_t ReplyScanner::Line(std::string_view line) {
  if (line.empty()) throw ProtocolError("Protocol error: empty line");
  std::string_view rest = line.substr(1);
  switch (line[0]) {
    case '-':
      Error(rest);
      return ValueDone();
    case '+': case ':': case ',': case '(': case '#': case '_':
      return ValueDone();
    case '$': case '=': case '!': {
      int64_t len = Count(rest);
      if (line[0] == '!') Error("(blob error)");
      if (len < 0) return ValueDone();
      skip_ = len + 2;
      return 0;
    }
    case '*': case '~': case '>': case '%': case '|': {
      int64_t count = Count(rest);
      if (line[0] == '%' || line[0] == '|') count *= 2;
      if (count <= 0) return line[0] == '|' ? 0 : ValueDone();
      open_.push_back({count, line[0] == '|'});
      return 0;
    }
    default:
      throw ProtocolError("Protocol error: unexpected reply type byte");
  }
}

size_t ReplyScanner::ValueDone() {
  while (!open_.empty()) {
    if (--open_.back().remaining > 0) return 0;
    bool attribute = open_.back().attribute;
    open_.pop_back();
    // An attribute annotates the value after it and is not one itself.
    if (attribute) return 0;
  }
  return 1;
}

void ReplyScanner::Error(std::string_view message) {
  if (errors_++ == 0) first_error_ = message;
}

}  // namespace ember::cli::bench
