// vector_data.h: what the two vector benchmark programs share, so that
// ember and in-process hnswlib see the very same vectors and queries and
// are scored against the same exact answers.
//
//   the data set   N random vectors from a fixed-seed splitmix64 (no file
//                  to ship or download). By default they have the shape of
//                  real embeddings: a random linear image of a uniform
//                  `latent`-dimension point, plus a little noise in every
//                  dimension. --latent=0 draws every component independently
//                  uniform in [-1, 1): the adversarial case, where distances
//                  concentrate and no graph index reaches high recall
//                  without visiting most of the set.
//   the truth      exact cosine top-k of every query, by brute force over
//                  both cores, cached in a file (the second program reads it)
//   helpers        arguments, RSS, percentiles, recall
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace vbench {

struct Params {
  size_t n = 100000;       // vectors indexed
  size_t dim = 128;
  size_t queries = 1000;   // distinct queries
  size_t k = 10;
  size_t m = 16;
  size_t ef_construction = 64;
  size_t ef_search = 100;  // ember's default (vector.default-ef); the in-process run uses it too
  uint64_t seed = 42;
  size_t latent = 32;      // intrinsic dimension; 0: i.i.d. uniform components
  std::string truth_file;  // cache of the exact answers; empty: compute, keep in memory
};

// --name=value arguments over the defaults; exits on anything unknown.
inline std::map<std::string, std::string> ParseArgs(int argc, char** argv, Params* p) {
  std::map<std::string, std::string> rest;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    size_t eq = a.find('=');
    if (a.rfind("--", 0) != 0 || eq == std::string::npos) {
      std::fprintf(stderr, "%s: arguments are --name=value, got '%s'\n", argv[0], a.c_str());
      std::exit(2);
    }
    std::string name = a.substr(2, eq - 2), value = a.substr(eq + 1);
    auto num = [&] { return static_cast<size_t>(std::strtoull(value.c_str(), nullptr, 10)); };
    if (name == "n") p->n = num();
    else if (name == "dim") p->dim = num();
    else if (name == "queries") p->queries = num();
    else if (name == "k") p->k = num();
    else if (name == "m") p->m = num();
    else if (name == "ef-construction") p->ef_construction = num();
    else if (name == "ef-search") p->ef_search = num();
    else if (name == "seed") p->seed = num();
    else if (name == "latent") p->latent = num();
    else if (name == "truth") p->truth_file = value;
    else rest[name] = value;
  }
  return rest;
}

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline float Uniform(uint64_t* state) {  // in [-1, 1)
  return static_cast<float>(SplitMix64(state) >> 40) / static_cast<float>(1 << 23) - 1.0f;
}

// count vectors of p.dim floats; stream picks data or queries, which share
// the latent map (stream 0).
inline std::vector<float> RandomVectors(const Params& p, size_t count, uint64_t stream) {
  uint64_t state = p.seed * 0x100000001b3ull + stream;
  std::vector<float> v(count * p.dim);
  if (p.latent == 0) {
    for (float& f : v) f = Uniform(&state);
    return v;
  }
  uint64_t map_state = p.seed * 0x100000001b3ull;
  std::vector<float> map(p.dim * p.latent);
  for (float& f : map) f = Uniform(&map_state);
  std::vector<float> z(p.latent);
  for (size_t i = 0; i < count; i++) {
    for (float& f : z) f = Uniform(&state);
    for (size_t d = 0; d < p.dim; d++) {
      float x = 0.05f * Uniform(&state);  // noise: every dimension carries some
      for (size_t l = 0; l < p.latent; l++) x += map[d * p.latent + l] * z[l];
      v[i * p.dim + d] = x;
    }
  }
  return v;
}

inline std::vector<float> Data(const Params& p) { return RandomVectors(p, p.n, 1); }
inline std::vector<float> Queries(const Params& p) { return RandomVectors(p, p.queries, 2); }

