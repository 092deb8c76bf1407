// What one emulated syscall costs on each platform, against the same
// syscall made natively (DESIGN §3, §8).
//
//   BM_NativeGetppid           getppid(2) answered by the host kernel.
//   BM_PtraceGetppidRoundTrip  a stub thread runs `syscall` (getppid); the
//                              platform stops it with PTRACE_SYSEMU, the
//                              sentry side writes rax and resumes it until
//                              its next syscall: one Context::Switch.
//   BM_SentryGetppidRoundTrip  the same, with the answer computed by the
//                              sentry's syscall dispatcher (table lookup,
//                              handler, kernel lock) as a real task's is.
//   BM_SystrapGetppidRoundTrip/<spin µs>
//                              the bare round trip on systrap, patching off (seccomp
//                              RET_TRAP, SIGSYS handler, shared slot) with
//                              each side spinning that long before it
//                              sleeps in FUTEX_WAIT: the data the default
//                              budget (SystrapOptions::spin_ns) comes from.
//   BM_SystrapSentryGetppidRoundTrip
//                              the sentry round trip on systrap with the
//                              default budget.
//   BM_SystrapPatched*         the same two with syscall patching: the
//                              loop's `mov; syscall` is patched at its
//                              second trap and then enters the stub with a
//                              jmp (platform/systrap/syscall_patch.h).
//   BM_SystrapWrapperGetppidRoundTrip/patched/spin_us/paired
//                              the loop as glibc's syscall(2) makes it
//                              (number in a register, `syscall; cmp`): what
//                              runsc-bench's getppid measures; patched:1
//                              is the second form of syscall_patch.h.
//   BM_SystrapAdaptive*        the default hand-off: spinning only while
//                              spin_policy.h finds it pays.
//
// And the pieces of a systrap round trip, measured apart (native, no
// sandbox), to tell what is worth attacking:
//   BM_SigsysTrapAndReturn     a getppid trapped by a seccomp RET_TRAP
//                              filter to a SIGSYS handler on a sigaltstack
//                              that writes rax and returns (rt_sigreturn):
//                              the signal's share, which syscall patching
//                              removes.
//   BM_FutexPingPongProcesses/paired:<0|1>
//                              one word passed back and forth between two
//                              processes with FUTEX_WAKE / FUTEX_WAIT, on
//                              one CPU or left to the scheduler: the two
//                              hand-offs (wake-ups and context switches)
//                              every round trip pays, whatever traps.
//   BM_SpinPingPongAcrossCpus  one word passed back and forth between two
//                              processes pinned to two CPUs, both spinning
//                              (pause), as systrap's spinning pairs hand off:
//                              two cache-line transfers, the least a
//                              spinning systrap round trip costs twice over
//                              (the state word, then the frame, each way).
//
// After Google Benchmark's own output, a Markdown table gives each one's
// time per call and its ratio to native: absolute times on a shared VM do
// not hold, ratios do better (DESIGN §8).
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "platform/platform.h"
#include "platform/systrap/systrap_platform.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "syscalls/syscall_table.h"

