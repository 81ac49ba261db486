// fuzz_npy: cosim::vec::DecodeNpy (vectors/io/npy.h) on arbitrary bytes.
//
// Accepted: a normal return or cosim::Error. Oracle on accepted inputs: the array is
// self-consistent (ndim >= 1, bytes == count * itemsize) and survives a round trip
// EncodeNpy -> DecodeNpy unchanged (dtype, shape, data).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "sim/core/error.h"
#include "vectors/io/npy.h"

namespace {

using cosim::vec::NpyArray;

void CheckRoundTrip(const NpyArray& a) {
  if (a.shape.empty()) cosim_fuzz::OracleFailure("fuzz_npy", "accepted a 0-d array");
  int64_t count = 1;
  for (int64_t d : a.shape) {
    if (d < 0) cosim_fuzz::OracleFailure("fuzz_npy", "accepted a negative dimension");
    count *= d;  // ShapeProduct already checked that this does not overflow
  }
  if (count != a.count() ||
      a.bytes.size() != static_cast<uint64_t>(count) * cosim::vec::DTypeSize(a.dtype)) {
    cosim_fuzz::OracleFailure("fuzz_npy", "data size " + std::to_string(a.bytes.size()) +
                                              " does not match shape " +
                                              cosim::vec::ShapeToString(a.shape));
  }
  NpyArray b;
  try {
    const std::string again = cosim::vec::EncodeNpy(a.dtype, a.shape, a.bytes.data(), a.bytes.size());
    b = cosim::vec::DecodeNpy(again, "roundtrip.npy");
    cosim::vec::ExpectNpy(b, a.dtype, a.shape, "roundtrip.npy");
  } catch (const cosim::Error& e) {
    cosim_fuzz::OracleFailure("fuzz_npy", std::string("round trip of an accepted array failed: ") + e.what());
  }
  if (b.bytes != a.bytes) cosim_fuzz::OracleFailure("fuzz_npy", "round trip changed the data bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  NpyArray a;
  try {
    a = cosim::vec::DecodeNpy(bytes, "fuzz.npy");
  } catch (const cosim::Error&) {
    return 0;
  }
  CheckRoundTrip(a);
  return 0;
}
