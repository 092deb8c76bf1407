// Family: inotify_init1, inotify_add_watch, inotify_rm_watch and the event
// records read back from an inotify fd.
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
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

// The events as (wd, mask, name) triples, for comparing whole sequences.
struct Seen {
  int wd;
  uint32_t mask;
  std::string name;
  bool operator==(const Seen&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << "{wd " << s.wd << ", mask 0x" << std::hex << s.mask << std::dec << ", \"" << s.name
            << "\"}";
}
std::vector<Seen> ReadSeen(int fd) {
  std::vector<Seen> out;
  for (const Event& e : ReadEvents(fd)) out.push_back({e.wd, e.mask, e.name});
  return out;
}

TEST(InotifyTest, LegacyInitIsBlockingAndNotCloexec) {
  int fd = static_cast<int>(syscall(SYS_inotify_init));
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
  close(fd);
}

TEST(InotifyTest, RmWatchOnANonInotifyFdIsEINVALAndOnABadFdIsEBADF) {
  TestPipe p;
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(p.read_fd(), 1), EINVAL);
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(-1, 1), EBADF);
}

TEST(InotifyTest, OpenReadAndCloseOfAWatchedFileAreReported) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(),
                             IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE | IN_CLOSE_WRITE);
  ASSERT_GE(wd, 0);
  int r = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(r, 0);
  char buf[8];
  ASSERT_EQ(read(r, buf, sizeof(buf)), 3);
  ASSERT_EQ(read(r, buf, sizeof(buf)), 0);  // End of file: no IN_ACCESS.
  close(r);
  int w = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  close(w);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_OPEN, ""},
                                             {wd, IN_ACCESS, ""},
                                             {wd, IN_CLOSE_NOWRITE, ""},
                                             {wd, IN_OPEN, ""},
                                             {wd, IN_CLOSE_WRITE, ""}}));
  close(fd);
}

TEST(InotifyTest, ClosingADuplicatedFdIsNotTheLastClose) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(), IN_CLOSE_NOWRITE);
  ASSERT_GE(wd, 0);
  int r = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(r, 0);
  int dup_fd = dup(r);
  ASSERT_GE(dup_fd, 0);
  close(r);
  EXPECT_TRUE(ReadEvents(fd).empty());
  close(dup_fd);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_CLOSE_NOWRITE, ""}}));
  close(fd);
}

TEST(InotifyTest, EventsOnAWatchedDirectorysFilesCarryTheirName) {
  TempDir dir;
  const std::string child = dir.File("child");
  WriteFileOrDie(child, "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE);
  ASSERT_GE(wd, 0);
  int w = open(child.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  ASSERT_EQ(write(w, "y", 1), 1);
  close(w);
  ASSERT_SYSCALL_OK(chmod(child.c_str(), 0600));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_MODIFY, "child"},
                                             {wd, IN_CLOSE_WRITE, "child"},
                                             {wd, IN_ATTRIB, "child"}}));
  close(fd);
}

TEST(InotifyTest, AFileWatchedItselfAndThroughItsDirectoryIsReportedToBoth) {
  TempDir dir;
  const std::string child = dir.File("child");
  WriteFileOrDie(child, "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int dir_wd = inotify_add_watch(fd, dir.path().c_str(), IN_ATTRIB);
  int file_wd = inotify_add_watch(fd, child.c_str(), IN_ATTRIB);
  ASSERT_GE(dir_wd, 0);
  ASSERT_GE(file_wd, 0);
  ASSERT_NE(dir_wd, file_wd);
  ASSERT_SYSCALL_OK(chmod(child.c_str(), 0600));
  EXPECT_EQ(ReadSeen(fd),
            (std::vector<Seen>{{dir_wd, IN_ATTRIB, "child"}, {file_wd, IN_ATTRIB, ""}}));
  close(fd);
}

TEST(InotifyTest, OpeningAndListingAWatchedDirectoryIsReportedWithIsdir) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE);
  ASSERT_GE(wd, 0);
  int d = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(d, 0);
  char buf[1024];
  ASSERT_GT(syscall(SYS_getdents64, d, buf, sizeof(buf)), 0);
  close(d);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_OPEN | IN_ISDIR, ""},
                                             {wd, IN_ACCESS | IN_ISDIR, ""},
                                             {wd, IN_CLOSE_NOWRITE | IN_ISDIR, ""}}));
  close(fd);
}

