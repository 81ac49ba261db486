// npy.h: NumPy .npy files (format v1.0 written, v1.0 and v2.0 read), little-endian, C order.
//
// Contract:
//  - EncodeNpy produces exactly the bytes numpy.save writes for the same dtype/shape/data
//    (header dict "{'descr': ..., 'fortran_order': False, 'shape': (...), }", numpy's spare
//    growth-axis spaces, space padding and a final '\n' so magic+len+dict is a multiple of 64).
//    Identical input gives byte-identical output (files are sha256-checked across machines).
//    Arguments that do not agree (nbytes != product(shape) * itemsize, ndim 0, negative dim)
//    are caller bugs: cosim::Error(kInternal).
//  - DecodeNpy/ReadNpy validate strictly and throw cosim::Error whose message starts with the
//    file name:  kBadInput  bad magic, header not a dict, missing/extra/duplicate keys,
//                           fortran_order True, big-endian or unknown descr, ndim 0,
//                           negative dims, shape product overflow, data longer than promised;
//                kUnsupported  a format version other than 1.0 / 2.0;
//                kIo        file missing/unreadable, header or data truncated
//                           ("truncated: expected N data bytes, found M").
//  - OpenNpy reads a file in place: a regular file of at least kMapMinBytes is memory-mapped
//    (mapped_file.h) and the array's data() points into the mapping, so large vector files are
//    never copied; smaller ones are read. Same validation and messages as DecodeNpy (the file
//    name first), and ReadFile's for files that cannot be read. ReadNpy = OpenNpy + one copy of
//    the data into an owning NpyArray; WriteNpy writes EncodeNpy's bytes (header, then the
//    caller's data, not joined in memory first) with WriteFileAtomic.
//  - Only ndim >= 1 arrays are supported. Data is stored raw (host must be little-endian).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "vectors/io/mapped_file.h"

namespace cosim::vec {

enum class DType { kI8, kI16, kI32, kI64, kU8, kU16, kU32, kU64, kF32, kF64 };

// Item size in bytes (1, 2, 4 or 8).
size_t DTypeSize(DType dt);
// The numpy descr string: '|i1', '<i2', '<i4', '<i8', '|u1', '<u2', '<u4', '<u8', '<f4', '<f8'.
const char* DTypeDescr(DType dt);
// The numpy name: "int8", "int16", ..., "uint64", "float32", "float64".
const char* DTypeName(DType dt);
// Inverse of DTypeName; an unknown name throws kBadInput listing the accepted names.
DType DTypeFromName(const std::string& name);

// Compile-time map from C++ element type to DType (used by NpyArray::as<T>()).
template <class T> struct DTypeOf;
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kI8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::kI16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kI32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kI64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kU8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::kU16; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::kU32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::kU64; };
template <> struct DTypeOf<float> { static constexpr DType value = DType::kF32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kF64; };

// "(2, 3)", "(5,)"; -1 entries (wildcards in ExpectNpy) print as "*".
std::string ShapeToString(const std::vector<int64_t>& shape);

// Whole .npy file bytes for a C-order little-endian array.
std::string EncodeNpy(DType dt, const std::vector<int64_t>& shape, const void* data,
                      size_t nbytes);
// The part of EncodeNpy before the data (same checks of the arguments).
std::string EncodeNpyHeader(DType dt, const std::vector<int64_t>& shape, const void* data,
                            size_t nbytes);

struct NpyArray {
  DType dtype = DType::kU8;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // raw little-endian C-order data, count() * DTypeSize(dtype)
  std::string source;          // file name used in error messages (may be empty)

  // Number of elements (product of shape).
  int64_t count() const;

  // Typed view of the data. Throws kBadInput if T does not match dtype.
  template <class T>
  const T* as() const {
    CheckAccess(DTypeOf<T>::value);
    return reinterpret_cast<const T*>(bytes.data());
  }

 private:
  void CheckAccess(DType wanted) const;
};

// A .npy file opened in place (OpenNpy): dtype and shape checked, data() inside the file's
// mapping (or its bytes read into memory when small). Move-only; data() lives as long as it.
class NpyFile {
 public:
  DType dtype = DType::kU8;
  std::vector<int64_t> shape;
  std::string source;  // the path, used in error messages

  int64_t count() const;
  const uint8_t* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }  // count() * DTypeSize(dtype)
  bool mapped() const { return file_.mapped() && aligned_copy_.empty(); }

  // Typed view of the data. Throws kBadInput if T does not match dtype.
  template <class T>
  const T* as() const {
    CheckAccess(DTypeOf<T>::value);
    return reinterpret_cast<const T*>(data_);
  }

 private:
  friend NpyFile OpenNpy(const std::string& path, size_t map_min_bytes);
  void CheckAccess(DType wanted) const;
  FileBytes file_;
  const uint8_t* data_ = nullptr;
  size_t nbytes_ = 0;
  std::vector<uint8_t> aligned_copy_;  // only for data not aligned for typed access
};

// Parses a whole .npy file held in memory; name_for_errors prefixes every message.
NpyArray DecodeNpy(const std::string& bytes, const std::string& name_for_errors);
// Opens a file in place (kIo if missing/unreadable); see the contract above.
NpyFile OpenNpy(const std::string& path, size_t map_min_bytes = kMapMinBytes);
// Reads and decodes a file into an owning array (kIo if missing/unreadable).
NpyArray ReadNpy(const std::string& path);
// EncodeNpy + WriteFileAtomic.
void WriteNpy(const std::string& path, DType dt, const std::vector<int64_t>& shape,
              const void* data, size_t nbytes);

// Throws kBadInput "<what>: expected int8 array of shape (1, *), got int16 array of shape
// (1, 5)" when dtype or shape differ. -1 in `shape` matches any extent of that axis.
void ExpectNpy(const NpyArray& a, DType dt, const std::vector<int64_t>& shape,
               const std::string& what);
void ExpectNpy(const NpyFile& a, DType dt, const std::vector<int64_t>& shape,
               const std::string& what);

}  // namespace cosim::vec
