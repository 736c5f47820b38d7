#include "cli/bench/workload.h"

#include "cli/args.h"

namespace ember::cli::bench {

namespace {

// Stands for a key's random number (kRandDigits digits) or the payload.
constexpr std::string_view kRand = "__rand__";
constexpr std::string_view kData = "__data__";
constexpr size_t kRandDigits = 12;

struct TestSpec {
  std::string_view name;
  std::string_view title;
  std::vector<std::vector<std::string_view>> commands;  // one request
};

const std::vector<TestSpec>& Specs() {
  static const std::vector<TestSpec> specs = {
      {"ping", "PING", {{"PING"}}},
      {"set", "SET", {{"SET", "key:__rand__", kData}}},
      {"get", "GET", {{"GET", "key:__rand__"}}},
      {"incr", "INCR", {{"INCR", "counter:__rand__"}}},
      {"lpush", "LPUSH", {{"LPUSH", "mylist", kData}}},
      {"rpush", "RPUSH", {{"RPUSH", "mylist", kData}}},
      {"lpop", "LPOP", {{"LPOP", "mylist"}}},
      {"rpop", "RPOP", {{"RPOP", "mylist"}}},
      {"sadd", "SADD", {{"SADD", "myset", "element:__rand__"}}},
      {"hset", "HSET", {{"HSET", "myhash", "element:__rand__", kData}}},
      {"hget", "HGET", {{"HGET", "myhash", "element:__rand__"}}},
      {"spop", "SPOP", {{"SPOP", "myset"}}},
      // A random score, as redis-benchmark's with -r: each ZADD moves a member.
      {"zadd", "ZADD", {{"ZADD", "myzset", "__rand__", "element:__rand__"}}},
      {"zpopmin", "ZPOPMIN", {{"ZPOPMIN", "myzset"}}},
      {"mset", "MSET (10 keys)",
       {{"MSET", "key:__rand__", kData, "key:__rand__", kData, "key:__rand__", kData, "key:__rand__", kData,
         "key:__rand__", kData, "key:__rand__", kData, "key:__rand__", kData, "key:__rand__", kData, "key:__rand__",
         kData, "key:__rand__", kData}}},
      // One request is the whole transaction: three commands, three replies.
      {"multi", "MULTI", {{"MULTI"}, {"INCR", "counter:__rand__"}, {"EXEC"}}},
  };
  return specs;
}

}  // namespace

std::vector<std::string_view> Workload::Names() {
  std::vector<std::string_view> names;
  for (const TestSpec& s : Specs()) names.push_back(s.name);
  return names;
}

std::optional<Workload> Workload::Make(std::string_view test, size_t data_size, size_t pipeline) {
  for (const TestSpec& spec : Specs()) {
    if (!EqualsIgnoreCase(spec.name, test)) continue;
    Workload w;
    w.title_ = spec.title;
    w.replies_per_request_ = spec.commands.size();
    std::string request;
    for (const auto& command : spec.commands) {
      std::vector<std::string> args;
      for (std::string_view word : command) {
        if (word == kData) {
          args.emplace_back(data_size, 'x');
          continue;
        }
        std::string arg(word);
        if (size_t at = arg.find(kRand); at != std::string::npos) arg.replace(at, kRand.size(), kRandDigits, '0');
        args.push_back(std::move(arg));
      }
      std::string encoded = EncodeCommand(args);
      // Each key's digits sit at the end of its bulk string, before "\r\n".
      size_t pos = 0;
      for (std::string_view word : command) {
        size_t header = encoded.find("\r\n$", pos) + 2;
        size_t body = encoded.find("\r\n", header) + 2;
        size_t len = std::stoul(encoded.substr(header + 1, body - header - 3));
        if (word.find(kRand) != std::string_view::npos)
          w.key_offsets_.push_back(request.size() + body + len - kRandDigits);
        pos = body + len;
      }
      request += encoded;
    }
    w.request_size_ = request.size();
    for (size_t i = 0; i < pipeline; ++i) w.batch_ += request;
    return w;
  }
  return std::nullopt;
}

std::string_view Workload::Prepare(std::string& batch, size_t requests, Rng& rng, uint64_t keyspace) const {
  for (size_t r = 0; r < requests; ++r) {
    char* base = batch.data() + r * request_size_;
    for (size_t offset : key_offsets_) {
      uint64_t v = rng.Next() % keyspace;
      char* digit = base + offset + kRandDigits;
      for (size_t i = 0; i < kRandDigits; ++i) {
        *--digit = static_cast<char>('0' + v % 10);
        v /= 10;
      }
    }
  }
  return std::string_view(batch.data(), requests * request_size_);
}

}  // namespace ember::cli::bench
