// Tests for vectors/io/sha256.h (FIPS 180-2 / NIST example vectors).
#include "vectors/io/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/vectors/io/test_util.h"
#include "vectors/io/atomic_file.h"

namespace cosim::vec {
namespace {

using testing::ExpectError;
using testing::TempDir;

const char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const char k448Msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const char k448[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const char k896Msg[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
    "nopqrsmnopqrstnopqrstu";
const char k896[] = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
const char kMillionA[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256, NistVectors) {
  EXPECT_EQ(Sha256Hex(""), kEmpty);
  EXPECT_EQ(Sha256Hex("abc"), kAbc);
  EXPECT_EQ(Sha256Hex(k448Msg), k448);
  EXPECT_EQ(Sha256Hex(k896Msg), k896);
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')), kMillionA);
}

TEST(Sha256, MillionAInOddChunks) {
  Sha256 h;
  const std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    const size_t n = left < chunk.size() ? left : chunk.size();
    h.Update(chunk.data(), n);
    left -= n;
  }
  EXPECT_EQ(DigestHex(h.Final()), kMillionA);
  // Final() resets: the object hashes a new message.
  h.Update("abc");
  EXPECT_EQ(DigestHex(h.Final()), kAbc);
}

TEST(Sha256, EverySplitOfPaddingBoundaries) {
  // Lengths around the 55/56/64-byte padding edges, fed byte by byte vs at once.
  for (size_t len = 0; len <= 130; ++len) {
    std::string m(len, '\0');
    for (size_t i = 0; i < len; ++i) m[i] = static_cast<char>(i * 7 + 1);
    Sha256 a;
    for (char c : m) a.Update(&c, 1);
    EXPECT_EQ(DigestHex(a.Final()), Sha256Hex(m)) << len;
  }
}

TEST(Sha256, OneByteChangeChangesHash) {
  std::string m(4096, 'x');
  const std::string h0 = Sha256Hex(m);
  m[2048] = 'y';
  EXPECT_NE(Sha256Hex(m), h0);
  m[2048] = 'x';
  EXPECT_EQ(Sha256Hex(m), h0);
}

TEST(Sha256, FileHashStreams) {
  TempDir dir;
  // Larger than one 1 MiB chunk and not a multiple of it.
  std::string big(3 * (1 << 20) + 12345, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 31) >> 3);
  WriteFileAtomic(dir.File("big.bin"), big);
  EXPECT_EQ(Sha256FileHex(dir.File("big.bin")), Sha256Hex(big));
  WriteFileAtomic(dir.File("abc.txt"), "abc");
  EXPECT_EQ(Sha256FileHex(dir.File("abc.txt")), kAbc);
  WriteFileAtomic(dir.File("empty"), "");
  EXPECT_EQ(Sha256FileHex(dir.File("empty")), kEmpty);
  ExpectError([&] { Sha256FileHex(dir.File("missing.bin")); }, ExitCode::kIo,
              {"missing.bin", "No such file"});
}

}  // namespace
}  // namespace cosim::vec
