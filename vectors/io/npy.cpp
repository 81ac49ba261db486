// npy.cpp: see npy.h for the contract.
#include "vectors/io/npy.h"

#include <cstddef>
#include <cstring>
#include <limits>
#include <utility>

#include "vectors/io/atomic_file.h"

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vectors/io/npy.cpp stores raw little-endian data: a little-endian host is required"
#endif

namespace cosim::vec {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kArrayAlign = 64;
constexpr size_t kGrowthAxisMaxDigits = 21;  // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS
constexpr size_t kMaxDims = 64;

struct DTypeInfo {
  DType dt;
  size_t size;
  const char* descr;
  const char* name;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kI8, 1, "|i1", "int8"},      {DType::kI16, 2, "<i2", "int16"},
    {DType::kI32, 4, "<i4", "int32"},    {DType::kI64, 8, "<i8", "int64"},
    {DType::kU8, 1, "|u1", "uint8"},     {DType::kU16, 2, "<u2", "uint16"},
    {DType::kU32, 4, "<u4", "uint32"},   {DType::kU64, 8, "<u8", "uint64"},
    {DType::kF32, 4, "<f4", "float32"},  {DType::kF64, 8, "<f8", "float64"},
};

const DTypeInfo& Info(DType dt) {
  for (const DTypeInfo& i : kDTypes) {
    if (i.dt == dt) return i;
  }
  throw Error(ExitCode::kInternal,
              "npy: invalid DType value " + std::to_string(static_cast<int>(dt)));
}

std::string SupportedDescrs() {
  std::string s;
  for (const DTypeInfo& i : kDTypes) {
    if (!s.empty()) s += ", ";
    s += "'";
    s += i.descr;
    s += "'";
  }
  return s;
}

// Multiplies the dims with overflow checks; false on overflow.
bool ShapeProduct(const std::vector<int64_t>& shape, size_t itemsize, int64_t* count,
                  size_t* nbytes) {
  int64_t c = 1;
  for (int64_t d : shape) {
    if (d < 0) return false;
    if (__builtin_mul_overflow(c, d, &c)) return false;
  }
  uint64_t b = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(c), static_cast<uint64_t>(itemsize), &b)) {
    return false;
  }
  if (b > static_cast<uint64_t>(std::numeric_limits<size_t>::max())) return false;
  *count = c;
  *nbytes = static_cast<size_t>(b);
  return true;
}

std::string Quote(const std::string& s, size_t max_len = 40) {
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < max_len; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > max_len) out += "...";
  out += "'";
  return out;
}

