#include "codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vset {

namespace {

// Q8 keeps two floats before the codes: the scale and the squared norm of
// the reconstructed vector (L2 needs both norms; storing it saves a pass).
constexpr size_t kQ8Header = 2 * sizeof(float);

// Per-thread scratch for a vector being converted: shard threads run
// commands concurrently, and kMaxDim floats are too many for the stack.
float* Scratch(size_t which, size_t dim) {
  thread_local std::vector<float> buffers[2];
  if (buffers[which].size() < dim) buffers[which].resize(dim);
  return buffers[which].data();
}

float LoadFloat(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, sizeof f);  // stored floats need not be aligned
  return f;
}

void StoreFloat(uint8_t* p, float f) { std::memcpy(p, &f, sizeof f); }

// ---- F16 kernels -----------------------------------------------------------

float F16DotScalar(const uint16_t* a, const uint16_t* b, size_t n) {
  float sum = 0;
  for (size_t i = 0; i < n; i++) sum += HalfToFloat(a[i]) * HalfToFloat(b[i]);
  return sum;
}

float F16L2Scalar(const uint16_t* a, const uint16_t* b, size_t n) {
  float sum = 0;
  for (size_t i = 0; i < n; i++) {
    float d = HalfToFloat(a[i]) - HalfToFloat(b[i]);
    sum += d * d;
  }
  return sum;
}

// ---- Q8 kernels ------------------------------------------------------------

int32_t Q8DotScalar(const int8_t* a, const int8_t* b, size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += int32_t{a[i]} * int32_t{b[i]};
  return sum;
}

#if defined(__x86_64__)
// AVX2 versions, chosen at run time (the module is built for baseline
// x86-64, like hnswlib's own kernels here, and must load on any x86-64).
__attribute__((target("avx2,fma,f16c"))) float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma,f16c"))) float F16DotAvx2(const uint16_t* a, const uint16_t* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 a0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    __m256 a1 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 8)));
    __m256 b1 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 8)));
    acc0 = _mm256_fmadd_ps(a0, b0, acc0);
    acc1 = _mm256_fmadd_ps(a1, b1, acc1);
  }
  float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
  return sum + F16DotScalar(a + i, b + i, n - i);
}

__attribute__((target("avx2,fma,f16c"))) float F16L2Avx2(const uint16_t* a, const uint16_t* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i))),
                              _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i))));
    __m256 d1 = _mm256_sub_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 8))),
                              _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 8))));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    acc1 = _mm256_fmadd_ps(d1, d1, acc1);
  }
  float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
  return sum + F16L2Scalar(a + i, b + i, n - i);
}

__attribute__((target("avx2"))) int32_t Q8DotAvx2(const int8_t* a, const int8_t* b, size_t n) {
  // Sign-extend 16 codes to int16 and multiply-add pairs into int32: exact,
  // and |sum| <= 127 * 127 * kMaxDim fits an int32.
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i va = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    __m256i vb = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(va, vb));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s) + Q8DotScalar(a + i, b + i, n - i);
}

bool HaveAvx2() {
  // This runs from a static initializer of the .so, possibly before
  // libgcc's own CPU detection has: initialize it explicitly.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}
#endif

using F16Kernel = float (*)(const uint16_t*, const uint16_t*, size_t);
using Q8Kernel = int32_t (*)(const int8_t*, const int8_t*, size_t);

F16Kernel PickF16Dot() {
#if defined(__x86_64__)
  if (HaveAvx2()) return F16DotAvx2;
#endif
  return F16DotScalar;
}

F16Kernel PickF16L2() {
#if defined(__x86_64__)
  if (HaveAvx2()) return F16L2Avx2;
#endif
  return F16L2Scalar;
}

Q8Kernel PickQ8Dot() {
#if defined(__x86_64__)
  if (HaveAvx2()) return Q8DotAvx2;
#endif
  return Q8DotScalar;
}

const F16Kernel kF16Dot = PickF16Dot();
const F16Kernel kF16L2 = PickF16L2();
const Q8Kernel kQ8Dot = PickQ8Dot();

// ---- hnswlib distance functions over stored vectors ------------------------

size_t Dim(const void* param) { return *static_cast<const size_t*>(param); }

float F16IpDistance(const void* a, const void* b, const void* param) {
  return 1.0f - kF16Dot(static_cast<const uint16_t*>(a), static_cast<const uint16_t*>(b), Dim(param));
}

float F16L2Distance(const void* a, const void* b, const void* param) {
  return kF16L2(static_cast<const uint16_t*>(a), static_cast<const uint16_t*>(b), Dim(param));
}

float Q8Dot(const uint8_t* a, const uint8_t* b, size_t dim) {
  int32_t dot = kQ8Dot(reinterpret_cast<const int8_t*>(a + kQ8Header),
                       reinterpret_cast<const int8_t*>(b + kQ8Header), dim);
  return LoadFloat(a) * LoadFloat(b) * static_cast<float>(dot);
}

float Q8IpDistance(const void* a, const void* b, const void* param) {
  return 1.0f - Q8Dot(static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b), Dim(param));
}

