// /dev/pts: numbering, what the directory lists, and the mount options.
#include "fs/devpts.h"

#include <fcntl.h>
#include <sys/sysmacros.h>

#include "base/errno_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using ::testing::ElementsAre;

using sentry::NoDispatch;

class DevptsTest : public ::testing::Test {
 protected:
  DevptsTest()
      : kernel_(nullptr, dispatcher_),
        task_(kernel_, 1),
        terminals_(std::make_shared<HostTerminals>()),
        devpts_(std::make_shared<Devpts>(terminals_)) {}

  std::shared_ptr<File> NewMaster() {
    absl::StatusOr<std::shared_ptr<File>> f = devpts_->OpenMaster(task_, O_RDWR, {});
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : nullptr;
  }
  std::vector<std::string> Names() {
    absl::StatusOr<std::shared_ptr<File>> dir = devpts_->NewDirNode()->Open(task_, O_RDONLY);
    std::vector<std::string> out;
    if (!dir.ok()) return out;
    absl::StatusOr<std::vector<DirEntry>> entries = (*dir)->ReadDir();
    if (!entries.ok()) return out;
    for (const DirEntry& e : *entries) {
      if (e.name != "." && e.name != "..") out.push_back(e.name);
    }
    return out;
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::shared_ptr<HostTerminals> terminals_;
  std::shared_ptr<Devpts> devpts_;
};

TEST_F(DevptsTest, PtysTakeTheLowestFreeNumberAndListWhileTheMasterIsOpen) {
  std::shared_ptr<File> a = NewMaster(), b = NewMaster();
  EXPECT_THAT(Names(), ElementsAre("ptmx", "0", "1"));
  a.reset();
  EXPECT_THAT(Names(), ElementsAre("ptmx", "1"));
  std::shared_ptr<File> c = NewMaster();  // Number 0 again.
  EXPECT_NE(devpts_->Find(0), nullptr);
  EXPECT_THAT(Names(), ElementsAre("ptmx", "0", "1"));
}

TEST_F(DevptsTest, PtysAndHostTerminalsShareTheNumbers) {
  std::shared_ptr<File> pty = NewMaster();  // 0
  std::shared_ptr<HostTty> tty = terminals_->Add(UniqueFd(::open("/dev/null", O_RDONLY)));
  EXPECT_EQ(tty->path(), "/dev/pts/1");
  std::shared_ptr<File> next = NewMaster();
  EXPECT_NE(devpts_->Find(2), nullptr);
}

TEST_F(DevptsTest, ReplicaNodesStatAsTheirDevice) {
  std::shared_ptr<File> a = NewMaster(), b = NewMaster();
  absl::StatusOr<std::shared_ptr<Node>> node = devpts_->NewDirNode()->Lookup(task_, "1");
  ASSERT_TRUE(node.ok());
  struct stat st = *(*node)->Stat();
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_rdev, makedev(136, 1));
  EXPECT_EQ(ErrnoOf(devpts_->NewDirNode()->Lookup(task_, "7").status()), ENOENT);
  EXPECT_EQ(ErrnoOf(devpts_->NewDirNode()->Lookup(task_, "01").status()), ENOENT);
}

TEST_F(DevptsTest, PtmxModeIsTheMountsAndZeroByDefault) {
  std::shared_ptr<Node> dir = devpts_->NewDirNode();
  EXPECT_EQ((*(*dir->Lookup(task_, "ptmx"))->Stat()).st_mode, S_IFCHR | 0u);
  devpts_->Configure(*Devpts::ParseOptions({"newinstance", "ptmxmode=0666", "mode=620", "gid=5"}));
  struct stat ptmx = *(*dir->Lookup(task_, "ptmx"))->Stat();
  EXPECT_EQ(ptmx.st_mode, S_IFCHR | 0666u);
  EXPECT_EQ(ptmx.st_rdev, makedev(5, 2));
  std::shared_ptr<File> m = NewMaster();
  struct stat st = devpts_->Find(0)->replica_stat();
  EXPECT_EQ(st.st_mode & 07777, 0620u);
  EXPECT_EQ(st.st_gid, 5u);
}

TEST_F(DevptsTest, BadOptionsAreEinval) {
  EXPECT_EQ(ErrnoOf(Devpts::ParseOptions({"ptmxmode=9"}).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(Devpts::ParseOptions({"gid=x"}).status()), EINVAL);
  EXPECT_EQ(ErrnoOf(Devpts::ParseOptions({"colour=blue"}).status()), EINVAL);
  EXPECT_TRUE(Devpts::ParseOptions({"max=1024", "uid=0"}).ok());
}

}  // namespace
}  // namespace runsc::fs
