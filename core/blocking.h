// A client blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP). It
// is registered in the Db of every key's shard; the first shard to have an
// element for it, its timeout, CLIENT UNBLOCK or its disconnection claims
// it (one atomic exchange), so it is served exactly once and an element is
// never taken for a client already served elsewhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class Conn;
class Shard;
struct CmdCtx;
struct CommandSpec;
enum class ValueType : uint8_t;

struct BlockedClient {
  // Serves the client from key (which now holds a value of the right type):
  // pops what the command asks for and writes its reply to ctx.reply.
  // Returns false if it took nothing after all (its reply may be an error,
  // WRONGTYPE for a BLMOVE destination): nothing to record as a change.
  using ServeFn = bool (*)(CmdCtx& ctx, BlockedClient& b, std::string_view key);

  std::atomic<bool> claimed{false};
  Conn* conn = nullptr;   // owned by `home`'s thread
  Shard* home = nullptr;
  uint64_t seq = 0;       // the client's reply slot
  int resp = 2;
  std::vector<std::string> keys;
  uint32_t db = 0;        // the database the keys are in
  ValueType type;         // what the keys must hold to serve it
  ServeFn serve = nullptr;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // the command line, for serve
  std::string timeout_reply;      // sent when the time runs out

  bool Claim() { return !claimed.exchange(true, std::memory_order_acq_rel); }
};

// The non-blocking command that does what serving b from key did (BLPOP →
// LPOP key, BLMOVE → LMOVE ..., BZMPOP → ZMPOP 1 key ...), for the write
// stream: replaying it on a copy of the data takes the same elements.
std::vector<std::string> ServedAs(const BlockedClient& b, std::string_view key);

// A blocking command's timeout argument (seconds, a double; 0 = forever)
// in ms, with Redis's errors (replied, and false returned, when bad).
bool ParseBlockTimeout(CmdCtx& ctx, std::string_view arg, int64_t* ms);

// Runs a blocking command on its client's thread: holding its keys'
// shards, serves it at once from the first key holding a `type` value;
// otherwise, unless inside EXEC, blocks the client on all the keys. The
// reply on timeout is a null array, or a null bulk.
void BlockOrServe(CmdCtx& ctx, std::vector<std::string_view> keys, ValueType type, int64_t timeout_ms,
                  BlockedClient::ServeFn serve, bool null_array);

}  // namespace ember
