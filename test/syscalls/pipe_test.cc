// Family: pipe, pipe2, and the fcntl/ioctl calls specific to pipes
// (F_GETPIPE_SZ, F_SETPIPE_SZ, FIONREAD).
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The default capacity of a new pipe: 16 pages.
constexpr int kDefaultPipeSize = 65536;

TEST(PipeTest, DataWrittenToTheWriteEndIsReadFromTheReadEnd) {
  int fds[2];
  ASSERT_SYSCALL_OK(pipe(fds));
  EXPECT_NE(fds[0], fds[1]);
  EXPECT_EQ(write(fds[1], "hello", 5), 5);
  char buf[16] = {};
  EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 5);
  EXPECT_STREQ(buf, "hello");
  close(fds[0]);
  close(fds[1]);
}

TEST(PipeTest, PipeWithoutFlagsIsBlockingAndInheritable) {
  TestPipe p;
  for (int fd : {p.read_fd(), p.write_fd()}) {
    EXPECT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  }
  EXPECT_EQ(fcntl(p.read_fd(), F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETFL) & O_ACCMODE, O_WRONLY);
}

TEST(PipeTest, Pipe2CloexecSetsFdCloexecOnBothEnds) {
  TestPipe p(O_CLOEXEC);
  EXPECT_EQ(fcntl(p.read_fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST(PipeTest, Pipe2NonblockSetsONonblockOnBothEnds) {
  TestPipe p(O_NONBLOCK);
  EXPECT_EQ(fcntl(p.read_fd(), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
}

TEST(PipeTest, Pipe2WithUnknownFlagIsEINVAL) {
  int fds[2];
  EXPECT_SYSCALL_ERRNO(pipe2(fds, O_APPEND), EINVAL);
  EXPECT_SYSCALL_ERRNO(pipe2(fds, O_RDWR), EINVAL);
}

TEST(PipeTest, BadArrayPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_pipe2, reinterpret_cast<int*>(1), 0), EFAULT);
}

TEST(PipeTest, ReadingAnEmptyNonblockingPipeIsEAGAIN) {
  TestPipe p(O_NONBLOCK);
  char c;
  EXPECT_SYSCALL_ERRNO(read(p.read_fd(), &c, 1), EAGAIN);
}

TEST(PipeTest, WritingAFullNonblockingPipeIsEAGAINAfterItsCapacity) {
  TestPipe p(O_NONBLOCK);
  std::vector<char> chunk(4096, 'x');
  long total = 0;
  for (;;) {
    ssize_t n = write(p.write_fd(), chunk.data(), chunk.size());
    if (n < 0) {
      EXPECT_EQ(errno, EAGAIN);
      break;
    }
    total += n;
    ASSERT_LE(total, 16L * 1024 * 1024) << "pipe never filled";
  }
  EXPECT_EQ(total, fcntl(p.write_fd(), F_GETPIPE_SZ));
}

TEST(PipeTest, ReadEndWritesAndWriteEndReadsAreEBADF) {
  TestPipe p;
  char c = 'x';
  EXPECT_SYSCALL_ERRNO(write(p.read_fd(), &c, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(read(p.write_fd(), &c, 1), EBADF);
}

TEST(PipeTest, ReadAfterTheWriterClosesDrainsDataThenReturnsEOF) {
  // Nonblocking, so that a missing EOF shows as EAGAIN rather than a hang.
  TestPipe p(O_NONBLOCK);
  ASSERT_EQ(write(p.write_fd(), "abc", 3), 3);
  p.CloseWrite();
  char buf[8];
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 3);
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 0);
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 0);
}

TEST(PipeTest, WriteWithoutReadersRaisesSIGPIPE) {
  int status = RunInChild([] {
    signal(SIGPIPE, SIG_DFL);
    int fds[2];
    if (pipe(fds) != 0) return 2;
    close(fds[0]);
    write(fds[1], "x", 1);
    return 1;  // Not reached: SIGPIPE kills us.
  });
  EXPECT_EQ(status, 128 + SIGPIPE);
}

TEST(PipeTest, WriteWithoutReadersIsEPIPEWhenSIGPIPEIsIgnored) {
  int status = RunInChild([] {
    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (pipe(fds) != 0) return 2;
    close(fds[0]);
    return write(fds[1], "x", 1) == -1 && errno == EPIPE ? 0 : 1;
  });
  EXPECT_EQ(status, 0);
}

TEST(PipeTest, NonblockingWriteOfPipeBufBytesIsAllOrNothing) {
  TestPipe p(O_NONBLOCK);
  const int capacity = fcntl(p.write_fd(), F_GETPIPE_SZ);
  ASSERT_GT(capacity, PIPE_BUF);
  std::vector<char> fill(capacity - 100, 'a');
  ASSERT_EQ(write(p.write_fd(), fill.data(), fill.size()), static_cast<ssize_t>(fill.size()));
  // 100 bytes are free: a write of PIPE_BUF bytes must not be split.
  std::vector<char> block(PIPE_BUF, 'b');
  EXPECT_SYSCALL_ERRNO(write(p.write_fd(), block.data(), block.size()), EAGAIN);
  int queued = 0;
  ASSERT_SYSCALL_OK(ioctl(p.read_fd(), FIONREAD, &queued));
  EXPECT_EQ(queued, capacity - 100);
}

TEST(PipeTest, ConcurrentPipeBufWritesDoNotInterleave) {
  constexpr int kWrites = 64;
  TestPipe p;
  pid_t writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = fork();
    ASSERT_GE(writers[w], 0);
    if (writers[w] == 0) {
      alarm(10);
      std::vector<char> block(PIPE_BUF, static_cast<char>('A' + w));
      for (int i = 0; i < kWrites; ++i) {
        if (write(p.write_fd(), block.data(), block.size()) != PIPE_BUF) _exit(1);
      }
      _exit(0);
    }
  }
  p.CloseWrite();
  std::vector<char> block(PIPE_BUF);
  int blocks = 0;
  bool interleaved = false;
  for (;;) {
    size_t got = 0;
    while (got < block.size()) {
      ssize_t n = read(p.read_fd(), block.data() + got, block.size() - got);
      if (n <= 0) break;
      got += n;
    }
    if (got == 0) break;
    ASSERT_EQ(got, block.size());
    for (char c : block) interleaved |= c != block[0];
    ++blocks;
  }
  EXPECT_FALSE(interleaved);
  EXPECT_EQ(blocks, 2 * kWrites);
  for (pid_t writer : writers) {
    int status = 0;
    ASSERT_EQ(waitpid(writer, &status, 0), writer);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
}

TEST(PipeTest, DefaultPipeSizeIs64KiB) {
  TestPipe p;
  EXPECT_EQ(fcntl(p.read_fd(), F_GETPIPE_SZ), kDefaultPipeSize);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETPIPE_SZ), kDefaultPipeSize);
}