// Unit vectors as the vector module makes them for COSINE (norm in double).
inline std::vector<float> Normalized(const std::vector<float>& v, size_t dim) {
  std::vector<float> out(v.size());
  for (size_t at = 0; at < v.size(); at += dim) {
    double norm = 0;
    for (size_t i = 0; i < dim; i++) norm += static_cast<double>(v[at + i]) * v[at + i];
    norm = std::sqrt(norm);
    for (size_t i = 0; i < dim; i++) out[at + i] = static_cast<float>(v[at + i] / norm);
  }
  return out;
}

// Exact top-k ids (best first) of every query by cosine similarity.
inline std::vector<uint32_t> BruteForce(const Params& p, const std::vector<float>& data,
                                        const std::vector<float>& queries) {
  std::vector<float> nd = Normalized(data, p.dim), nq = Normalized(queries, p.dim);
  std::vector<uint32_t> truth(p.queries * p.k);
  auto work = [&](size_t first, size_t step) {
    std::vector<std::pair<float, uint32_t>> scored(p.n);
    for (size_t q = first; q < p.queries; q += step) {
      const float* qv = &nq[q * p.dim];
      for (size_t i = 0; i < p.n; i++) {
        const float* dv = &nd[i * p.dim];
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // four sums: the loop vectorizes
        size_t d = 0;
        for (; d + 4 <= p.dim; d += 4) {
          s0 += qv[d] * dv[d];
          s1 += qv[d + 1] * dv[d + 1];
          s2 += qv[d + 2] * dv[d + 2];
          s3 += qv[d + 3] * dv[d + 3];
        }
        for (; d < p.dim; d++) s0 += qv[d] * dv[d];
        scored[i] = {-(s0 + s1 + s2 + s3), static_cast<uint32_t>(i)};
      }
      std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(p.k), scored.end());
      for (size_t j = 0; j < p.k; j++) truth[q * p.k + j] = scored[j].second;
    }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; t++) pool.emplace_back(work, t, threads);
  for (auto& t : pool) t.join();
  return truth;
}

// The truth from p.truth_file when it was made for these parameters, else
// computed (and saved there).
inline std::vector<uint32_t> Truth(const Params& p, const std::vector<float>& data,
                                   const std::vector<float>& queries) {
  const uint64_t header[6] = {p.n, p.dim, p.queries, p.k, p.seed, p.latent};
  std::vector<uint32_t> truth(p.queries * p.k);
  if (!p.truth_file.empty()) {
    std::ifstream in(p.truth_file, std::ios::binary);
    uint64_t h[6];
    if (in.read(reinterpret_cast<char*>(h), sizeof h) && std::memcmp(h, header, sizeof h) == 0 &&
        in.read(reinterpret_cast<char*>(truth.data()), static_cast<std::streamsize>(truth.size() * 4))) {
      return truth;
    }
  }
  truth = BruteForce(p, data, queries);
  if (!p.truth_file.empty()) {
    std::ofstream out(p.truth_file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(header), sizeof header);
    out.write(reinterpret_cast<const char*>(truth.data()), static_cast<std::streamsize>(truth.size() * 4));
  }
  return truth;
}

// Share of the true top-k found, over all queries; found[q] lists ids.
inline double Recall(const Params& p, const std::vector<uint32_t>& truth,
                     const std::vector<std::vector<uint32_t>>& found) {
  size_t hits = 0;
  for (size_t q = 0; q < p.queries; q++) {
    for (uint32_t id : found[q]) {
      const uint32_t* t = &truth[q * p.k];
      hits += std::find(t, t + p.k, id) != t + p.k;
    }
  }
  return static_cast<double>(hits) / static_cast<double>(p.queries * p.k);
}

inline double Percentile(std::vector<double> v, double pct) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(pct / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

inline double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time this thread has used, in seconds.
inline double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// This process's resident set, in bytes.
inline size_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

}  // namespace vbench
