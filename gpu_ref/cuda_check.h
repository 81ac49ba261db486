// cuda_check.h: every CUDA runtime call of gpu_ref goes through FSIM_CUDA_CHECK, which throws
// std::runtime_error("file:line: call: cudaGetErrorString") on failure.
#pragma once

#include <stdexcept>
#include <string>

#include <cuda_runtime_api.h>

#define FSIM_CUDA_CHECK(call)                                                                    \
  do {                                                                                           \
    const cudaError_t fsim_err_ = (call);                                                        \
    if (fsim_err_ != cudaSuccess)                                                                \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " +   \
                               #call + ": " + cudaGetErrorString(fsim_err_));                    \
  } while (0)
