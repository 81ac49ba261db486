// hd.h: the host/device macro and the binary32 primitives every float-sim formula is built from.
//
// COSIM_HD marks a function that nvcc compiles for host and device and g++ compiles as plain
// C++. Each primitive below is ONE IEEE-754 binary32 operation with round-to-nearest-even:
//   device: the explicit __fmul_rn/__fadd_rn/__fsub_rn/__fdiv_rn/__fmaf_rn intrinsics, which nvcc
//           never contracts or approximates whatever the flags;
//   host:   the plain operator, in a translation unit built with -ffp-contract=off and without
//           fast math (SSE2 binary32 on x86-64, so no excess precision).
// Fma is only used where docs/floatsim.md proves its result exact or wants its single rounding
// (the TwoProd error term). Nothing here reads or changes the floating-point environment: the
// host must run in the default round-to-nearest mode without flush-to-zero (never link fast math).
#pragma once

#include <cmath>
#include <limits>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define COSIM_HD __host__ __device__ __forceinline__
#define COSIM_UNROLL _Pragma("unroll")
#define COSIM_HD_COLD inline __host__ __device__ __noinline__  // rare paths: keep hot loops small
#else
#define COSIM_HD_COLD inline
#define COSIM_HD inline
#define COSIM_UNROLL _Pragma("GCC unroll 16")
#endif

