// mapped_file.cpp: see mapped_file.h for the contract.
#include "vectors/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

#include "vectors/io/atomic_file.h"

namespace cosim::vec {

FileBytes FileBytes::Open(const std::string& path, size_t map_min_bytes) {
  FileBytes f;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        static_cast<uint64_t>(st.st_size) >= map_min_bytes) {
      const size_t size = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        ::madvise(p, size, MADV_SEQUENTIAL);  // a hint only; its failure changes nothing
        f.map_ = p;
        f.map_size_ = size;
      }
    }
    ::close(fd);
  }
  // Not mapped (small, not a regular file, cannot be opened or mapped): ReadFile reads it or
  // reports the problem with its own messages.
  if (!f.map_) f.read_ = ReadFile(path);
  return f;
}

FileBytes::FileBytes(FileBytes&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)), map_size_(std::exchange(o.map_size_, 0)), read_(std::move(o.read_)) {}

FileBytes& FileBytes::operator=(FileBytes&& o) noexcept {
  if (this != &o) {
    Release();
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
    read_ = std::move(o.read_);
  }
  return *this;
}

FileBytes::~FileBytes() { Release(); }

void FileBytes::Release() {
  if (map_) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

}  // namespace cosim::vec
