// Family: credentials: getuid/geteuid/getresuid, setuid/setreuid/setresuid,
// the gid counterparts, setgroups/getgroups, setfsuid, capget/capset.
//
// Every change of credentials happens in a forked child, whose exit status
// carries the result: the test process never gives up root.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "test/syscalls/test_util.h"

namespace runsc::syscall_test {
namespace {

constexpr uid_t kNobody = 65534;

// The raw calls: glibc's wrappers may broadcast to threads or retry, and a
// credential test should see exactly what the kernel says.
long Setuid(uid_t uid) { return syscall(SYS_setuid, uid); }
long Setresuid(uid_t r, uid_t e, uid_t s) { return syscall(SYS_setresuid, r, e, s); }
long Setresgid(gid_t r, gid_t e, gid_t s) { return syscall(SYS_setresgid, r, e, s); }

bool UidsAre(uid_t r, uid_t e, uid_t s) {
  uid_t ar, ae, as;
  return getresuid(&ar, &ae, &as) == 0 && ar == r && ae == e && as == s;
}

bool GidsAre(gid_t r, gid_t e, gid_t s) {
  gid_t ar, ae, as;
  return getresgid(&ar, &ae, &as) == 0 && ar == r && ae == e && as == s;
}

struct Capabilities {
  uint64_t effective = 0, permitted = 0, inheritable = 0;
};

bool GetCapabilities(Capabilities* caps) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  caps->effective = data[0].effective | (uint64_t{data[1].effective} << 32);
  caps->permitted = data[0].permitted | (uint64_t{data[1].permitted} << 32);
  caps->inheritable = data[0].inheritable | (uint64_t{data[1].inheritable} << 32);
  return true;
}

long SetCapabilities(const Capabilities& caps) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = static_cast<uint32_t>(caps.effective);
  data[1].effective = static_cast<uint32_t>(caps.effective >> 32);
  data[0].permitted = static_cast<uint32_t>(caps.permitted);
  data[1].permitted = static_cast<uint32_t>(caps.permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(caps.inheritable);
  data[1].inheritable = static_cast<uint32_t>(caps.inheritable >> 32);
  return syscall(SYS_capset, &header, data);
}

constexpr uint64_t Bit(int capability) { return uint64_t{1} << capability; }

// Helper mode for the execve tests: with kPrintCapsEnv set, the binary
// prints "effective permitted inheritable" in hex and exits before main.
constexpr char kPrintCapsEnv[] = "RUNSC_CREDS_PRINT_CAPS";
__attribute__((constructor)) void PrintCapabilitiesIfAsked() {
  if (getenv(kPrintCapsEnv) == nullptr) return;
  Capabilities c;
  if (!GetCapabilities(&c)) _exit(2);
  printf("%llx %llx %llx\n", static_cast<unsigned long long>(c.effective),
         static_cast<unsigned long long>(c.permitted),
         static_cast<unsigned long long>(c.inheritable));
  fflush(stdout);
  _exit(0);
}

// In a child: execs this binary in helper mode with its stdout on `out_fd`.
[[noreturn]] void ExecPrintingCapabilities(int out_fd) {
  if (dup2(out_fd, 1) < 0) _exit(3);
  std::string env = std::string(kPrintCapsEnv) + "=1";
  char* argv[] = {const_cast<char*>("/proc/self/exe"), nullptr};
  char* envp[] = {env.data(), nullptr};
  execve("/proc/self/exe", argv, envp);
  _exit(4);
}

// The sets the helper printed into `path`.
Capabilities PrintedCapabilities(const std::string& path) {
  Capabilities c{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};
  FILE* f = fopen(path.c_str(), "r");
  if (f == nullptr) return c;
  unsigned long long e, p, i;
  if (fscanf(f, "%llx %llx %llx", &e, &p, &i) == 3) c = {e, p, i};
  fclose(f);
  return c;
}

TEST(CredsTest, GetuidAndGeteuidMatchGetresuid) {
  uid_t r, e, s;
  ASSERT_SYSCALL_OK(getresuid(&r, &e, &s));
  EXPECT_EQ(getuid(), r);
  EXPECT_EQ(geteuid(), e);
}

TEST(CredsTest, GetgidAndGetegidMatchGetresgid) {
  gid_t r, e, s;
  ASSERT_SYSCALL_OK(getresgid(&r, &e, &s));
  EXPECT_EQ(getgid(), r);
  EXPECT_EQ(getegid(), e);
}

TEST(CredsTest, GetresuidWithABadPointerIsEFAULT) {
  uid_t r, e;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_getresuid, &r, &e, reinterpret_cast<uid_t*>(1)), EFAULT);
}

