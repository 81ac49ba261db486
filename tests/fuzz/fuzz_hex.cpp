// fuzz_hex: cosim::vec::DecodeHex (vectors/io/hex.h), Verilog $readmemh text.
//
// Input layout: byte 0 selects the word format, the rest is the file text:
//   bits      = (byte0 & 0x3f) + 1        (1..64)
//   is_signed = (byte0 & 0x40) != 0
// (byte0 & 0x80 is ignored.) E.g. 'G' (0x47) = 8-bit signed, 0x0f = 16-bit unsigned,
// '_' (0x5f) = 32-bit signed, 0x7f = 64-bit signed.
//
// Accepted: a normal return or cosim::Error. Oracle on accepted text: every value is in range
// for `bits` and the signedness, and EncodeHex of the values reproduces the text byte for byte
// after its leading comment lines (the layout is canonical: DecodeHex accepts only what
// EncodeHex writes).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "sim/core/error.h"
#include "vectors/io/hex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int bits = (data[0] & 0x3f) + 1;
  const bool is_signed = (data[0] & 0x40) != 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<int64_t> values;
  try {
    values = cosim::vec::DecodeHex(text, bits, is_signed, "fuzz.hex");
  } catch (const cosim::Error&) {
    return 0;
  }

  const std::string fmt = std::to_string(bits) + (is_signed ? "-bit signed" : "-bit unsigned");
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t v = values[i];
    bool ok;
    if (is_signed) {
      ok = bits == 64 || (v >= -(int64_t{1} << (bits - 1)) && v < (int64_t{1} << (bits - 1)));
    } else {
      ok = v >= 0 && (bits >= 63 || v < (int64_t{1} << bits));
    }
    if (!ok) {
      cosim_fuzz::OracleFailure("fuzz_hex", "value " + std::to_string(v) + " at index " + std::to_string(i) +
                                                " is out of range for " + fmt);
    }
  }

  size_t body = 0;  // skip the leading "//" comment lines (each ends in '\n' once accepted)
  while (text.compare(body, 2, "//") == 0) {
    const size_t nl = text.find('\n', body);
    if (nl == std::string::npos) cosim_fuzz::OracleFailure("fuzz_hex", "accepted a comment without '\\n'");
    body = nl + 1;
  }
  std::string again;
  try {
    again = cosim::vec::EncodeHex(values.data(), values.size(), bits, "");
  } catch (const cosim::Error& e) {
    cosim_fuzz::OracleFailure("fuzz_hex", std::string("EncodeHex rejected decoded values: ") + e.what());
  }
  if (again != text.substr(body)) {
    cosim_fuzz::OracleFailure("fuzz_hex", "EncodeHex(DecodeHex(text)) differs from the text (" + fmt + ", " +
                                              std::to_string(values.size()) + " values)");
  }
  return 0;
}
