// Family: brk (the raw system call, which returns the new break on success and
// the unchanged break on failure, unlike glibc's brk()).
//
// Every case moves the break in a forked child: glibc's malloc keeps its own
// idea of the break, and the test process must keep a heap it can trust.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

const uintptr_t kPage = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));

uintptr_t Brk(uintptr_t address) { return static_cast<uintptr_t>(syscall(SYS_brk, address)); }

uintptr_t PageUp(uintptr_t address) { return (address + kPage - 1) & ~(kPage - 1); }

bool IsMapped(uintptr_t address, size_t length) {
  return msync(reinterpret_cast<void*>(address), length, MS_ASYNC) == 0;
}

TEST(BrkTest, QueryWithZeroReturnsTheCurrentBreakUnchanged) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t current = Brk(0);
              CHILD_CHECK(current != 0);
              CHILD_CHECK(Brk(0) == current);
              return 0;
            }),
            0);
}

TEST(BrkTest, GrowReturnsTheNewBreakAndTheMemoryIsZeroedAndWritable) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t base = PageUp(Brk(0));
              uintptr_t wanted = base + 4 * kPage;
              CHILD_CHECK(Brk(wanted) == wanted);
              CHILD_CHECK(Brk(0) == wanted);
              char* heap = reinterpret_cast<char*>(base);
              for (uintptr_t i = 0; i < 4 * kPage; i += 256) CHILD_CHECK(heap[i] == 0);
              memset(heap, 'h', 4 * kPage);
              CHILD_CHECK(heap[4 * kPage - 1] == 'h');
              return 0;
            }),
            0);
}

TEST(BrkTest, ShrinkReturnsTheNewBreakAndUnmapsTheTail) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t base = PageUp(Brk(0));
              CHILD_CHECK(Brk(base + 4 * kPage) == base + 4 * kPage);
              CHILD_CHECK(IsMapped(base, 4 * kPage));
              CHILD_CHECK(Brk(base + kPage) == base + kPage);
              CHILD_CHECK(IsMapped(base, kPage));
              CHILD_CHECK(!IsMapped(base + kPage, kPage));
              CHILD_CHECK(!IsMapped(base + 3 * kPage, kPage));
              return 0;
            }),
            0);
}

TEST(BrkTest, AccessPastAShrunkBreakRaisesSIGSEGV) {
  EXPECT_EQ(RunInChild([] {
              DisableCoreDumps();
              uintptr_t base = PageUp(Brk(0));
              CHILD_CHECK(Brk(base + 2 * kPage) == base + 2 * kPage);
              CHILD_CHECK(Brk(base) == base);
              *reinterpret_cast<volatile char*>(base + kPage) = 1;
              return 0;
            }),
            128 + SIGSEGV);
}

TEST(BrkTest, RegrownMemoryIsZeroedAgain) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t base = PageUp(Brk(0));
              CHILD_CHECK(Brk(base + kPage) == base + kPage);
              *reinterpret_cast<char*>(base) = 'x';
              CHILD_CHECK(Brk(base) == base);
              CHILD_CHECK(Brk(base + kPage) == base + kPage);
              CHILD_CHECK(*reinterpret_cast<char*>(base) == 0);
              return 0;
            }),
            0);
}

TEST(BrkTest, AnUnalignedBreakIsReturnedExactlyAndItsPageIsUsable) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t base = PageUp(Brk(0));
              uintptr_t wanted = base + kPage + 1;
              CHILD_CHECK(Brk(wanted) == wanted);
              CHILD_CHECK(Brk(0) == wanted);
              // The whole page holding the break is mapped.
              *reinterpret_cast<volatile char*>(base + 2 * kPage - 1) = 1;
              return 0;
            }),
            0);
}

TEST(BrkTest, BreakBelowTheHeapStartFailsAndKeepsTheBreak) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t current = Brk(0);
              CHILD_CHECK(Brk(1) == current);
              CHILD_CHECK(Brk(kPage) == current);
              CHILD_CHECK(Brk(0) == current);
              return 0;
            }),
            0);
}

TEST(BrkTest, BreakJustBelowStartBrkFromProcFails) {
  EXPECT_EQ(RunInChild([] {
              // start_brk is field 47 of /proc/self/stat; the command name
              // (field 2) is in parentheses and ends at the last ')'.
              char stat[4096] = {};
              FILE* f = fopen("/proc/self/stat", "r");
              CHILD_CHECK(f != nullptr);
              size_t n = fread(stat, 1, sizeof(stat) - 1, f);
              fclose(f);
              CHILD_CHECK(n > 0);
              char* field = strrchr(stat, ')');
              CHILD_CHECK(field != nullptr);
              // Field 3 starts two characters after ')'.
              field += 2;
              for (int i = 3; i < 47 && field != nullptr; ++i) {
                field = strchr(field, ' ');
                if (field != nullptr) ++field;
              }
              CHILD_CHECK(field != nullptr);
              uintptr_t start_brk = strtoull(field, nullptr, 10);
              CHILD_CHECK(start_brk != 0);
              uintptr_t current = Brk(0);
              CHILD_CHECK(current >= start_brk);
              CHILD_CHECK(Brk(start_brk - 1) == current);
              CHILD_CHECK(Brk(0) == current);
              return 0;
            }),
            0);
}

TEST(BrkTest, GrowBeyondRlimitDataFailsAndKeepsTheBreak) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t current = Brk(0);
              struct rlimit limit = {0, RLIM_INFINITY};
              CHILD_CHECK(getrlimit(RLIMIT_DATA, &limit) == 0);
              limit.rlim_cur = 0;
              CHILD_CHECK(setrlimit(RLIMIT_DATA, &limit) == 0);
              CHILD_CHECK(Brk(PageUp(current) + 16 * kPage) == current);
              CHILD_CHECK(Brk(0) == current);
              return 0;
            }),
            0);
}

TEST(BrkTest, AForkedChildInheritsTheBreakAndTheHeapContents) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t base = PageUp(Brk(0));
              CHILD_CHECK(Brk(base + kPage) == base + kPage);
              strcpy(reinterpret_cast<char*>(base), "heap");
              pid_t grandchild = fork();
              CHILD_CHECK(grandchild >= 0);
              if (grandchild == 0) {
                _exit(Brk(0) == base + kPage && strcmp(reinterpret_cast<char*>(base), "heap") == 0
                          ? 0
                          : 1);
              }
              int status = 0;
              CHILD_CHECK(waitpid(grandchild, &status, 0) == grandchild);
              CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
              return 0;
            }),
            0);
}

TEST(BrkTest, GrowIntoAnExistingMappingFailsAndKeepsTheBreak) {
  EXPECT_EQ(RunInChild([] {
              uintptr_t current = Brk(0);
              uintptr_t base = PageUp(current);
              void* blocker = mmap(reinterpret_cast<void*>(base + 2 * kPage), kPage, PROT_READ,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
              CHILD_CHECK(blocker == reinterpret_cast<void*>(base + 2 * kPage));
              CHILD_CHECK(Brk(base + 4 * kPage) == current);
              CHILD_CHECK(Brk(0) == current);
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
