// atomic_file.h: whole-file reads and crash-safe whole-file writes (POSIX).
//
// Contract:
//  - WriteFileAtomic writes `bytes` to "<path>.tmp.<pid>" in the same directory, fsyncs it,
//    renames it over `path` and fsyncs the directory, so readers see either the old file or
//    the complete new one. On any failure the temp file is removed and cosim::Error(kIo) is
//    thrown naming the path and strerror. The parent directory must exist (see MakeDirs).
//    New files get mode 0666 & ~umask. The ByteSpan form writes the parts one after the other
//    (the file is their concatenation) without joining them in memory first.
//  - ReadFile returns the whole file; kIo with a clear message if it is missing, a directory
//    or unreadable.
//  - MakeDirs is "mkdir -p"; kIo if a component exists but is not a directory or mkdir fails.
//  - FileExists: true if `path` names a regular file (symlinks followed); DirExists likewise
//    for a directory. Neither throws.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>

#include "sim/core/error.h"

namespace cosim::vec {

struct ByteSpan {
  const void* data;
  size_t size;
};

void WriteFileAtomic(const std::string& path, const std::string& bytes);
void WriteFileAtomic(const std::string& path, std::initializer_list<ByteSpan> parts);
std::string ReadFile(const std::string& path);
void MakeDirs(const std::string& path);
bool FileExists(const std::string& path);
bool DirExists(const std::string& path);

}  // namespace cosim::vec
