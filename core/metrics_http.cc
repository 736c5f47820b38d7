#include "metrics_http.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "command.h"
#include "memory_meter.h"
#include "server.h"
#include "shard.h"
#include "util.h"

namespace ember {


namespace {

// Histogram bucket bounds in seconds, as Prometheus client libraries
// default to (plus the sub-millisecond ones a cache needs).
constexpr double kBucketSeconds[] = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                     0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25,
                                     0.5,     1,        2.5,     5,      10};

// A label value with Prometheus's escapes.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    o_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void Sample(std::string_view name, std::string_view labels, double v) {
    o_ << name;
    if (!labels.empty()) o_ << "{" << labels << "}";
    char buf[64];
    snprintf(buf, sizeof(buf), " %.17g\n", v);
    o_ << buf;
  }
  void Sample(std::string_view name, std::string_view labels, uint64_t v) {
    o_ << name;
    if (!labels.empty()) o_ << "{" << labels << "}";
    o_ << " " << v << "\n";
  }
  std::string str() const { return o_.str(); }

 private:
  std::ostringstream o_;
};

}  // namespace

MetricsHttp::~MetricsHttp() {
  if (base_) event_base_loopbreak(base_);
  if (thread_.joinable()) thread_.join();
  if (http_) evhttp_free(http_);
  if (base_) event_base_free(base_);
}

std::string MetricsHttp::Start(const std::string& bind, int port) {
  std::istringstream words(bind);
  std::string addr = "127.0.0.1";
  words >> addr;
  if (!addr.empty() && addr[0] == '-') addr = addr.substr(1);
  if (addr == "*") addr = "0.0.0.0";
  if (addr == "::*") addr = "::";
  base_ = event_base_new();
  http_ = evhttp_new(base_);
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_cb(http_, "/metrics", &MetricsHttp::OnMetrics, this);
  evhttp_set_cb(http_, "/health", &MetricsHttp::OnHealth, this);
  if (evhttp_bind_socket(http_, addr.c_str(), static_cast<uint16_t>(port)) != 0)
    return "could not listen for metrics on " + addr + ":" + std::to_string(port);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ember-metrics");
    // Run until the destructor breaks the loop; with no event pending
    // (never, the listener is one) it would return early.
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
  });
  return "";
}

void MetricsHttp::OnHealth(evhttp_request* req, void*) {
  evbuffer* body = evbuffer_new();
  evbuffer_add_printf(body, "OK\n");
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; charset=utf-8");
  evhttp_send_reply(req, HTTP_OK, "OK", body);
  evbuffer_free(body);
}

void MetricsHttp::OnMetrics(evhttp_request* req, void* arg) {
  std::string text = static_cast<MetricsHttp*>(arg)->Render();
  evbuffer* body = evbuffer_new();
  evbuffer_add(body, text.data(), text.size());
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  evhttp_send_reply(req, HTTP_OK, "OK", body);
  evbuffer_free(body);
}