TEST(InotifyTest, TruncationIsModify) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(), IN_MODIFY);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(truncate(path.c_str(), 1));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_MODIFY, ""}}));
  int w = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  ASSERT_GE(w, 0);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_MODIFY, ""}}));
  ASSERT_SYSCALL_OK(ftruncate(w, 5));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_MODIFY, ""}}));
  close(w);
  close(fd);
}

TEST(InotifyTest, UtimesIsAttribAndOneTimeAloneIsAccessOrModify) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(), IN_ATTRIB | IN_ACCESS | IN_MODIFY);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, path.c_str(), nullptr, 0));
  const struct timespec atime_only[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, path.c_str(), atime_only, 0));
  const struct timespec mtime_only[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, path.c_str(), mtime_only, 0));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{
                              {wd, IN_ATTRIB, ""}, {wd, IN_ACCESS, ""}, {wd, IN_MODIFY, ""}}));
  close(fd);
}

TEST(InotifyTest, ALinkIsAttribOnTheFileAndCreateInTheDirectory) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int file_wd = inotify_add_watch(fd, path.c_str(), IN_ATTRIB);
  int dir_wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(file_wd, 0);
  ASSERT_GE(dir_wd, 0);
  ASSERT_SYSCALL_OK(link(path.c_str(), dir.File("again").c_str()));
  EXPECT_EQ(ReadSeen(fd),
            (std::vector<Seen>{{file_wd, IN_ATTRIB, ""}, {dir_wd, IN_CREATE, "again"}}));
  close(fd);
}

TEST(InotifyTest, UnlinkingTheLastNameOfAWatchedFileEndsItsWatch) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  ASSERT_SYSCALL_OK(link(path.c_str(), dir.File("other").c_str()));
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(), IN_ATTRIB | IN_DELETE_SELF);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(unlink(dir.File("other").c_str()));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_ATTRIB, ""}}));
  ASSERT_SYSCALL_OK(unlink(path.c_str()));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{
                              {wd, IN_ATTRIB, ""}, {wd, IN_DELETE_SELF, ""}, {wd, IN_IGNORED, ""}}));
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(fd, wd), EINVAL);
  close(fd);
}

TEST(InotifyTest, RemovingADirectoryIsDeleteWithIsdir) {
  TempDir dir;
  ASSERT_SYSCALL_OK(mkdir(dir.File("sub").c_str(), 0755));
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_DELETE);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(rmdir(dir.File("sub").c_str()));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_DELETE | IN_ISDIR, "sub"}}));
  close(fd);
}

TEST(InotifyTest, MovingBetweenWatchedDirectoriesAndMoveSelf) {
  TempDir a, b;
  ASSERT_SYSCALL_OK(mkdir(a.File("d").c_str(), 0755));
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wa = inotify_add_watch(fd, a.path().c_str(), IN_MOVE);
  int wb = inotify_add_watch(fd, b.path().c_str(), IN_MOVE);
  int wd = inotify_add_watch(fd, a.File("d").c_str(), IN_MOVE_SELF);
  ASSERT_GE(wa, 0);
  ASSERT_GE(wb, 0);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(rename(a.File("d").c_str(), b.File("e").c_str()));
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].wd, wa);
  EXPECT_EQ(events[0].mask, static_cast<uint32_t>(IN_MOVED_FROM | IN_ISDIR));
  EXPECT_EQ(events[0].name, "d");
  EXPECT_EQ(events[1].wd, wb);
  EXPECT_EQ(events[1].mask, static_cast<uint32_t>(IN_MOVED_TO | IN_ISDIR));
  EXPECT_EQ(events[1].name, "e");
  EXPECT_NE(events[0].cookie, 0u);
  EXPECT_EQ(events[0].cookie, events[1].cookie);
  EXPECT_EQ(events[2].wd, wd);
  EXPECT_EQ(events[2].mask, static_cast<uint32_t>(IN_MOVE_SELF));
  EXPECT_EQ(events[2].cookie, 0u);
  close(fd);
}

