// floatsim_cuda.h: device-resident layers for code that keeps its data on the GPU (fsim_bench).
//
// DeviceLayer compiles a layer on the host (the same Prepare() as RunHost) and uploads its
// parameters; the launches then read x and write outputs in device memory, asynchronously on
// the given stream. Only built with CUDA (target cosim_fsim_cuda).
#pragma once

#include <cstdint>
#include <memory>

#include <cuda_runtime_api.h>

#include "gpu_ref/floatsim.h"

namespace cosim::fsim {

struct Prepared;

class DeviceLayer {
 public:
  // layer.x is not read (the launches take device pointers); shapes, weights, bias and scales are.
  DeviceLayer(Mode mode, const LayerView& layer, const Knobs& knobs, float factor = kDefaultSeFactor);
  ~DeviceLayer();
  DeviceLayer(const DeviceLayer&) = delete;
  DeviceLayer& operator=(const DeviceLayer&) = delete;

  // int8 codes only (output_bits <= 8; L % 16 == 0; 16-byte aligned buffers).
  void LaunchCodesInt8(const int8_t* d_x, int8_t* d_codes, cudaStream_t stream,
                       const int8_t* d_state = nullptr) const;
  // All outputs; d_codes may be null for fp32-upper-bound; d_counters[3] are added to.
  void LaunchFull(const int8_t* d_x, int32_t* d_codes, float* d_before, float* d_after,
                  unsigned long long* d_counters, cudaStream_t stream,
                  const int8_t* d_state = nullptr) const;

  const Prepared& prepared() const { return *prepared_; }

 private:
  std::unique_ptr<Prepared> prepared_;
  void* d_params_ = nullptr;  // one allocation: channels, tables
};

}  // namespace cosim::fsim