namespace runsc::bench {
namespace {

constexpr uint64_t kCodeAddress = 0x400000;
constexpr uint64_t kFakeParentPid = 4242;

// The application: getppid forever.
//   loop: mov eax, SYS_getppid   b8 6e 00 00 00
//         syscall                0f 05
//         jmp loop               eb f7
const std::vector<uint8_t> kGetppidLoop = {0xb8, SYS_getppid, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7};
static_assert(SYS_getppid < 0x100, "the immediate above is spelled as one byte");

// The same through glibc's syscall(2) wrapper, as `runsc-bench`'s getppid
// makes it: the number from a register, then the wrapper's error check.
//   loop: mov $SYS_getppid, %edi      bf 6e 00 00 00
//         mov %rdi, %rax              48 89 f8
//         syscall                     0f 05
//         cmp $-4095, %rax            48 3d 01 f0 ff ff
//         jae fail                    73 02
//         jmp loop                    eb ec
//   fail: ud2                         0f 0b
const std::vector<uint8_t> kSyscallWrapperLoop = {
    0xbf, SYS_getppid, 0, 0, 0, 0x48, 0x89, 0xf8, 0x0f, 0x05, 0x48, 0x3d,
    0x01, 0xf0, 0xff, 0xff, 0x73, 0x02, 0xeb, 0xec, 0x0f, 0x0b};

// A stub running kGetppidLoop, attached to the calling thread (which must
// then make every Switch on it: DESIGN §3's thread affinity).
absl::StatusOr<std::unique_ptr<platform::AddressSpace>> NewGetppidSpace(
    platform::Platform& platform, const std::vector<uint8_t>& loop = kGetppidLoop) {
  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = platform.NewAddressSpace();
  if (!as.ok()) return as.status();
  if (absl::Status s = (*as)->Attach(); !s.ok()) return s;
  absl::StatusOr<uint64_t> code =
      (*as)->Map(kCodeAddress, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (!code.ok()) return code.status();
  absl::StatusOr<size_t> written = (*as)->Write(kCodeAddress, loop);
  if (!written.ok()) return written.status();
  if (*written != loop.size()) return absl::InternalError("short write of the code");
  if (absl::Status s = (*as)->Protect(kCodeAddress, 4096, PROT_READ | PROT_EXEC); !s.ok()) {
    return s;
  }
  return as;
}

platform::Registers StartRegisters() {
  platform::Registers regs{};
  regs.rip = kCodeAddress;
  regs.cs = 0x33;  // 64-bit user code and data segments.
  regs.ss = 0x2b;
  regs.eflags = 0x202;  // IF, and the always-one bit.
  return regs;
}

// Runs the stub to its first getppid stop, so every timed iteration starts
// from the same place: stopped at a getppid, its answer to be written.
absl::Status RunToFirstGetppid(platform::Context& context, platform::AddressSpace& as,
                               platform::Registers& regs) {
  absl::StatusOr<platform::SwitchResult> r = context.Switch(as, regs);
  if (!r.ok()) return r.status();
  if (r->reason != platform::StopReason::kSyscall || regs.orig_rax != SYS_getppid) {
    return absl::InternalError("the stub did not stop at getppid");
  }
  return absl::OkStatus();
}

void BM_NativeGetppid(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(::getppid());
}
BENCHMARK(BM_NativeGetppid);

void BareGetppidRoundTrip(benchmark::State& state,
                          absl::StatusOr<std::unique_ptr<platform::Platform>> platform,
                          const std::vector<uint8_t>& loop = kGetppidLoop) {
  if (!platform.ok()) return state.SkipWithError(std::string(platform.status().message()).c_str());
  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = NewGetppidSpace(**platform, loop);
  if (!as.ok()) return state.SkipWithError(std::string(as.status().message()).c_str());
  std::unique_ptr<platform::Context> context = (*platform)->NewContext();
  platform::Registers regs = StartRegisters();
  if (absl::Status s = RunToFirstGetppid(*context, **as, regs); !s.ok()) {
    return state.SkipWithError(std::string(s.message()).c_str());
  }
  for (auto _ : state) {
    regs.rax = kFakeParentPid;  // The sentry's answer.
    absl::StatusOr<platform::SwitchResult> r = context->Switch(**as, regs);
    if (!r.ok() || r->reason != platform::StopReason::kSyscall || regs.orig_rax != SYS_getppid) {
      return state.SkipWithError("the stub did not stop at its next getppid");
    }
  }
}
// paired:1 keeps the stub thread on the benchmark thread's CPU
// (platform/cpu_pairing.h), paired:0 leaves both to the host scheduler.
void BM_PtraceGetppidRoundTrip(benchmark::State& state) {
  BareGetppidRoundTrip(state,
                       platform::CreatePlatform("ptrace", {.cpu_pairing = state.range(0) != 0}));
}
BENCHMARK(BM_PtraceGetppidRoundTrip)->ArgName("paired")->Arg(0)->Arg(1);

void BM_SystrapGetppidRoundTrip(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<platform::systrap::SystrapPlatform>> p =
      platform::systrap::SystrapPlatform::Create(
          {.spin_ns = static_cast<uint64_t>(state.range(0)) * 1000,
           .adaptive_spin = false,
           .pairing = platform::CpuPairing::Create(state.range(1) != 0),
           .syscall_patching = false});
  if (!p.ok()) return state.SkipWithError(std::string(p.status().message()).c_str());
  BareGetppidRoundTrip(state, std::unique_ptr<platform::Platform>(std::move(*p)));
}
BENCHMARK(BM_SystrapGetppidRoundTrip)
    ->ArgNames({"spin_us", "paired"})
    ->ArgsProduct({{0, 2, 5, 10, 20}, {0, 1}});

// The same with syscall patching (platform/systrap/syscall_patch.h): after
// its second trap the loop's `mov; syscall` jumps to the stub's patch
// entry, no SIGSYS.
void BM_SystrapPatchedGetppidRoundTrip(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<platform::systrap::SystrapPlatform>> p =
      platform::systrap::SystrapPlatform::Create(
          {.spin_ns = static_cast<uint64_t>(state.range(0)) * 1000,
           .adaptive_spin = false,
           .pairing = platform::CpuPairing::Create(state.range(1) != 0),
           .syscall_patching = true});
  if (!p.ok()) return state.SkipWithError(std::string(p.status().message()).c_str());
  BareGetppidRoundTrip(state, std::unique_ptr<platform::Platform>(std::move(*p)));
}
BENCHMARK(BM_SystrapPatchedGetppidRoundTrip)
    ->ArgNames({"spin_us", "paired"})
    ->ArgsProduct({{0, 10}, {0, 1}});

// Through the syscall(2) wrapper (kSyscallWrapperLoop): trapped, then
// patched as the second form (`syscall; cmp`).
void BM_SystrapWrapperGetppidRoundTrip(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<platform::systrap::SystrapPlatform>> p =
      platform::systrap::SystrapPlatform::Create(
          {.spin_ns = static_cast<uint64_t>(state.range(1)) * 1000,
           .adaptive_spin = false,
           .pairing = platform::CpuPairing::Create(state.range(2) != 0),
           .syscall_patching = state.range(0) != 0});
  if (!p.ok()) return state.SkipWithError(std::string(p.status().message()).c_str());
  BareGetppidRoundTrip(state, std::unique_ptr<platform::Platform>(std::move(*p)),
                       kSyscallWrapperLoop);
}
BENCHMARK(BM_SystrapWrapperGetppidRoundTrip)
    ->ArgNames({"patched", "spin_us", "paired"})
    ->ArgsProduct({{0, 1}, {0, 10}, {0, 1}});

// The defaults: patching, CPU pairing, and the adaptive 10 µs spin.
void BM_SystrapAdaptiveWrapperGetppidRoundTrip(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<platform::systrap::SystrapPlatform>> p =
      platform::systrap::SystrapPlatform::Create(
          {.spin_ns = static_cast<uint64_t>(state.range(0)) * 1000,
           .adaptive_spin = true,
           .pairing = platform::CpuPairing::Create(true),
           .syscall_patching = true});
  if (!p.ok()) return state.SkipWithError(std::string(p.status().message()).c_str());
  BareGetppidRoundTrip(state, std::unique_ptr<platform::Platform>(std::move(*p)),
                       kSyscallWrapperLoop);
}
BENCHMARK(BM_SystrapAdaptiveWrapperGetppidRoundTrip)->ArgName("spin_us")->Arg(5)->Arg(10)->Arg(20);

constexpr long kTrappedGetppidAnswer = 4343;

void AnswerTrappedGetppid(int, siginfo_t*, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  uc->uc_mcontext.gregs[REG_RAX] = kTrappedGetppidAnswer;
}

void BM_SigsysTrapAndReturn(benchmark::State& state) {
  struct sigaction act {}, old {};
  act.sa_sigaction = AnswerTrappedGetppid;
  act.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&act.sa_mask);  // As the stub's handler.
  if (sigaction(SIGSYS, &act, &old) != 0) return state.SkipWithError("sigaction(SIGSYS)");
  // The filter goes on a thread of its own (seccomp filters are per
  // thread without TSYNC), which ends with it: the rest of the benchmark
  // process is never filtered.
  std::thread trapped([&state] {
    std::vector<uint8_t> altstack(64 * 1024);
    stack_t ss{altstack.data(), 0, altstack.size()};
    sigaltstack(&ss, nullptr);
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{sizeof(filter) / sizeof(filter[0]), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      return state.SkipWithError("seccomp filter");
    }
    for (auto _ : state) {
      if (syscall(SYS_getppid) != kTrappedGetppidAnswer) {
        return state.SkipWithError("getppid was not trapped");
      }
    }
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
  });
  trapped.join();
  sigaction(SIGSYS, &old, nullptr);
}
BENCHMARK(BM_SigsysTrapAndReturn);

long Futex(std::atomic<uint32_t>* word, int op, uint32_t value) {
  return syscall(SYS_futex, word, op, value, nullptr, nullptr, 0);
}

// Waits (in FUTEX_WAIT, no spinning) until *word == value.
void FutexWaitFor(std::atomic<uint32_t>* word, uint32_t value) {
  for (uint32_t seen; (seen = word->load(std::memory_order_acquire)) != value;) {
    Futex(word, FUTEX_WAIT, seen);
  }
}

void BM_FutexPingPongProcesses(benchmark::State& state) {
  const bool paired = state.range(0) != 0;
  // A private page, shared between this process and the child: the futex
  // must be a shared one (not FUTEX_PRIVATE_FLAG), as systrap's are.
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return state.SkipWithError("mmap");
  auto* word = new (page) std::atomic<uint32_t>(0);
  cpu_set_t old_affinity;
  sched_getaffinity(0, sizeof(old_affinity), &old_affinity);
  if (paired) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof(one), &one);  // The child inherits it.
  }
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Odd values are the parent's pings, even ones the child's pongs.
    for (uint32_t expect = 1;; expect += 2) {
      FutexWaitFor(word, expect);
      word->store(expect + 1, std::memory_order_release);
      Futex(word, FUTEX_WAKE, 1);
    }
  }
  uint32_t next = 1;
  for (auto _ : state) {
    word->store(next, std::memory_order_release);
    Futex(word, FUTEX_WAKE, 1);
    FutexWaitFor(word, next + 1);
    next += 2;
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  sched_setaffinity(0, sizeof(old_affinity), &old_affinity);
  munmap(page, 4096);
}
BENCHMARK(BM_FutexPingPongProcesses)->ArgName("paired")->Arg(0)->Arg(1);

