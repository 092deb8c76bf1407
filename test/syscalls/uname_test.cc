// Family: uname, sethostname, setdomainname. Names are only ever changed in a
// forked child that first moved into its own UTS namespace, so the host's
// names are never touched.
#include <linux/capability.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

// The kernel's limit on a UTS name, without the NUL (__NEW_UTS_LEN).
constexpr size_t kMaxNameLength = 64;

bool IsNulTerminated(const char* field, size_t size) { return memchr(field, '\0', size) != nullptr; }

// Runs `body` in a child inside a fresh UTS namespace.
int RunInNewUtsNamespace(const std::function<int()>& body) {
  return RunInChild([&] {
    if (unshare(CLONE_NEWUTS) != 0) return 100;
    return body();
  });
}

TEST(UnameTest, EveryFieldIsNonEmptyAndNulTerminated) {
  utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
  for (const char* field : {u.sysname, u.nodename, u.release, u.version, u.machine}) {
    EXPECT_TRUE(IsNulTerminated(field, sizeof(u.sysname)));
    EXPECT_GT(strlen(field), 0u);
  }
  EXPECT_TRUE(IsNulTerminated(u.domainname, sizeof(u.domainname)));
}

TEST(UnameTest, SysnameIsLinux) {
  utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
  EXPECT_STREQ(u.sysname, "Linux");
}

TEST(UnameTest, MachineMatchesTheArchitectureTheTestWasBuiltFor) {
  utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
#if defined(__x86_64__)
  EXPECT_STREQ(u.machine, "x86_64");
#elif defined(__aarch64__)
  EXPECT_STREQ(u.machine, "aarch64");
#else
  GTEST_SKIP() << "unknown architecture";
#endif
}

TEST(UnameTest, ReleaseStartsWithAVersionNumber) {
  utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
  int major = 0, minor = 0;
  ASSERT_EQ(sscanf(u.release, "%d.%d", &major, &minor), 2) << u.release;
  EXPECT_GE(major, 2);
}

TEST(UnameTest, NodenameMatchesGethostname) {
  utsname u;
  ASSERT_SYSCALL_OK(uname(&u));
  char host[kMaxNameLength + 1] = {};
  ASSERT_SYSCALL_OK(gethostname(host, sizeof(host)));
  EXPECT_STREQ(u.nodename, host);
}

TEST(UnameTest, BadPointerIsEFAULT) {
  EXPECT_SYSCALL_ERRNO(syscall(SYS_uname, 1), EFAULT);
}

TEST(UnameTest, SethostnameInANewUtsNamespaceChangesNodename) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  utsname before;
  ASSERT_SYSCALL_OK(uname(&before));
  int status = RunInNewUtsNamespace([] {
    if (sethostname("runsc-uts-test", 14) != 0) return 1;
    utsname u;
    if (uname(&u) != 0) return 2;
    return strcmp(u.nodename, "runsc-uts-test") == 0 ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
  utsname after;
  ASSERT_SYSCALL_OK(uname(&after));
  EXPECT_STREQ(after.nodename, before.nodename);
}

TEST(UnameTest, SethostnameTakesExactlyLenBytes) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  int status = RunInNewUtsNamespace([] {
    if (sethostname("abcdef", 3) != 0) return 1;
    char host[kMaxNameLength + 1] = {};
    if (gethostname(host, sizeof(host)) != 0) return 2;
    return strcmp(host, "abc") == 0 ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

TEST(UnameTest, SethostnameOfTheMaximumLengthWorks) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  int status = RunInNewUtsNamespace([] {
    const std::string name(kMaxNameLength, 'h');
    if (sethostname(name.c_str(), name.size()) != 0) return 1;
    utsname u;
    if (uname(&u) != 0) return 2;
    return name == u.nodename ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
}

TEST(UnameTest, SethostnameTooLongIsEINVAL) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  int status = RunInNewUtsNamespace([] {
    const std::string name(kMaxNameLength + 1, 'h');
    if (sethostname(name.c_str(), name.size()) != -1 || errno != EINVAL) return 1;
    return 0;
  });
  EXPECT_EQ(status, 0);
}

TEST(UnameTest, SethostnameWithABadPointerIsEFAULT) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  int status = RunInNewUtsNamespace([] {
    return syscall(SYS_sethostname, 1, 4) == -1 && errno == EFAULT ? 0 : 1;
  });
  EXPECT_EQ(status, 0);
}

TEST(UnameTest, SetdomainnameInANewUtsNamespaceChangesDomainname) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  utsname before;
  ASSERT_SYSCALL_OK(uname(&before));
  int status = RunInNewUtsNamespace([] {
    if (setdomainname("runsc.test", 10) != 0) return 1;
    utsname u;
    if (uname(&u) != 0) return 2;
    return strcmp(u.domainname, "runsc.test") == 0 ? 0 : 3;
  });
  EXPECT_EQ(status, 0);
  utsname after;
  ASSERT_SYSCALL_OK(uname(&after));
  EXPECT_STREQ(after.domainname, before.domainname);
}

TEST(UnameTest, SetdomainnameTooLongIsEINVAL) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  int status = RunInNewUtsNamespace([] {
    const std::string name(kMaxNameLength + 1, 'd');
    return setdomainname(name.c_str(), name.size()) == -1 && errno == EINVAL ? 0 : 1;
  });
  EXPECT_EQ(status, 0);
}

TEST(UnameTest, SethostnameWithoutCapSysAdminIsEPERM) {
  SKIP_UNLESS_CAPABILITY(CAP_SYS_ADMIN);
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  // In a private UTS namespace, so that even a wrongly accepted call cannot
  // rename the host.
  int status = RunInNewUtsNamespace([] {
    if (setresuid(65534, 65534, 65534) != 0) return 3;
    if (sethostname("nope", 4) != -1 || errno != EPERM) return 1;
    if (setdomainname("nope", 4) != -1 || errno != EPERM) return 4;
    return 0;
  });
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace runsc::syscall_test
