// Tests for vectors/io/npy.h.
#include "vectors/io/npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "tests/vectors/io/test_util.h"
#include "vectors/io/atomic_file.h"

namespace cosim::vec {
namespace {

using testing::ExpectError;
using testing::HaveSystemNumpy;
using testing::TempDir;

const std::vector<DType> kAllDTypes = {DType::kI8,  DType::kI16, DType::kI32, DType::kI64,
                                       DType::kU8,  DType::kU16, DType::kU32, DType::kU64,
                                       DType::kF32, DType::kF64};

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 37 + 11) & 0xff);
  return v;
}

size_t Bytes(DType dt, const std::vector<int64_t>& shape) {
  int64_t c = 1;
  for (int64_t d : shape) c *= d;
  return static_cast<size_t>(c) * DTypeSize(dt);
}

// Builds a .npy file from a raw header dict (padded like numpy) and raw data bytes.
std::string MakeNpy(const std::string& dict, const std::string& data, int major = 1,
                    int minor = 0) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += static_cast<char>(minor);
  const size_t len_bytes = major == 1 ? 2 : 4;
  for (size_t b = 0; b < len_bytes; ++b) out += static_cast<char>((header.size() >> (8 * b)) & 0xff);
  return out + header + data;
}

std::string Dict(const std::string& descr, const std::string& fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

TEST(NpyDType, SizesDescrsNames) {
  const char* names[] = {"int8",   "int16",  "int32",  "int64",   "uint8",
                         "uint16", "uint32", "uint64", "float32", "float64"};
  const char* descrs[] = {"|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "<f4", "<f8"};
  const size_t sizes[] = {1, 2, 4, 8, 1, 2, 4, 8, 4, 8};
  for (size_t i = 0; i < kAllDTypes.size(); ++i) {
    EXPECT_EQ(DTypeSize(kAllDTypes[i]), sizes[i]);
    EXPECT_STREQ(DTypeDescr(kAllDTypes[i]), descrs[i]);
    EXPECT_STREQ(DTypeName(kAllDTypes[i]), names[i]);
    EXPECT_EQ(DTypeFromName(names[i]), kAllDTypes[i]);
  }
  ExpectError([] { DTypeFromName("int128"); }, ExitCode::kBadInput, {"int128", "int8"});
}

TEST(NpyShape, ToString) {
  EXPECT_EQ(ShapeToString({5}), "(5,)");
  EXPECT_EQ(ShapeToString({2, 3}), "(2, 3)");
  EXPECT_EQ(ShapeToString({1, -1, 4}), "(1, *, 4)");
}

TEST(NpyRoundTrip, EveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {5}, {1}, {0}, {2, 3}, {1, 4, 3}, {3, 0, 2}, {2, 1, 3, 1, 2}, {1, 1536, 8}};
  for (DType dt : kAllDTypes) {
    for (const auto& shape : shapes) {
      SCOPED_TRACE(std::string(DTypeName(dt)) + " " + ShapeToString(shape));
      const std::vector<uint8_t> data = Pattern(Bytes(dt, shape));
      const std::string file = EncodeNpy(dt, shape, data.data(), data.size());
      EXPECT_EQ(file.size() % 64, data.size() % 64);  // header is a multiple of 64
      EXPECT_EQ(std::string(file.data(), 8), std::string("\x93NUMPY\x01\x00", 8));
      const NpyArray a = DecodeNpy(file, "mem.npy");
      EXPECT_EQ(a.dtype, dt);
      EXPECT_EQ(a.shape, shape);
      EXPECT_EQ(a.bytes, data);
      EXPECT_EQ(a.count(), static_cast<int64_t>(data.size() / DTypeSize(dt)));
      // Deterministic: the same input encodes to the same bytes.
      EXPECT_EQ(EncodeNpy(a.dtype, a.shape, a.bytes.data(), a.bytes.size()), file);
    }
  }
}

TEST(NpyRoundTrip, TypedAccess) {
  const std::vector<int32_t> v = {1, -2, 3, -4, 5, -6};
  const NpyArray a = DecodeNpy(EncodeNpy(DType::kI32, {2, 3}, v.data(), v.size() * 4), "t.npy");
  const int32_t* p = a.as<int32_t>();
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(p[i], v[i]);
  ExpectError([&] { a.as<int8_t>(); }, ExitCode::kBadInput, {"t.npy", "int32", "int8"});
  ExpectError([&] { a.as<float>(); }, ExitCode::kBadInput, {"float32"});

  const std::vector<double> d = {0.5, -1.25e300};
  const NpyArray b = DecodeNpy(EncodeNpy(DType::kF64, {2}, d.data(), 16), "d.npy");
  EXPECT_EQ(b.as<double>()[1], -1.25e300);
}

TEST(NpyEncode, HeaderBytesMatchNumpyInt8_2x3) {
  // numpy 1.24: np.save(f, np.arange(6, dtype=np.int8).reshape(2, 3))
  static const char kExpected[] =
      "\x93NUMPY\x01\x00\x76\x00"
      "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }"
      "                                                          "  // 58 spaces
      "\n"
      "\x00\x01\x02\x03\x04\x05";
  const std::string expected(kExpected, sizeof(kExpected) - 1);
  ASSERT_EQ(expected.size(), 134u);
  const int8_t data[6] = {0, 1, 2, 3, 4, 5};
  EXPECT_EQ(EncodeNpy(DType::kI8, {2, 3}, data, 6), expected);
}

TEST(NpyEncode, HeaderBytesMatchNumpyOtherCases) {
  struct Case {
    DType dt;
    std::vector<int64_t> shape;
    std::string header;  // dict text before the padding, from numpy 1.24
    size_t header_total;
  };
  const Case cases[] = {
      {DType::kF32, {5}, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 128},
      {DType::kI32, {1, 1536, 2048},
       "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1536, 2048), }", 128},
      {DType::kU8, {3}, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", 128},
      // Exactly aligned before padding: numpy then adds a full 64 spaces (header 192 bytes).
      {DType::kU8, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10, 100, 100},
       "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10, "
       "100, 100), }",
       192},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    const std::vector<uint8_t> data(Bytes(c.dt, c.shape), 0);
    const std::string f = EncodeNpy(c.dt, c.shape, data.data(), data.size());
    ASSERT_EQ(f.size(), c.header_total + data.size());
    const size_t hlen = static_cast<uint8_t>(f[8]) | (static_cast<uint8_t>(f[9]) << 8);
    EXPECT_EQ(hlen + 10, c.header_total);
    const std::string dict = f.substr(10, hlen);
    EXPECT_EQ(dict.substr(0, c.header.size()), c.header);
    EXPECT_EQ(dict.substr(c.header.size()),
              std::string(hlen - 1 - c.header.size(), ' ') + "\n");
  }
}

TEST(NpyEncode, RejectsBadArguments) {
  const uint8_t d[6] = {};
  ExpectError([&] { EncodeNpy(DType::kI8, {2, 3}, d, 5); }, ExitCode::kInternal,
              {"(2, 3)", "6", "5"});
  ExpectError([&] { EncodeNpy(DType::kI8, {}, d, 1); }, ExitCode::kInternal, {"0-d"});
  ExpectError([&] { EncodeNpy(DType::kI8, {-2, 3}, d, 6); }, ExitCode::kInternal, {"shape"});
  ExpectError([&] { EncodeNpy(DType::kI8, {3}, nullptr, 3); }, ExitCode::kInternal, {"null"});
}

TEST(NpyDecode, AcceptsVersion2AndHandWrittenHeaders) {
  const std::string data = "\x01\x02\x03\x04\x05\x06";
  NpyArray a = DecodeNpy(MakeNpy(Dict("|i1", "False", "(2, 3)"), data, 2, 0), "v2.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.bytes.size(), 6u);
  // Key order, double quotes, no trailing comma, '<i1' for int8, extra whitespace.
  a = DecodeNpy(MakeNpy("{ \"shape\" : (6,) , 'fortran_order':False,'descr':'<i1'}", data), "x");
  EXPECT_EQ(a.dtype, DType::kI8);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{6}));
  a = DecodeNpy(MakeNpy(Dict("<u2", "False", "(3,)"), data), "x");
  EXPECT_EQ(a.dtype, DType::kU16);
  EXPECT_EQ(a.as<uint16_t>()[0], 0x0201);
}