namespace cosim::fsim {

#ifndef __CUDA_ARCH__
inline constexpr float InfFHost() { return std::numeric_limits<float>::infinity(); }
#endif

COSIM_HD float Mul(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

COSIM_HD float Add(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

COSIM_HD float Sub(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}

COSIM_HD float Div(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

// a * b + c with a single rounding.
COSIM_HD float Fma(float a, float b, float c) {
#ifdef __CUDA_ARCH__
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

// a * b + c with a single rounding toward -inf (roundTowardNegative). Device: the explicit
// __fmaf_rd intrinsic. Host: the round-to-nearest fma r, stepped down one ulp when r lies above
// the exact a*b + c. The exact value is s + e in binary64 (a*b is exact there, TwoSum gives e);
// s - r is exact (Sterbenz: both are nearest roundings of the same value) so the sign of
// (s - r) + e is the sign of the exact a*b + c - r. Valid for finite a, b, c whose exact result
// is a normal binary32 (docs/floatsim.md, O8), which is all the float-sim asks of it.
COSIM_HD float FmaDown(float a, float b, float c) {
#ifdef __CUDA_ARCH__
  return __fmaf_rd(a, b, c);
#else
  const float r = std::fma(a, b, c);
  const double p = static_cast<double>(a) * static_cast<double>(b);  // exact: 48-bit product
  const double s = p + static_cast<double>(c);
  const double bv = s - p;
  const double e = (p - (s - bv)) + (static_cast<double>(c) - bv);  // TwoSum: s + e == p + c
  const double d = (s - static_cast<double>(r)) + e;
  return d < 0.0 ? std::nextafter(r, -InfFHost()) : r;
#endif
}

// a / b where b is a layer constant with y = RN(1/b) precomputed (y == 0: plain Div). Markstein's
// sequence: q = RN(a*y), the remainder r = a - b*q exactly by one FMA, then RN(q + r*y), which is
// the correctly rounded a / b when y is within half an ulp of 1/b and nothing underflows
// (docs/floatsim.md, O9: equal to Div(a, b) for every a when 2^-40 <= b <= 2^20, the range
// Prepare() allows; |a| outside [2^-100, 2^80] takes Div itself). Three FP32 operations instead
// of a full IEEE division on the path every element takes.
COSIM_HD float DivByScale(float a, float b, float y) {
  // Outside [2^-100, 2^80] (zero included) the division itself: no overflow in a * y, and the
  // remainder a - b * q stays exact (no underflow).
  const float m = fabsf(a);
  if (y == 0.0f || !(m >= 0x1p-100f && m <= 0x1p80f)) return Div(a, b);
  const float q = Mul(a, y);
  const float r = Fma(-q, b, a);
  return Fma(r, y, q);
}

// y = RN(1/b) for DivByScale when 2^-40 <= b <= 2^20, else 0 (host side, Prepare()).
inline float ScaleReciprocal(float b) {
  return (b >= 0x1p-40f && b <= 0x1p20f) ? 1.0f / b : 0.0f;
}

COSIM_HD float FloorF(float v) { return floorf(v); }  // exact (cvt.rmi on the device)
COSIM_HD float RintF(float v) { return rintf(v); }    // exact, ties to even (cvt.rni)

COSIM_HD float BitsToFloat(uint32_t bits) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(bits);
#else
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
#endif
}

COSIM_HD float InfF() { return BitsToFloat(0x7f800000u); }

COSIM_HD uint32_t FloatBits(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(f);
#else
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
#endif
}

// Integer <-> float conversions by the 1.5 * 2^23 "magic" constant, all exact for |v| < 2^22:
// in [2^23, 2^24) binary32 spacing is 1, so fl(v + 1.5*2^23) is 1.5*2^23 + rint_even(v) and its
// bits are 0x4b400000 + rint_even(v). They keep the device's conversion/special-function pipe free
// (F2I/I2F/FRND share it with MUFU) and give the same bits on the host.
constexpr float kMagic = 0x1.8p23f;          // 12582912
constexpr uint32_t kMagicBits = 0x4b400000u;
// The same on the half-integer grid: in [2^22, 2^23) binary32 spacing is 1/2, so for |v| < 2^21
// fl(v + 1.5*2^22 + 1/2) rounded toward -inf is 1.5*2^22 + floor(2v + 1)/2 and its bits are
// kMagicHalfBaseBits + floor(2v + 1) (docs/floatsim.md, O8).
constexpr float kMagicHalfUp = 0x1.800002p22f;      // 1.5 * 2^22 + 1/2 = 6291456.5
constexpr uint32_t kMagicHalfBaseBits = 0x4ac00000u;  // bits of 1.5 * 2^22

// rint_even(v) for |v| < 2^22.
COSIM_HD float MagicRint(float v) { return Sub(Add(v, kMagic), kMagic); }
// (float)v for an integer |v| < 2^22.
COSIM_HD float SmallIntToFloat(int v) {
  return Sub(BitsToFloat(kMagicBits + static_cast<uint32_t>(v)), kMagic);
}
// (int)v for an integer-valued |v| < 2^22.
COSIM_HD int SmallFloatToInt(float v) {
  return static_cast<int>(FloatBits(Add(v, kMagic)) - kMagicBits);
}
// (float) of signed byte k of w, exact (device: one PRMT into 2^23 + (byte ^ 0x80), one FADD).
COSIM_HD float ByteToFloat(uint32_t w, int k) {
#ifdef __CUDA_ARCH__
  return Sub(BitsToFloat(__byte_perm(w ^ 0x80808080u, 0x4b000000u, 0x7650u | k)), 0x1.00010p23f);
#else
  return static_cast<float>(static_cast<int8_t>(static_cast<uint8_t>(w >> (8 * k))));
#endif
}

// Bytes o .. o+3 of the 8-byte little-endian value (hi:lo), o in 0..3 (one SHF on the device).
COSIM_HD uint32_t FunnelBytes(uint32_t lo, uint32_t hi, int o) {
#ifdef __CUDA_ARCH__
  return __funnelshift_r(lo, hi, 8 * o);
#else
  return static_cast<uint32_t>(((static_cast<uint64_t>(hi) << 32) | lo) >> (8 * o));
#endif
}

// Signed byte k of a packed word, as int.
COSIM_HD int ByteS(uint32_t w, int k) { return static_cast<int8_t>(static_cast<uint8_t>(w >> (8 * k))); }

// sum_k byte_k(x) * byte_k(w) over the 4 signed bytes: exact (|sum| <= 2^16).
COSIM_HD int Dot4(uint32_t x, uint32_t w) {
#ifdef __CUDA_ARCH__
  return __dp4a(static_cast<int>(x), static_cast<int>(w), 0);
#else
  int s = 0;
  for (int k = 0; k < 4; ++k) s += ByteS(x, k) * ByteS(w, k);
  return s;
#endif
}

// acc + sum_k byte_k(x) * byte_k(w); the caller guarantees the exact sum fits int32.
COSIM_HD int Dot4Acc(uint32_t x, uint32_t w, int acc) {
#ifdef __CUDA_ARCH__
  return __dp4a(static_cast<int>(x), static_cast<int>(w), acc);
#else
  return acc + Dot4(x, w);
#endif
}

COSIM_HD int ClampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace cosim::fsim
