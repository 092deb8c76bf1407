// The amd64 syscall table (DESIGN §4): every number has an entry with a
// handler, a support level and a note. `runsc syscalls` prints it.
#ifndef RUNSC_SYSCALLS_SYSCALL_TABLE_H_
#define RUNSC_SYSCALLS_SYSCALL_TABLE_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "sentry/kernel/kernel.h"
#include "syscalls/syscall_names.h"

namespace runsc::syscalls {

struct SyscallArgs {
  uint64_t a[6];
  uint64_t operator[](int i) const { return a[i]; }
};

// What a handler returns: a value, or a Linux errno (returned as -errno),
// or nothing at all when the handler rewrote the registers (rt_sigreturn,
// execve).
struct SyscallResult {
  int64_t value = 0;
  bool keep_registers = false;
  static SyscallResult Value(int64_t v) { return {v, false}; }
  static SyscallResult Error(int err) { return {-static_cast<int64_t>(err), false}; }
  static SyscallResult KeepRegisters() { return {0, true}; }
};

// The one place a Status becomes an errno for the application.
SyscallResult FromStatus(const absl::Status& status);

enum class Support { kFull, kPartial, kUnimplemented };

// "full", "partial" or "unimplemented": the word `runsc syscalls` prints.
const char* SupportName(Support support);

using Handler = SyscallResult (*)(sentry::Task&, const SyscallArgs&);

struct SyscallEntry {
  const char* name = nullptr;
  Handler handler = nullptr;
  Support support = Support::kUnimplemented;
  const char* note = "";
};

using SyscallTable = std::array<SyscallEntry, kNumSyscalls>;

// The table, built once. Every assigned x86-64 number has its Linux name;
// a number without a handler is kUnimplemented (the dispatcher answers
// ENOSYS). Numbers never assigned on x86-64 have no name and no handler.
const SyscallTable& Table();

// The compatibility document (DESIGN §4), one row per assigned number:
// a Markdown table (nr, name, support, note) with a summary line, or a JSON
// array of {"number", "name", "support", "note"} objects in number order.
std::string DescribeTable(bool json);

// The kernel's dispatcher: decodes, calls the handler, sets rax, logs with
// --strace.
class Dispatcher : public sentry::SyscallDispatcher {
 public:
  void Dispatch(sentry::Task& task) override;
};

// Registration of each family (one per sys_*.cc file).
void RegisterReadWrite(SyscallTable& t);
void RegisterFile(SyscallTable& t);
void RegisterFileMutate(SyscallTable& t);
void RegisterMemory(SyscallTable& t);
void RegisterProcess(SyscallTable& t);
void RegisterSignal(SyscallTable& t);
void RegisterTime(SyscallTable& t);
void RegisterPoll(SyscallTable& t);
void RegisterSelect(SyscallTable& t);
void RegisterEventfd(SyscallTable& t);
void RegisterSignalfd(SyscallTable& t);
void RegisterTimerfd(SyscallTable& t);
void RegisterEpoll(SyscallTable& t);
void RegisterFutex(SyscallTable& t);
void RegisterPrctl(SyscallTable& t);
void RegisterCredentials(SyscallTable& t);  // After RegisterProcess: owns getgroups.
void RegisterSched(SyscallTable& t);
void RegisterItimer(SyscallTable& t);
void RegisterPosixTimers(SyscallTable& t);
void RegisterSocket(SyscallTable& t);
void RegisterWait(SyscallTable& t);
void RegisterFlock(SyscallTable& t);
void RegisterMemfd(SyscallTable& t);
void RegisterInotify(SyscallTable& t);
void RegisterXattr(SyscallTable& t);

}  // namespace runsc::syscalls

#endif  // RUNSC_SYSCALLS_SYSCALL_TABLE_H_
