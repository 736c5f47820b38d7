// hnsw_inprocess: the limit bench/vector.sh compares ember against. The
// same vectors, parameters and hnswlib as the vector module, called
// directly on one thread: insert rate, query rate and latency, CPU time
// per insert and per query, recall@k against brute force, and resident
// bytes per vector.
//
//   ember-hnsw-inprocess [--n=100000 --dim=128 --queries=1000 --k=10 --m=16
//                         --ef-construction=64 --ef-search=100 --latent=32 --truth=FILE
//                         --ef-sweep=50,100,400]
// Prints "name value" lines; --ef-sweep adds a recall/latency line per EF.
#include <hnswlib/hnswlib.h>

#include <memory>
#include <sstream>

#include "vector_data.h"

namespace {

struct QueryRun {
  double per_sec, cpu_us, p50_us, p99_us, recall;
};

QueryRun RunQueries(const vbench::Params& p, hnswlib::HierarchicalNSW<float>& index, const std::vector<float>& nq,
                    const std::vector<uint32_t>& truth, size_t ef) {
  index.setEf(ef);
  // Warm-up: the first searches allocate and touch the visited list.
  for (size_t q = 0; q < std::min<size_t>(p.queries, 100); q++) index.searchKnn(&nq[q * p.dim], p.k);
  std::vector<double> latencies;
  std::vector<std::vector<uint32_t>> found(p.queries);
  double start = vbench::Seconds(), cpu_start = vbench::ThreadCpuSeconds();
  for (size_t q = 0; q < p.queries; q++) {
    double t = vbench::Seconds();
    auto result = index.searchKnn(&nq[q * p.dim], p.k);
    latencies.push_back((vbench::Seconds() - t) * 1e6);
    for (; !result.empty(); result.pop()) found[q].push_back(static_cast<uint32_t>(result.top().second));
  }
  double elapsed = vbench::Seconds() - start, cpu = vbench::ThreadCpuSeconds() - cpu_start;
  auto n = static_cast<double>(p.queries);
  return {n / elapsed, cpu * 1e6 / n, vbench::Percentile(latencies, 50), vbench::Percentile(latencies, 99),
          vbench::Recall(p, truth, found)};
}

}  // namespace

int main(int argc, char** argv) {
  vbench::Params p;
  auto extra = vbench::ParseArgs(argc, argv, &p);
  std::vector<float> data = vbench::Data(p), queries = vbench::Queries(p);
  std::vector<uint32_t> truth = vbench::Truth(p, data, queries);
  // COSINE as the module does it: unit vectors, inner-product distance.
  std::vector<float> nd = vbench::Normalized(data, p.dim), nq = vbench::Normalized(queries, p.dim);
  data.clear();
  data.shrink_to_fit();

  size_t rss_before = vbench::RssBytes();
  double start = vbench::Seconds(), cpu_start = vbench::ThreadCpuSeconds();
  hnswlib::InnerProductSpace space(p.dim);
  auto index = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, p.n, p.m, p.ef_construction);
  for (size_t i = 0; i < p.n; i++) index->addPoint(&nd[i * p.dim], i);
  double insert_s = vbench::Seconds() - start, insert_cpu = vbench::ThreadCpuSeconds() - cpu_start;
  size_t rss_after = vbench::RssBytes();

  std::printf("insert_per_sec %.0f\ninsert_cpu_us %.1f\n", static_cast<double>(p.n) / insert_s,
              insert_cpu * 1e6 / static_cast<double>(p.n));
  std::printf("bytes_per_vector %.1f\n", static_cast<double>(rss_after - rss_before) / static_cast<double>(p.n));
  QueryRun run = RunQueries(p, *index, nq, truth, p.ef_search);
  std::printf("query_per_sec %.0f\nquery_cpu_us %.1f\np50_us %.1f\np99_us %.1f\nrecall %.4f\n", run.per_sec, run.cpu_us,
              run.p50_us, run.p99_us, run.recall);
  if (extra.count("ef-sweep")) {
    std::stringstream list(extra["ef-sweep"]);
    for (std::string ef; std::getline(list, ef, ',');) {
      QueryRun r = RunQueries(p, *index, nq, truth, std::stoul(ef));
      std::printf("sweep ef=%s query_per_sec=%.0f query_cpu_us=%.1f p50_us=%.1f p99_us=%.1f recall=%.4f\n", ef.c_str(),
                  r.per_sec, r.cpu_us, r.p50_us, r.p99_us, r.recall);
    }
  }
  return 0;
}
