// Synthetic files (the building blocks of /proc, /sys and /dev): contents
// made at open and read at any offset, writers, the permission to open for
// writing, and which filesystem a key is on.
#include "fs/synthetic.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/sysmacros.h>

#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

class SyntheticTest : public ::testing::Test {
 protected:
  SyntheticTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1, nullptr) {}

  std::string ReadAt(File& f, int64_t offset, size_t len) {
    std::string out(len, '\0');
    absl::StatusOr<size_t> n =
        f.PRead(task_, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), len), offset);
    EXPECT_TRUE(n.ok()) << n.status();
    out.resize(n.ok() ? *n : 0);
    return out;
  }
  absl::Status Write(File& f, absl::string_view text) {
    absl::StatusOr<size_t> n = f.Write(
        task_, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    if (!n.ok()) return n.status();
    EXPECT_EQ(*n, text.size());
    return absl::OkStatus();
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
};

TEST_F(SyntheticTest, ContentsAreASnapshotTakenAtOpen) {
  int opens = 0;
  SyntheticFileNode node("/proc/x", [&](sentry::Task&) -> absl::StatusOr<std::string> {
    return "generation " + std::to_string(++opens) + "\n";
  });
  absl::StatusOr<std::shared_ptr<File>> f = node.Open(task_, O_RDONLY);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(ReadAt(**f, 0, 100), "generation 1\n");
  EXPECT_EQ(ReadAt(**f, 11, 100), "1\n");
  EXPECT_EQ(ReadAt(**f, 13, 100), "");
  EXPECT_EQ(ReadAt(**f, 1000, 100), "");
  absl::StatusOr<int64_t> end = (*f)->Seek(0, SEEK_END);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 13);
  EXPECT_FALSE((*f)->Seek(-1, SEEK_SET).ok());
  absl::StatusOr<std::shared_ptr<File>> again = node.Open(task_, O_RDONLY);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ReadAt(**again, 0, 100), "generation 2\n");
}

TEST_F(SyntheticTest, WithoutAWriterWritesAreEINVALAndOpeningNeedsDacOverride) {
  SyntheticFileNode node("/proc/ro", [](sentry::Task&) -> absl::StatusOr<std::string> { return "x"; });
  absl::StatusOr<std::shared_ptr<File>> f = node.Open(task_, O_WRONLY);
  ASSERT_TRUE(f.ok()) << "root (CAP_DAC_OVERRIDE) may open a 0444 file for writing";
  absl::Status s = Write(**f, "y");
  EXPECT_EQ(ErrnoOf(s), EINVAL) << s;
  task_.creds.ResetTo(1000, 1000);
  EXPECT_EQ(ErrnoOf(node.Open(task_, O_WRONLY).status()), EACCES);
  EXPECT_TRUE(node.Open(task_, O_RDONLY).ok());
}

TEST_F(SyntheticTest, AWriterGetsEachWriteWhole) {
  std::vector<std::string> writes;
  SyntheticFileNode node(
      "/proc/rw", [](sentry::Task&) -> absl::StatusOr<std::string> { return "current\n"; }, 0644,
      [&](sentry::Task&, absl::string_view text) -> absl::Status {
        if (text == "bad") return ErrnoError(EINVAL, "bad value");
        writes.emplace_back(text);
        return absl::OkStatus();
      });
  absl::StatusOr<std::shared_ptr<File>> f = node.Open(task_, O_RDWR);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(Write(**f, "12\n").ok());
  EXPECT_EQ(ErrnoOf(Write(**f, "bad")), EINVAL);
  EXPECT_TRUE(Write(**f, "34").ok());
  EXPECT_EQ(writes, (std::vector<std::string>{"12\n", "34"}));
  EXPECT_EQ(ReadAt(**f, 0, 100), "current\n");
}

TEST_F(SyntheticTest, KeysTellTheFilesystem) {
  EXPECT_EQ(SyntheticFsOf("/proc").magic, 0x9fa0);
  EXPECT_EQ(SyntheticFsOf("/proc/1/status").magic, 0x9fa0);
  EXPECT_EQ(SyntheticFsOf("/sys/devices").magic, 0x62656572);
  EXPECT_EQ(SyntheticFsOf("/dev/null").magic, 0x01021994);
  EXPECT_EQ(SyntheticFsOf("/processes").magic, 0x01021994) << "a prefix is not a component";
  absl::StatusOr<struct stat> proc = SyntheticDirNode::Fixed("/proc", {})->Stat();
  absl::StatusOr<struct stat> sys = SyntheticDirNode::Fixed("/sys", {})->Stat();
  ASSERT_TRUE(proc.ok() && sys.ok());
  EXPECT_NE(proc->st_dev, sys->st_dev);
  absl::StatusOr<struct statfs> sfs = SyntheticDirNode::Fixed("/sys/x", {})->StatFs(task_);
  ASSERT_TRUE(sfs.ok());
  EXPECT_EQ(sfs->f_type, 0x62656572);
}

}  // namespace
}  // namespace runsc::fs
