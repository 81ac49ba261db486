// hex.h: Verilog $readmemh text files, one word per line.
//
// Layout (written exactly so by EncodeHex, and the only layout DecodeHex accepts):
//   - optional leading comment lines, each starting with "//" (only before the first word);
//   - then one word per line: lowercase hex, exactly ceil(bits/4) digits, no "0x", no '_';
//     signed data is written in two's complement masked to `bits` bits, unsigned data as is;
//   - every line ends in '\n' (also the last one; no '\r'); no blank lines; no '@' address
//     markers (word i is at address i).
//   Example, bits = 8, values {1, -1, 127, -128}:
//     // layer0 weights
//     01
//     ff
//     7f
//     80
//
// Contract: EncodeHex output is byte-identical for identical input. It accepts any value
// representable in `bits` bits either as signed or as unsigned, i.e. in
// [-2^(bits-1), 2^bits - 1]; anything else throws kBadInput naming the index. bits must be
// 1..64 (else kBadInput). DecodeHex errors are kBadInput "<name>:<line>: <problem>", except a
// missing final '\n' (a truncated file), which is kIo. ReadHex adds kIo for unreadable files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/error.h"

namespace cosim::vec {

// Number of hex digits per word: ceil(bits / 4).
int HexDigits(int bits);

// `comment` may hold several '\n'-separated lines; each is written as "// <line>" (an empty
// line as "//"). An empty comment writes no comment lines. '\r' in a comment is kBadInput.
std::string EncodeHex(const int64_t* values, size_t n, int bits, const std::string& comment);
std::string EncodeHex(const int32_t* values, size_t n, int bits, const std::string& comment);
std::string EncodeHex(const int16_t* values, size_t n, int bits, const std::string& comment);
std::string EncodeHex(const int8_t* values, size_t n, int bits, const std::string& comment);
std::string EncodeHex(const uint32_t* values, size_t n, int bits, const std::string& comment);
std::string EncodeHex(const uint16_t* values, size_t n, int bits, const std::string& comment);
std::string EncodeHex(const uint8_t* values, size_t n, int bits, const std::string& comment);

// Parses the layout above. is_signed: sign-extend from `bits` bits; otherwise the value is
// returned as is (bits == 64 unsigned words >= 2^63 are kBadInput: they do not fit int64_t).
std::vector<int64_t> DecodeHex(const std::string& text, int bits, bool is_signed,
                               const std::string& name_for_errors);
std::vector<int64_t> ReadHex(const std::string& path, int bits, bool is_signed);

// Throws kBadInput "<what>: expected N values, found M" when values.size() != n.
void ExpectCount(const std::vector<int64_t>& values, size_t n, const std::string& what);

}  // namespace cosim::vec