// Parser for the small Python-literal subset numpy writes as the header:
//   {'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  void Parse(std::string* descr, bool* fortran, std::vector<int64_t>* shape) {
    SkipWs();
    if (!Peek('{')) Fail("header is not a dict (expected '{', found " + Here() + ")");
    ++i_;
    bool have_descr = false, have_fortran = false, have_shape = false;
    while (true) {
      SkipWs();
      if (Peek('}')) break;
      std::string key = ParseString("dict key");
      SkipWs();
      if (!Peek(':')) Fail("expected ':' after key '" + key + "' in header, found " + Here());
      ++i_;
      SkipWs();
      if (key == "descr") {
        if (have_descr) Fail("duplicate key 'descr' in header");
        have_descr = true;
        if (!Peek('\'') && !Peek('"')) {
          Fail("header 'descr' must be a string (structured dtypes are not supported), found " +
               Here());
        }
        *descr = ParseString("'descr' value");
      } else if (key == "fortran_order") {
        if (have_fortran) Fail("duplicate key 'fortran_order' in header");
        have_fortran = true;
        *fortran = ParseBool();
      } else if (key == "shape") {
        if (have_shape) Fail("duplicate key 'shape' in header");
        have_shape = true;
        *shape = ParseShape();
      } else {
        Fail("unexpected key '" + key +
             "' in header (only 'descr', 'fortran_order', 'shape' are allowed)");
      }
      SkipWs();
      if (Peek(',')) {
        ++i_;
        continue;
      }
      if (Peek('}')) break;
      Fail("expected ',' or '}' in header dict, found " + Here());
    }
    ++i_;  // '}'
    SkipWs();
    if (i_ != s_.size()) Fail("unexpected text after the header dict: " + Here());
    if (!have_descr) Fail("header is missing key 'descr'");
    if (!have_fortran) Fail("header is missing key 'fortran_order'");
    if (!have_shape) Fail("header is missing key 'shape'");
  }

 private:
  [[noreturn]] void Fail(const std::string& msg) const {
    throw Error(ExitCode::kBadInput, name_ + ": " + msg);
  }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  std::string Here() const {
    if (i_ >= s_.size()) return "end of header";
    return Quote(s_.substr(i_, 24), 20);
  }
  void SkipWs() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  std::string ParseString(const char* what) {
    if (!Peek('\'') && !Peek('"')) Fail(std::string("expected a quoted ") + what + ", found " + Here());
    char q = s_[i_++];
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\' || s_[i_] == '\n') {
        Fail(std::string("unsupported character in ") + what + " in header");
      }
      ++i_;
    }
    if (i_ >= s_.size()) Fail(std::string("unterminated string in header (") + what + ")");
    std::string out = s_.substr(start, i_ - start);
    ++i_;
    return out;
  }
  bool ParseBool() {
    if (s_.compare(i_, 4, "True") == 0) {
      i_ += 4;
      return true;
    }
    if (s_.compare(i_, 5, "False") == 0) {
      i_ += 5;
      return false;
    }
    Fail("header 'fortran_order' must be True or False, found " + Here());
  }
  int64_t ParseDim() {
    bool neg = false;
    size_t start = i_;
    if (Peek('-')) {
      neg = true;
      ++i_;
    }
    if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') {
      Fail("header 'shape' must be a tuple of integers, found " + Quote(s_.substr(start, 24), 20));
    }
    uint64_t v = 0;
    bool overflow = false;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      uint64_t d = static_cast<uint64_t>(s_[i_] - '0');
      if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - d) / 10) {
        overflow = true;
      } else {
        v = v * 10 + d;
      }
      ++i_;
    }
    std::string text = s_.substr(start, i_ - start);
    if (neg) Fail("negative dimension " + text + " in header 'shape'");
    if (overflow) Fail("dimension " + text + " in header 'shape' is too large");
    return static_cast<int64_t>(v);
  }
  std::vector<int64_t> ParseShape() {
    if (!Peek('(')) Fail("header 'shape' must be a tuple, found " + Here());
    ++i_;
    std::vector<int64_t> dims;
    bool trailing_comma = false;
    SkipWs();
    while (!Peek(')')) {
      if (i_ >= s_.size()) Fail("unterminated 'shape' tuple in header");
      dims.push_back(ParseDim());
      if (dims.size() > kMaxDims) {
        Fail("header 'shape' has more than " + std::to_string(kMaxDims) + " dimensions");
      }
      SkipWs();
      trailing_comma = false;
      if (Peek(',')) {
        ++i_;
        trailing_comma = true;
        SkipWs();
      } else if (!Peek(')')) {
        Fail("expected ',' or ')' in header 'shape', found " + Here());
      }
    }
    ++i_;  // ')'
    if (dims.size() == 1 && !trailing_comma) {
      Fail("header 'shape' must be a tuple, found a parenthesised integer (write '(n,)')");
    }
    return dims;
  }

  const std::string& s_;
  const std::string& name_;
  size_t i_ = 0;
};