TEST(PipeTest, SetPipeSizeRoundsUpToAPowerOfTwoPages) {
  TestPipe p;
  EXPECT_EQ(fcntl(p.write_fd(), F_SETPIPE_SZ, 100000), 131072);
  EXPECT_EQ(fcntl(p.read_fd(), F_GETPIPE_SZ), 131072);
  // Below one page rounds up to one page.
  const int page = static_cast<int>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(fcntl(p.write_fd(), F_SETPIPE_SZ, 1), page);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETPIPE_SZ), page);
}

TEST(PipeTest, ShrinkingBelowTheBufferedDataIsEBUSY) {
  TestPipe p;
  std::vector<char> data(8192, 'z');
  ASSERT_EQ(write(p.write_fd(), data.data(), data.size()), 8192);
  const int page = static_cast<int>(sysconf(_SC_PAGESIZE));
  EXPECT_SYSCALL_ERRNO(fcntl(p.write_fd(), F_SETPIPE_SZ, page), EBUSY);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETPIPE_SZ), kDefaultPipeSize);
}

TEST(PipeTest, GetPipeSizeOfANonPipeIsEBADF) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_GETPIPE_SZ), EBADF);
  EXPECT_SYSCALL_ERRNO(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF);
  close(fd);
}

TEST(PipeTest, FionreadCountsTheBufferedBytes) {
  TestPipe p;
  int queued = -1;
  ASSERT_SYSCALL_OK(ioctl(p.read_fd(), FIONREAD, &queued));
  EXPECT_EQ(queued, 0);
  std::string data(123, 'q');
  ASSERT_EQ(write(p.write_fd(), data.data(), data.size()), 123);
  ASSERT_SYSCALL_OK(ioctl(p.read_fd(), FIONREAD, &queued));
  EXPECT_EQ(queued, 123);
  char buf[23];
  ASSERT_EQ(read(p.read_fd(), buf, sizeof(buf)), 23);
  ASSERT_SYSCALL_OK(ioctl(p.write_fd(), FIONREAD, &queued));
  EXPECT_EQ(queued, 100);
}

