// mapped_file.h: a whole file's bytes for reading, memory-mapped when that saves a copy.
//
// Contract:
//  - FileBytes::Open gives read-only access to every byte of `path`. A regular file of at least
//    `map_min_bytes` is memory-mapped (private, read-only; the kernel pages it in on first
//    touch and the bytes are never copied into the process); anything else (small files, pipes,
//    /proc files) or a file whose mapping fails is read into memory with ReadFile. Errors are
//    ReadFile's, word for word: kIo "file not found", "is a directory, not a file", "cannot open
//    for reading: <strerror>", "read error: <strerror>".
//  - A mapping stays valid while the FileBytes lives (move-only). The project replaces files by
//    rename (WriteFileAtomic), never in place; a file truncated by someone else while it is
//    mapped makes reading the lost pages fail with SIGBUS, as with any mapping.
#pragma once

#include <cstddef>
#include <string>

namespace cosim::vec {

constexpr size_t kMapMinBytes = size_t{1} << 20;  // smaller files are simply read

class FileBytes {
 public:
  static FileBytes Open(const std::string& path, size_t map_min_bytes = kMapMinBytes);

  FileBytes() = default;
  FileBytes(FileBytes&& o) noexcept;
  FileBytes& operator=(FileBytes&& o) noexcept;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  const char* data() const { return map_ ? static_cast<const char*>(map_) : read_.data(); }
  size_t size() const { return map_ ? map_size_ : read_.size(); }
  bool mapped() const { return map_ != nullptr; }

 private:
  void Release();
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string read_;
};

}  // namespace cosim::vec
