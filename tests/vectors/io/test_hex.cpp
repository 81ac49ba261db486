// Tests for vectors/io/hex.h.
#include "vectors/io/hex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/vectors/io/test_util.h"
#include "vectors/io/atomic_file.h"

namespace cosim::vec {
namespace {

using testing::ExpectError;
using testing::TempDir;

TEST(HexEncode, DocumentedExample) {
  const int64_t v[] = {1, -1, 127, -128};
  EXPECT_EQ(EncodeHex(v, 4, 8, "layer0 weights"), "// layer0 weights\n01\nff\n7f\n80\n");
  EXPECT_EQ(EncodeHex(v, 4, 8, ""), "01\nff\n7f\n80\n");
  EXPECT_EQ(EncodeHex(v, 0, 8, ""), "");
}

TEST(HexEncode, CommentLines) {
  const int64_t v[] = {10};
  EXPECT_EQ(EncodeHex(v, 1, 4, "a\n\nb"), "// a\n//\n// b\na\n");
  EXPECT_EQ(EncodeHex(v, 1, 4, "one\n"), "// one\na\n");
  ExpectError([&] { EncodeHex(v, 1, 4, "dos\r\nline"); }, ExitCode::kBadInput,
              {"carriage return"});
}

TEST(HexEncode, TwosComplementMaskingAndWidths) {
  const int64_t v[] = {-1, -2048, 2047, 4095};
  EXPECT_EQ(EncodeHex(v, 4, 12, ""), "fff\n800\n7ff\nfff\n");
  const int64_t w[] = {-1, -16, 15, 31};
  EXPECT_EQ(EncodeHex(w, 4, 5, ""), "1f\n10\n0f\n1f\n");
  const int64_t one[] = {-1, 0, 1};
  EXPECT_EQ(EncodeHex(one, 3, 1, ""), "1\n0\n1\n");
  const int64_t big[] = {std::numeric_limits<int64_t>::min(), -1,
                         std::numeric_limits<int64_t>::max()};
  EXPECT_EQ(EncodeHex(big, 3, 64, ""),
            "8000000000000000\nffffffffffffffff\n7fffffffffffffff\n");
  const int64_t b32[] = {-2147483648LL, 4294967295LL};
  EXPECT_EQ(EncodeHex(b32, 2, 32, ""), "80000000\nffffffff\n");
}

TEST(HexEncode, TypedOverloadsMatchInt64) {
  const int8_t i8[] = {-128, -1, 0, 5, 127};
  const int16_t i16[] = {-32768, -1, 0, 5, 32767};
  const int32_t i32[] = {std::numeric_limits<int32_t>::min(), -1, 0, 5,
                         std::numeric_limits<int32_t>::max()};
  const uint8_t u8[] = {0, 1, 128, 254, 255};
  const uint16_t u16[] = {0, 1, 32768, 65534, 65535};
  const uint32_t u32[] = {0, 1, 0x80000000u, 0xfffffffeu, 0xffffffffu};
  auto as64 = [](auto* p) {
    std::vector<int64_t> v;
    for (int i = 0; i < 5; ++i) v.push_back(static_cast<int64_t>(p[i]));
    return v;
  };
  EXPECT_EQ(EncodeHex(i8, 5, 8, "c"), EncodeHex(as64(i8).data(), 5, 8, "c"));
  EXPECT_EQ(EncodeHex(i16, 5, 16, "c"), EncodeHex(as64(i16).data(), 5, 16, "c"));
  EXPECT_EQ(EncodeHex(i32, 5, 32, "c"), EncodeHex(as64(i32).data(), 5, 32, "c"));
  EXPECT_EQ(EncodeHex(u8, 5, 8, "c"), EncodeHex(as64(u8).data(), 5, 8, "c"));
  EXPECT_EQ(EncodeHex(u16, 5, 16, "c"), EncodeHex(as64(u16).data(), 5, 16, "c"));
  EXPECT_EQ(EncodeHex(u32, 5, 32, "c"), EncodeHex(as64(u32).data(), 5, 32, "c"));
  EXPECT_EQ(EncodeHex(i8, 5, 8, ""), "80\nff\n00\n05\n7f\n");
  // int8 data in a wider word is sign-extended to that width.
  EXPECT_EQ(EncodeHex(i8, 2, 12, ""), "f80\nfff\n");
}

TEST(HexEncode, RejectsOutOfRangeAndBadWidth) {
  const int64_t v[] = {0, 256};
  ExpectError([&] { EncodeHex(v, 2, 8, ""); }, ExitCode::kBadInput,
              {"256", "index 1", "8 bits"});
  const int64_t n[] = {-129};
  ExpectError([&] { EncodeHex(n, 1, 8, ""); }, ExitCode::kBadInput, {"-129"});
  const int16_t w[] = {300};
  ExpectError([&] { EncodeHex(w, 1, 8, ""); }, ExitCode::kBadInput, {"300"});
  ExpectError([&] { EncodeHex(v, 1, 0, ""); }, ExitCode::kBadInput, {"bits", "0"});
  ExpectError([&] { EncodeHex(v, 1, 65, ""); }, ExitCode::kBadInput, {"65"});
  ExpectError([&] { DecodeHex("00\n", 0, true, "x.hex"); }, ExitCode::kBadInput,
              {"x.hex", "bits"});
}

TEST(HexRoundTrip, SignedAndUnsignedWidths1To64) {
  std::mt19937_64 rng(12345);
  for (int bits = 1; bits <= 64; ++bits) {
    SCOPED_TRACE("bits=" + std::to_string(bits));
    const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    // Signed: the extremes plus random values, sign-extended.
    const int64_t smin = bits == 64 ? std::numeric_limits<int64_t>::min()
                                    : -static_cast<int64_t>(uint64_t{1} << (bits - 1));
    const int64_t smax = bits == 64 ? std::numeric_limits<int64_t>::max()
                                    : static_cast<int64_t>((uint64_t{1} << (bits - 1)) - 1);
    std::vector<int64_t> s = {smin, smax, 0, -1};
    for (int i = 0; i < 200; ++i) {
      const uint64_t u = rng() & mask;
      const uint64_t sign = uint64_t{1} << (bits - 1);
      s.push_back(static_cast<int64_t>((u & sign) ? (u | ~mask) : u));
    }
    const std::string st = EncodeHex(s.data(), s.size(), bits, "signed\nround trip");
    EXPECT_EQ(DecodeHex(st, bits, true, "s.hex"), s);
    // Every word line has exactly ceil(bits/4) lowercase digits.
    const size_t digits = static_cast<size_t>((bits + 3) / 4);
    EXPECT_EQ(HexDigits(bits), static_cast<int>(digits));
    size_t pos = st.find('\n', st.find('\n') + 1) + 1;  // skip the 2 comment lines
    for (size_t i = 0; i < s.size(); ++i) {
      const size_t nl = st.find('\n', pos);
      ASSERT_EQ(nl - pos, digits);
      pos = nl + 1;
    }
    // Unsigned (bits == 64: only values that fit int64_t).
    std::vector<int64_t> u = {0, static_cast<int64_t>(bits == 64 ? mask >> 1 : mask)};
    for (int i = 0; i < 200; ++i) {
      u.push_back(static_cast<int64_t>(rng() & (bits == 64 ? mask >> 1 : mask)));
    }
    const std::string ut = EncodeHex(u.data(), u.size(), bits, "");
    EXPECT_EQ(DecodeHex(ut, bits, false, "u.hex"), u);
  }
}

TEST(HexDecode, SignExtensionChoice) {
  EXPECT_EQ(DecodeHex("ff\n80\n7f\n", 8, true, "x"), (std::vector<int64_t>{-1, -128, 127}));
  EXPECT_EQ(DecodeHex("ff\n80\n7f\n", 8, false, "x"), (std::vector<int64_t>{255, 128, 127}));
  EXPECT_EQ(DecodeHex("1f\n0f\n", 5, true, "x"), (std::vector<int64_t>{-1, 15}));
  EXPECT_EQ(DecodeHex("// c1\n// c2\n//\n1\n0\n", 1, true, "x"), (std::vector<int64_t>{-1, 0}));
  EXPECT_TRUE(DecodeHex("", 8, true, "x").empty());
  EXPECT_TRUE(DecodeHex("// only a comment\n", 8, true, "x").empty());
  ExpectError([] { DecodeHex("ffffffffffffffff\n", 64, false, "x.hex"); }, ExitCode::kBadInput,
              {"x.hex:1", "int64"});
  EXPECT_EQ(DecodeHex("ffffffffffffffff\n", 64, true, "x"), (std::vector<int64_t>{-1}));
}

TEST(HexDecode, MalformedFilesNameTheLine) {
  using EC = ExitCode;
  auto dec = [](const std::string& text, int bits = 8) {
    return [text, bits] { DecodeHex(text, bits, true, "w.hex"); };
  };
  ExpectError(dec("// c\n00\n1ff\n"), EC::kBadInput,
              {"w.hex:3:", "expected 2 hex digits", "found 3", "'1ff'"});
  ExpectError(dec("00\n0\n"), EC::kBadInput, {"w.hex:2:", "expected 2 hex digits", "found 1"});
  ExpectError(dec("00\ng1\n"), EC::kBadInput, {"w.hex:2:", "non-hex character 'g'"});
  ExpectError(dec("00\nx\n"), EC::kBadInput, {"w.hex:2:", "non-hex character 'x'"});
  ExpectError(dec("0_0\n"), EC::kBadInput, {"w.hex:1:", "non-hex character '_'"});
  ExpectError(dec("0a\nFF\n"), EC::kBadInput, {"w.hex:2:", "uppercase", "'F'"});
  ExpectError(dec("00\n@10\n01\n"), EC::kBadInput, {"w.hex:2:", "address marker"});
  ExpectError(dec("@0\n"), EC::kBadInput, {"w.hex:1:", "address marker"});
  ExpectError(dec("3f\n", 5), EC::kBadInput, {"w.hex:1:", "0x3f", "out of range", "5 bits"});
  ExpectError(dec("0\n2\n", 1), EC::kBadInput, {"w.hex:2:", "out of range", "1 bits"});
  ExpectError(dec("00\n\n01\n"), EC::kBadInput, {"w.hex:2:", "empty line"});
  ExpectError(dec("00\r\n01\r\n"), EC::kBadInput, {"w.hex:1:", "carriage return"});
  ExpectError(dec("00\n 01\n"), EC::kBadInput, {"w.hex:2:", "whitespace"});
  ExpectError(dec("00\n01 \n"), EC::kBadInput, {"w.hex:2:", "whitespace"});
  ExpectError(dec("00\n// late\n01\n"), EC::kBadInput, {"w.hex:2:", "comment after data"});
  ExpectError(dec("00\n01"), EC::kIo, {"w.hex:2:", "truncated"});
  ExpectError(dec("// c"), EC::kIo, {"w.hex:1:", "truncated"});
}

TEST(HexCount, ExpectCount) {
  const std::vector<int64_t> v = {1, 2, 3};
  ExpectCount(v, 3, "x");
  ExpectError([&] { ExpectCount(v, 4, "w.hex (layer0 weights)"); }, ExitCode::kBadInput,
              {"w.hex (layer0 weights)", "expected 4 values, found 3"});
}

TEST(HexFile, ReadHexFromDisk) {
  TempDir dir;
  const int32_t v[] = {-5, 100, -100000};
  WriteFileAtomic(dir.File("a.hex"), EncodeHex(v, 3, 20, "generated"));
  EXPECT_EQ(ReadFile(dir.File("a.hex")), "// generated\nffffb\n00064\ne7960\n");
  EXPECT_EQ(ReadHex(dir.File("a.hex"), 20, true), (std::vector<int64_t>{-5, 100, -100000}));
  ExpectError([&] { ReadHex(dir.File("nope.hex"), 8, true); }, ExitCode::kIo, {"nope.hex"});
  WriteFileAtomic(dir.File("b.hex"), "00\nzz\n");
  ExpectError([&] { ReadHex(dir.File("b.hex"), 8, true); }, ExitCode::kBadInput,
              {dir.File("b.hex") + ":2:"});
}

TEST(HexPerf, ThreeMillionValues) {
  const size_t n = 3u << 20;
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>(i * 131 + 7);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string text = EncodeHex(v.data(), n, 8, "3M int8 values");
  const auto t1 = std::chrono::steady_clock::now();
  const std::vector<int64_t> back = DecodeHex(text, 8, true, "big.hex");
  const auto t2 = std::chrono::steady_clock::now();
  ASSERT_EQ(back.size(), n);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(back[i], v[i]) << i;
  const double enc = std::chrono::duration<double>(t1 - t0).count();
  const double dec = std::chrono::duration<double>(t2 - t1).count();
  std::printf("  encode %.3f s, decode %.3f s for %zu values\n", enc, dec, n);
  // Generous bound (unoptimised builds, busy machines); iostream-per-value would be ~10x.
  EXPECT_LT(enc + dec, 5.0);
}

}  // namespace
}  // namespace cosim::vec
