// types.h: enums and constants shared by the host API, the arithmetic headers and the kernels.
//
// Plain C++ (no nlohmann, no CUDA): included by code compiled with g++ and with nvcc.
// The knob names and values are those of docs/datapath.md section 3.
#pragma once

#include <cstdint>

namespace cosim::fsim {

enum class Profile : int32_t { kIntLut, kFp32Sfu };

// Every run-time rounding to an integer grid (docs/datapath.md section 3).
enum class Rounding : int32_t {
  kHalfAway,  // nearest, ties away from zero (C roundf)
  kHalfEven,  // nearest, ties to even (rintf, torch.round)
  kHalfUp,    // nearest, ties toward +inf: floor(v + 1/2)
  kTruncate,  // floor(v): toward -inf, like an arithmetic right shift
};

enum class AccOverflow : int32_t { kSaturate, kWrap };

enum class WeightScale : int32_t { kPerTensor, kPerChannel };

// What a run computes; docs/floatsim.md gives each one's exact definition.
enum class Mode : int32_t {
  kInt8Quamba,         // Quamba's kernel order with the platform expf, roundf, int8 clamp
  kInt8QuambaFastExp,  // the same with __expf on the device (host: expf); measures fast math
  kInt8Asic,           // the active profile's integer datapath (int64 MAC, multiplier, table)
  kFp32UpperBound,     // conv1d + SiLU in FP32, not quantized
  kFloatSimInt8,       // FP32 arithmetic equal to kInt8Asic bit for bit
  kResearchSeEnhance,  // float-sim codes, after_quant = q * s_out * F
  kResearchSeRefine,   // float-sim at the finer grid s_out / F (output_scale_divisor = F)
  kNaiveFakeQuant,     // what a PyTorch user writes: dequantize, conv, SiLU, torch.round
};

// Per-element event flags (counted per layer in ModeResult).
constexpr uint32_t kFlagAccOverflow = 1u;  // sum outside the acc_bits range
constexpr uint32_t kFlagIndexSat = 2u;     // int-lut: table index clamped to lut_index_bits
constexpr uint32_t kFlagOutputSat = 4u;    // output code clamped to output_bits

// Number of taps of the causal depthwise conv (docs/datapath.md section 2).
constexpr int kTaps = 4;

}  // namespace cosim::fsim