DType DTypeFromDescr(const std::string& descr, const std::string& name) {
  for (const DTypeInfo& i : kDTypes) {
    if (descr == i.descr) return i.dt;
  }
  if (descr.size() == 3) {
    // One-byte types have no byte order: '<i1' / '>u1' / '=i1' mean the same as '|i1'.
    if ((descr[0] == '<' || descr[0] == '>' || descr[0] == '=') && descr[2] == '1') {
      if (descr[1] == 'i') return DType::kI8;
      if (descr[1] == 'u') return DType::kU8;
    }
    if (descr[0] == '>') {
      std::string le = "<" + descr.substr(1);
      for (const DTypeInfo& i : kDTypes) {
        if (le == i.descr) {
          throw Error(ExitCode::kBadInput, name + ": big-endian descr '" + descr +
                                               "' is not supported (write '" + le + "')");
        }
      }
    }
  }
  throw Error(ExitCode::kBadInput, name + ": unsupported descr " + Quote(descr) +
                                       " (supported: " + SupportedDescrs() + ")");
}

// What ExpectNpy looks at.
struct NpyMeta {
  DType dtype;
  const std::vector<int64_t>& shape;
};

struct NpyLayout {
  DType dtype = DType::kU8;
  std::vector<int64_t> shape;
  size_t offset = 0;  // where the data starts
  size_t nbytes = 0;  // count * itemsize
};

// Number of elements of an array of this shape (validated shapes: no overflow).
int64_t ElementCount(const std::vector<int64_t>& shape) {
  int64_t c = 1;
  for (int64_t d : shape) c *= d;
  return c;
}

void CheckDTypeAccess(const std::string& source, DType have, DType wanted) {
  if (wanted != have) {
    throw Error(ExitCode::kBadInput,
                (source.empty() ? std::string("npy array") : source) + ": array dtype is " +
                    DTypeName(have) + " but it was accessed as " + DTypeName(wanted));
  }
}

}  // namespace

size_t DTypeSize(DType dt) { return Info(dt).size; }
const char* DTypeDescr(DType dt) { return Info(dt).descr; }
const char* DTypeName(DType dt) { return Info(dt).name; }

DType DTypeFromName(const std::string& name) {
  std::string all;
  for (const DTypeInfo& i : kDTypes) {
    if (name == i.name) return i.dt;
    if (!all.empty()) all += ", ";
    all += i.name;
  }
  throw Error(ExitCode::kBadInput,
              "unknown dtype name " + Quote(name) + " (expected one of " + all + ")");
}

std::string ShapeToString(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] == -1 ? std::string("*") : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  s += ")";
  return s;
}

std::string EncodeNpyHeader(DType dt, const std::vector<int64_t>& shape, const void* data,
                            size_t nbytes) {
  const DTypeInfo& info = Info(dt);
  if (shape.empty()) {
    throw Error(ExitCode::kInternal, "EncodeNpy: 0-d arrays are not supported (ndim must be >= 1)");
  }
  if (shape.size() > kMaxDims) {
    throw Error(ExitCode::kInternal, "EncodeNpy: too many dimensions (" +
                                         std::to_string(shape.size()) + ")");
  }
  int64_t count = 0;
  size_t expect = 0;
  if (!ShapeProduct(shape, info.size, &count, &expect)) {
    throw Error(ExitCode::kInternal,
                "EncodeNpy: invalid shape " + ShapeToString(shape) + " (negative or overflowing)");
  }
  if (expect != nbytes) {
    throw Error(ExitCode::kInternal, "EncodeNpy: shape " + ShapeToString(shape) + " of " +
                                         info.name + " needs " + std::to_string(expect) +
                                         " bytes, got " + std::to_string(nbytes));
  }
  if (nbytes > 0 && data == nullptr) {
    throw Error(ExitCode::kInternal, "EncodeNpy: null data pointer");
  }

  // Exactly numpy.lib.format._write_array_header (numpy >= 1.23 adds growth-axis spaces).
  std::string dict = "{'descr': '";
  dict += info.descr;
  dict += "', 'fortran_order': False, 'shape': ";
  dict += ShapeToString(shape);
  dict += ", }";
  dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');

  const size_t hlen = dict.size() + 1;  // + '\n'
  size_t prefix = kMagicLen + 2 + 2;
  size_t padlen = kArrayAlign - ((prefix + hlen) % kArrayAlign);
  int major = 1;
  if (hlen + padlen > 0xffff) {
    major = 2;
    prefix = kMagicLen + 2 + 4;
    padlen = kArrayAlign - ((prefix + hlen) % kArrayAlign);
  }
  const size_t total_hlen = hlen + padlen;

  std::string out;
  out.reserve(prefix + total_hlen);
  out.append(kMagic, kMagicLen);
  out += static_cast<char>(major);
  out += static_cast<char>(0);
  const int len_bytes = major == 1 ? 2 : 4;
  for (int b = 0; b < len_bytes; ++b) {
    out += static_cast<char>((total_hlen >> (8 * b)) & 0xff);
  }
  out += dict;
  out.append(padlen, ' ');
  out += '\n';
  return out;
}