void BM_SpinPingPongAcrossCpus(benchmark::State& state) {
  cpu_set_t old_affinity;
  sched_getaffinity(0, sizeof(old_affinity), &old_affinity);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE && cpus.size() < 2; ++cpu) {
    if (CPU_ISSET(cpu, &old_affinity)) cpus.push_back(cpu);
  }
  if (cpus.size() < 2) return state.SkipWithError("fewer than two CPUs");
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return state.SkipWithError("mmap");
  auto* word = new (page) std::atomic<uint32_t>(0);
  auto pin = [](int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof(one), &one);
  };
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pin(cpus[1]);
    for (uint32_t expect = 1;; expect += 2) {
      while (word->load(std::memory_order_acquire) != expect) __builtin_ia32_pause();
      word->store(expect + 1, std::memory_order_release);
    }
  }
  pin(cpus[0]);
  uint32_t next = 1;
  for (auto _ : state) {
    word->store(next, std::memory_order_release);
    while (word->load(std::memory_order_acquire) != next + 1) __builtin_ia32_pause();
    next += 2;
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  sched_setaffinity(0, sizeof(old_affinity), &old_affinity);
  munmap(page, 4096);
}
BENCHMARK(BM_SpinPingPongAcrossCpus);

// The dispatcher under test is the sentry's; the kernel needs one of its own
// to be constructed, which this benchmark never calls.
class UnusedDispatcher : public sentry::SyscallDispatcher {
 public:
  void Dispatch(sentry::Task&) override {}
};

