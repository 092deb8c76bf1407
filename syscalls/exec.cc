#include "syscalls/exec.h"

#include <fcntl.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/logging.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/elf_loader.h"
#include "syscalls/helpers.h"
#include "syscalls/process_cpu_clock.h"
#include "syscalls/sys_timer.h"

namespace runsc::syscalls {
namespace {

constexpr int kMaxInterpreterDepth = 4;

// The file execveat names (see ExecAtInto).
absl::StatusOr<std::shared_ptr<fs::Dentry>> ResolveExecutable(sentry::Task& t, int dirfd,
                                                              const std::string& path, int flags) {
  if (path.empty() && (flags & AT_EMPTY_PATH)) {
    if (dirfd == AT_FDCWD) return FsCtx(t).cwd;  // A directory: EACCES below.
    std::shared_ptr<fs::File> f = Fds(t).GetIncludingOPath(dirfd);
    if (!f) return ErrnoError(EBADF, "execveat: bad fd");
    if (!f->dentry) return ErrnoError(EACCES, "execveat: the fd is not a file with a name");
    return f->dentry;
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d =
      VfsOf(t).ResolveAt(t, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!d.ok()) return d.status();
  if ((flags & AT_SYMLINK_NOFOLLOW) && (*d)->node->Type() == S_IFLNK) {
    return ErrnoError(ELOOP, "execveat: the path is a symlink (AT_SYMLINK_NOFOLLOW)");
  }
  return d;
}

absl::StatusOr<std::shared_ptr<fs::File>> OpenExecutable(sentry::Task& t,
                                                         const std::shared_ptr<fs::Dentry>& d,
                                                         std::string& resolved) {
  absl::StatusOr<struct stat> st = d->node->Stat();
  if (!st.ok()) return st.status();
  if (S_ISDIR(st->st_mode)) return ErrnoError(EACCES, "is a directory");
  if (!S_ISREG(st->st_mode) || !(st->st_mode & 0111)) return ErrnoError(EACCES, "not executable");
  resolved = d->path;
  return VfsOf(t).Open(t, d, O_RDONLY);
}

absl::StatusOr<std::shared_ptr<fs::File>> OpenExecutable(sentry::Task& t, const std::string& path,
                                                         std::string& resolved) {
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d = ResolveExecutable(t, AT_FDCWD, path, 0);
  if (!d.ok()) return d.status();
  return OpenExecutable(t, *d, resolved);
}

// Makes every other thread of t's process exit and waits until their host
// threads are done with the old address space.
void EndOtherThreads(sentry::Task& t) {
  sentry::Kernel& k = t.kernel();
  absl::MutexLock lock(&k.mu);
  sentry::ThreadGroup& group = t.group();
  if (group.members.size() == 1) return;
  for (sentry::Task* member : group.members) {
    if (member != &t) member->BeginExitLocked(sentry::SignaledStatus(SIGKILL, false));
  }
  while (group.members.size() > 1) k.cv.Wait(&k.mu);
  if (!t.is_leader()) {
    // Linux gives the exec'ing thread the leader's pid; here it keeps its
    // own tid (getpid() is still the process's).
    LogWarning("execve from thread ", t.tid(), " of process ", t.tgid(),
               ": the new image keeps the thread's tid");
  }
}

// A vfork child runs in its parent's stub until it execs: the stub's host
// CPU time is then the parent's, not the child's to account.
bool BorrowsAnotherProcessesMemory(sentry::Task& t) {
  absl::MutexLock lock(&t.kernel().mu);
  bool borrowed = false;
  t.kernel().ForEachTask([&](sentry::Task& other) {
    if (&other.group() != &t.group() && other.mm == t.mm) borrowed = true;
  });
  return borrowed;
}

}  // namespace

absl::Status ExecInto(sentry::Task& t, const std::string& path, std::vector<std::string> argv,
                      const std::vector<std::string>& envv) {
  return ExecAtInto(t, AT_FDCWD, path, 0, std::move(argv), envv);
}

absl::Status ExecAtInto(sentry::Task& t, int dirfd, const std::string& given_path, int flags,
                        std::vector<std::string> argv, const std::vector<std::string>& envv) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
    return ErrnoError(EINVAL, "execveat: unknown flags");
  }
  absl::StatusOr<std::shared_ptr<fs::Dentry>> target =
      ResolveExecutable(t, dirfd, given_path, flags);
  if (!target.ok()) return target.status();
  std::string exe_path;
  absl::StatusOr<std::shared_ptr<fs::File>> exe = OpenExecutable(t, *target, exe_path);
  if (!exe.ok()) return exe.status();
  // The name the new image goes by (AT_EXECFN, a script's argument): an
  // fd-relative one is spelled through /dev/fd, as Linux's bprm->filename.
  std::string path = given_path;
  // Linux's BINPRM_FLAGS_PATH_INACCESSIBLE: that name dies with a
  // close-on-exec fd, so no interpreter could open a script by it.
  bool path_inaccessible = false;
  if (dirfd != AT_FDCWD && (given_path.empty() || given_path[0] != '/')) {
    path = absl::StrCat("/dev/fd/", dirfd, given_path.empty() ? "" : "/", given_path);
    absl::StatusOr<fs::FdTable::Entry> entry = Fds(t).GetEntry(dirfd);
    path_inaccessible = entry.ok() && entry->cloexec;
  }
  std::string execfn = path;