TEST(NpyDecode, MalformedFilesGiveClearErrors) {
  const std::string good = EncodeNpy(DType::kI8, {2, 3}, "\x01\x02\x03\x04\x05\x06", 6);
  const std::string data6 = "abcdef";
  auto decode = [](const std::string& bytes) { return [bytes] { DecodeNpy(bytes, "bad.npy"); }; };
  using EC = ExitCode;

  // Preamble.
  ExpectError(decode("PK\x03\x04 not npy at all"), EC::kBadInput, {"bad.npy", "bad magic"});
  ExpectError(decode(std::string("\x93NUMPX\x01\x00", 8)), EC::kBadInput, {"bad magic"});
  ExpectError(decode(""), EC::kIo, {"bad.npy", "truncated"});
  ExpectError(decode(good.substr(0, 7)), EC::kIo, {"truncated"});
  ExpectError(decode(good.substr(0, 9)), EC::kIo, {"truncated"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(6,)"), data6, 3, 0)), EC::kUnsupported,
              {"bad.npy", "version 3.0"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(6,)"), data6, 1, 1)), EC::kUnsupported,
              {"version 1.1"});
  ExpectError(decode(good.substr(0, 60)), EC::kIo, {"truncated", "header length"});

  // Header dict.
  ExpectError(decode(MakeNpy("['descr', '|i1']", data6)), EC::kBadInput, {"not a dict"});
  ExpectError(decode(MakeNpy("{'fortran_order': False, 'shape': (6,), }", data6)), EC::kBadInput,
              {"missing key 'descr'"});
  ExpectError(decode(MakeNpy("{'descr': '|i1', 'shape': (6,), }", data6)), EC::kBadInput,
              {"missing key 'fortran_order'"});
  ExpectError(decode(MakeNpy("{'descr': '|i1', 'fortran_order': False}", data6)), EC::kBadInput,
              {"missing key 'shape'"});
  ExpectError(decode(MakeNpy("{'descr': '|i1', 'fortran_order': False, 'shape': (6,), "
                             "'extra': 1}",
                             data6)),
              EC::kBadInput, {"unexpected key 'extra'"});
  ExpectError(decode(MakeNpy("{'descr': '|i1', 'descr': '|i1', 'fortran_order': False, "
                             "'shape': (6,)}",
                             data6)),
              EC::kBadInput, {"duplicate key 'descr'"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(6,)") + " junk", data6)), EC::kBadInput,
              {"after the header dict"});
  ExpectError(decode(MakeNpy("{'descr': '|i1', 'fortran_order': False, 'shape': (6,)", data6)),
              EC::kBadInput, {"bad.npy"});
  ExpectError(decode(MakeNpy(Dict("|i1", "0", "(6,)"), data6)), EC::kBadInput,
              {"fortran_order", "True or False"});

  // Layout and dtype.
  ExpectError(decode(MakeNpy(Dict("|i1", "True", "(2, 3)"), data6)), EC::kBadInput,
              {"bad.npy", "fortran_order True"});
  ExpectError(decode(MakeNpy(Dict(">i4", "False", "(6,)"), data6 + data6 + data6 + data6)),
              EC::kBadInput, {"big-endian", "'>i4'"});
  ExpectError(decode(MakeNpy(Dict("<f2", "False", "(3,)"), data6)), EC::kBadInput,
              {"unsupported descr", "'<f2'"});
  ExpectError(decode(MakeNpy(Dict("|b1", "False", "(6,)"), data6)), EC::kBadInput,
              {"unsupported descr", "'|b1'"});
  ExpectError(decode(MakeNpy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}",
                             "abcd")),
              EC::kBadInput, {"structured"});

  // Shape.
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(-2, 3)"), data6)), EC::kBadInput,
              {"negative dimension -2"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(99999999999999999999,)"), data6)),
              EC::kBadInput, {"too large"});
  ExpectError(decode(MakeNpy(Dict("<i8", "False", "(4294967296, 4294967296)"), data6)),
              EC::kBadInput, {"(4294967296, 4294967296)", "overflow"});
  ExpectError(decode(MakeNpy(Dict("<i8", "False", "(2305843009213693952,)"), data6)),
              EC::kBadInput, {"overflow"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "()"), "a")), EC::kBadInput, {"0-d"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(6)"), data6)), EC::kBadInput, {"tuple"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(2.5, 3)"), data6)), EC::kBadInput,
              {"shape"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "[2, 3]"), data6)), EC::kBadInput,
              {"must be a tuple"});

  // Data size.
  ExpectError(decode(good.substr(0, good.size() - 2)), EC::kIo,
              {"bad.npy", "truncated: expected 6 data bytes, found 4"});
  ExpectError(decode(good + "xy"), EC::kBadInput,
              {"bad.npy", "header shape (2, 3) does not match data size 8 bytes"});
  ExpectError(decode(MakeNpy(Dict("|i1", "False", "(1, 1536)"), std::string(3072, 'x'))),
              EC::kBadInput, {"header shape (1, 1536) does not match data size 3072 bytes"});
}

