// hex.cpp: see hex.h for the layout and contract.
#include "vectors/io/hex.h"

#include <cstring>
#include <limits>

#include "vectors/io/atomic_file.h"

namespace cosim::vec {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void CheckBits(int bits, const char* where) {
  if (bits < 1 || bits > 64) {
    throw Error(ExitCode::kBadInput,
                std::string(where) + ": bits must be in 1..64, got " + std::to_string(bits));
  }
}

uint64_t MaskFor(int bits) {
  return bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
}

// Writes the comment lines of EncodeHex.
void AppendComment(const std::string& comment, std::string* out) {
  if (comment.empty()) return;
  size_t start = 0;
  while (start < comment.size()) {
    size_t end = comment.find('\n', start);
    if (end == std::string::npos) end = comment.size();
    if (end > start) {
      *out += "// ";
      out->append(comment, start, end - start);
    } else {
      *out += "//";
    }
    *out += '\n';
    start = end + 1;
  }
}

template <class T>
std::string EncodeHexT(const T* values, size_t n, int bits, const std::string& comment) {
  CheckBits(bits, "EncodeHex");
  if (comment.find('\r') != std::string::npos) {
    throw Error(ExitCode::kBadInput, "EncodeHex: comment contains a carriage return");
  }
  if (n > 0 && values == nullptr) {
    throw Error(ExitCode::kInternal, "EncodeHex: null values pointer");
  }
  const int digits = HexDigits(bits);
  const uint64_t mask = MaskFor(bits);
  // Accepted range: [-2^(bits-1), 2^bits - 1] (bits == 64: all of int64_t).
  const int64_t lo = bits == 64 ? std::numeric_limits<int64_t>::min()
                                : -static_cast<int64_t>(uint64_t{1} << (bits - 1));
  const int64_t hi = bits >= 63 ? std::numeric_limits<int64_t>::max()
                                : static_cast<int64_t>(mask);

  std::string out;
  AppendComment(comment, &out);
  const size_t head = out.size();
  const size_t line = static_cast<size_t>(digits) + 1;
  out.resize(head + n * line);
  char* p = &out[0] + head;
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = static_cast<int64_t>(values[i]);
    if (v < lo || v > hi) {
      throw Error(ExitCode::kBadInput, "EncodeHex: value " + std::to_string(v) + " at index " +
                                           std::to_string(i) + " does not fit in " +
                                           std::to_string(bits) + " bits");
    }
    uint64_t u = static_cast<uint64_t>(v) & mask;
    for (int d = digits - 1; d >= 0; --d) {
      p[d] = kHexDigits[u & 15];
      u >>= 4;
    }
    p[digits] = '\n';
    p += line;
  }
  return out;
}

// 0..15 for a lowercase hex digit, 16 for an uppercase one, 255 otherwise.
struct HexTable {
  unsigned char v[256];
  HexTable() {
    for (int i = 0; i < 256; ++i) v[i] = 255;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<unsigned char>(i);
    for (int i = 0; i < 6; ++i) {
      v['a' + i] = static_cast<unsigned char>(10 + i);
      v['A' + i] = 16;
    }
  }
};
const HexTable kHexTable;

std::string Show(const char* b, size_t len) {
  std::string s = "'";
  const size_t max_len = 24;
  for (size_t i = 0; i < len && i < max_len; ++i) {
    unsigned char c = static_cast<unsigned char>(b[i]);
    if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      s += "\\x";
      s += kHexDigits[c >> 4];
      s += kHexDigits[c & 15];
    }
  }
  if (len > max_len) s += "...";
  s += "'";
  return s;
}

std::string ShowChar(char ch) { return Show(&ch, 1); }

}  // namespace

int HexDigits(int bits) { return (bits + 3) / 4; }

std::string EncodeHex(const int64_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}
std::string EncodeHex(const int32_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}
std::string EncodeHex(const int16_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}
std::string EncodeHex(const int8_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}
std::string EncodeHex(const uint32_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}
std::string EncodeHex(const uint16_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}
std::string EncodeHex(const uint8_t* v, size_t n, int bits, const std::string& c) {
  return EncodeHexT(v, n, bits, c);
}

