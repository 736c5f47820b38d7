#include "cli/reply.h"

#include <charconv>
#include <cstring>
#include <string_view>

namespace ember::cli {

namespace {

int64_t ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw ProtocolError("Protocol error: bad integer '" + std::string(s) + "'");
  return v;
}

}  // namespace

void ReplyParser::Feed(const char* data, size_t n) {
  // Drop consumed bytes before growing, so the buffer stays as small as the
  // unparsed tail.
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 65536 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data, n);
}

ReplyParser::Step ReplyParser::ParseOne(Reply* out, Frame* opened) {
  const char* start = buf_.data() + pos_;
  size_t avail = buf_.size() - pos_;
  const char* eol = static_cast<const char*>(memchr(start, '\r', avail));
  if (eol == nullptr || static_cast<size_t>(eol - start) + 1 >= avail) return Step::kNeedMore;
  if (eol[1] != '\n') throw ProtocolError("Protocol error: expected CRLF");
  char type = start[0];
  std::string_view line(start + 1, eol - start - 1);
  size_t after_line = pos_ + (eol - start) + 2;
  using T = Reply::Type;

  auto aggregate = [&](T t, size_t children, bool attribute) {
    if (children == 0) {
      *out = Reply{t, {}, 0, {}};
      pos_ = after_line;
      return Step::kValue;
    }
    opened->reply = Reply{t, {}, 0, {}};
    opened->reply.elements.reserve(children);
    opened->remaining = children;
    opened->attribute = attribute;
    pos_ = after_line;
    return Step::kOpened;
  };

  switch (type) {
    case '+': case '-': case ',': case '(': case '_': case '#': case ':': {
      Reply r;
      if (type == '+') r.type = T::kStatus;
      if (type == '-') r.type = T::kError;
      if (type == ',') r.type = T::kDouble;
      if (type == '(') r.type = T::kBigNumber;
      if (type == '_') r.type = T::kNil;
      if (type == ':') {
        r.type = T::kInteger;
        r.integer = ParseInt(line);
      } else if (type == '#') {
        if (line != "t" && line != "f") throw ProtocolError("Protocol error: bad boolean");
        r.type = T::kBool;
        r.integer = line == "t";
      } else if (type != '_') {
        r.str.assign(line);
      }
      *out = std::move(r);
      pos_ = after_line;
      return Step::kValue;
    }
    case '$': case '!': case '=': {
      int64_t len = ParseInt(line);
      if (len < 0) {
        *out = Reply{};
        pos_ = after_line;
        return Step::kValue;
      }
      if (buf_.size() - after_line < static_cast<size_t>(len) + 2) return Step::kNeedMore;
      Reply r;
      r.type = type == '$' ? T::kString : type == '!' ? T::kError : T::kVerbatim;
      std::string_view payload(buf_.data() + after_line, len);
      // A verbatim string is "fmt:payload"; redis-cli shows the payload.
      if (type == '=' && payload.size() >= 4 && payload[3] == ':') payload.remove_prefix(4);
      r.str.assign(payload);
      *out = std::move(r);
      pos_ = after_line + len + 2;
      return Step::kValue;
    }
    case '*': case '~': case '>': case '%': case '|': {
      int64_t n = ParseInt(line);
      if (n < 0) {
        *out = Reply{};
        pos_ = after_line;
        return Step::kValue;
      }
      size_t children = (type == '%' || type == '|') ? 2 * n : n;
      T t = type == '*' ? T::kArray : type == '~' ? T::kSet : type == '>' ? T::kPush : T::kMap;
      return aggregate(t, children, type == '|');
    }
    default:
      throw ProtocolError(std::string("Protocol error: unexpected reply type byte '") + type + "'");
  }
}

std::optional<Reply> ReplyParser::Next() {
  while (true) {
    Reply value;
    Frame opened;
    Step step = ParseOne(&value, &opened);
    if (step == Step::kNeedMore) return std::nullopt;
    if (step == Step::kOpened) {
      stack_.push_back(std::move(opened));
      continue;
    }
    // A complete value: it completes its parents as far as it can.
    bool dropped = false;
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      top.reply.elements.push_back(std::move(value));
      if (--top.remaining > 0) break;
      bool attribute = top.attribute;
      value = std::move(top.reply);
      stack_.pop_back();
      // A finished attribute annotates the value that follows it; it takes
      // no place among its parent's elements.
      if (attribute) {
        dropped = true;
        break;
      }
    }
    if (dropped) continue;
    if (stack_.empty()) return value;
  }
}

}  // namespace ember::cli