  // "#!" scripts: the interpreter runs with the script as an argument.
  for (int depth = 0;; ++depth) {
    char head[256] = {};
    absl::StatusOr<size_t> n = (*exe)->PRead(t, absl::MakeSpan(reinterpret_cast<uint8_t*>(head), sizeof(head) - 1), 0);
    if (!n.ok()) return n.status();
    if (*n < 2 || head[0] != '#' || head[1] != '!') break;
    if (path_inaccessible) {
      return ErrnoError(ENOENT, "execveat: a #! script from a close-on-exec fd");
    }
    if (depth >= kMaxInterpreterDepth) return ErrnoError(ELOOP, "too many #! levels");
    std::string line(head + 2, strnlen(head + 2, *n - 2));
    line = line.substr(0, line.find('\n'));
    absl::string_view rest = absl::StripAsciiWhitespace(line);
    std::string interp(rest.substr(0, rest.find_first_of(" \t")));
    if (interp.empty()) return ErrnoError(ENOEXEC, "empty #! line");
    std::string arg;
    if (rest.find_first_of(" \t") != absl::string_view::npos) {
      arg = std::string(absl::StripAsciiWhitespace(rest.substr(rest.find_first_of(" \t"))));
    }
    std::vector<std::string> new_argv = {interp};
    if (!arg.empty()) new_argv.push_back(arg);
    new_argv.push_back(path);
    for (size_t i = 1; i < argv.size(); ++i) new_argv.push_back(argv[i]);
    argv = std::move(new_argv);
    exe = OpenExecutable(t, interp, exe_path);
    if (!exe.ok()) return exe.status();
  }

  const int exe_fd = (*exe)->HostFd();
  if (exe_fd < 0) return ErrnoError(EACCES, "executable is not a regular rootfs file");
  absl::StatusOr<sentry::ElfInfo> info = sentry::ReadElfInfo(exe_fd);
  if (!info.ok()) return info.status();
  std::shared_ptr<fs::File> interp_file;
  if (!info->interpreter.empty()) {
    std::string unused;
    absl::StatusOr<std::shared_ptr<fs::File>> f = OpenExecutable(t, info->interpreter, unused);
    if (!f.ok()) return ErrnoError(ENOENT, "ELF interpreter not found");
    interp_file = *f;
  }

  absl::StatusOr<std::unique_ptr<platform::AddressSpace>> as =
      t.kernel().platform().NewAddressSpace();
  if (!as.ok()) return as.status();
  if (absl::Status s = (*as)->Attach(); !s.ok()) return s;
  auto mm = std::make_shared<sentry::MemoryManager>(std::move(*as));
  sentry::ExecArgs args{argv, envv, execfn, exe_path, t.creds.uid, t.creds.gid, t.kernel().vdso};
  absl::StatusOr<sentry::LoadedImage> image =
      sentry::LoadElf(*mm, exe_fd, interp_file ? interp_file->HostFd() : -1, args);
  if (!image.ok()) return image.status();

  // Point of no return: the new image replaces the old, and the other
  // threads of the process go (Linux's de_thread).
  EndOtherThreads(t);
  t.ReleaseClearChildTid();
  if (t.mm == nullptr || !BorrowsAnotherProcessesMemory(t)) AccountCpuOfReplacedImage(t);
  std::shared_ptr<sentry::MemoryManager> old;
  {
    absl::MutexLock lock(&t.kernel().mu);
    old = std::move(t.mm);
    t.mm = mm;
    for (sentry::KernelSigaction& act : t.handlers->actions) {
      if (act.handler != reinterpret_cast<uint64_t>(SIG_IGN)) act = sentry::KernelSigaction{};
    }
    for (std::deque<siginfo_t>* queue : {&t.pending, &t.group().pending}) {
      queue->erase(std::remove_if(queue->begin(), queue->end(),
                                  [](const siginfo_t& i) { return i.si_signo == SIGCHLD; }),
                   queue->end());
    }
  }
  if (old != nullptr) old->address_space().ReleaseThread();  // init's first exec has none.
  old.reset();  // Kills the old stub, unless a vfork parent still runs in it.
  t.ReleaseVforkParent();
  Fds(t).CloseOnExec();
  DeletePosixTimers(t);
  t.alt_stack = sentry::SignalStack();
  t.keep_caps = false;  // SECURE_KEEP_CAPS does not survive execve.
  t.creds.TransformForExecve(/*setid_file=*/false, t.no_new_privs);  // No set-user-ID exec yet.
  {
    absl::MutexLock lock(&t.kernel().mu);  // /proc/<pid>/exe reads them.
    t.exe_path = exe_path;
    t.exe = (*exe)->dentry;
  }
  // Linux names the task after the path execve was given, not the file it
  // resolved to: a busybox applet run as /bin/sh is "sh", not "busybox"
  // (and a #! script is named after the script).
  // (Linux 6.10 on: execveat of an fd is named after the file's dentry.)
  const std::string& name_source = given_path.empty() ? exe_path : path;
  std::string base = name_source.substr(name_source.rfind('/') + 1);
  {
    absl::MutexLock lock(&t.kernel().mu);  // /proc of other tasks reads it.
    t.comm = base.substr(0, 15);
  }
  t.regs = platform::Registers{};
  t.regs.rip = image->entry;
  t.regs.rsp = image->stack_pointer;
  t.regs.cs = 0x33;
  t.regs.ss = 0x2b;
  t.regs.eflags = 0x202;
  t.regs.orig_rax = static_cast<uint64_t>(-1);
  platform::FpRegisters fp{};
  fp.cwd = 0x37f;
  fp.mxcsr = 0x1f80;
  return t.context->SetFpRegisters(t.mm->address_space(), fp);
}

}  // namespace runsc::syscalls