TEST(PipeTest, ODirectPipeReadsOnePacketPerWrite) {
  TestPipe p(O_DIRECT | O_NONBLOCK);
  ASSERT_EQ(write(p.write_fd(), "abc", 3), 3);
  ASSERT_EQ(write(p.write_fd(), "de", 2), 2);
  char buf[16];
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 3);
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 2);
}

TEST(PipeTest, ODirectPipeDropsWhatAShortReadLeavesOfAPacket) {
  TestPipe p(O_DIRECT | O_NONBLOCK);
  ASSERT_EQ(write(p.write_fd(), "abcdef", 6), 6);
  ASSERT_EQ(write(p.write_fd(), "gh", 2), 2);
  char buf[16];
  ASSERT_EQ(read(p.read_fd(), buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "ab");
  ASSERT_EQ(read(p.read_fd(), buf, sizeof(buf)), 2);
  EXPECT_EQ(std::string(buf, 2), "gh");
  EXPECT_SYSCALL_ERRNO(read(p.read_fd(), buf, sizeof(buf)), EAGAIN);
}

TEST(PipeTest, ODirectPipeSplitsALongWriteIntoPipeBufPackets) {
  TestPipe p(O_DIRECT | O_NONBLOCK);
  std::vector<char> data(PIPE_BUF + 10, 'x');
  ASSERT_EQ(write(p.write_fd(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  std::vector<char> buf(2 * PIPE_BUF);
  EXPECT_EQ(read(p.read_fd(), buf.data(), buf.size()), PIPE_BUF);
  EXPECT_EQ(read(p.read_fd(), buf.data(), buf.size()), 10);
}

TEST(PipeTest, ODirectIsTheWriteEndsFlagAndFSetflClearsIt) {
  TestPipe p(O_DIRECT | O_NONBLOCK);
  EXPECT_EQ(fcntl(p.read_fd(), F_GETFL) & O_DIRECT, 0);
  EXPECT_EQ(fcntl(p.write_fd(), F_GETFL) & O_DIRECT, O_DIRECT);
  ASSERT_SYSCALL_OK(fcntl(p.write_fd(), F_SETFL, O_NONBLOCK));
  // Without packet mode the writes run together again.
  ASSERT_EQ(write(p.write_fd(), "abc", 3), 3);
  ASSERT_EQ(write(p.write_fd(), "de", 2), 2);
  char buf[16];
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 5);
}

TEST(PipeTest, ReopeningAnEndThroughProcSelfFdReachesTheSamePipe) {
  TestPipe p(O_NONBLOCK);
  // The read end's link, opened for writing, is another write end.
  int w = open(("/proc/self/fd/" + std::to_string(p.read_fd())).c_str(), O_WRONLY);
  ASSERT_SYSCALL_OK(w);
  ASSERT_EQ(write(w, "via", 3), 3);
  char buf[8];
  ASSERT_EQ(read(p.read_fd(), buf, sizeof(buf)), 3);
  EXPECT_EQ(std::string(buf, 3), "via");
  // With the original write end closed, the reopened one keeps the pipe
  // from reaching EOF, and its close then does.
  p.CloseWrite();
  EXPECT_SYSCALL_ERRNO(read(p.read_fd(), buf, sizeof(buf)), EAGAIN);
  struct statfs fs;
  ASSERT_SYSCALL_OK(fstatfs(w, &fs));
  EXPECT_EQ(fs.f_type, 0x50495045);  // PIPEFS_MAGIC, as the original ends.
  close(w);
  EXPECT_EQ(read(p.read_fd(), buf, sizeof(buf)), 0);
}

TEST(PipeTest, ZeroLengthReadAndWriteReturnZero) {
  TestPipe p(O_NONBLOCK);
  char c;
  EXPECT_EQ(write(p.write_fd(), &c, 0), 0);
  EXPECT_EQ(read(p.read_fd(), &c, 0), 0);
}

TEST(PipeTest, LseekOnAPipeIsESPIPE) {
  TestPipe p;
  EXPECT_SYSCALL_ERRNO(lseek(p.read_fd(), 0, SEEK_CUR), ESPIPE);
  EXPECT_SYSCALL_ERRNO(pwrite(p.write_fd(), "x", 1, 0), ESPIPE);
}

}  // namespace
}  // namespace runsc::syscall_test