TEST(CredsTest, SetuidAsRootSetsAllThreeIds) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setuid(kNobody) == 0);
              CHILD_CHECK(UidsAre(kNobody, kNobody, kNobody));
              CHILD_CHECK(getuid() == kNobody && geteuid() == kNobody);
              return 0;
            }),
            0);
}

TEST(CredsTest, AfterDroppingRootGettingItBackIsEPERM) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setresuid(kNobody, kNobody, kNobody) == 0);
              CHILD_CHECK(Setuid(0) == -1 && errno == EPERM);
              CHILD_CHECK(Setresuid(0, 0, 0) == -1 && errno == EPERM);
              CHILD_CHECK(syscall(SYS_setreuid, -1, 0) == -1 && errno == EPERM);
              CHILD_CHECK(UidsAre(kNobody, kNobody, kNobody));
              return 0;
            }),
            0);
}

TEST(CredsTest, ASavedRootIdAllowsGoingBackToRoot) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setresuid(-1, kNobody, 0) == 0);
              CHILD_CHECK(UidsAre(0, kNobody, 0));
              CHILD_CHECK(syscall(SYS_setresuid, -1, 0, -1) == 0);
              CHILD_CHECK(UidsAre(0, 0, 0));
              return 0;
            }),
            0);
}

TEST(CredsTest, UnprivilegedSetuidOnlyChangesTheEffectiveIdToRealOrSaved) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setresuid(1000, kNobody, 2000) == 0);
              // Now unprivileged: only the real or saved id may be taken.
              CHILD_CHECK(Setuid(2000) == 0);
              CHILD_CHECK(UidsAre(1000, 2000, 2000));
              CHILD_CHECK(Setuid(1000) == 0);
              CHILD_CHECK(UidsAre(1000, 1000, 2000));
              CHILD_CHECK(Setuid(3000) == -1 && errno == EPERM);
              CHILD_CHECK(syscall(SYS_setreuid, 3000, 3000) == -1 && errno == EPERM);
              return 0;
            }),
            0);
}

TEST(CredsTest, SetuidOfMinusOneIsEINVAL) {
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setuid(static_cast<uid_t>(-1)) == -1 && errno == EINVAL);
              CHILD_CHECK(syscall(SYS_setgid, static_cast<gid_t>(-1)) == -1 && errno == EINVAL);
              return 0;
            }),
            0);
}

TEST(CredsTest, SetgidAsRootSetsAllThreeIds) {
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(syscall(SYS_setgid, kNobody) == 0);
              CHILD_CHECK(GidsAre(kNobody, kNobody, kNobody));
              CHILD_CHECK(getgid() == kNobody && getegid() == kNobody);
              return 0;
            }),
            0);
}

TEST(CredsTest, DroppingGidsWithoutCapSetgidIsEPERMAfterwards) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setresgid(kNobody, kNobody, kNobody) == 0);
              CHILD_CHECK(Setresuid(kNobody, kNobody, kNobody) == 0);
              CHILD_CHECK(syscall(SYS_setgid, 0) == -1 && errno == EPERM);
              CHILD_CHECK(Setresgid(0, 0, 0) == -1 && errno == EPERM);
              return 0;
            }),
            0);
}

