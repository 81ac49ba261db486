// prepare.h: checks a layer and turns (mode, layer, knobs, F) into the POD parameters the element
// functions read, on the host, before anything runs. Internal to gpu_ref (and its tests).
#pragma once

#include <cstdint>
#include <vector>

#include "gpu_ref/floatsim.h"
#include "gpu_ref/params.h"

namespace cosim::fsim {

struct Prepared {
  Mode mode = Mode::kFloatSimInt8;
  LayerParams lp;
  std::vector<ChannelParams> ch;     // [D]
  std::vector<int32_t> lut;          // int-lut: [2^N] codes
  std::vector<uint8_t> lut_clamped;  // int-lut: [2^N]
  std::vector<float> lut_before;     // int-lut: [2^N]
  std::vector<int8_t> lut8;          // int-lut with output_bits <= 8: lut8[i - lp.ext_lo] is the
                                     // code of index i before saturation, for every i in
                                     // [ext_lo, ext_lo + ext_n) (docs/floatsim.md section 5)
  double effective_scale = 0.0;
  bool has_codes = true;             // false for fp32-upper-bound
};

// Throws std::invalid_argument naming the field (shape, pointer, scale, factor, knob) or the
// channel (compile step).
Prepared Prepare(Mode mode, const LayerView& layer, const Knobs& knobs, float factor);

// Validation alone (no compile): shapes, pointers, scales, knobs and factor for this mode.
void CheckLayer(Mode mode, const LayerView& layer, const Knobs& knobs, float factor);

// The knobs a mode really runs with (research-se-refine: output_scale_divisor = factor).
Knobs EffectiveKnobs(Mode mode, const Knobs& knobs, float factor);

// Layer constants for the given knobs (acc range, index range, output range).
LayerParams MakeLayerParams(const Knobs& knobs);

// The float-sim fields of an int-lut channel from its integer fields (bias_acc, mult, shift):
// bias_hi/lo, ms_hi/lo, fsim_fast, may_overflow, asic_hot, fsim_hot (docs/floatsim.md, O2-O7;
// Prepare() may clear the hot flags again when the extended table cannot cover a channel).
void DeriveFloatSimFields(ChannelParams& c, const LayerParams& p);

}  // namespace cosim::fsim
