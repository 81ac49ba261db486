// rng.h: a portable, seeded random source for the synthetic models.
//
// Contract: the same seed gives the same numbers on every machine and compiler: xoshiro256**
// seeded through splitmix64, and transforms that use only IEEE-754 +, -, *, / and sqrt (all
// correctly rounded), never libm's transcendental functions or std:: distributions (whose
// output is implementation-defined). The project builds with -ffp-contract=off.
#pragma once

#include <cmath>
#include <cstdint>

namespace cosim::gold {

// splitmix64 step: a good 64-bit mix, used to derive independent stream seeds.
constexpr uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A stream seed from a seed and a path of integers (layer, batch, channel, purpose, ...).
inline uint64_t DeriveSeed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
  uint64_t s = seed;
  uint64_t h = SplitMix64(s);
  for (uint64_t v : {a, b, c, d}) {
    s = h ^ (v * 0xd1342543de82ef95ull);
    h = SplitMix64(s);
  }
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (auto& w : s_) w = SplitMix64(s);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits (exact conversion).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Approximately standard normal: Irwin-Hall sum of 4 uniforms, scaled to unit variance.
  // Bounded by +-3.46, so tails come from the mixture in HeavyTailed().
  double Gaussian() {
    const double s = Uniform() + Uniform() + Uniform() + Uniform() - 2.0;
    return s * 1.7320508075688772;  // sqrt(12/4)
  }
  // A scale mixture of Gaussians with heavy tails: g / sqrt(v), v uniform in [0.04, 1].
  // Tail ratio up to 5x the Gaussian; kurtosis well above 3, like LLM activations.
  double HeavyTailed() { return Gaussian() / std::sqrt(0.04 + 0.96 * Uniform()); }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace cosim::gold
