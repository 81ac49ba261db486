// device_kernels.h: test-only kernels (test_device_kernels.cu) that run gpu_ref's host/device
// arithmetic on the GPU so test_fsim_device.cpp can compare it with the same code on the host.
#pragma once

#include <cstdint>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu_ref/params.h"
#include "gpu_ref/ytable_build.h"

namespace fsimtest {

// exp32 and silu32 of the binary32 values with bits first, first+1, ..., first+count-1.
void DeviceExp32Silu32(uint32_t first, uint32_t count, std::vector<float>& exp_out,
                       std::vector<float>& silu_out);

// FsimLutAddressFromConv (general path when force_general) and AsicLutAddressFromConv for every
// conv in [-65536, 65536]: address and flags per conv, float-sim then integer form.
void DeviceRequantSweep(const cosim::fsim::ChannelParams& c, const cosim::fsim::LayerParams& p,
                        bool force_general, std::vector<uint32_t>& fsim_addr,
                        std::vector<uint32_t>& fsim_flags, std::vector<uint32_t>& asic_addr,
                        std::vector<uint32_t>& asic_flags);

// FmaDown (the __fmaf_rd intrinsic) of each (a[i], b[i], c[i]) on the device.
void DeviceFmaDown(const std::vector<float>& a, const std::vector<float>& b,
                   const std::vector<float>& c, std::vector<float>& out);

// DivByScale(a, b, y) against __fdiv_rn(a, b) for every binary32 a (NaN excluded).
struct DivCheck {
  int64_t mismatches;            // a normal, zero or infinite
  int64_t subnormal_mismatches;  // a subnormal
  uint32_t first_bits;           // bits of the smallest such a with a mismatch, or ~0u
};
DivCheck DeviceDivByScaleAll(float b, float y);

// The y-table lookup against CodeOfY of the layer's order (G) on the device, for every binary32 y
// with |y| <= bound, both signs, the quiet interval of O11 included.
struct YCheck {
  int64_t mismatches;
  uint32_t first_bits;  // bits of the first mismatching y found, or ~0u
  uint64_t points;
};
YCheck DeviceYTableAll(const cosim::fsim::LayerParams& p, const cosim::fsim::YTable& t, float bound);

// On `stream`, a kernel that lets the next launch in the stream start at once (griddepcontrol
// .launch_dependents, compute capability 9.0 and up), sleeps delay_ns, then copies n bytes from src
// to dst and from watch to seen. A dependent launch after it that did not wait for it would read
// dst before the copy, or write watch before seen takes it.
void LaunchDelayedCopy(const int8_t* src, int8_t* dst, const int8_t* watch, int8_t* seen, size_t n,
                       uint64_t delay_ns, cudaStream_t stream);

}  // namespace fsimtest
