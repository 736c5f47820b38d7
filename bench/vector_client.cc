// vector_client: drives ember's vector module for bench/vector.sh, with the
// vectors and queries of vector_data.h. A C++/hiredis client, so that the
// figures measure the server rather than a Python client.
//
//   ember-vector-client --phase=insert --port=P [--key=bench:vectors
//       --batch=1000 --pipeline=4 ...the vector_data.h parameters]
//     VADD_BATCH ... DIM d BLOB e0 <f32 blob> e1 <blob> ... (the first also
//     METRIC COSINE M m EF ef_construction), `pipeline` commands in flight.
//   ember-vector-client --phase=latency --port=P [...]
//     VSIM key <d floats> COUNT k (EF as the server's default), one at a
//     time: latency and recall.
//   ember-vector-client --phase=throughput --port=P [--window=32 --rounds=3 ...]
//     The same queries, `window` in flight, each `rounds` times.
// Prints "name value" lines.
#include <hiredis/hiredis.h>

#include <cinttypes>
#include <memory>
#include <string>

#include "vector_data.h"

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "ember-vector-client: %s\n", message.c_str());
  std::exit(1);
}

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

// One command's words, kept alive while hiredis formats them.
struct Command {
  std::vector<std::string> words;
  void Append(redisContext* c) const {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& w : words) {
      argv.push_back(w.data());
      lens.push_back(w.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
      Die("cannot queue a command");
    }
  }
};

Reply Read(redisContext* c) {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK || r == nullptr) Die(std::string("connection error: ") + c->errstr);
  Reply reply(static_cast<redisReply*>(r));
  if (reply->type == REDIS_REPLY_ERROR) Die(std::string("server error: ") + reply->str);
  return reply;
}

void Insert(redisContext* c, const vbench::Params& p, const std::string& key, size_t batch, size_t pipeline) {
  std::vector<float> data = vbench::Data(p);
  std::vector<Command> commands;
  for (size_t first = 0; first < p.n; first += batch) {
    Command cmd;
    cmd.words = {"VADD_BATCH", key, "DIM", std::to_string(p.dim), "BLOB"};
    for (size_t i = first; i < std::min(p.n, first + batch); i++) {
      cmd.words.push_back("e" + std::to_string(i));
      // x86 is little-endian: the floats' bytes are the wire format.
      cmd.words.emplace_back(reinterpret_cast<const char*>(&data[i * p.dim]), p.dim * sizeof(float));
    }
    if (first == 0) {
      cmd.words.insert(cmd.words.end(), {"METRIC", "COSINE", "M", std::to_string(p.m), "EF",
                                         std::to_string(p.ef_construction)});
    }
    commands.push_back(std::move(cmd));
  }
  long long added = 0;
  size_t sent = 0, received = 0;
  double start = vbench::Seconds();
  while (received < commands.size()) {
    while (sent < commands.size() && sent - received < pipeline) commands[sent++].Append(c);
    Reply r = Read(c);
    if (r->type != REDIS_REPLY_INTEGER) Die("VADD_BATCH did not answer an integer");
    added += r->integer;
    received++;
  }
  double elapsed = vbench::Seconds() - start;
  if (added != static_cast<long long>(p.n)) Die("VADD_BATCH added " + std::to_string(added) + " elements");
  std::printf("insert_per_sec %.0f\n", static_cast<double>(p.n) / elapsed);
}

std::vector<Command> QueryCommands(const vbench::Params& p, const std::string& key) {
  std::vector<float> queries = vbench::Queries(p);
  std::vector<Command> commands(p.queries);
  char buf[32];
  for (size_t q = 0; q < p.queries; q++) {
    Command& cmd = commands[q];
    cmd.words = {"VSIM", key};
    for (size_t d = 0; d < p.dim; d++) {
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(queries[q * p.dim + d]));  // exact float
      cmd.words.emplace_back(buf);
    }
    cmd.words.insert(cmd.words.end(), {"COUNT", std::to_string(p.k)});
  }
  return commands;
}

std::vector<uint32_t> Ids(const redisReply* r) {
  if (r->type != REDIS_REPLY_ARRAY) Die("VSIM did not answer an array");
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < r->elements; i++) {
    ids.push_back(static_cast<uint32_t>(std::strtoul(r->element[i]->str + 1, nullptr, 10)));  // "e<id>"
  }
  return ids;
}

// Latency and recall: after a warm-up, one query in flight at a time.
void Latency(redisContext* c, const vbench::Params& p, const std::string& key) {
  std::vector<Command> commands = QueryCommands(p, key);
  std::vector<float> data = vbench::Data(p), queries = vbench::Queries(p);
  std::vector<uint32_t> truth = vbench::Truth(p, data, queries);
  for (size_t q = 0; q < std::min<size_t>(p.queries, 100); q++) {
    commands[q].Append(c);
    Read(c);
  }
  std::vector<double> latencies;
  std::vector<std::vector<uint32_t>> found(p.queries);
  for (size_t q = 0; q < p.queries; q++) {
    double t = vbench::Seconds();
    commands[q].Append(c);
    Reply r = Read(c);
    latencies.push_back((vbench::Seconds() - t) * 1e6);
    found[q] = Ids(r.get());
  }
  std::printf("p50_us %.1f\np99_us %.1f\nrecall %.4f\n", vbench::Percentile(latencies, 50),
              vbench::Percentile(latencies, 99), vbench::Recall(p, truth, found));
}

// Throughput: `window` queries in flight keep the server's core busy.
void Throughput(redisContext* c, const vbench::Params& p, const std::string& key, size_t window, size_t rounds) {
  std::vector<Command> commands = QueryCommands(p, key);
  size_t total = p.queries * rounds, sent = 0, received = 0;
  double start = vbench::Seconds();
  while (received < total) {
    while (sent < total && sent - received < window) commands[sent++ % p.queries].Append(c);
    Read(c);
    received++;
  }
  double elapsed = vbench::Seconds() - start;
  std::printf("query_per_sec %.0f\nqueries_sent %zu\n", static_cast<double>(total) / elapsed, total);
}

}  // namespace

int main(int argc, char** argv) {
  vbench::Params p;
  auto extra = vbench::ParseArgs(argc, argv, &p);
  auto get = [&extra](const char* name, const char* fallback) {
    return extra.count(name) ? extra[name] : std::string(fallback);
  };
  std::string phase = get("phase", ""), key = get("key", "bench:vectors");
  int port = std::stoi(get("port", "6379"));
  redisContext* c = redisConnect("127.0.0.1", port);
  if (c == nullptr || c->err) Die("cannot connect to port " + std::to_string(port));
  if (phase == "insert") {
    Insert(c, p, key, std::stoul(get("batch", "1000")), std::stoul(get("pipeline", "4")));
  } else if (phase == "latency") {
    Latency(c, p, key);
  } else if (phase == "throughput") {
    Throughput(c, p, key, std::stoul(get("window", "32")), std::stoul(get("rounds", "3")));
  } else {
    Die("--phase=insert, --phase=latency or --phase=throughput");
  }
  redisFree(c);
  return 0;
}
