#include "syscalls/syscall_table.h"

#include <sys/syscall.h>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "nlohmann/json.hpp"

namespace runsc::syscalls {
namespace {

const char* SupportName(Support s) {
  switch (s) {
    case Support::kFull: return "full";
    case Support::kPartial: return "partial";
    case Support::kUnimplemented: return "unimplemented";
  }
  return "unimplemented";
}

SyscallTable BuildTable() {
  SyscallTable t{};
  RegisterReadWrite(t);
  RegisterFile(t);
  RegisterMemory(t);
  RegisterProcess(t);
  RegisterSignal(t);
  RegisterTime(t);
  return t;
}

}  // namespace

SyscallResult FromStatus(const absl::Status& status) {
  if (status.ok()) return SyscallResult::Value(0);
  return SyscallResult::Error(ErrnoOf(status, EIO));
}

const SyscallTable& Table() {
  static const SyscallTable table = BuildTable();
  return table;
}

std::string DescribeTable(bool json) {
  const SyscallTable& t = Table();
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (int nr = 0; nr < kNumSyscalls; ++nr) {
      out.push_back({{"number", nr},
                     {"name", t[nr].name ? t[nr].name : absl::StrCat("syscall_", nr)},
                     {"support", SupportName(t[nr].support)},
                     {"note", t[nr].note}});
    }
    return out.dump(2) + "\n";
  }
  std::string md = "| nr | name | support | note |\n|---:|---|---|---|\n";
  for (int nr = 0; nr < kNumSyscalls; ++nr) {
    if (t[nr].name == nullptr) continue;
    absl::StrAppend(&md, "| ", nr, " | ", t[nr].name, " | ", SupportName(t[nr].support), " | ",
                    t[nr].note, " |\n");
  }
  return md;
}

void Dispatcher::Dispatch(sentry::Task& task) {
  platform::Registers& regs = task.regs;
  const int64_t nr = static_cast<int64_t>(regs.orig_rax);
  SyscallArgs args{{regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9}};
  SyscallResult result = SyscallResult::Error(ENOSYS);
  const SyscallEntry* entry = nr >= 0 && nr < kNumSyscalls ? &Table()[nr] : nullptr;
  if (entry != nullptr && entry->handler != nullptr) {
    result = entry->handler(task, args);
  } else {
    task.kernel().ReportUnimplemented(static_cast<int>(nr),
                                      entry && entry->name ? entry->name : "unknown");
  }
  if (task.kernel().strace) {
    LogInfo("[", task.tid(), "] ", entry && entry->name ? entry->name : absl::StrCat("syscall_", nr),
            "(0x", absl::Hex(args[0]), ", 0x", absl::Hex(args[1]), ", 0x", absl::Hex(args[2]),
            ", 0x", absl::Hex(args[3]), ") = ",
            result.keep_registers ? std::string("<regs>") : absl::StrCat(result.value));
  }
  if (result.keep_registers) return;
  regs.rax = static_cast<uint64_t>(result.value);
  if (result.value == sentry::kErrRestartSys || result.value == sentry::kErrRestartNoIntr ||
      result.value == sentry::kErrRestartNoHand) {
    task.syscall_restart_pending = true;
  }
}

}  // namespace runsc::syscalls
