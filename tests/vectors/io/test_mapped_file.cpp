// Tests for vectors/io/mapped_file.h and the in-place npy reader (OpenNpy): mapped and read
// files give the same arrays, and every malformed file gives DecodeNpy's error word for word.
#include "vectors/io/mapped_file.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/vectors/io/test_util.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/npy.h"

namespace cosim::vec {
namespace {

using testing::ExpectError;
using testing::TempDir;

std::vector<int32_t> Ramp(size_t n) {
  std::vector<int32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int32_t>(i * 2654435761u);
  return v;
}

TEST(FileBytes, LargeRegularFilesAreMappedOthersRead) {
  TempDir dir;
  const std::string big(kMapMinBytes + 3, 'b'), small = "small file";
  WriteFileAtomic(dir.File("big"), big);
  WriteFileAtomic(dir.File("small"), small);
  const FileBytes a = FileBytes::Open(dir.File("big"));
  EXPECT_TRUE(a.mapped());
  EXPECT_EQ(std::string(a.data(), a.size()), big);
  const FileBytes b = FileBytes::Open(dir.File("small"));
  EXPECT_FALSE(b.mapped());
  EXPECT_EQ(std::string(b.data(), b.size()), small);
  const FileBytes c = FileBytes::Open(dir.File("small"), 1);
  EXPECT_TRUE(c.mapped());
  EXPECT_EQ(std::string(c.data(), c.size()), small);
  // Not a regular file: read, never mapped.
  const FileBytes p = FileBytes::Open("/proc/self/status", 0);
  EXPECT_FALSE(p.mapped());
  EXPECT_NE(std::string(p.data(), p.size()).find("Name:"), std::string::npos);
}

TEST(FileBytes, MovesKeepTheMapping) {
  TempDir dir;
  WriteFileAtomic(dir.File("f"), "0123456789");
  FileBytes a = FileBytes::Open(dir.File("f"), 1);
  const char* data = a.data();
  FileBytes b = std::move(a);
  EXPECT_TRUE(b.mapped());
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(std::string(b.data(), b.size()), "0123456789");
  FileBytes c;
  c = std::move(b);
  EXPECT_EQ(std::string(c.data(), c.size()), "0123456789");
}

TEST(FileBytes, MissingFilesAndDirectoriesGiveReadFilesErrors) {
  TempDir dir;
  ExpectError([&] { FileBytes::Open(dir.File("missing.npy")); }, ExitCode::kIo, {"missing.npy", "file not found"});
  ExpectError([&] { FileBytes::Open(dir.path(), 0); }, ExitCode::kIo, {"is a directory, not a file"});
}

TEST(OpenNpy, MappedAndReadArraysEqualTheWrittenOnes) {
  TempDir dir;
  const std::vector<int32_t> v = Ramp(kMapMinBytes / 4 + 100);  // > 1 MiB: mapped
  const std::string path = dir.File("acc.npy");
  WriteNpy(path, DType::kI32, {2, static_cast<int64_t>(v.size() / 2)}, v.data(), v.size() * 4);
  EXPECT_EQ(ReadFile(path), EncodeNpy(DType::kI32, {2, static_cast<int64_t>(v.size() / 2)}, v.data(), v.size() * 4));
  const NpyFile f = OpenNpy(path);
  EXPECT_TRUE(f.mapped());
  EXPECT_EQ(f.source, path);
  ExpectNpy(f, DType::kI32, {2, -1}, "acc.npy");
  EXPECT_EQ(f.count(), static_cast<int64_t>(v.size()));
  EXPECT_EQ(f.nbytes(), v.size() * 4);
  EXPECT_EQ(std::vector<int32_t>(f.as<int32_t>(), f.as<int32_t>() + f.count()), v);
  ExpectError([&] { f.as<int8_t>(); }, ExitCode::kBadInput, {path, "accessed as int8"});
  ExpectError([&] { ExpectNpy(f, DType::kI32, {3, -1}, "acc.npy"); }, ExitCode::kBadInput, {"acc.npy", "(3, *)"});

  const NpyArray a = ReadNpy(path);
  EXPECT_EQ(a.source, path);
  EXPECT_EQ(a.shape, f.shape);
  EXPECT_EQ(a.bytes, std::vector<uint8_t>(f.data(), f.data() + f.nbytes()));

  // The same small array read (default threshold) and mapped (threshold 0).
  const std::vector<int8_t> s = {-128, -1, 0, 1, 127, 5};
  WriteNpy(dir.File("x.npy"), DType::kI8, {1, 2, 3}, s.data(), s.size());
  for (size_t min : {kMapMinBytes, size_t{0}}) {
    const NpyFile x = OpenNpy(dir.File("x.npy"), min);
    EXPECT_EQ(x.mapped(), min == 0);
    EXPECT_EQ(x.shape, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(std::vector<int8_t>(x.as<int8_t>(), x.as<int8_t>() + 6), s);
  }
  // An empty array: nothing to map or copy.
  WriteNpy(dir.File("empty.npy"), DType::kF32, {0, 4}, nullptr, 0);
  const NpyFile e = OpenNpy(dir.File("empty.npy"), 0);
  EXPECT_EQ(e.count(), 0);
  EXPECT_EQ(e.nbytes(), 0u);
}

TEST(OpenNpy, UnalignedDataIsCopiedOnceAndReadCorrectly) {
  // A hand-written v1.0 header with no padding: data at offset 10 + 58, not a multiple of 16.
  const std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }\n";
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(dict.size());
  file += '\0';
  file += dict;
  const int32_t v[3] = {-7, 1 << 30, 12345};
  file.append(reinterpret_cast<const char*>(v), sizeof v);
  TempDir dir;
  WriteFileAtomic(dir.File("u.npy"), file);
  const NpyFile f = OpenNpy(dir.File("u.npy"), 0);
  EXPECT_FALSE(f.mapped());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.data()) % alignof(int32_t), 0u);
  EXPECT_EQ(f.as<int32_t>()[0], -7);
  EXPECT_EQ(f.as<int32_t>()[1], 1 << 30);
  EXPECT_EQ(f.as<int32_t>()[2], 12345);
}