TEST(CredsTest, SetgroupsIsReadBackSortedByGetgroups) {
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  EXPECT_EQ(RunInChild([] {
              const gid_t groups[] = {3, 1, 2};
              CHILD_CHECK(setgroups(3, groups) == 0);
              gid_t got[8] = {};
              CHILD_CHECK(getgroups(8, got) == 3);
              // The kernel keeps the list sorted.
              CHILD_CHECK(got[0] == 1 && got[1] == 2 && got[2] == 3);
              CHILD_CHECK(setgroups(0, nullptr) == 0);
              CHILD_CHECK(getgroups(0, nullptr) == 0);
              return 0;
            }),
            0);
}

TEST(CredsTest, GetgroupsWithSizeZeroCountsAndATooSmallBufferIsEINVAL) {
  SKIP_UNLESS_CAPABILITY(CAP_SETGID);
  EXPECT_EQ(RunInChild([] {
              const gid_t groups[] = {10, 20};
              CHILD_CHECK(setgroups(2, groups) == 0);
              CHILD_CHECK(getgroups(0, nullptr) == 2);
              gid_t one[1];
              CHILD_CHECK(getgroups(1, one) == -1 && errno == EINVAL);
              CHILD_CHECK(syscall(SYS_getgroups, 2, reinterpret_cast<gid_t*>(1)) == -1 &&
                          errno == EFAULT);
              return 0;
            }),
            0);
}

TEST(CredsTest, SetgroupsAfterDroppingRootIsEPERM) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(Setresuid(kNobody, kNobody, kNobody) == 0);
              const gid_t groups[] = {0};
              CHILD_CHECK(setgroups(1, groups) == -1 && errno == EPERM);
              return 0;
            }),
            0);
}

TEST(CredsTest, DroppingAllRootIdsClearsTheCapabilities) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              Capabilities caps;
              CHILD_CHECK(GetCapabilities(&caps) && caps.effective != 0);
              CHILD_CHECK(Setresuid(kNobody, kNobody, kNobody) == 0);
              CHILD_CHECK(GetCapabilities(&caps));
              CHILD_CHECK(caps.effective == 0 && caps.permitted == 0);
              return 0;
            }),
            0);
}

TEST(CredsTest, ANonRootEffectiveIdClearsOnlyTheEffectiveCapabilities) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              Capabilities before, after;
              CHILD_CHECK(GetCapabilities(&before));
              CHILD_CHECK(syscall(SYS_setresuid, -1, kNobody, -1) == 0);
              CHILD_CHECK(GetCapabilities(&after));
              CHILD_CHECK(after.effective == 0);
              CHILD_CHECK(after.permitted == before.permitted);
              // Back to euid 0, the permitted set becomes effective again.
              CHILD_CHECK(syscall(SYS_setresuid, -1, 0, -1) == 0);
              CHILD_CHECK(GetCapabilities(&after));
              CHILD_CHECK(after.effective == before.permitted);
              return 0;
            }),
            0);
}

TEST(CredsTest, CapsetCannotRaiseACapabilityThatIsNotPermitted) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  EXPECT_EQ(RunInChild([] {
              Capabilities caps;
              CHILD_CHECK(GetCapabilities(&caps));
              caps.effective &= ~Bit(CAP_CHOWN);
              caps.permitted &= ~Bit(CAP_CHOWN);
              CHILD_CHECK(SetCapabilities(caps) == 0);
              CHILD_CHECK(!HaveCapability(CAP_CHOWN));
              caps.effective |= Bit(CAP_CHOWN);
              CHILD_CHECK(SetCapabilities(caps) == -1 && errno == EPERM);
              caps.permitted |= Bit(CAP_CHOWN);
              CHILD_CHECK(SetCapabilities(caps) == -1 && errno == EPERM);
              return 0;
            }),
            0);
}

