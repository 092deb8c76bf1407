// ReadOnlyNode over a writable tmpfs: reads pass, every change is EROFS,
// and the whole tree below stays read-only. The masked-file node.
#include "fs/readonly_node.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "base/errno_status.h"
#include "fs/tmpfs.h"
#include "gtest/gtest.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/no_dispatch.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {
namespace {

using sentry::NoDispatch;

class ReadOnlyNodeTest : public ::testing::Test {
 protected:
  ReadOnlyNodeTest() : kernel_(nullptr, dispatcher_), task_(kernel_, 1, nullptr) {
    inner_ = NewTmpfs({});
    auto sub = inner_->Mkdir(task_, "sub", 0755);
    EXPECT_TRUE(sub.ok());
    auto created = (*sub)->Create(task_, "file", O_RDWR, 0644);
    EXPECT_TRUE(created.ok());
    const std::string data = "contents";
    EXPECT_TRUE(created->file
                    ->Write(task_, absl::MakeConstSpan(
                                       reinterpret_cast<const uint8_t*>(data.data()), data.size()))
                    .ok());
    ro_ = std::make_shared<ReadOnlyNode>(inner_);
  }

  NoDispatch dispatcher_;
  sentry::Kernel kernel_;
  sentry::Task task_;
  std::shared_ptr<Node> inner_, ro_;
};

TEST_F(ReadOnlyNodeTest, ReadsPassAndChangesAreErofs) {
  absl::StatusOr<std::shared_ptr<Node>> sub = ro_->Lookup(task_, "sub");
  ASSERT_TRUE(sub.ok());
  absl::StatusOr<std::shared_ptr<Node>> file = (*sub)->Lookup(task_, "file");
  ASSERT_TRUE(file.ok());
  absl::StatusOr<std::shared_ptr<File>> f = (*file)->Open(task_, O_RDONLY);
  ASSERT_TRUE(f.ok());
  uint8_t buf[16];
  EXPECT_EQ(*(*f)->Read(task_, absl::MakeSpan(buf)), 8u);
  EXPECT_EQ((*file)->Stat()->st_size, 8);

  EXPECT_EQ(ErrnoOf((*file)->Open(task_, O_WRONLY).status()), EROFS);
  EXPECT_EQ(ErrnoOf((*file)->Open(task_, O_RDONLY | O_TRUNC).status()), EROFS);
  EXPECT_EQ(ErrnoOf((*file)->SetAttr(task_, {.mode = 0777})), EROFS);
  EXPECT_EQ(ErrnoOf((*sub)->Create(task_, "new", O_RDWR, 0644).status()), EROFS);
  EXPECT_EQ(ErrnoOf((*sub)->Mkdir(task_, "new", 0755).status()), EROFS);
  EXPECT_EQ(ErrnoOf((*sub)->Unlink(task_, "file", false)), EROFS);
  EXPECT_EQ(ErrnoOf((*sub)->Rename(task_, "file", **sub, "other", 0)), EROFS);
  EXPECT_EQ(ErrnoOf((*sub)->Symlink(task_, "l", "file").status()), EROFS);
  EXPECT_EQ(ErrnoOf((*sub)->CreateTmpfile(task_, O_RDWR, 0600).status()), EROFS);
  EXPECT_NE(ro_->StatFs(task_)->f_flags & ST_RDONLY, 0u);
  // Extended attributes: read through, never changed.
  auto inner_file = (*inner_->Lookup(task_, "sub"))->Lookup(task_, "file");
  ASSERT_TRUE(inner_file.ok());
  ASSERT_TRUE((*inner_file)->SetXattr("user.a", "1", 0).ok());
  EXPECT_EQ((*file)->GetXattr("user.a").value_or("?"), "1");
  EXPECT_EQ((*file)->ListXattr()->size(), 1u);
  EXPECT_EQ(ErrnoOf((*file)->SetXattr("user.b", "2", 0)), EROFS);
  EXPECT_EQ(ErrnoOf((*file)->RemoveXattr("user.a")), EROFS);
  // The filesystem itself is still writable through its own nodes.
  EXPECT_TRUE(inner_->Mkdir(task_, "outside", 0755).ok());
}

TEST_F(ReadOnlyNodeTest, MaskedFileIsAnEmptyReadOnlyNull) {
  std::shared_ptr<Node> masked = NewMaskedFileNode();
  struct stat st = *masked->Stat();
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  absl::StatusOr<std::shared_ptr<File>> f = masked->Open(task_, O_RDONLY);
  ASSERT_TRUE(f.ok());
  uint8_t buf[16];
  EXPECT_EQ(*(*f)->Read(task_, absl::MakeSpan(buf)), 0u);
  EXPECT_EQ(ErrnoOf(masked->Open(task_, O_WRONLY).status()), EROFS);
  EXPECT_EQ(ErrnoOf(masked->SetAttr(task_, {.mode = 0})), EROFS);
}

}  // namespace
}  // namespace runsc::fs
