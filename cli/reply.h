// A server reply as ember-cli sees it (RESP2 and RESP3), and an incremental
// parser that builds replies from whatever bytes have arrived so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember::cli {

struct Reply {
  enum class Type : uint8_t {
    kStatus, kError, kString, kVerbatim, kInteger, kDouble, kBool, kBigNumber, kNil,
    kArray, kMap, kSet, kPush,
  };
  Type type = Type::kNil;
  // Status, error, string and verbatim payloads (a verbatim string without its
  // "txt:" format prefix); doubles and big numbers keep the server's text.
  std::string str;
  int64_t integer = 0;  // integers; booleans as 0 / 1
  // Aggregates; a map's keys and values alternate.
  std::vector<Reply> elements;

  bool IsAggregate() const { return type >= Type::kArray; }
};

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ReplyParser {
 public:
  void Feed(const char* data, size_t n);
  // The next complete reply, or nullopt until more bytes arrive. Attributes
  // (RESP3 `|`) are read and dropped. Throws ProtocolError on malformed input.
  std::optional<Reply> Next();

 private:
  struct Frame {
    Reply reply;
    size_t remaining;  // children still to come
    bool attribute;
  };
  enum class Step { kValue, kOpened, kNeedMore };
  // Reads one header (and a scalar's payload) at pos_.
  Step ParseOne(Reply* out, Frame* opened);

  std::string buf_;
  size_t pos_ = 0;
  // Aggregates opened and not yet complete, outermost first; kept across
  // Feed() calls so a large reply is parsed once however it is split.
  std::vector<Frame> stack_;
};

}  // namespace ember::cli