void SentryGetppidRoundTrip(benchmark::State& state, const char* platform_name,
                            platform::PlatformOptions options = {}) {
  absl::StatusOr<std::unique_ptr<platform::Platform>> platform =
      platform::CreatePlatform(platform_name, options);
  if (!platform.ok()) return state.SkipWithError(std::string(platform.status().message()).c_str());
  UnusedDispatcher unused;
  sentry::Kernel kernel(*std::move(platform), unused);
  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as = NewGetppidSpace(kernel.platform());
  if (!as.ok()) return state.SkipWithError(std::string(as.status().message()).c_str());
  // A task that is never started: its registers and context are driven here
  // as its own host thread would drive them.
  sentry::Task task(kernel, 1);
  task.context = kernel.platform().NewContext();
  task.regs = StartRegisters();
  if (absl::Status s = RunToFirstGetppid(*task.context, **as, task.regs); !s.ok()) {
    return state.SkipWithError(std::string(s.message()).c_str());
  }
  syscalls::Dispatcher dispatcher;
  for (auto _ : state) {
    dispatcher.Dispatch(task);
    absl::StatusOr<platform::SwitchResult> r = task.context->Switch(**as, task.regs);
    if (!r.ok() || r->reason != platform::StopReason::kSyscall ||
        task.regs.orig_rax != SYS_getppid) {
      return state.SkipWithError("the stub did not stop at its next getppid");
    }
  }
}
void BM_SentryGetppidRoundTrip(benchmark::State& state) { SentryGetppidRoundTrip(state, "ptrace"); }
BENCHMARK(BM_SentryGetppidRoundTrip);

