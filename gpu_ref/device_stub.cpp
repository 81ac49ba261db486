// device_stub.cpp: the device entry points of a build without CUDA (target cosim_fsim_nodevice).
#include <stdexcept>

#include "gpu_ref/floatsim.h"

namespace cosim::fsim {

namespace {
[[noreturn]] void NoCuda(const char* what) {
  throw std::runtime_error(std::string(what) +
                           ": this build has no CUDA (nvcc not found or COSIM_WITH_CUDA=OFF); "
                           "use RunHost, or rebuild where nvcc is installed");
}
}  // namespace

bool DeviceAvailable() { return false; }
std::string DeviceName() { return ""; }

ModeResult RunDevice(Mode, const LayerView&, const Knobs&, float) { NoCuda("RunDevice"); }

std::vector<ModeResult> RunDeviceBatch(const std::vector<DeviceJob>&, int) {
  NoCuda("RunDeviceBatch");
}

}  // namespace cosim::fsim