std::string MetricsHttp::Render() {
  std::vector<ShardSnapshot> shards;
  bool complete = server_.Snapshot(&shards, 1000);
  CommandStatsTable commands;
  ShardSnapshot total;
  for (const ShardSnapshot& s : shards) {
    s.commands.MergeInto(&commands);
    total.keys += s.keys;
    total.expires += s.expires;
    total.db.expired_keys += s.db.expired_keys;
    total.db.evicted_keys += s.db.evicted_keys;
    total.db.keyspace_hits += s.db.keyspace_hits;
    total.db.keyspace_misses += s.db.keyspace_misses;
    total.stats.net_input_bytes += s.stats.net_input_bytes;
    total.stats.net_output_bytes += s.stats.net_output_bytes;
    total.blocked_clients += s.blocked_clients;
  }
  ServerStats& st = server_.stats();
  Writer w;
  w.Family("ember_up", "gauge", "1 while the server runs.");
  w.Sample("ember_up", "", uint64_t{1});
  w.Family("ember_scrape_complete", "gauge", "1 when every shard answered this scrape in time.");
  w.Sample("ember_scrape_complete", "", uint64_t{complete ? 1u : 0u});
  w.Family("ember_uptime_seconds", "gauge", "Seconds since the server started.");
  w.Sample("ember_uptime_seconds", "", static_cast<uint64_t>((NowMs() - server_.start_ms()) / 1000));
  w.Family("ember_connected_clients", "gauge", "Client connections open now.");
  w.Sample("ember_connected_clients", "", st.connected_clients.load(std::memory_order_relaxed));
  w.Family("ember_blocked_clients", "gauge", "Clients waiting in a blocking command.");
  w.Sample("ember_blocked_clients", "", total.blocked_clients);
  w.Family("ember_connections_received_total", "counter", "Connections accepted since start.");
  w.Sample("ember_connections_received_total", "", st.total_connections.load(std::memory_order_relaxed));
  w.Family("ember_rejected_connections_total", "counter", "Connections refused (maxclients, protected mode).");
  w.Sample("ember_rejected_connections_total", "", st.rejected_connections.load(std::memory_order_relaxed));
  w.Family("ember_memory_used_bytes", "gauge", "Used memory as maxmemory counts it (INFO used_memory).");
  w.Sample("ember_memory_used_bytes", "", static_cast<uint64_t>(MemoryMeter::Get().used()));
  w.Family("ember_memory_resident_bytes", "gauge", "Resident set size of the process.");
  w.Sample("ember_memory_resident_bytes", "", static_cast<uint64_t>(ResidentBytes()));
  w.Family("ember_keys", "gauge", "Keys in the keyspace.");
  w.Sample("ember_keys", "", total.keys);
  w.Family("ember_expiring_keys", "gauge", "Keys with an expire time.");
  w.Sample("ember_expiring_keys", "", total.expires);
  w.Family("ember_expired_keys_total", "counter", "Keys deleted because their time ran out.");
  w.Sample("ember_expired_keys_total", "", total.db.expired_keys);
  w.Family("ember_evicted_keys_total", "counter", "Keys evicted under maxmemory.");
  w.Sample("ember_evicted_keys_total", "", total.db.evicted_keys);
  w.Family("ember_keyspace_hits_total", "counter", "Key lookups by reads that found the key.");
  w.Sample("ember_keyspace_hits_total", "", total.db.keyspace_hits);
  w.Family("ember_keyspace_misses_total", "counter", "Key lookups by reads that did not.");
  w.Sample("ember_keyspace_misses_total", "", total.db.keyspace_misses);
  w.Family("ember_net_input_bytes_total", "counter", "Bytes read from clients.");
  w.Sample("ember_net_input_bytes_total", "", total.stats.net_input_bytes);
  w.Family("ember_net_output_bytes_total", "counter", "Bytes written to clients.");
  w.Sample("ember_net_output_bytes_total", "", total.stats.net_output_bytes);

  const CommandTable& table = CommandTable::Get();
  auto each_command = [&](auto fn) {
    for (uint32_t id = 0; id < commands.all().size(); ++id) {
      const CommandStats& c = commands.all()[id];
      const CommandSpec* spec = table.ById(id);
      if (spec && (c.calls || c.rejected_calls || c.failed_calls)) fn(*spec, c);
    }
  };
  w.Family("ember_commands_total", "counter", "Commands run, by command.");
  each_command([&](const CommandSpec& spec, const CommandStats& c) {
    w.Sample("ember_commands_total", "cmd=\"" + Label(spec.name) + "\"", c.calls);
  });
  w.Family("ember_commands_failed_total", "counter", "Commands that answered an error, by command.");
  each_command([&](const CommandSpec& spec, const CommandStats& c) {
    w.Sample("ember_commands_failed_total", "cmd=\"" + Label(spec.name) + "\"", c.failed_calls);
  });
  w.Family("ember_commands_rejected_total", "counter", "Commands refused before running (arity, ACL), by command.");
  each_command([&](const CommandSpec& spec, const CommandStats& c) {
    w.Sample("ember_commands_rejected_total", "cmd=\"" + Label(spec.name) + "\"", c.rejected_calls);
  });
  w.Family("ember_command_duration_seconds", "histogram", "Time a command's handler ran, by command.");
  each_command([&](const CommandSpec& spec, const CommandStats& c) {
    if (!c.latency) return;
    std::string cmd = "cmd=\"" + Label(spec.name) + "\"";
    for (double le : kBucketSeconds) {
      char bound[32];
      snprintf(bound, sizeof(bound), "%g", le);
      w.Sample("ember_command_duration_seconds_bucket", cmd + ",le=\"" + bound + "\"",
               c.latency->CountAtMost(static_cast<uint64_t>(le * 1e9)));
    }
    w.Sample("ember_command_duration_seconds_bucket", cmd + ",le=\"+Inf\"", c.latency->total());
    w.Sample("ember_command_duration_seconds_sum", cmd, static_cast<double>(c.nsec) / 1e9);
    w.Sample("ember_command_duration_seconds_count", cmd, c.latency->total());
  });
  w.Family("ember_errors_total", "counter", "Error replies, by error code.");
  for (const auto& [code, n] : commands.errors()) w.Sample("ember_errors_total", "code=\"" + Label(code) + "\"", n);

  w.Family("ember_shard_keys", "gauge", "Keys per shard.");
  for (size_t i = 0; i < shards.size(); ++i)
    w.Sample("ember_shard_keys", "shard=\"" + std::to_string(shards[i].index) + "\"", shards[i].keys);
  w.Family("ember_shard_clients", "gauge", "Clients per shard.");
  for (size_t i = 0; i < shards.size(); ++i)
    w.Sample("ember_shard_clients", "shard=\"" + std::to_string(shards[i].index) + "\"", shards[i].clients);
  w.Family("ember_shard_commands_total", "counter", "Commands run per shard.");
  for (size_t i = 0; i < shards.size(); ++i)
    w.Sample("ember_shard_commands_total", "shard=\"" + std::to_string(shards[i].index) + "\"",
             shards[i].stats.commands);
  w.Family("ember_shard_cross_shard_batches_total", "counter", "Batches of commands received from other shards.");
  for (size_t i = 0; i < shards.size(); ++i)
    w.Sample("ember_shard_cross_shard_batches_total", "shard=\"" + std::to_string(shards[i].index) + "\"",
             shards[i].stats.cross_shard_batches);
  w.Family("ember_shard_held_commands_total", "counter", "Commands that held several shards, per shard that ran them.");
  for (size_t i = 0; i < shards.size(); ++i)
    w.Sample("ember_shard_held_commands_total", "shard=\"" + std::to_string(shards[i].index) + "\"",
             shards[i].stats.held_commands);
  w.Family("ember_shard_expired_keys_total", "counter", "Keys expired per shard.");
  for (size_t i = 0; i < shards.size(); ++i)
    w.Sample("ember_shard_expired_keys_total", "shard=\"" + std::to_string(shards[i].index) + "\"",
             shards[i].db.expired_keys);
  return w.str();
}

}  // namespace ember