TEST(InotifyTest, RenamingOverAWatchedFileEndsItsWatch) {
  TempDir dir;
  WriteFileOrDie(dir.File("new"), "new");
  WriteFileOrDie(dir.File("old"), "old");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.File("old").c_str(), IN_DELETE_SELF);
  ASSERT_GE(wd, 0);
  ASSERT_SYSCALL_OK(rename(dir.File("new").c_str(), dir.File("old").c_str()));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_DELETE_SELF, ""}, {wd, IN_IGNORED, ""}}));
  close(fd);
}

TEST(InotifyTest, OneshotWatchEndsAfterItsFirstEvent) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE | IN_ONESHOT);
  ASSERT_GE(wd, 0);
  WriteFileOrDie(dir.File("a"), "x");
  WriteFileOrDie(dir.File("b"), "x");
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_CREATE, "a"}, {wd, IN_IGNORED, ""}}));
  EXPECT_SYSCALL_ERRNO(inotify_rm_watch(fd, wd), EINVAL);
  close(fd);
}

TEST(InotifyTest, MaskAddAddsMaskCreateRefusesAndAPlainAddReplaces) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd, 0);
  EXPECT_SYSCALL_ERRNO(inotify_add_watch(fd, dir.path().c_str(), IN_DELETE | IN_MASK_CREATE),
                       EEXIST);
  EXPECT_SYSCALL_ERRNO(
      inotify_add_watch(fd, dir.path().c_str(), IN_DELETE | IN_MASK_CREATE | IN_MASK_ADD), EINVAL);
  ASSERT_EQ(inotify_add_watch(fd, dir.path().c_str(), IN_DELETE | IN_MASK_ADD), wd);
  WriteFileOrDie(dir.File("f"), "x");
  ASSERT_SYSCALL_OK(unlink(dir.File("f").c_str()));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_CREATE, "f"}, {wd, IN_DELETE, "f"}}));
  ASSERT_EQ(inotify_add_watch(fd, dir.path().c_str(), IN_DELETE), wd);
  WriteFileOrDie(dir.File("g"), "x");
  ASSERT_SYSCALL_OK(unlink(dir.File("g").c_str()));
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_DELETE, "g"}}));
  close(fd);
}

TEST(InotifyTest, DontFollowWatchesTheSymlinkItself) {
  TempDir dir;
  const std::string target = dir.File("target");
  const std::string link = dir.File("link");
  WriteFileOrDie(target, "x");
  ASSERT_SYSCALL_OK(symlink(target.c_str(), link.c_str()));
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int link_wd = inotify_add_watch(fd, link.c_str(), IN_MODIFY | IN_DONT_FOLLOW);
  int target_wd = inotify_add_watch(fd, link.c_str(), IN_MODIFY);
  ASSERT_GE(link_wd, 0);
  ASSERT_GE(target_wd, 0);
  EXPECT_NE(link_wd, target_wd);
  EXPECT_EQ(inotify_add_watch(fd, target.c_str(), IN_MODIFY), target_wd);
  int w = open(target.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  ASSERT_EQ(write(w, "y", 1), 1);
  close(w);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{target_wd, IN_MODIFY, ""}}));
  close(fd);
}

TEST(InotifyTest, ExclUnlinkSilencesAnUnlinkedChild) {
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "abc");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_MODIFY | IN_EXCL_UNLINK);
  ASSERT_GE(wd, 0);
  int w = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  ASSERT_EQ(write(w, "y", 1), 1);
  ASSERT_SYSCALL_OK(unlink(path.c_str()));
  ASSERT_EQ(write(w, "z", 1), 1);
  close(w);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_MODIFY, "file"}}));
  close(fd);
}

