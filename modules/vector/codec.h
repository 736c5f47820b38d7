// Codec: how one vector is stored inside the HNSW index, and the distance
// hnswlib computes between two stored vectors.
//
// hnswlib keeps whatever data_size bytes a space declares per element and
// only ever compares two such blobs (a query is encoded the same way), so
// quantization is nothing more than a byte layout plus a distance over it:
//
//   F32  dim floats                     (hnswlib's own SIMD distances)
//   F16  dim IEEE half floats           (half the bytes, ~3 decimal digits)
//   Q8   scale, sqnorm, dim int8        (x[i] ~ scale * q[i]; a quarter)
//
// COSINE stores the unit vector (so its distance is 1 - dot, hnswlib's
// inner-product distance) followed by the original L2 norm as a float, so
// VGET gives back the vector that was added, not its direction only. The
// whole is zero-padded to a multiple of 4 bytes.
// This file does not include hnswlib: hnswlib.h defines non-inline
// functions, so exactly one translation unit (vector_set.cc) may include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vset {

// The largest dimension a key may have.
constexpr uint32_t kMaxDim = 32768;

enum class Metric : uint8_t { kCosine = 0, kL2 = 1, kIp = 2 };
enum class Quant : uint8_t { kF32 = 0, kF16 = 1, kQ8 = 2 };

std::string_view MetricName(Metric m);
std::string_view QuantName(Quant q);

// hnswlib's distance signature: (stored a, stored b, parameter).
using DistanceFn = float (*)(const void*, const void*, const void*);

class Codec {
 public:
  Codec(Metric metric, Quant quant, uint32_t dim);

  Metric metric() const { return metric_; }
  Quant quant() const { return quant_; }
  uint32_t dim() const { return static_cast<uint32_t>(dim_); }
  // Bytes per stored vector (the HNSW space's data_size).
  size_t stored_size() const { return stored_size_; }

  // The largest |component| Encode accepts (see codec.cc for why).
  float max_component() const;

  // Encodes dim finite floats, each within max_component(), into
  // stored_size() bytes. Under COSINE the vector must not be zero (the
  // caller checks with HasNorm).
  void Encode(const float* v, uint8_t* out) const;
  // The vector back as floats (exact for F32, within quantization for
  // F16/Q8; COSINE multiplies the stored norm back in).
  void Decode(const uint8_t* in, float* out) const;
  // Whether stored bytes from outside (a RESTORE payload) decode to finite
  // values that Encode could have produced.
  bool Valid(const uint8_t* in) const;

  // The distance over stored vectors for F16/Q8 (nullptr for F32, where
  // the index uses hnswlib's own space), and its parameter.
  DistanceFn quantized_distance() const { return quantized_distance_; }
  const void* distance_param() const { return &dim_; }

  // The score VSIM WITHSCORES reports for a distance: COSINE the
  // similarity in [0, 1] as Redis 8 (1 identical, 0 opposite), IP the
  // inner product, L2 the Euclidean distance.
  double Score(float distance) const;

 private:
  size_t payload_size() const;
  // Decode without multiplying the COSINE norm back in.
  void DecodeDirection(const uint8_t* in, float* out) const;

  Metric metric_;
  Quant quant_;
  size_t dim_;  // size_t: hnswlib's distance parameter is a size_t*
  size_t stored_size_;
  DistanceFn quantized_distance_;
};

// Whether v (dim floats) has a non-zero norm, as COSINE needs.
bool HasNorm(const float* v, size_t dim);

// IEEE 754 binary16 conversions (round to nearest even), exposed for tests
// of the kernels and for the codec.
uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);

}  // namespace vset
