// Family: getrandom.
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

long RawGetrandom(void* buf, size_t len, unsigned flags) {
  return syscall(SYS_getrandom, buf, len, flags);
}

TEST(GetrandomTest, FillsTheRequestedLength) {
  for (size_t len : {1u, 16u, 32u, 256u}) {
    std::vector<unsigned char> buf(len);
    EXPECT_EQ(RawGetrandom(buf.data(), len, 0), static_cast<long>(len));
  }
}

TEST(GetrandomTest, ZeroLengthReturnsZero) {
  char c;
  EXPECT_EQ(RawGetrandom(&c, 0, 0), 0);
  EXPECT_EQ(RawGetrandom(nullptr, 0, 0), 0);
}

TEST(GetrandomTest, LargeRequestReturnsSomeBytes) {
  std::vector<unsigned char> buf(1 << 20);
  long n = RawGetrandom(buf.data(), buf.size(), 0);
  EXPECT_GT(n, 0);
  EXPECT_LE(n, static_cast<long>(buf.size()));
}

TEST(GetrandomTest, TwoCallsDiffer) {
  unsigned char a[32], b[32];
  ASSERT_EQ(RawGetrandom(a, sizeof(a), 0), 32);
  ASSERT_EQ(RawGetrandom(b, sizeof(b), 0), 32);
  EXPECT_NE(memcmp(a, b, sizeof(a)), 0);
}

TEST(GetrandomTest, OutputCoversEveryByteValue) {
  std::vector<unsigned char> buf(65536);
  size_t got = 0;
  while (got < buf.size()) {
    long n = RawGetrandom(buf.data() + got, buf.size() - got, 0);
    ASSERT_GT(n, 0);
    got += n;
  }
  bool seen[256] = {};
  for (unsigned char c : buf) seen[c] = true;
  for (int v = 0; v < 256; ++v) EXPECT_TRUE(seen[v]) << "byte value " << v << " never appeared";
}

TEST(GetrandomTest, NonblockSucceedsOnceThePoolIsReady) {
  unsigned char buf[64];
  EXPECT_EQ(RawGetrandom(buf, sizeof(buf), GRND_NONBLOCK), 64);
}

TEST(GetrandomTest, RandomFlagReadsTheBlockingSource) {
  unsigned char buf[64];
  long n = RawGetrandom(buf, sizeof(buf), GRND_RANDOM | GRND_NONBLOCK);
  EXPECT_GT(n, 0);
  EXPECT_LE(n, 64);
}

TEST(GetrandomTest, InsecureFlagSucceeds) {
  unsigned char buf[64];
  EXPECT_EQ(RawGetrandom(buf, sizeof(buf), GRND_INSECURE), 64);
}

TEST(GetrandomTest, UnknownFlagIsEINVAL) {
  unsigned char buf[8];
  EXPECT_SYSCALL_ERRNO(RawGetrandom(buf, sizeof(buf), 0x8), EINVAL);
  EXPECT_SYSCALL_ERRNO(RawGetrandom(buf, sizeof(buf), 0x80000000u), EINVAL);
}

TEST(GetrandomTest, InsecureWithRandomIsEINVAL) {
  unsigned char buf[8];
  EXPECT_SYSCALL_ERRNO(RawGetrandom(buf, sizeof(buf), GRND_INSECURE | GRND_RANDOM), EINVAL);
}

TEST(GetrandomTest, BadBufferIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(RawGetrandom(reinterpret_cast<void*>(1), 16, 0), EFAULT);
}

TEST(GetrandomTest, BufferThatRunsIntoAnUnmappedPageGetsAShortCount) {
  const long page = sysconf(_SC_PAGESIZE);
  auto* mem = static_cast<unsigned char*>(
      mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(mem, MAP_FAILED);
  ASSERT_SYSCALL_OK(munmap(mem + page, page));
  EXPECT_EQ(RawGetrandom(mem, 2 * page, 0), page);
  munmap(mem, page);
}

TEST(GetrandomTest, GlibcWrapperAgrees) {
  unsigned char buf[32];
  EXPECT_EQ(getrandom(buf, sizeof(buf), 0), 32);
  EXPECT_SYSCALL_ERRNO(getrandom(buf, sizeof(buf), 0x8), EINVAL);
}

}  // namespace
}  // namespace runsc::syscall_test