float Q8L2Distance(const void* a, const void* b, const void* param) {
  auto pa = static_cast<const uint8_t*>(a), pb = static_cast<const uint8_t*>(b);
  // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, with the norms stored at encode time.
  float d = LoadFloat(pa + sizeof(float)) + LoadFloat(pb + sizeof(float)) - 2.0f * Q8Dot(pa, pb, Dim(param));
  return std::max(d, 0.0f);
}

}  // namespace

std::string_view MetricName(Metric m) {
  switch (m) {
    case Metric::kCosine: return "COSINE";
    case Metric::kL2: return "L2";
    case Metric::kIp: return "IP";
  }
  return "?";
}

std::string_view QuantName(Quant q) {
  switch (q) {
    case Quant::kF32: return "F32";
    case Quant::kF16: return "F16";
    case Quant::kQ8: return "Q8";
  }
  return "?";
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));  // inf, NaN
  int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);  // too large: inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit,
    // rounding to nearest even.
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - e);
    uint32_t half = mant >> shift;
    uint32_t rest = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1))) half++;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  // A carry out of the mantissa correctly bumps the exponent (up to inf).
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) half++;
  return static_cast<uint16_t>(sign | half);
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {
      // Subnormal: normalize the mantissa into a float exponent.
      int e = -1;
      do {
        mant <<= 1;
        e++;
      } while ((mant & 0x400u) == 0);
      x = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 0x1f) {
    x = sign | 0x7f800000u | (mant << 13);
  } else {
    x = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

bool HasNorm(const float* v, size_t dim) {
  for (size_t i = 0; i < dim; i++) {
    if (v[i] != 0.0f) return true;
  }
  return false;
}

Codec::Codec(Metric metric, Quant quant, uint32_t dim) : metric_(metric), quant_(quant), dim_(dim) {
  // Rounded up to 4 bytes: hnswlib packs each element's links, vector and
  // label back to back, so an odd size (F16 or Q8 with an odd dimension)
  // would misalign every following element's 4-byte link counts.
  size_t used = payload_size() + (metric_ == Metric::kCosine ? sizeof(float) : 0);
  stored_size_ = (used + 3) & ~size_t{3};
  bool l2 = metric_ == Metric::kL2;
  switch (quant_) {
    case Quant::kF32: quantized_distance_ = nullptr; break;
    case Quant::kF16: quantized_distance_ = l2 ? F16L2Distance : F16IpDistance; break;
    case Quant::kQ8: quantized_distance_ = l2 ? Q8L2Distance : Q8IpDistance; break;
  }
}

size_t Codec::payload_size() const {
  switch (quant_) {
    case Quant::kF32: return dim_ * sizeof(float);
    case Quant::kF16: return dim_ * sizeof(uint16_t);
    case Quant::kQ8: return kQ8Header + dim_;
  }
  return 0;
}

float Codec::max_component() const {
  // COSINE normalizes (in double) first, so distances are always finite;
  // 1e36 keeps the norm it stores (at most sqrt(kMaxDim) times that) a
  // finite float. Else the bound keeps every distance finite: F16 tops out
  // at 65504, and 1e16 squared times the largest dimension stays below
  // FLT_MAX, so no sum can overflow into inf - inf = NaN, which would break
  // the graph's ordering.
  if (metric_ == Metric::kCosine) return 1e36f;
  return quant_ == Quant::kF16 ? 65504.0f : 1e16f;
}

void Codec::Encode(const float* v, uint8_t* out) const {
  // Padding is zero, so equal vectors are equal bytes (VADD's no-change
  // check, DUMP, digests).
  std::memset(out + stored_size_ - 4, 0, 4);
  const float* src = v;
  if (metric_ == Metric::kCosine) {
    float* unit = Scratch(0, dim_);
    double norm = 0;
    for (size_t i = 0; i < dim_; i++) norm += static_cast<double>(v[i]) * v[i];
    norm = std::sqrt(norm);
    for (size_t i = 0; i < dim_; i++) unit[i] = static_cast<float>(v[i] / norm);
    src = unit;
    StoreFloat(out + payload_size(), static_cast<float>(norm));
  }
  switch (quant_) {
    case Quant::kF32:
      std::memcpy(out, src, dim_ * sizeof(float));
      break;
    case Quant::kF16:
      for (size_t i = 0; i < dim_; i++) {
        uint16_t h = FloatToHalf(src[i]);
        std::memcpy(out + 2 * i, &h, sizeof h);
      }
      break;
    case Quant::kQ8: {
      float max_abs = 0;
      for (size_t i = 0; i < dim_; i++) max_abs = std::max(max_abs, std::fabs(src[i]));
      float scale = max_abs / 127.0f;
      int64_t sq = 0;
      for (size_t i = 0; i < dim_; i++) {
        long q = scale > 0 ? std::lround(src[i] / scale) : 0;
        q = std::clamp(q, -127L, 127L);
        out[kQ8Header + i] = static_cast<uint8_t>(static_cast<int8_t>(q));
        sq += q * q;
      }
      StoreFloat(out, scale);
      StoreFloat(out + sizeof(float), scale * scale * static_cast<float>(sq));
      break;
    }
  }
}

void Codec::Decode(const uint8_t* in, float* out) const {
  DecodeDirection(in, out);
  if (metric_ == Metric::kCosine) {
    float norm = LoadFloat(in + payload_size());
    for (size_t i = 0; i < dim_; i++) out[i] *= norm;
  }
}

void Codec::DecodeDirection(const uint8_t* in, float* out) const {
  switch (quant_) {
    case Quant::kF32:
      std::memcpy(out, in, dim_ * sizeof(float));
      break;
    case Quant::kF16:
      for (size_t i = 0; i < dim_; i++) {
        uint16_t h;
        std::memcpy(&h, in + 2 * i, sizeof h);
        out[i] = HalfToFloat(h);
      }
      break;
    case Quant::kQ8: {
      float scale = LoadFloat(in);
      for (size_t i = 0; i < dim_; i++) out[i] = scale * static_cast<int8_t>(in[kQ8Header + i]);
      break;
    }
  }
}

bool Codec::Valid(const uint8_t* in) const {
  float* v = Scratch(1, dim_);
  DecodeDirection(in, v);
  // A stored direction is a unit vector, so no component exceeds 1 (plus
  // rounding); other metrics keep Encode's bound.
  float limit = metric_ == Metric::kCosine ? 1.01f : max_component();
  for (size_t i = 0; i < dim_; i++) {
    if (!std::isfinite(v[i]) || std::fabs(v[i]) > limit) return false;
  }
  if (metric_ == Metric::kCosine) {
    float norm = LoadFloat(in + payload_size());
    if (!std::isfinite(norm) || !(norm > 0)) return false;
  }
  if (quant_ == Quant::kQ8) {
    float scale = LoadFloat(in), sqnorm = LoadFloat(in + sizeof(float));
    if (!std::isfinite(scale) || scale < 0 || !std::isfinite(sqnorm) || sqnorm < 0) return false;
  }
  return true;
}

double Codec::Score(float distance) const {
  switch (metric_) {
    case Metric::kCosine:
      // distance = 1 - cos(a, b) in [0, 2]; Redis 8 reports 1 - distance / 2.
      return std::clamp(1.0 - static_cast<double>(distance) / 2.0, 0.0, 1.0);
    case Metric::kIp:
      return 1.0 - static_cast<double>(distance);
    case Metric::kL2:
      return std::sqrt(std::max(static_cast<double>(distance), 0.0));
  }
  return distance;
}

}  // namespace vset