// Every malformed file: OpenNpy (mapped and read) and ReadNpy throw what DecodeNpy throws for
// the same bytes under the same name, code and message.
TEST(OpenNpy, MalformedFilesGiveDecodeNpysErrorsWordForWord) {
  const std::string good = EncodeNpy(DType::kI8, {2, 3}, "\x01\x02\x03\x04\x05\x06", 6);
  const std::vector<int32_t> big = Ramp(kMapMinBytes / 4 + 64);
  const std::string large = EncodeNpy(DType::kI32, {static_cast<int64_t>(big.size())}, big.data(), big.size() * 4);
  std::string big_endian = good;
  big_endian.replace(big_endian.find("|i1"), 3, ">i2");
  const std::vector<std::string> bad = {
      "",
      "PK\x03\x04 not npy at all",
      good.substr(0, 7),
      good.substr(0, 9),
      good.substr(0, 60),
      std::string("\x93NUMPY\x03\x00", 8) + good.substr(8),
      good.substr(0, good.size() - 2),
      good + "xy",
      big_endian,
      large.substr(0, large.size() - 1),  // a truncated file above the mapping threshold
      large + "z",
  };
  TempDir dir;
  int n = 0;
  for (const std::string& bytes : bad) {
    const std::string path = dir.File("bad" + std::to_string(n++) + ".npy");
    WriteFileAtomic(path, bytes);
    std::string want;
    ExitCode want_code = ExitCode::kOk;
    try {
      DecodeNpy(bytes, path);
    } catch (const Error& e) {
      want = e.what();
      want_code = e.code();
    }
    ASSERT_FALSE(want.empty()) << "case " << n - 1 << " decodes";
    for (size_t min : {size_t{0}, kMapMinBytes}) {
      try {
        OpenNpy(path, min);
        ADD_FAILURE() << "case " << n - 1 << ": OpenNpy accepted it";
      } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), want);
        EXPECT_EQ(e.code(), want_code);
      }
    }
    try {
      ReadNpy(path);
      ADD_FAILURE() << "case " << n - 1 << ": ReadNpy accepted it";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), want);
    }
  }
  // The truncated large file names what is missing.
  ExpectError([&] { OpenNpy(dir.File("bad9.npy")); }, ExitCode::kIo,
              {"bad9.npy", "truncated: expected " + std::to_string(big.size() * 4) + " data bytes, found " +
                               std::to_string(big.size() * 4 - 1)});
  ExpectError([&] { OpenNpy(dir.File("missing.npy")); }, ExitCode::kIo, {"missing.npy", "file not found"});
}

TEST(WriteFileAtomic, PartsAreWrittenOneAfterTheOther) {
  TempDir dir;
  const std::string a = "header|", b(100000, 'd');
  WriteFileAtomic(dir.File("p"), {ByteSpan{a.data(), a.size()}, ByteSpan{nullptr, 0}, ByteSpan{b.data(), b.size()}});
  EXPECT_EQ(ReadFile(dir.File("p")), a + b);
  ExpectError([&] { WriteFileAtomic(dir.File("no/such/dir/p"), {ByteSpan{a.data(), a.size()}}); }, ExitCode::kIo,
              {"no/such/dir/p"});
}

}  // namespace
}  // namespace cosim::vec