std::vector<int64_t> DecodeHex(const std::string& text, int bits, bool is_signed,
                               const std::string& name) {
  CheckBits(bits, name.c_str());
  const size_t digits = static_cast<size_t>(HexDigits(bits));
  const uint64_t mask = MaskFor(bits);
  const uint64_t sign_bit = uint64_t{1} << (bits - 1);

  std::vector<int64_t> out;
  // Every word line is digits + 1 bytes: a good upper bound for the reservation.
  out.reserve(text.size() / (digits + 1));

  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  size_t line_no = 0;
  bool in_data = false;
  auto fail = [&](const std::string& msg) -> void {
    throw Error(ExitCode::kBadInput, name + ":" + std::to_string(line_no) + ": " + msg);
  };

  while (p < end) {
    ++line_no;
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (nl == nullptr) {
      throw Error(ExitCode::kIo, name + ":" + std::to_string(line_no) +
                                     ": missing '\\n' at end of file (truncated?)");
    }
    const size_t len = static_cast<size_t>(nl - p);

    // Fast path: a well-formed word line.
    if (len == digits) {
      uint64_t u = 0;
      bool ok = true;
      for (size_t i = 0; i < digits; ++i) {
        const unsigned char d = kHexTable.v[static_cast<unsigned char>(p[i])];
        if (d > 15) {
          ok = false;
          break;
        }
        u = (u << 4) | d;
      }
      if (ok) {
        if (u & ~mask) {
          fail("value 0x" + std::string(p, len) + " out of range for " + std::to_string(bits) +
               " bits");
        }
        int64_t v;
        if (is_signed && (u & sign_bit)) {
          v = static_cast<int64_t>(u | ~mask);
        } else {
          if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            fail("value 0x" + std::string(p, len) + " does not fit in int64 (unsigned 64-bit)");
          }
          v = static_cast<int64_t>(u);
        }
        out.push_back(v);
        in_data = true;
        p = nl + 1;
        continue;
      }
    }

    // Slow path: classify the problem for a clear message.
    if (len >= 2 && p[0] == '/' && p[1] == '/') {
      if (in_data) fail("comment after data (comments are allowed only before the first word)");
      if (std::memchr(p, '\r', len) != nullptr) {
        fail("carriage return in line (the file must use '\\n' line endings)");
      }
      p = nl + 1;
      continue;
    }
    if (len == 0) fail("empty line");
    if (p[0] == '@') fail("address marker " + Show(p, len) + " is not supported");
    for (size_t i = 0; i < len; ++i) {
      const char c = p[i];
      if (c == '\r') fail("carriage return in line (the file must use '\\n' line endings)");
      if (c == '@') fail("address marker " + Show(p, len) + " is not supported");
      if (c == ' ' || c == '\t') fail("whitespace in line " + Show(p, len));
      const unsigned char d = kHexTable.v[static_cast<unsigned char>(c)];
      if (d == 16) fail("uppercase hex digit " + ShowChar(c) + " in " + Show(p, len) +
                        " (the format is lowercase)");
      if (d > 15) fail("non-hex character " + ShowChar(c) + " in " + Show(p, len));
    }
    fail("expected " + std::to_string(digits) + " hex digits for " + std::to_string(bits) +
         " bits, found " + std::to_string(len) + " in " + Show(p, len));
  }
  return out;
}

std::vector<int64_t> ReadHex(const std::string& path, int bits, bool is_signed) {
  return DecodeHex(ReadFile(path), bits, is_signed, path);
}

void ExpectCount(const std::vector<int64_t>& values, size_t n, const std::string& what) {
  if (values.size() != n) {
    throw Error(ExitCode::kBadInput, what + ": expected " + std::to_string(n) +
                                         " values, found " + std::to_string(values.size()));
  }
}

}  // namespace cosim::vec
