#include "resp_parser.h"

#include <cctype>
#include <cstring>

#include "util.h"

namespace ember {

namespace {

// The common header number: 1 to 18 digits without a sign or a leading
// zero, then "\r" and one more byte. Returns the position past that line
// and sets *value, or returns nullptr for anything else, which the general
// path (memchr to the "\r", then ParseInt64) reads with Redis's rules and
// errors. One pass over a few bytes, where the general path makes two calls.
const char* ReadCommonLength(const char* p, const char* end, int64_t* value) {
  const char* digits = p;
  int64_t v = 0;
  while (p < end && p - digits < 18 && static_cast<unsigned char>(*p - '0') < 10) v = v * 10 + (*p++ - '0');
  if (p == digits || end - p < 2 || *p != '\r' || (*digits == '0' && p - digits > 1)) return nullptr;
  *value = v;
  return p + 2;
}

}  // namespace

void RequestParser::Reset() {
  state_ = State::kStart;
  pos_ = 0;
  args_left_ = 0;
  bulk_len_ = -1;
  offsets_.clear();
}

RequestParser::Status RequestParser::Fail(std::string msg) {
  error_ = std::move(msg);
  Reset();
  return Status::kError;
}

RequestParser::Status RequestParser::Parse(const char* data, size_t len, const ProtocolLimits& limits) {
  if (state_ == State::kStart) {
    if (len == 0) return Status::kNeedMore;
    if (data[0] != '*') return ParseInline(data, len, limits);
    int64_t count;
    if (const char* next = ReadCommonLength(data + 1, data + len, &count)) {
      pos_ = static_cast<size_t>(next - data);
    } else {
      const char* cr = static_cast<const char*>(memchr(data, '\r', len));
      if (!cr) {
        if (len > static_cast<size_t>(limits.max_inline_len))
          return Fail("Protocol error: too big mbulk count string");
        return Status::kNeedMore;
      }
      size_t line_end = static_cast<size_t>(cr - data);
      if (line_end + 1 >= len) return Status::kNeedMore;  // "\n" not here yet
      if (!ParseInt64(std::string_view(data + 1, line_end - 1), &count))
        return Fail("Protocol error: invalid multibulk length");
      pos_ = line_end + 2;
    }
    if (count > limits.max_multibulk_len)
      return Fail(limits.before_auth && count <= limits.configured_multibulk_len
                      ? "Protocol error: unauthenticated multibulk length"
                      : "Protocol error: invalid multibulk length");
    if (count <= 0) {
      argv_.clear();
      consumed_ = pos_;
      Reset();
      return Status::kCommand;
    }
    state_ = State::kMultibulk;
    args_left_ = count;
    bulk_len_ = -1;
    offsets_.clear();
    // A huge count must not reserve memory before its arguments arrive.
    offsets_.reserve(static_cast<size_t>(count < 1024 ? count : 1024));
  }

  while (args_left_ > 0) {
    if (bulk_len_ < 0) {
      if (pos_ >= len) return Status::kNeedMore;
      const char* start = data + pos_;
      int64_t blen;
      const char* next = *start == '$' ? ReadCommonLength(start + 1, data + len, &blen) : nullptr;
      if (next) {
        pos_ = static_cast<size_t>(next - data);
      } else {
        const char* cr = static_cast<const char*>(memchr(start, '\r', len - pos_));
        if (!cr) {
          if (len - pos_ > static_cast<size_t>(limits.max_inline_len))
            return Fail("Protocol error: too big bulk count string");
          return Status::kNeedMore;
        }
        size_t line_end = static_cast<size_t>(cr - data);
        if (line_end + 1 >= len) return Status::kNeedMore;
        if (*start != '$') return Fail(std::string("Protocol error: expected '$', got '") + *start + "'");
        if (!ParseInt64(std::string_view(start + 1, line_end - pos_ - 1), &blen) || blen < 0)
          return Fail("Protocol error: invalid bulk length");
        pos_ = line_end + 2;
      }
      if (blen > limits.max_bulk_len)
        return Fail(limits.before_auth && blen <= limits.configured_bulk_len ? "Protocol error: unauthenticated bulk length"
                                                                             : "Protocol error: invalid bulk length");
      bulk_len_ = blen;
    }
    size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (need > len) return Status::kNeedMore;
    offsets_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = need;
    bulk_len_ = -1;
    --args_left_;
  }

  argv_.clear();
  for (const auto& [off, n] : offsets_) argv_.emplace_back(data + off, n);
  consumed_ = pos_;
  Reset();
  return Status::kCommand;
}

RequestParser::Status RequestParser::ParseInline(const char* data, size_t len, const ProtocolLimits& limits) {
  const char* nl = static_cast<const char*>(memchr(data, '\n', len));
  if (!nl) {
    if (len > static_cast<size_t>(limits.max_inline_len)) return Fail("Protocol error: too big inline request");
    return Status::kNeedMore;
  }
  size_t line_len = static_cast<size_t>(nl - data);
  consumed_ = line_len + 1;
  if (line_len && data[line_len - 1] == '\r') --line_len;
  inline_args_.clear();
  if (!SplitInlineArgs(std::string_view(data, line_len), &inline_args_))
    return Fail("Protocol error: unbalanced quotes in request");
  argv_.clear();
  for (const std::string& a : inline_args_) argv_.emplace_back(a);
  return Status::kCommand;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0, n = line.size();
  while (true) {
    while (i < n && isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i == n) return true;
    std::string arg;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      if (in_double) {
        if (i == n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          arg.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          char c = line[++i];
          switch (c) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: break;
          }
          arg.push_back(c);
        } else if (line[i] == '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < n && !isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          done = true;
        } else {
          arg.push_back(line[i]);
        }
      } else if (in_single) {
        if (i == n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          arg.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          done = true;
        } else {
          arg.push_back(line[i]);
        }
      } else {
        if (i == n) break;
        char c = line[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
          done = true;
        } else if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          arg.push_back(c);
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(arg));
  }
}

}  // namespace ember
