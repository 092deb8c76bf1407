// MappedFileReader over a real (ptrace) stub address space and real files.
#include "fs/mapped_file_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/errno_status.h"
#include "gtest/gtest.h"
#include "platform/platform.h"
#include "sentry/mm/test_memory.h"

namespace runsc::fs {
namespace {

constexpr uint64_t kApp = 0x100000000;  // Where the application's buffer is.
constexpr size_t kPage = 4096;

class MappedFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<sentry::TestMemory> memory = sentry::NewTestMemory();
    ASSERT_TRUE(memory.ok()) << memory.status();
    platform_ = std::move(memory->platform);
    mm_ = std::move(memory->mm);
    char tmpl[] = "/var/tmp/mapped_file_reader_test.XXXXXX";
    fd_ = mkstemp(tmpl);
    ASSERT_GE(fd_, 0);
    unlink(tmpl);
  }
  void TearDown() override {
    mm_.reset();
    if (fd_ >= 0) close(fd_);
  }

  // `size` bytes of a pattern that tells every offset's byte apart.
  void WriteFile(size_t size, int64_t at = 0) {
    std::vector<uint8_t> data(size);
    for (size_t i = 0; i < size; ++i) data[i] = Expected(at + i);
    ASSERT_EQ(pwrite(fd_, data.data(), size, at), static_cast<ssize_t>(size));
  }
  static uint8_t Expected(int64_t offset) { return static_cast<uint8_t>(offset * 7 + offset / 4096); }

  void MapApp(size_t length) {
    ASSERT_TRUE(mm_->Map(kApp, length, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, "")
                    .ok());
  }

  // The application's bytes [kApp, kApp + n) are the file's from `offset`.
  void ExpectDelivered(size_t n, int64_t offset) {
    std::vector<uint8_t> got(n);
    ASSERT_TRUE(mm_->CopyIn(kApp, absl::MakeSpan(got)).ok());
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(got[i], Expected(offset + i)) << "byte " << i;
    }
  }

  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<sentry::MemoryManager> mm_;
  int fd_ = -1;
};

TEST_F(MappedFileReaderTest, ReadsTheFileIntoApplicationMemory) {
  WriteFile(1 << 20);
  MapApp(1 << 20);
  MappedFileReader reader(fd_);
  std::optional<absl::StatusOr<size_t>> n = reader.PRead(*mm_, kApp, 1 << 20, 0);
  ASSERT_TRUE(n.has_value());
  ASSERT_TRUE(n->ok()) << n->status();
  EXPECT_EQ(**n, 1u << 20);
  ExpectDelivered(1 << 20, 0);

  n = reader.PRead(*mm_, kApp, 100000, 12345);
  ASSERT_TRUE(n.has_value() && n->ok());
  EXPECT_EQ(**n, 100000u);
  ExpectDelivered(100000, 12345);
}

TEST_F(MappedFileReaderTest, StopsAtTheEndOfTheFile) {
  WriteFile(40000);
  MapApp(1 << 20);
  MappedFileReader reader(fd_);
  std::optional<absl::StatusOr<size_t>> n = reader.PRead(*mm_, kApp, 1 << 20, 30000);
  ASSERT_TRUE(n.has_value() && n->ok());
  EXPECT_EQ(**n, 10000u);
  ExpectDelivered(10000, 30000);
  for (int64_t at : {40000, 50000, 1 << 30}) {
    n = reader.PRead(*mm_, kApp, 1 << 20, at);
    ASSERT_TRUE(n.has_value() && n->ok());
    EXPECT_EQ(**n, 0u) << "at " << at;
  }
}

TEST_F(MappedFileReaderTest, ABufferThatEndsPartWayGetsWhatFitsAndNothingIsEFAULT) {
  WriteFile(64 << 10);
  MapApp(kPage);  // One page, then nothing.
  MappedFileReader reader(fd_);
  std::optional<absl::StatusOr<size_t>> n = reader.PRead(*mm_, kApp, 64 << 10, 0);
  ASSERT_TRUE(n.has_value() && n->ok()) << (n.has_value() ? n->status().ToString() : "nullopt");
  EXPECT_EQ(**n, kPage);
  ExpectDelivered(kPage, 0);

  n = reader.PRead(*mm_, kApp + kPage, 64 << 10, 0);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(ErrnoOf(n->status()), EFAULT);
}

TEST_F(MappedFileReaderTest, AFileTruncatedUnderItsWindowReadsToTheNewEnd) {
  WriteFile(256 << 10);
  MapApp(256 << 10);
  MappedFileReader reader(fd_);
  ASSERT_EQ(**reader.PRead(*mm_, kApp, 256 << 10, 0), 256u << 10);  // The window is mapped.
  ASSERT_EQ(ftruncate(fd_, 5000), 0);
  // No SIGBUS in this process: the pages past the end fail the kernel's copy.
  std::optional<absl::StatusOr<size_t>> n = reader.PRead(*mm_, kApp, 256 << 10, 0);
  ASSERT_TRUE(n.has_value() && n->ok());
  EXPECT_EQ(**n, 5000u);
  ExpectDelivered(5000, 0);
  n = reader.PRead(*mm_, kApp, 256 << 10, 8192);
  ASSERT_TRUE(n.has_value() && n->ok());
  EXPECT_EQ(**n, 0u);
}

TEST_F(MappedFileReaderTest, AReadAcrossTwoWindowsIsWhole) {
  const int64_t boundary = static_cast<int64_t>(MappedFileReader::kWindowSize);
  WriteFile(64 << 10, boundary - (32 << 10));  // Sparse before.
  MapApp(64 << 10);
  MappedFileReader reader(fd_);
  std::optional<absl::StatusOr<size_t>> n =
      reader.PRead(*mm_, kApp, 64 << 10, boundary - (32 << 10));
  ASSERT_TRUE(n.has_value() && n->ok());
  EXPECT_EQ(**n, 64u << 10);
  ExpectDelivered(64 << 10, boundary - (32 << 10));
}

TEST_F(MappedFileReaderTest, WhatCannotBeMappedIsLeftToTheCaller) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  MapApp(kPage);
  MappedFileReader reader(pipe_fds[0]);
  EXPECT_FALSE(reader.PRead(*mm_, kApp, 64 << 10, 0).has_value());
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_F(MappedFileReaderTest, AWindowIsUnmappedWithItsReader) {
  WriteFile(64 << 10);
  MapApp(64 << 10);
  const int before = MappedFileReader::LiveWindows();
  {
    MappedFileReader reader(fd_);
    ASSERT_EQ(**reader.PRead(*mm_, kApp, 64 << 10, 0), 64u << 10);
    EXPECT_EQ(MappedFileReader::LiveWindows(), before + 1);
  }
  EXPECT_EQ(MappedFileReader::LiveWindows(), before);
}

}  // namespace
}  // namespace runsc::fs
