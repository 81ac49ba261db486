// csr_rtl_models.h: the Verilated models of csr_top that rtl_models/CMakeLists.txt builds, one
// factory each. Keep in step with the csr_rtl_add_model() calls there.
#pragma once

#include <memory>

#include "csr_rtl_driver.h"

namespace cosim::rtl {

// Library csr_rtl: the clean synthesizable configuration (csr_top defaults: LANES=16,
// ACC_BITS=32, MULT_BITS=16, LUT_INDEX_BITS=10, OUT_BITS=8, half-away, saturate, D_MAX=8192,
// no fault logic, compile-time knobs).
std::unique_ptr<Driver> MakeCsrTopDriver();

// Library csr_rtl_fi: verification builds with ENABLE_FAULTS=1 and RUNTIME_KNOBS=1 (any
// rounding mode / overflow mode, any planted fault, chosen per Run).
//   csr_fi_a: LANES=16 ACC_BITS=32 MULT_BITS=16 LUT_INDEX_BITS=10 OUT_BITS=8  D_MAX=8192
//   csr_fi_b: LANES=16 ACC_BITS=18 MULT_BITS=12 LUT_INDEX_BITS=4  OUT_BITS=12 D_MAX=256
//   csr_fi_c: LANES=8  ACC_BITS=32 MULT_BITS=31 LUT_INDEX_BITS=12 OUT_BITS=10 D_MAX=512
std::unique_ptr<Driver> MakeCsrFiADriver();
std::unique_ptr<Driver> MakeCsrFiBDriver();
std::unique_ptr<Driver> MakeCsrFiCDriver();

}  // namespace cosim::rtl
