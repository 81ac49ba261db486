// rounding.h: the integer primitives of the datapath (docs/datapath.md sections 3 and 5).
//
// Every primitive is pure, constexpr, and states its rounding and overflow behaviour. They are
// the only place in the model core where rounding or overflow is decided; stages call them and
// never re-implement them.
#pragma once

#include <cstdint>

namespace cosim {

// How a value between two integers is mapped to one of them.
enum class Rounding : uint8_t {
  kHalfAwayFromZero,  // "half-away": nearest, ties away from zero (C roundf). 2.5->3, -2.5->-3
  kHalfToEven,        // "half-even": nearest, ties to even (rintf, torch.round). 2.5->2, -2.5->-2
  kHalfUp,            // "half-up": nearest, ties toward +inf, floor(v+1/2). 2.5->3, -2.5->-2
  kTruncate,          // "truncate": drop fraction bits = floor (toward -inf). 2.5->2, -2.5->-3
};

// What a register does with a value outside its range.
enum class Overflow : uint8_t {
  kSaturate,  // clamp to the nearest representable value
  kWrap,      // keep the low bits (two's complement modulo 2^bits)
};

// Smallest and largest value of a signed two's complement integer of `bits` bits (1..63).
// Example: MinSigned(8) == -128, MaxSigned(8) == 127.
constexpr int64_t MinSigned(int bits) { return -(int64_t{1} << (bits - 1)); }
constexpr int64_t MaxSigned(int bits) { return (int64_t{1} << (bits - 1)) - 1; }

// True when v fits `bits` signed bits. Example: FitsSigned(128, 8) == false.
constexpr bool FitsSigned(int64_t v, int bits) {
  return v >= MinSigned(bits) && v <= MaxSigned(bits);
}

// Clamp to the signed `bits`-bit range. Example: SaturateSigned(300, 8) == 127.
constexpr int64_t SaturateSigned(int64_t v, int bits) {
  return v < MinSigned(bits) ? MinSigned(bits) : (v > MaxSigned(bits) ? MaxSigned(bits) : v);
}

// The value in the signed `bits`-bit range congruent to v modulo 2^bits (bits 1..63).
// Example: WrapSigned(128, 8) == -128, WrapSigned(-129, 8) == 127.
constexpr int64_t WrapSigned(int64_t v, int bits) {
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  const uint64_t low = static_cast<uint64_t>(v) & mask;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>(low ^ sign) - static_cast<int64_t>(sign);
}

// Saturate or wrap to `bits` signed bits, as the register's Overflow says.
constexpr int64_t ApplyOverflow(int64_t v, int bits, Overflow o) {
  return o == Overflow::kSaturate ? SaturateSigned(v, bits) : WrapSigned(v, bits);
}

// Arithmetic shift right = floor(v / 2^s) for s in 0..62 (well defined for negative v here,
// unlike a C++14 >>; C++17 compilers all do this, and C++20 guarantees it).
constexpr int64_t FloorShiftRight(int64_t v, int s) { return v >> s; }

// v / 2^s rounded by `r`, exact for every int64 v with |v| < 2^62 and s in 0..62.
// With s == 0 it returns v. The four modes are written as the hardware does them:
//   half-away: sign(v) * ((|v| + 2^(s-1)) >> s)
//   half-even: floor, then +1 when the remainder is above half, or exactly half and odd
//   half-up:   (v + 2^(s-1)) >> s
//   truncate:  v >> s
// Examples (s = 1): 5 -> 3,2,3,2 and -5 -> -3,-2,-2,-3 for half-away, half-even, half-up, truncate.
constexpr int64_t RoundingShiftRight(int64_t v, int s, Rounding r) {
  if (s == 0) return v;
  const int64_t half = int64_t{1} << (s - 1);
  switch (r) {
    case Rounding::kHalfAwayFromZero: {
      const int64_t mag = ((v < 0 ? -v : v) + half) >> s;
      return v < 0 ? -mag : mag;
    }
    case Rounding::kHalfToEven: {
      const int64_t q = v >> s;
      // v = q * 2^s + rem with 0 <= rem < 2^s: rem is the low s bits of v's two's complement
      // (taken unsigned: left-shifting a negative q is undefined before C++20).
      const int64_t rem = static_cast<int64_t>(static_cast<uint64_t>(v) & ((uint64_t{1} << s) - 1));
      return (rem > half || (rem == half && (q & 1) != 0)) ? q + 1 : q;
    }
    case Rounding::kHalfUp:
      return (v + half) >> s;
    case Rounding::kTruncate:
      return v >> s;
  }
  return v;  // unreachable
}

}  // namespace cosim