TEST(CredsTest, ExecveGivesRootItsBoundingSetBack) {
  SKIP_UNLESS_CAPABILITY(CAP_CHOWN);
  TempDir dir;
  const std::string out = dir.File("caps");
  EXPECT_EQ(RunInChild([&]() -> int {
              Capabilities caps;
              CHILD_CHECK(GetCapabilities(&caps));
              caps.effective &= ~Bit(CAP_CHOWN);
              caps.permitted &= ~Bit(CAP_CHOWN);
              CHILD_CHECK(SetCapabilities(caps) == 0);
              int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
              CHILD_CHECK(fd >= 0);
              ExecPrintingCapabilities(fd);
            }),
            0);
  const Capabilities after = PrintedCapabilities(out);
  EXPECT_NE(after.permitted & Bit(CAP_CHOWN), 0u) << "root's permitted set is the bounding set";
  EXPECT_EQ(after.effective, after.permitted);
  EXPECT_EQ(after.inheritable, 0u);
}

TEST(CredsTest, ExecveLeavesANonRootProcessOnlyItsAmbientSet) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  SKIP_UNLESS_CAPABILITY(CAP_KILL);
  TempDir dir;
  for (const bool ambient : {true, false}) {
    const std::string out = dir.File(ambient ? "with" : "without");
    EXPECT_EQ(RunInChild([&]() -> int {
                int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
                CHILD_CHECK(fd >= 0);
                CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
                CHILD_CHECK(Setresgid(kNobody, kNobody, kNobody) == 0);
                CHILD_CHECK(Setresuid(kNobody, kNobody, kNobody) == 0);
                Capabilities caps;
                CHILD_CHECK(GetCapabilities(&caps));
                CHILD_CHECK(caps.effective == 0 && (caps.permitted & Bit(CAP_KILL)) != 0);
                caps.effective = caps.inheritable = Bit(CAP_KILL);
                CHILD_CHECK(SetCapabilities(caps) == 0);
                if (ambient) {
                  CHILD_CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) == 0);
                }
                ExecPrintingCapabilities(fd);
              }),
              0);
    const Capabilities after = PrintedCapabilities(out);
    const uint64_t kept = ambient ? Bit(CAP_KILL) : 0;
    EXPECT_EQ(after.effective, kept) << "ambient " << ambient;
    EXPECT_EQ(after.permitted, kept) << "ambient " << ambient;
    EXPECT_EQ(after.inheritable, Bit(CAP_KILL)) << "ambient " << ambient;
  }
}

TEST(CredsTest, CapgetWithAnUnknownVersionIsEINVALAndNamesThePreferredOne) {
  __user_cap_header_struct header = {0x12345678, 0};
  __user_cap_data_struct data[2] = {};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_capget, &header, data), EINVAL);
  EXPECT_EQ(header.version, static_cast<uint32_t>(_LINUX_CAPABILITY_VERSION_3));
  // A null data pointer just asks for the version.
  header = {0, 0};
  EXPECT_SYSCALL_OK(syscall(SYS_capget, &header, nullptr));
  EXPECT_EQ(header.version, static_cast<uint32_t>(_LINUX_CAPABILITY_VERSION_3));
}

TEST(CredsTest, CapgetOfAnUnknownPidIsESRCH) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0x3ffffff0};
  __user_cap_data_struct data[2] = {};
  EXPECT_SYSCALL_ERRNO(syscall(SYS_capget, &header, data), ESRCH);
}

TEST(CredsTest, SetfsuidReturnsThePreviousFsuid) {
  SKIP_UNLESS_CAPABILITY(CAP_SETUID);
  EXPECT_EQ(RunInChild([] {
              CHILD_CHECK(setfsuid(kNobody) == static_cast<int>(geteuid()));
              // An invalid id changes nothing and reports the current one.
              CHILD_CHECK(setfsuid(static_cast<uid_t>(-1)) == static_cast<int>(kNobody));
              CHILD_CHECK(setfsuid(static_cast<uid_t>(-1)) == static_cast<int>(kNobody));
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace runsc::syscall_test
