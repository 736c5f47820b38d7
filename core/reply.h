// Reply: appends RESP2 or RESP3 replies to a byte buffer. Commands write their
// replies through it and never see the protocol version, except where RESP2
// and RESP3 differ in shape (maps, sets, doubles, nulls, booleans).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

class Reply {
 public:
  Reply(std::string* out, int resp) : out_(out), resp_(resp) {}

  int resp() const { return resp_; }
  void set_resp(int resp) { resp_ = resp; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void Simple(std::string_view s);
  void Ok() { out_->append("+OK\r\n", 5); }
  // "-ERR msg", or "-CODE rest" when msg is "-CODE rest" (as Redis's
  // addReplyError).
  void Error(std::string_view msg);
  void Int(int64_t v);
  void Bulk(std::string_view s);
  void Null();       // RESP2 $-1, RESP3 _
  void NullArray();  // RESP2 *-1, RESP3 _
  void Double(double v);
  void Bool(bool v);
  void Verbatim(std::string_view s);  // RESP3 "txt" verbatim string
  void Array(size_t n) { Header('*', n); }
  void Map(size_t pairs);
  void Set(size_t n);
  void Push(size_t n);
  // Protocol-level literal, already encoded.
  void Raw(std::string_view s) { out_->append(s); }

  // Deferred-length aggregates: reserve room, fill in the count later.
  size_t BeginDeferredArray();
  void EndDeferredArray(size_t token, size_t n);

 private:
  void Header(char type, size_t n);
  std::string* out_;
  int resp_;
};

inline constexpr std::string_view kErrWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "value is not a valid float";
inline constexpr std::string_view kErrSyntax = "syntax error";
inline constexpr std::string_view kErrNoSuchKey = "no such key";
inline constexpr std::string_view kErrOverflow = "increment or decrement would overflow";
// A 32-bit integer argument outside that range (Redis's getIntFromObjectOrReply).
inline constexpr std::string_view kErrIntRange =
    "value is out of range, value must between -2147483648 and 2147483647";
// HRANDFIELD, SRANDMEMBER, ZRANDMEMBER: a count whose reply could not fit.
inline constexpr std::string_view kErrCountRange =
    "value is out of range, value must between -9223372036854775807 and 9223372036854775807";

}  // namespace ember
