#include "reply.h"

#include <cstring>

#include "util.h"

namespace ember {

void Reply::Header(char type, size_t n) {
  char buf[32];
  buf[0] = type;
  size_t len = 1 + FormatInt64(static_cast<int64_t>(n), buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

void Reply::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void Reply::Error(std::string_view msg) {
  // A message that starts with '-' carries its own code (-WRONGTYPE ...).
  if (!msg.empty() && msg[0] == '-') {
    out_->push_back('-');
    msg.remove_prefix(1);
  } else {
    out_->append("-ERR ", 5);
  }
  // Newlines would break the protocol: Redis replaces them with spaces.
  size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i)
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  out_->append("\r\n", 2);
}

void Reply::Int(int64_t v) {
  char buf[32];
  buf[0] = ':';
  size_t len = 1 + FormatInt64(v, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

void Reply::Bulk(std::string_view s) {
  char buf[32];
  buf[0] = '$';
  size_t len = 1 + FormatInt64(static_cast<int64_t>(s.size()), buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  size_t old = out_->size();
  out_->resize(old + len + s.size() + 2);
  char* p = out_->data() + old;
  memcpy(p, buf, len);
  if (!s.empty()) memcpy(p + len, s.data(), s.size());
  p[len + s.size()] = '\r';
  p[len + s.size() + 1] = '\n';
}

void Reply::Null() {
  if (resp_ >= 3)
    out_->append("_\r\n", 3);
  else
    out_->append("$-1\r\n", 5);
}

void Reply::NullArray() {
  if (resp_ >= 3)
    out_->append("_\r\n", 3);
  else
    out_->append("*-1\r\n", 5);
}

void Reply::Double(double v) {
  std::string text = DoubleToString(v);
  if (resp_ >= 3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

void Reply::Bool(bool v) {
  if (resp_ >= 3)
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  else
    out_->append(v ? ":1\r\n" : ":0\r\n", 4);
}

void Reply::Verbatim(std::string_view s) {
  if (resp_ < 3) {
    Bulk(s);
    return;
  }
  Header('=', s.size() + 4);
  out_->append("txt:", 4);
  out_->append(s);
  out_->append("\r\n", 2);
}

void Reply::Map(size_t pairs) {
  if (resp_ >= 3)
    Header('%', pairs);
  else
    Header('*', pairs * 2);
}

void Reply::Set(size_t n) { Header(resp_ >= 3 ? '~' : '*', n); }

void Reply::Push(size_t n) { Header(resp_ >= 3 ? '>' : '*', n); }

// Room for "*" + 20 digits + CRLF; EndDeferredArray writes the count and
// moves the rest of the reply back over the unused room.
static constexpr size_t kDeferredRoom = 23;

size_t Reply::BeginDeferredArray() {
  size_t token = out_->size();
  out_->append(kDeferredRoom, '\0');
  return token;
}

void Reply::EndDeferredArray(size_t token, size_t n) {
  char buf[32];
  buf[0] = '*';
  size_t len = 1 + FormatInt64(static_cast<int64_t>(n), buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  memcpy(out_->data() + token, buf, len);
  out_->erase(token + len, kDeferredRoom - len);
}

}  // namespace ember
