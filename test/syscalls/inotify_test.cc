// Family: inotify_init1, inotify_add_watch, inotify_rm_watch and the event
// records read back from an inotify fd.
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

struct Event {
  int wd;
  uint32_t mask;
  uint32_t cookie;
  std::string name;
};

// Reads every queued event from a nonblocking inotify fd.
std::vector<Event> ReadEvents(int fd) {
  std::vector<Event> events;
  alignas(inotify_event) char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN) ADD_FAILURE() << "read inotify: " << strerror(errno);
      break;
    }
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      events.push_back({ev->wd, ev->mask, ev->cookie, ev->len > 0 ? std::string(ev->name) : ""});
      off += sizeof(inotify_event) + ev->len;
    }
  }
  return events;
}

int Inotify() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) ADD_FAILURE() << "inotify_init1: " << strerror(errno);
  return fd;
}

TEST(InotifyTest, Init1FlagsSetNonblockAndCloexec) {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  close(fd);
  fd = inotify_init1(0);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  close(fd);
}

TEST(InotifyTest, Init1WithAnUnknownFlagIsEINVAL) {
  EXPECT_SYSCALL_ERRNO(inotify_init1(O_APPEND), EINVAL);
}

TEST(InotifyTest, NonblockingReadWithNoEventsIsEAGAIN) {
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  char buf[sizeof(inotify_event) + NAME_MAX + 1];
  EXPECT_SYSCALL_ERRNO(read(fd, buf, sizeof(buf)), EAGAIN);
  close(fd);
}

TEST(InotifyTest, WatchingTheSamePathTwiceReturnsTheSameWd) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd, 1);
  EXPECT_EQ(inotify_add_watch(fd, dir.path().c_str(), IN_DELETE), wd);
  close(fd);
}

TEST(InotifyTest, CreatingAFileIsReportedWithItsName) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd, 0);
  WriteFileOrDie(dir.File("born"), "x");
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].wd, wd);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_CREATE));
  EXPECT_EQ(events[0].name, "born");
  close(fd);
}

TEST(InotifyTest, MakingADirectoryIsReportedWithIsdir) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.path().c_str(), IN_CREATE), 0);
  ASSERT_SYSCALL_OK(mkdir(dir.File("sub").c_str(), 0755));
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_CREATE | IN_ISDIR));
  EXPECT_EQ(events[0].name, "sub");
  close(fd);
}

TEST(InotifyTest, DeletingAFileIsReportedWithItsName) {
  TempDir dir;
  WriteFileOrDie(dir.File("doomed"), "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_DELETE);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(unlink(dir.File("doomed").c_str()));
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].wd, wd);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_DELETE));
  EXPECT_EQ(events[0].name, "doomed");
  close(fd);
}

TEST(InotifyTest, UnwatchedEventsAreNotReported) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.path().c_str(), IN_DELETE), 0);
  WriteFileOrDie(dir.File("quiet"), "x");
  EXPECT_TRUE(ReadEvents(fd).empty());
  close(fd);
}

TEST(InotifyTest, ModifyingAWatchedFileIsReportedWithoutAName) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(), IN_MODIFY);
  ASSERT_GE(wd, 0);
  int file = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(file, 0);
  ASSERT_EQ(write(file, "more", 4), 4);
  close(file);
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].wd, wd);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_MODIFY));
  EXPECT_EQ(events[0].name, "");
  close(fd);
}

TEST(InotifyTest, RenameIsAPairOfEventsSharingACookie) {
  TempDir dir;
  WriteFileOrDie(dir.File("old"), "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.path().c_str(), IN_MOVE), 0);
  ASSERT_SYSCALL_OK(rename(dir.File("old").c_str(), dir.File("new").c_str()));
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_MOVED_FROM));
  EXPECT_EQ(events[0].name, "old");
  EXPECT_EQ(events[1].mask, static_cast<uint32_t>(IN_MOVED_TO));
  EXPECT_EQ(events[1].name, "new");
  EXPECT_NE(events[0].cookie, 0u);
  EXPECT_EQ(events[0].cookie, events[1].cookie);
  close(fd);
}

TEST(InotifyTest, RmWatchQueuesInIgnoredAndStopsEvents) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(inotify_rm_watch(fd, wd));
  WriteFileOrDie(dir.File("after"), "x");
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].wd, wd);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_IGNORED));
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(fd, wd), EINVAL);
  close(fd);
}

TEST(InotifyTest, RmWatchOfAnUnknownWdIsEINVAL) {
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(fd, 12345), EINVAL);
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(fd, -1), EINVAL);
  close(fd);
}

TEST(InotifyTest, RemovingTheWatchedDirectoryEndsTheWatch) {
  TempDir dir;
  const std::string sub = dir.File("sub");
  ASSERT_SYSCALL_OK(mkdir(sub.c_str(), 0755));
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, sub.c_str(), IN_DELETE_SELF);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(rmdir(sub.c_str()));
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_DELETE_SELF));
  EXPECT_EQ(events[1].mask, static_cast<uint32_t>(IN_IGNORED));
  EXPECT_EQ(events[1].wd, wd);
  close(fd);
}

TEST(InotifyTest, AddWatchErrors) {
  TempDir dir;
  WriteFileOrDie(dir.File("file"), "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(fd, dir.File("missing").c_str(), IN_CREATE), ENOENT);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(fd, dir.path().c_str(), 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(fd, dir.File("file").c_str(), IN_MODIFY | IN_ONLYDIR),
                       ENOTDIR);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(fd, reinterpret_cast<const char*>(1), IN_CREATE),
                       EFAULT);
  close(fd);
}

TEST(InotifyTest, AddWatchOnANonInotifyFdIsEINVALAndOnABadFdIsEBADF) {
  TempDir dir;
  TestPipe p;
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(p.read_fd(), dir.path().c_str(), IN_CREATE), EINVAL);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(-1, dir.path().c_str(), IN_CREATE), EBADF);
}

TEST(InotifyTest, ReadIntoATooSmallBufferIsEINVAL) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.path().c_str(), IN_CREATE), 0);
  WriteFileOrDie(dir.File("a-name-longer-than-nothing"), "x");
  char small[sizeof(inotify_event)];
  EXPECT_SYSCALL_ERRNO(read(fd, small, sizeof(small)), EINVAL);
  // The event is still there for a large enough buffer.
  EXPECT_EQ(ReadEvents(fd).size(), 1u);
  close(fd);
}

TEST(InotifyTest, FionreadAndPollSeeQueuedEvents) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.path().c_str(), IN_CREATE), 0);
  pollfd pfd = {fd, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  WriteFileOrDie(dir.File("f"), "x");
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
  int queued = 0;
  ASSERT_SYSCALL_OK(ioctl(fd, FIONREAD, &queued));
  // One record: the header and the name padded to a multiple of its size.
  EXPECT_GE(queued, static_cast<int>(sizeof(inotify_event) + 2));
  EXPECT_EQ(queued % sizeof(inotify_event), 0u);
  close(fd);
}

TEST(InotifyTest, IdenticalConsecutiveEventsAreMerged) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, path.c_str(), IN_MODIFY), 0);
  int file = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  ASSERT_EQ(write(file, "a", 1), 1);
  ASSERT_EQ(write(file, "b", 1), 1);
  close(file);
  EXPECT_EQ(ReadEvents(fd).size(), 1u);
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