TEST(NpyExpect, ShapesAndWildcards) {
  const std::vector<int16_t> v(12, 7);
  const NpyArray a = DecodeNpy(EncodeNpy(DType::kI16, {1, 3, 4}, v.data(), 24), "e.npy");
  ExpectNpy(a, DType::kI16, {1, 3, 4}, "w");
  ExpectNpy(a, DType::kI16, {1, -1, 4}, "w");
  ExpectNpy(a, DType::kI16, {-1, -1, -1}, "w");
  ExpectError([&] { ExpectNpy(a, DType::kI8, {1, 3, 4}, "layer0 weights"); },
              ExitCode::kBadInput,
              {"layer0 weights", "expected int8 array of shape (1, 3, 4)", "got int16"});
  ExpectError([&] { ExpectNpy(a, DType::kI16, {1, 3, 5}, "w"); }, ExitCode::kBadInput,
              {"(1, 3, 5)", "(1, 3, 4)"});
  ExpectError([&] { ExpectNpy(a, DType::kI16, {3, 4}, "w"); }, ExitCode::kBadInput, {"(3, 4)"});
  ExpectError([&] { ExpectNpy(a, DType::kI16, {2, -1, 4}, "w"); }, ExitCode::kBadInput,
              {"(2, *, 4)"});
}

