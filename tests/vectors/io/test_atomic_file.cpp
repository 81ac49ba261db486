// Tests for vectors/io/atomic_file.h.
#include "vectors/io/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/vectors/io/test_util.h"

namespace cosim::vec {
namespace {

using testing::ExpectError;
using testing::TempDir;

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, WritesAndReplacesWhole) {
  TempDir dir;
  const std::string path = dir.File("out.bin");
  EXPECT_FALSE(FileExists(path));
  WriteFileAtomic(path, std::string(10000, 'a'));
  EXPECT_TRUE(FileExists(path));
  EXPECT_EQ(ReadFile(path), std::string(10000, 'a'));
  // A shorter replacement leaves nothing of the old content.
  WriteFileAtomic(path, std::string("bc\0d", 4));
  EXPECT_EQ(ReadFile(path), std::string("bc\0d", 4));
  WriteFileAtomic(path, "");
  EXPECT_EQ(ReadFile(path), "");
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"out.bin"});  // no temp file left
}

TEST(AtomicFile, MissingDirectoryThrowsIo) {
  TempDir dir;
  const std::string path = dir.File("no/such/dir/out.bin");
  ExpectError([&] { WriteFileAtomic(path, "x"); }, ExitCode::kIo,
              {path, "No such file or directory"});
  EXPECT_TRUE(Listing(dir.path()).empty());
}

TEST(AtomicFile, RenameFailureRemovesTempFile) {
  TempDir dir;
  const std::string target = dir.File("adir");
  MakeDirs(target + "/inside");  // a non-empty directory cannot be replaced by a file
  ExpectError([&] { WriteFileAtomic(target, "x"); }, ExitCode::kIo, {target, "rename"});
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"adir"});
}

TEST(AtomicFile, UnwritableDirectoryThrowsIo) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: permissions are not enforced";
  TempDir dir;
  MakeDirs(dir.File("ro"));
  ASSERT_EQ(::chmod(dir.File("ro").c_str(), 0555), 0);
  ExpectError([&] { WriteFileAtomic(dir.File("ro/x"), "x"); }, ExitCode::kIo,
              {"ro/x", "Permission denied"});
  ::chmod(dir.File("ro").c_str(), 0755);
}

TEST(AtomicFile, ReadFileErrors) {
  TempDir dir;
  ExpectError([&] { ReadFile(dir.File("missing.json")); }, ExitCode::kIo,
              {"missing.json", "not found"});
  ExpectError([&] { ReadFile(dir.path()); }, ExitCode::kIo, {dir.path(), "directory"});
}

TEST(AtomicFile, ReadFileBinaryAndLarge) {
  TempDir dir;
  std::string data(5 * 65536 + 17, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
  WriteFileAtomic(dir.File("big"), data);
  EXPECT_EQ(ReadFile(dir.File("big")), data);
}

TEST(AtomicFile, MakeDirsAndExists) {
  TempDir dir;
  const std::string deep = dir.File("a/b//c/d/");
  MakeDirs(deep);
  EXPECT_TRUE(DirExists(dir.File("a/b/c/d")));
  EXPECT_FALSE(FileExists(dir.File("a/b/c/d")));
  MakeDirs(deep);  // idempotent
  MakeDirs(dir.File("a/b"));
  WriteFileAtomic(dir.File("a/file"), "x");
  EXPECT_TRUE(FileExists(dir.File("a/file")));
  EXPECT_FALSE(DirExists(dir.File("a/file")));
  ExpectError([&] { MakeDirs(dir.File("a/file/sub")); }, ExitCode::kIo,
              {"a/file", "not a directory"});
  ExpectError([] { MakeDirs(""); }, ExitCode::kIo, {"empty"});
  // Relative paths work too (relative to the current directory).
  const std::string cwd = std::filesystem::current_path().string();
  std::filesystem::current_path(dir.path());
  MakeDirs("rel/x");
  WriteFileAtomic("rel/x/f.txt", "hi");
  WriteFileAtomic("top.txt", "top");
  std::filesystem::current_path(cwd);
  EXPECT_EQ(ReadFile(dir.File("rel/x/f.txt")), "hi");
  EXPECT_EQ(ReadFile(dir.File("top.txt")), "top");
}

}  // namespace
}  // namespace cosim::vec