TEST(InotifyTest, WatchingWithoutReadPermissionIsEACCES) {
  TempDir dir;
  ASSERT_SYSCALL_OK(chmod(dir.path().c_str(), 0755));
  const std::string secret = dir.File("secret");
  const std::string open_file = dir.File("open");
  WriteFileOrDie(secret, "x");
  WriteFileOrDie(open_file, "x");
  ASSERT_SYSCALL_OK(chmod(secret.c_str(), 0600));
  ASSERT_SYSCALL_OK(chmod(open_file.c_str(), 0644));
  EXPECT_EQ(RunInChild([&] {
              // Relative names: the directories above TEST_TMPDIR need not
              // be searchable by nobody.
              CHILD_CHECK(chdir(dir.path().c_str()) == 0);
              CHILD_CHECK(DropToNobody());
              int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
              CHILD_CHECK(fd >= 0);
              CHILD_CHECK(inotify_add_watch(fd, "secret", IN_MODIFY) == -1 && errno == EACCES);
              CHILD_CHECK(inotify_add_watch(fd, "open", IN_MODIFY) >= 1);
              return 0;
            }),
            0);
}

TEST(InotifyTest, BlockingReadWakesForAnEventFromAChild) {
  TempDir dir;
  int fd = inotify_init1(IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd, 0);
  const std::string path = dir.File("late");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    usleep(10000);
    int f = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    _exit(f >= 0 ? 0 : 1);
  }
  alignas(inotify_event) char buf[sizeof(inotify_event) + NAME_MAX + 1];
  ssize_t n;
  {
    ScopedAlarm guard(10);
    n = read(fd, buf, sizeof(buf));
  }
  ASSERT_GT(n, 0) << strerror(errno);
  const auto* ev = reinterpret_cast<const inotify_event*>(buf);
  EXPECT_EQ(ev->wd, wd);
  EXPECT_EQ(ev->mask, static_cast<uint32_t>(IN_CREATE));
  EXPECT_STREQ(ev->name, "late");
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(fd);
}

TEST(InotifyTest, BlockingReadIsInterruptedByASignal) {
  int fd = inotify_init1(IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  char buf[sizeof(inotify_event) + NAME_MAX + 1];
  {
    ScopedAlarm guard(1);  // Its handler has no SA_RESTART.
    EXPECT_SYSCALL_ERRNO(read(fd, buf, sizeof(buf)), EINTR);
  }
  close(fd);
}

TEST(InotifyTest, EpollSeesAQueuedEvent) {
  TempDir dir;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, dir.path().c_str(), IN_CREATE), 0);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(ep, 0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  ASSERT_SYSCALL_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  epoll_event out{};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0);
  WriteFileOrDie(dir.File("f"), "x");
  ASSERT_EQ(epoll_wait(ep, &out, 1, 0), 1);
  EXPECT_EQ(out.data.fd, fd);
  EXPECT_EQ(out.events, static_cast<uint32_t>(EPOLLIN));
  close(ep);
  close(fd);
}

TEST(InotifyTest, AFullQueueEndsWithOneOverflowEvent) {
  std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
  long limit = 0;
  ASSERT_TRUE(limit_file >> limit);
  ASSERT_GT(limit, 0);
  if (limit > 65536) GTEST_SKIP() << "max_queued_events is " << limit;
  TempDir dir;
  const std::string path = dir.File("file");
  WriteFileOrDie(path, "x");
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, path.c_str(), IN_MODIFY | IN_ACCESS);
  ASSERT_GE(wd, 0);
  int f = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(f, 0);
  char c = 'x';
  // Alternating events, so that none merges with the one before.
  for (long i = 0; i < limit / 2 + 8; ++i) {
    ASSERT_EQ(pwrite(f, &c, 1, 0), 1);
    ASSERT_EQ(pread(f, &c, 1, 0), 1);
  }
  close(f);
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_EQ(events.size(), static_cast<size_t>(limit + 1));
  EXPECT_EQ(events[limit - 1].wd, wd);
  EXPECT_EQ(events[limit].wd, -1);
  EXPECT_EQ(events[limit].mask, static_cast<uint32_t>(IN_Q_OVERFLOW));
  close(fd);
}