TEST(NpyFile, WriteAndReadBack) {
  TempDir dir;
  const std::string path = dir.File("a.npy");
  const std::vector<int8_t> v = {-128, -1, 0, 1, 127};
  WriteNpy(path, DType::kI8, {5}, v.data(), v.size());
  const NpyArray a = ReadNpy(path);
  EXPECT_EQ(a.source, path);
  ExpectNpy(a, DType::kI8, {5}, path);
  EXPECT_EQ(a.as<int8_t>()[0], -128);
  ExpectError([&] { ReadNpy(dir.File("missing.npy")); }, ExitCode::kIo, {"missing.npy"});
}

// ---------------------------------------------------------------------------------------
// Interoperability with real numpy (skipped when /usr/bin/python3 has no numpy).

template <class T>
void CheckValues(const NpyArray& a) {
  const T* p = a.as<T>();
  for (int64_t i = 0; i < a.count(); ++i) {
    const int64_t base = (i * 37 + 11) % 251 - 100;
    EXPECT_EQ(p[i], static_cast<T>(base)) << a.source << " element " << i;
  }
}

void CheckPattern(const NpyArray& a) {
  switch (a.dtype) {
    case DType::kI8: return CheckValues<int8_t>(a);
    case DType::kI16: return CheckValues<int16_t>(a);
    case DType::kI32: return CheckValues<int32_t>(a);
    case DType::kI64: return CheckValues<int64_t>(a);
    case DType::kU8: return CheckValues<uint8_t>(a);
    case DType::kU16: return CheckValues<uint16_t>(a);
    case DType::kU32: return CheckValues<uint32_t>(a);
    case DType::kU64: return CheckValues<uint64_t>(a);
    case DType::kF32: return CheckValues<float>(a);
    case DType::kF64: return CheckValues<double>(a);
  }
}

TEST(NpyNumpy, NumpyWrittenFilesDecodeAndReencodeIdentically) {
  if (!HaveSystemNumpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  TempDir dir;
  const std::string script = dir.File("gen.py");
  {
    std::ofstream s(script);
    s << "import sys, numpy as np\n"
         "out = sys.argv[1]\n"
         "shapes = [(5,), (2, 3), (1, 4, 3), (0,), (3, 0, 2), (1, 1536, 4),\n"
         "          (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10, 100, 100)]\n"
         "names = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',\n"
         "         'float32', 'float64']\n"
         "with open(out + '/list.txt', 'w') as lst:\n"
         "    for n in names:\n"
         "        for k, sh in enumerate(shapes):\n"
         "            c = int(np.prod(sh))\n"
         "            a = ((np.arange(c, dtype=np.int64) * 37 + 11) % 251 - 100)\n"
         "            a = a.astype(np.dtype(n)).reshape(sh)\n"
         "            f = '%s/%s_%d.npy' % (out, n, k)\n"
         "            np.save(f, a)\n"
         "            lst.write('%s %s\\n' % (f, n))\n";
  }
  ASSERT_EQ(std::system(("/usr/bin/python3 " + script + " " + dir.path()).c_str()), 0);
  std::ifstream lst(dir.File("list.txt"));
  std::string path, name;
  int files = 0;
  while (lst >> path >> name) {
    SCOPED_TRACE(path);
    const std::string bytes = ReadFile(path);
    const NpyArray a = DecodeNpy(bytes, path);
    EXPECT_EQ(a.dtype, DTypeFromName(name));
    CheckPattern(a);
    EXPECT_EQ(EncodeNpy(a.dtype, a.shape, a.bytes.data(), a.bytes.size()), bytes)
        << "our encoding differs from numpy's";
    ++files;
  }
  EXPECT_EQ(files, 70);
}

TEST(NpyNumpy, NumpyLoadsOurFiles) {
  if (!HaveSystemNumpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  TempDir dir;
  std::vector<int32_t> v(2 * 3 * 4);
  std::iota(v.begin(), v.end(), -10);
  WriteNpy(dir.File("ours.npy"), DType::kI32, {2, 3, 4}, v.data(), v.size() * 4);
  const std::string cmd =
      "/usr/bin/python3 -c \"import numpy as np, sys; a = np.load(sys.argv[1]); "
      "sys.exit(0 if a.dtype == np.int32 and a.shape == (2, 3, 4) and "
      "(a.ravel() == np.arange(-10, 14)).all() else 1)\" " +
      dir.File("ours.npy");
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace cosim::vec
