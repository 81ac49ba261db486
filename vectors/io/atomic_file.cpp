// atomic_file.cpp: see atomic_file.h for the contract.
#include "vectors/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cosim::vec {

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

[[noreturn]] void ThrowIo(const std::string& path, const std::string& what, int err) {
  throw Error(ExitCode::kIo, path + ": " + what + ": " + ErrnoText(err));
}

std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes all of [data, data+len) to fd; returns 0 or an errno value.
int WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

void WriteFileAtomic(const std::string& path, const std::string& bytes) {
  WriteFileAtomic(path, {ByteSpan{bytes.data(), bytes.size()}});
}

void WriteFileAtomic(const std::string& path, std::initializer_list<ByteSpan> parts) {
  if (path.empty()) throw Error(ExitCode::kIo, "WriteFileAtomic: empty path");
  const std::string tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) ThrowIo(path, "cannot create temporary file " + tmp, errno);

  auto fail = [&](const std::string& what, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    ThrowIo(path, what, err);
  };

  for (const ByteSpan& part : parts) {
    if (part.size == 0) continue;
    if (int err = WriteAll(fd, static_cast<const char*>(part.data), part.size)) fail("write failed", err);
  }
  if (::fsync(fd) != 0) fail("fsync failed", errno);
  const int rc = ::close(fd);
  fd = -1;
  if (rc != 0) fail("close failed", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename from " + tmp + " failed", errno);

  // Make the rename durable. The new file is already in place; report but do not undo.
  const std::string dir = DirName(path);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) ThrowIo(path, "cannot open directory " + dir + " to fsync it", errno);
  if (::fsync(dfd) != 0) {
    const int err = errno;
    ::close(dfd);
    // Some file systems do not support fsync on directories; that is not a failure.
    if (err != EINVAL && err != ENOTSUP) ThrowIo(path, "fsync of directory " + dir + " failed", err);
    return;
  }
  ::close(dfd);
}

std::string ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) throw Error(ExitCode::kIo, path + ": file not found");
    ThrowIo(path, "cannot open for reading", err);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    ThrowIo(path, "cannot stat", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(ExitCode::kIo, path + ": is a directory, not a file");
  }
  std::string out;
  if (S_ISREG(st.st_mode) && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ThrowIo(path, "read error", err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

void MakeDirs(const std::string& path) {
  if (path.empty()) throw Error(ExitCode::kIo, "MakeDirs: empty path");
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string part = path.substr(0, pos);
    if (part.empty() || part == "/") continue;
    if (part.back() == '/') continue;  // "a//b"
    if (::mkdir(part.c_str(), 0777) == 0) continue;
    const int err = errno;
    if (DirExists(part)) continue;  // already there (EEXIST, or EACCES/EROFS on a parent)
    if (err == EEXIST) {
      throw Error(ExitCode::kIo, path + ": cannot create directory: " + part +
                                     " exists and is not a directory");
    }
    throw Error(ExitCode::kIo,
                path + ": cannot create directory " + part + ": " + ErrnoText(err));
  }
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool DirExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace cosim::vec