TEST(InotifyTest, ProcFdinfoListsEachWatch) {
  TempDir dir;
  struct stat st;
  ASSERT_SYSCALL_OK(stat(dir.path().c_str(), &st));
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.path().c_str(), IN_CREATE | IN_ONLYDIR);
  ASSERT_GE(wd, 0);
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
  std::stringstream text;
  text << info.rdbuf();
  char expected[128];
  snprintf(expected, sizeof(expected), "inotify wd:%x ino:%lx sdev:", wd,
           static_cast<unsigned long>(st.st_ino));
  EXPECT_NE(text.str().find(expected), std::string::npos) << text.str();
  EXPECT_NE(text.str().find(" mask:100 ignored_mask:0"), std::string::npos) << text.str();
  close(fd);
}

TEST(InotifyTest, ProcSysShowsTheLimits) {
  for (const char* name : {"max_queued_events", "max_user_instances", "max_user_watches"}) {
    std::ifstream f(std::string("/proc/sys/fs/inotify/") + name);
    long value = 0;
    EXPECT_TRUE(f >> value) << name;
    EXPECT_GT(value, 0) << name;
  }
}

TEST(InotifyTest, WritingToAWatchedDeviceIsModify) {
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, "/dev/null", IN_MODIFY | IN_CLOSE_WRITE);
  ASSERT_GE(wd, 0);
  int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  ASSERT_EQ(write(null_fd, "x", 1), 1);
  close(null_fd);
  EXPECT_EQ(ReadSeen(fd), (std::vector<Seen>{{wd, IN_MODIFY, ""}, {wd, IN_CLOSE_WRITE, ""}}));
  close(fd);
}

TEST(InotifyTest, EventsOnATmpfsDirectory) {
  char templ[] = "/dev/shm/runsc_inotify.XXXXXX";
  if (mkdtemp(templ) == nullptr) GTEST_SKIP() << "no /dev/shm: " << strerror(errno);
  const std::string dir = templ;
  int fd = Inotify();
  ASSERT_GE(fd, 0);
  int wd = inotify_add_watch(fd, dir.c_str(), IN_CREATE | IN_MODIFY | IN_MOVE | IN_DELETE);
  ASSERT_GE(wd, 0);
  WriteFileOrDie(dir + "/f", "x");
  ASSERT_SYSCALL_OK(rename((dir + "/f").c_str(), (dir + "/g").c_str()));
  ASSERT_SYSCALL_OK(unlink((dir + "/g").c_str()));
  std::vector<Event> events = ReadEvents(fd);
  ASSERT_SYSCALL_OK(rmdir(dir.c_str()));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ((Seen{events[0].wd, events[0].mask, events[0].name}), (Seen{wd, IN_CREATE, "f"}));
  EXPECT_EQ((Seen{events[1].wd, events[1].mask, events[1].name}), (Seen{wd, IN_MODIFY, "f"}));
  EXPECT_EQ((Seen{events[2].wd, events[2].mask, events[2].name}), (Seen{wd, IN_MOVED_FROM, "f"}));
  EXPECT_EQ((Seen{events[3].wd, events[3].mask, events[3].name}), (Seen{wd, IN_MOVED_TO, "g"}));
  EXPECT_EQ(events[2].cookie, events[3].cookie);
  EXPECT_EQ((Seen{events[4].wd, events[4].mask, events[4].name}), (Seen{wd, IN_DELETE, "g"}));
  close(fd);
}

}  // namespace
}  // namespace runsc::syscall_test
