#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/io.h"
#include "crypto/keys.h"
#include "tests/support/process.h"

namespace sealdrop {
namespace {

using testing::ListDir;
using testing::ReadFileOrDie;
using testing::TempDir;
using testing::WriteFileOrDie;

TEST(AtomicFile, AnUncommittedFileLeavesNothing) {
  TempDir dir;
  {
    auto f = AtomicFile::Create(dir / "out", 0600, false);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Write(AsBytes("partial plaintext")).ok());
    EXPECT_FALSE(PathExists(dir / "out"));  // nothing has the name before Commit()
  }
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(AtomicFile, CommitPublishesTheWholeFileWithItsMode) {
  TempDir dir;
  auto f = AtomicFile::Create(dir / "out", 0600, false);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->Write(AsBytes("hello ")).ok());
  ASSERT_TRUE(f->Write(AsBytes("world")).ok());
  ASSERT_TRUE(f->Commit().ok());
  EXPECT_EQ(ReadFileOrDie(dir / "out"), "hello world");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"out"});
}

TEST(AtomicFile, NeverReplacesAFileThatAppearedMeanwhile) {
  TempDir dir;
  auto f = AtomicFile::Create(dir / "out", 0644, false);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->Write(AsBytes("new")).ok());
  WriteFileOrDie(dir / "out", "precious");
  const Status st = f->Commit();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(ReadFileOrDie(dir / "out"), "precious");
  EXPECT_FALSE(AtomicFile::Create(dir / "out", 0644, false).ok());
}

TEST(AtomicFile, ReplacesWhenAskedTo) {
  TempDir dir;
  WriteFileOrDie(dir / "out", "old");
  auto f = AtomicFile::Create(dir / "out", 0644, true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->Write(AsBytes("new")).ok());
  ASSERT_TRUE(f->Commit().ok());
  EXPECT_EQ(ReadFileOrDie(dir / "out"), "new");
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"out"});
}

TEST(AtomicFile, ReportsAMissingDirectory) {
  TempDir dir;
  auto f = AtomicFile::Create(dir / "no/such/dir/out", 0644, false);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kIo);
}

TEST(ReadSmallFile, RefusesFilesOverTheLimit) {
  TempDir dir;
  WriteFileOrDie(dir / "f", std::string(100, 'x'));
  EXPECT_TRUE(ReadSmallFile(dir / "f", 100).ok());
  auto big = ReadSmallFile(dir / "f", 99);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kLimitExceeded);
  EXPECT_FALSE(ReadSmallFile(dir.path(), 100).ok());  // a directory
}

}  // namespace
}  // namespace sealdrop
