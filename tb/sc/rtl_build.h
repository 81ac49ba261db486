// rtl_build.h: which Verilated SystemC models of csr_top are linked and what they were built
// with. tb/sc/CMakeLists.txt sets the definitions:
//   clean  (CSR_SC_CLEAN=1)  rtl_models' csr_rtl_sc: csr_top's defaults, compile-time knobs
//                            (half-away, saturate), no fault logic; the fastest model.
//   verify (CSR_SC_VERIFY=1) the verification build of tb/sc: ENABLE_FAULTS=1, RUNTIME_KNOBS=1,
//                            FST tracing; runs every int-lut knob set, planted faults, waveforms.
// Both have csr_top's default widths below; rtl_harness.cpp checks them against the port types.
// Trace kinds: 0 none, 1 FST, 2 VCD.
#pragma once

#include <cstdint>

#ifndef CSR_SC_CLEAN
#define CSR_SC_CLEAN 0
#endif
#ifndef CSR_SC_CLEAN_TRACE
#define CSR_SC_CLEAN_TRACE 0
#endif
#ifndef CSR_SC_VERIFY
#define CSR_SC_VERIFY 0
#endif
#ifndef CSR_SC_VERIFY_TRACE
#define CSR_SC_VERIFY_TRACE 0
#endif
#ifndef CSR_RTL_LANES
#define CSR_RTL_LANES 16
#endif
#ifndef CSR_RTL_ACC_BITS
#define CSR_RTL_ACC_BITS 32
#endif
#ifndef CSR_RTL_MULT_BITS
#define CSR_RTL_MULT_BITS 16
#endif
#ifndef CSR_RTL_LUT_INDEX_BITS
#define CSR_RTL_LUT_INDEX_BITS 10
#endif
#ifndef CSR_RTL_OUT_BITS
#define CSR_RTL_OUT_BITS 8
#endif
#ifndef CSR_RTL_D_MAX
#define CSR_RTL_D_MAX 8192
#endif
#ifndef CSR_RTL_NUM_FAULTS
#define CSR_RTL_NUM_FAULTS 15
#endif

namespace cosim {
namespace tb {

constexpr int kRtlLanes = CSR_RTL_LANES;
constexpr int kRtlAccBits = CSR_RTL_ACC_BITS;
constexpr int kRtlMultBits = CSR_RTL_MULT_BITS;
constexpr int kRtlIndexBits = CSR_RTL_LUT_INDEX_BITS;
constexpr int kRtlOutBits = CSR_RTL_OUT_BITS;
constexpr int kRtlDMax = CSR_RTL_D_MAX;
constexpr int kRtlNumFaults = CSR_RTL_NUM_FAULTS;
constexpr bool kHaveClean = CSR_SC_CLEAN != 0;
constexpr bool kHaveVerify = CSR_SC_VERIFY != 0;

// Config port selects (rtl_models/rtl/csr_pkg.sv CSR_SEL_*).
constexpr uint32_t kSelWeight = 0, kSelBias = 1, kSelMult = 2, kSelShift = 3, kSelLut = 4, kSelCtrl = 5;

}  // namespace tb
}  // namespace cosim