std::string EncodeNpy(DType dt, const std::vector<int64_t>& shape, const void* data,
                      size_t nbytes) {
  std::string out = EncodeNpyHeader(dt, shape, data, nbytes);
  out.reserve(out.size() + nbytes);
  if (nbytes > 0) out.append(static_cast<const char*>(data), nbytes);
  return out;
}

int64_t NpyArray::count() const { return ElementCount(shape); }

void NpyArray::CheckAccess(DType wanted) const { CheckDTypeAccess(source, dtype, wanted); }

namespace {

// Validates a whole .npy file held at [bytes, bytes + size) and says where its data lies.
NpyLayout ParseNpy(const char* bytes, size_t size, const std::string& name) {
  // Magic.
  const size_t magic_avail = size < kMagicLen ? size : kMagicLen;
  if (std::memcmp(bytes, kMagic, magic_avail) != 0) {
    throw Error(ExitCode::kBadInput, name + ": bad magic (not a .npy file; starts with " +
                                         Quote(std::string(bytes, size < 8 ? size : 8)) + ")");
  }
  if (size < kMagicLen + 2) {
    throw Error(ExitCode::kIo, name + ": truncated: file is " + std::to_string(size) +
                                   " bytes, shorter than the .npy preamble");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  size_t len_bytes = 0;
  if (major == 1 && minor == 0) {
    len_bytes = 2;
  } else if (major == 2 && minor == 0) {
    len_bytes = 4;
  } else {
    throw Error(ExitCode::kUnsupported, name + ": unsupported .npy format version " +
                                            std::to_string(major) + "." + std::to_string(minor) +
                                            " (only 1.0 and 2.0 are read)");
  }
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) {
    throw Error(ExitCode::kIo, name + ": truncated: file is " + std::to_string(size) +
                                   " bytes, shorter than the .npy preamble");
  }
  uint64_t hlen = 0;
  for (size_t b = 0; b < len_bytes; ++b) {
    hlen |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[8 + b])) << (8 * b);
  }
  if (hlen > size - prefix) {
    throw Error(ExitCode::kIo, name + ": truncated: header length is " + std::to_string(hlen) +
                                   " bytes but only " + std::to_string(size - prefix) +
                                   " bytes follow the preamble");
  }
  const std::string header(bytes + prefix, static_cast<size_t>(hlen));

  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  HeaderParser(header, name).Parse(&descr, &fortran, &shape);

  NpyLayout a;
  a.dtype = DTypeFromDescr(descr, name);
  if (fortran) {
    throw Error(ExitCode::kBadInput,
                name + ": fortran_order True is not supported (write C-order arrays)");
  }
  if (shape.empty()) {
    throw Error(ExitCode::kBadInput, name + ": 0-d arrays (shape ()) are not supported");
  }
  int64_t count = 0;
  size_t expect = 0;
  if (!ShapeProduct(shape, DTypeSize(a.dtype), &count, &expect)) {
    throw Error(ExitCode::kBadInput, name + ": header shape " + ShapeToString(shape) +
                                         " is too large (element count overflows)");
  }
  const size_t data_size = size - prefix - static_cast<size_t>(hlen);
  if (data_size < expect) {
    throw Error(ExitCode::kIo, name + ": truncated: expected " + std::to_string(expect) +
                                   " data bytes, found " + std::to_string(data_size) +
                                   " (header shape " + ShapeToString(shape) + " of " +
                                   DTypeName(a.dtype) + ")");
  }
  if (data_size > expect) {
    throw Error(ExitCode::kBadInput, name + ": header shape " + ShapeToString(shape) +
                                         " does not match data size " +
                                         std::to_string(data_size) + " bytes (expected " +
                                         std::to_string(expect) + " bytes of " +
                                         DTypeName(a.dtype) + ")");
  }
  a.shape = std::move(shape);
  a.offset = prefix + static_cast<size_t>(hlen);
  a.nbytes = expect;
  return a;
}

}  // namespace

