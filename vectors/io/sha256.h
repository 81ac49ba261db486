// sha256.h: SHA-256 (FIPS 180-4), self-contained (no OpenSSL).
//
// Contract: Sha256 hashes bytes fed with Update() in any split; Final() returns the 32-byte
// digest and resets the object so it can hash a new message. Hex output is 64 lowercase
// digits. Sha256FileHex streams the file in 1 MiB chunks and throws cosim::Error(kIo) naming
// the path if it cannot be opened or read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cosim::vec {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t len);
  void Update(const std::string& bytes) { Update(bytes.data(), bytes.size()); }
  std::array<uint8_t, 32> Final();
  void Reset();

 private:
  void Block(const uint8_t* p);

  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_len_ = 0;  // bytes
};

// 64 lowercase hex digits.
std::string DigestHex(const std::array<uint8_t, 32>& digest);
std::string Sha256Hex(const std::string& bytes);
std::string Sha256FileHex(const std::string& path);

}  // namespace cosim::vec
