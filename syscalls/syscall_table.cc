#include "syscalls/syscall_table.h"

#include <sys/syscall.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "nlohmann/json.hpp"

namespace runsc::syscalls {
namespace {

SyscallTable BuildTable() {
  SyscallTable t{};
  RegisterReadWrite(t);
  RegisterFile(t);
  RegisterFileMutate(t);
  RegisterMemory(t);
  RegisterProcess(t);
  RegisterSignal(t);
  RegisterTime(t);
  RegisterPoll(t);
  RegisterSelect(t);
  RegisterEventfd(t);
  RegisterSignalfd(t);
  RegisterTimerfd(t);
  RegisterEpoll(t);
  RegisterFutex(t);
  RegisterPrctl(t);
  RegisterCredentials(t);
  RegisterSched(t);
  RegisterItimer(t);
  RegisterPosixTimers(t);
  RegisterSocket(t);
  RegisterWait(t);
  RegisterFlock(t);
  RegisterMemfd(t);
  RegisterInotify(t);
  RegisterXattr(t);
  // The families register only what they implement; every other number is
  // named here, so the listing, --strace and the unimplemented-syscall log
  // all say "mount" rather than "syscall_165".
  for (int nr = 0; nr < kNumSyscalls; ++nr) {
    SyscallEntry& entry = t[nr];
    if (entry.name == nullptr) entry.name = SyscallName(nr);
    // A level without a handler would promise what the dispatcher cannot do.
    if (entry.handler == nullptr) entry.support = Support::kUnimplemented;
    if (entry.note == nullptr) entry.note = "";
  }
  return t;
}

// A note is free text: keep a '|' in it from ending its Markdown cell.
std::string MarkdownCell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}});
}

}  // namespace

const char* SupportName(Support support) {
  switch (support) {
    case Support::kFull: return "full";
    case Support::kPartial: return "partial";
    case Support::kUnimplemented: return "unimplemented";
  }
  return "unimplemented";
}

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
    // ordered_json keeps the fields in the order a reader expects.
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (int nr = 0; nr < kNumSyscalls; ++nr) {
      if (t[nr].name == nullptr) continue;  // Never assigned on x86-64.
      out.push_back({{"number", nr},
                     {"name", t[nr].name},
                     {"support", SupportName(t[nr].support)},
                     {"note", t[nr].note}});
    }
    return out.dump(2) + "\n";
  }
  int counts[3] = {0, 0, 0};  // Indexed by Support.
  std::string rows;
  for (int nr = 0; nr < kNumSyscalls; ++nr) {
    if (t[nr].name == nullptr) continue;
    ++counts[static_cast<int>(t[nr].support)];
    absl::StrAppend(&rows, "| ", nr, " | ", t[nr].name, " | ", SupportName(t[nr].support), " | ",
                    MarkdownCell(t[nr].note), " |\n");
  }
  return absl::StrCat("# runsc syscalls (amd64)\n\n", counts[static_cast<int>(Support::kFull)],
                      " full, ", counts[static_cast<int>(Support::kPartial)], " partial, ",
                      counts[static_cast<int>(Support::kUnimplemented)],
                      " unimplemented (these return ENOSYS).\n\n",
                      "| nr | name | support | note |\n|---:|---|---|---|\n", rows);
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
      result.value == sentry::kErrRestartNoHand || result.value == sentry::kErrRestartRestartBlock) {
    task.syscall_restart_pending = true;
  }
}

}  // namespace runsc::syscalls