NpyArray DecodeNpy(const std::string& bytes, const std::string& name) {
  NpyLayout l = ParseNpy(bytes.data(), bytes.size(), name);
  NpyArray a;
  a.source = name;
  a.dtype = l.dtype;
  a.shape = std::move(l.shape);
  const uint8_t* data = reinterpret_cast<const uint8_t*>(bytes.data()) + l.offset;
  a.bytes.assign(data, data + l.nbytes);
  return a;
}

NpyFile OpenNpy(const std::string& path, size_t map_min_bytes) {
  NpyFile f;
  f.file_ = FileBytes::Open(path, map_min_bytes);
  NpyLayout l = ParseNpy(f.file_.data(), f.file_.size(), path);
  f.source = path;
  f.dtype = l.dtype;
  f.shape = std::move(l.shape);
  f.data_ = reinterpret_cast<const uint8_t*>(f.file_.data()) + l.offset;
  f.nbytes_ = l.nbytes;
  if (reinterpret_cast<uintptr_t>(f.data_) % alignof(std::max_align_t) != 0 && f.nbytes_ > 0) {
    // Data not aligned for typed access (a header length that is not a multiple of 16; numpy
    // pads to 64, and small files read into a string): this file is copied once.
    f.aligned_copy_.assign(f.data_, f.data_ + f.nbytes_);
    f.data_ = f.aligned_copy_.data();
  }
  return f;
}

int64_t NpyFile::count() const { return ElementCount(shape); }

void NpyFile::CheckAccess(DType wanted) const { CheckDTypeAccess(source, dtype, wanted); }

NpyArray ReadNpy(const std::string& path) {
  NpyFile f = OpenNpy(path);
  NpyArray a;
  a.source = std::move(f.source);
  a.dtype = f.dtype;
  a.shape = std::move(f.shape);
  a.bytes.assign(f.data(), f.data() + f.nbytes());
  return a;
}

void WriteNpy(const std::string& path, DType dt, const std::vector<int64_t>& shape,
              const void* data, size_t nbytes) {
  // EncodeNpy's bytes, written as header then data without first joining them in memory.
  const std::string header = EncodeNpyHeader(dt, shape, data, nbytes);
  WriteFileAtomic(path, {ByteSpan{header.data(), header.size()}, ByteSpan{data, nbytes}});
}

namespace {

void ExpectDTypeShape(const NpyMeta& a, DType dt, const std::vector<int64_t>& shape, const std::string& what) {
  bool ok = a.dtype == dt && a.shape.size() == shape.size();
  for (size_t i = 0; ok && i < shape.size(); ++i) {
    if (shape[i] != -1 && shape[i] != a.shape[i]) ok = false;
  }
  if (!ok) {
    throw Error(ExitCode::kBadInput, what + ": expected " + DTypeName(dt) + " array of shape " +
                                         ShapeToString(shape) + ", got " +
                                         DTypeName(a.dtype) + " array of shape " +
                                         ShapeToString(a.shape));
  }
}

}  // namespace

void ExpectNpy(const NpyArray& a, DType dt, const std::vector<int64_t>& shape, const std::string& what) {
  ExpectDTypeShape(NpyMeta{a.dtype, a.shape}, dt, shape, what);
}

void ExpectNpy(const NpyFile& a, DType dt, const std::vector<int64_t>& shape, const std::string& what) {
  ExpectDTypeShape(NpyMeta{a.dtype, a.shape}, dt, shape, what);
}

}  // namespace cosim::vec