void BM_SystrapSentryGetppidRoundTrip(benchmark::State& state) {
  SentryGetppidRoundTrip(state, "systrap", {.syscall_patching = false});
}
BENCHMARK(BM_SystrapSentryGetppidRoundTrip);

void BM_SystrapPatchedSentryGetppidRoundTrip(benchmark::State& state) {
  SentryGetppidRoundTrip(state, "systrap", {.syscall_patching = true});
}
BENCHMARK(BM_SystrapPatchedSentryGetppidRoundTrip);

// Passes everything to the reporter --benchmark_format asked for, and keeps
// each benchmark's time per call for the ratio table: the median when
// --benchmark_repetitions gives one, else the (last) run's.
class RatioReporter : public benchmark::BenchmarkReporter {
 public:
  explicit RatioReporter(benchmark::BenchmarkReporter* display) : display_(display) {}

  bool ReportContext(const Context& context) override {
    display_->SetOutputStream(&GetOutputStream());
    display_->SetErrorStream(&GetErrorStream());
    return display_->ReportContext(context);
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      const std::string name = run.run_name.function_name +
                               (run.run_name.args.empty() ? "" : "/" + run.run_name.args);
      if (!ns_per_call_.contains(name)) order_.push_back(name);
      if (median || !has_median_[name]) {
        ns_per_call_[name] =
            run.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
      }
      has_median_[name] = has_median_[name] || median;
    }
    display_->ReportRuns(runs);
  }
  void Finalize() override { display_->Finalize(); }

  // The Markdown table, or "" when native did not run (filtered out).
  std::string RatioTable() const {
    auto native = ns_per_call_.find("BM_NativeGetppid");
    if (native == ns_per_call_.end() || native->second <= 0) return "";
    std::string table = "\n| benchmark | ns per call | × native |\n|---|---:|---:|\n";
    for (const std::string& name : order_) {
      const double ns = ns_per_call_.at(name);
      absl::StrAppend(&table, absl::StrFormat("| %s | %.0f | %.1f |\n", name, ns,
                                              ns / native->second));
    }
    return table;
  }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  std::map<std::string, double> ns_per_call_;
  std::map<std::string, bool> has_median_;
  std::vector<std::string> order_;  // First-seen order, for the table.
};

}  // namespace
}  // namespace runsc::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::BenchmarkReporter* display = benchmark::CreateDefaultDisplayReporter();
  // Only the console format has room for a table after it: JSON and CSV
  // output must stay parseable, so the table goes to stderr for them.
  const bool console = dynamic_cast<benchmark::ConsoleReporter*>(display) != nullptr;
  runsc::bench::RatioReporter reporter(display);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::fputs(reporter.RatioTable().c_str(), console ? stdout : stderr);
  return 0;
}
