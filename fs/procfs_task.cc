#include "fs/procfs_task.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <functional>
#include <typeinfo>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "fs/fd_table.h"
#include "fs/host_file.h"
#include "fs/machine_info.h"
#include "fs/pipe.h"
#include "fs/proc_format.h"
#include "fs/proc_mounts.h"
#include "fs/synthetic.h"

namespace runsc::fs {
namespace {

using sentry::Kernel;
using sentry::Task;

// Runs `f` on the task `tid` under the kernel lock; ESRCH if it is gone.
template <typename F>
auto WithTask(Kernel& kernel, int tid, F f) -> decltype(f(std::declval<Task&>())) {
  absl::MutexLock lock(&kernel.mu);
  Task* t = FindProcTaskLocked(kernel, tid);
  if (t == nullptr) return ErrnoError(ESRCH, "no such process");
  return f(*t);
}

// What a file needs of a task, taken under the kernel lock and used after.
struct TaskRefs {
  std::shared_ptr<sentry::MemoryManager> mm;
  std::shared_ptr<FdTable> fds;
  std::shared_ptr<FsContext> fs;
  std::string exe_path;
  uint32_t euid = 0;
};

absl::StatusOr<TaskRefs> RefsOf(Kernel& kernel, int tid) {
  return WithTask(kernel, tid, [](Task& t) -> absl::StatusOr<TaskRefs> {
    return TaskRefs{t.mm, std::static_pointer_cast<FdTable>(t.fds),
                    std::static_pointer_cast<FsContext>(t.fs), t.exe_path, t.creds.euid};
  });
}

std::vector<sentry::Mapping> MappingsOf(const TaskRefs& refs) {
  return refs.mm ? refs.mm->Mappings() : std::vector<sentry::Mapping>{};
}

// Linux's ptrace_may_access(PTRACE_MODE_READ), simplified to credentials:
// the same effective user, or CAP_SYS_PTRACE. Guards environ, whose
// contents may be secrets.
absl::Status MayRead(Task& reader, uint32_t target_euid) {
  if (reader.creds.euid == target_euid || reader.creds.HasCapability(CAP_SYS_PTRACE)) {
    return absl::OkStatus();
  }
  return ErrnoError(EACCES, "not allowed to read another user's process");
}

// Clock ticks (USER_HZ) since boot of `when`, boot being what
// CLOCK_BOOTTIME counts from (the host's: the sandbox's clock_gettime
// answers from it, and so does /proc/uptime).
int64_t TicksSinceBoot(absl::Time when) {
  timespec boot;
  clock_gettime(CLOCK_BOOTTIME, &boot);
  const absl::Time booted = absl::Now() - absl::DurationFromTimespec(boot);
  return std::max<int64_t>(0, absl::ToInt64Milliseconds(when - booted) / 10);
}

// Signals pending for `t`, as a set.
sentry::SignalSet PendingSet(const Task& t) {
  sentry::SignalSet set = 0;
  for (const siginfo_t& info : t.pending) {
    if (sentry::ValidSignal(info.si_signo)) set |= sentry::SignalBit(info.si_signo);
  }
  return set;
}

// Threads still running in `t`'s process (a zombie counts as one, as Linux
// shows it). Requires kernel().mu.
int ThreadCountLocked(Task& t) {
  return std::max<int>(1, static_cast<int>(t.group().members.size()));
}

// Process-directed signals pending for `t`'s process.
sentry::SignalSet SharedPendingSet(const Task& t) {
  sentry::SignalSet set = 0;
  for (const siginfo_t& info : t.group().pending) {
    if (sentry::ValidSignal(info.si_signo)) set |= sentry::SignalBit(info.si_signo);
  }
  return set;
}

// The process's parent, as getppid(2) answers. Requires kernel().mu.
int ParentTgidLocked(Task& t) {
  Task& leader = t.leader();
  return leader.parent ? leader.parent->tgid() : 0;
}

// FDSize: the fd table's slots, as Linux grows them (64, then powers of 2).
int FdSlots(const std::shared_ptr<FdTable>& fds) {
  int highest = -1;
  if (fds) {
    for (auto& [fd, e] : fds->Snapshot()) highest = std::max(highest, fd);
  }
  int slots = 64;
  while (slots <= highest) slots *= 2;
  return slots;
}

// 'T' for a task parked in its group's job-control stop, 'S' for one asleep
// in a blocking call that marks itself with a Task::SleepingScope (pipes and
// FIFO opens, poll/select/epoll, nanosleep); other live tasks are 'R', also
// those blocked elsewhere (a futex, wait4).
char StateLetter(Task& t) {
  if (t.leader().zombie) return 'Z';
  if (t.group_stopped) return 'T';
  return t.sleeping ? 'S' : 'R';
}

absl::StatusOr<std::string> StatFile(Kernel& kernel, int tid) {
  absl::StatusOr<TaskRefs> refs = RefsOf(kernel, tid);
  if (!refs.ok()) return refs.status();
  const std::vector<sentry::Mapping> maps = MappingsOf(*refs);
  const MemoryUsage usage = UsageOf(maps, refs->exe_path);
  uint64_t start_code = 0, end_code = 0;
  for (const sentry::Mapping& m : maps) {
    if ((m.prot & PROT_EXEC) && m.name == refs->exe_path && m.ino != 0) {
      if (start_code == 0) start_code = m.start;
      end_code = m.end;
    }
  }
  return WithTask(kernel, tid, [&](Task& t) -> absl::StatusOr<std::string> {
    const int ppid = ParentTgidLocked(t);
    sentry::SignalSet ignored = 0, caught = 0;
    if (t.handlers) {
      for (int sig = 1; sig <= sentry::kMaxSignal; ++sig) {
        const uint64_t h = t.handlers->at(sig).handler;
        if (h == 1) ignored |= sentry::SignalBit(sig);
        if (h > 1) caught |= sentry::SignalBit(sig);
      }
    }
    const sentry::MemoryManager* mm = refs->mm.get();
    // Fields 14-17 (CPU times) are 0: the sentry does not account CPU
    // time per task yet.
    return absl::StrFormat(
        "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %d 0 %d %u %u %u %u %u %u 0 0 "
        "%u %u %u %u 0 0 0 17 0 0 0 0 0 0 0 0 %u %u %u %u %u %d\n",
        t.tid(), t.comm, StateLetter(t), ppid, t.leader().pgid, t.leader().sid, ThreadCountLocked(t),
        TicksSinceBoot(t.start_time), usage.size, usage.rss() / sentry::kPageSize,
        t.rlimits[RLIMIT_RSS].rlim_cur, start_code, end_code, mm ? mm->stack_top : 0,
        PendingSet(t) | SharedPendingSet(t), t.blocked, ignored, caught,
        mm ? mm->brk_start() : 0,  // Field 47, start_brk (start_data and end_data stay 0).
        mm ? mm->arg_start : 0, mm ? mm->arg_end : 0,
        mm ? mm->env_start : 0, mm ? mm->env_end : 0, t.leader().zombie ? t.leader().exit_status : 0);
  });
}

absl::StatusOr<std::string> StatusFile(Kernel& kernel, int tid) {
  absl::StatusOr<TaskRefs> refs = RefsOf(kernel, tid);
  if (!refs.ok()) return refs.status();
  TaskStatus s;
  s.memory = UsageOf(MappingsOf(*refs), refs->exe_path);
  s.has_memory = refs->mm != nullptr;
  s.fd_size = FdSlots(refs->fds);
  s.cpus = MachineInfo::Get().cpus();
  if (refs->fs) s.umask = refs->fs->umask;
  return WithTask(kernel, tid, [&](Task& t) -> absl::StatusOr<std::string> {
    s.name = t.comm;
    s.state = StateLetter(t);
    s.tgid = t.tgid();
    s.pid = t.tid();
    s.ppid = ParentTgidLocked(t);
    s.pgid = t.leader().pgid;
    s.sid = t.leader().sid;
    const sentry::Credentials& c = t.creds;
    std::copy_n(std::array<uint32_t, 4>{c.uid, c.euid, c.suid, c.fsuid}.begin(), 4, s.uid);
    std::copy_n(std::array<uint32_t, 4>{c.gid, c.egid, c.sgid, c.fsgid}.begin(), 4, s.gid);
    s.groups = c.groups;
    s.threads = ThreadCountLocked(t);
    s.sigq_queued = t.pending.size() + t.group().pending.size();
    s.sigq_limit = t.rlimits[RLIMIT_SIGPENDING].rlim_cur;
    s.pending = PendingSet(t);
    s.shared_pending = SharedPendingSet(t);
    s.blocked = t.blocked;
    if (t.handlers) {
      for (int sig = 1; sig <= sentry::kMaxSignal; ++sig) {
        const uint64_t h = t.handlers->at(sig).handler;
        if (h == 1) s.ignored |= sentry::SignalBit(sig);
        if (h > 1) s.caught |= sentry::SignalBit(sig);
      }
    }
    s.cap_inh = c.cap_inheritable;
    s.cap_prm = c.cap_permitted;
    s.cap_eff = c.cap_effective;
    s.cap_bnd = c.cap_bounding;
    s.cap_amb = c.cap_ambient;
    s.no_new_privs = t.no_new_privs;
    if (t.leader().zombie) s.has_memory = false;
    return FormatStatus(s);
  });
}

// Reads [start, end) of the task's memory, at most `max` bytes; what cannot
// be read ends the result (a process may unmap its own arguments).
std::string ReadMemory(sentry::MemoryManager& mm, uint64_t start, uint64_t end, size_t max) {
  std::string out;
  if (end <= start) return out;
  const uint64_t len = std::min<uint64_t>(end - start, max);
  out.resize(len);
  if (mm.CopyIn(start, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), len)).ok()) {
    return out;
  }
  // Page by page, to keep what precedes a hole.
  size_t got = 0;
  while (got < len) {
    const uint64_t at = start + got;
    const size_t chunk = std::min<uint64_t>(len - got, sentry::PageRoundDown(at) + sentry::kPageSize - at);
    if (!mm.CopyIn(at, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()) + got, chunk)).ok()) {
      break;
    }
    got += chunk;
  }
  out.resize(got);
  return out;
}

constexpr size_t kMaxArgs = 1 << 20;

absl::StatusOr<std::string> CmdlineFile(Kernel& kernel, int tid) {
  absl::StatusOr<TaskRefs> refs = RefsOf(kernel, tid);
  if (!refs.ok()) return refs.status();
  if (refs->mm == nullptr) return std::string();
  sentry::MemoryManager& mm = *refs->mm;
  std::string args = ReadMemory(mm, mm.arg_start, mm.arg_end, kMaxArgs);
  // Linux's get_mm_cmdline: arguments that no longer end with a NUL were
  // rewritten (setproctitle) and are one string, which may run on into the
  // environment, up to its first NUL. Otherwise they are shown whole.
  if (!args.empty() && args.back() != '\0') {
    std::string more = ReadMemory(mm, mm.env_start, mm.env_end, kMaxArgs);
    args += more.substr(0, more.find('\0'));
    size_t nul = args.find('\0');
    if (nul != std::string::npos) args.resize(nul);
  }
  return args;
}

absl::StatusOr<std::string> EnvironFile(Kernel& kernel, Task& reader, int tid) {
  absl::StatusOr<TaskRefs> refs = RefsOf(kernel, tid);
  if (!refs.ok()) return refs.status();
  if (absl::Status s = MayRead(reader, refs->euid); !s.ok()) return s;
  if (refs->mm == nullptr) return std::string();
  return ReadMemory(*refs->mm, refs->mm->env_start, refs->mm->env_end, kMaxArgs);
}

absl::StatusOr<std::string> MapsFile(Kernel& kernel, int tid) {
  absl::StatusOr<TaskRefs> refs = RefsOf(kernel, tid);
  if (!refs.ok()) return refs.status();
  std::string out;
  for (const sentry::Mapping& m : MappingsOf(*refs)) out += FormatMapsLine(m);
  return out;
}

absl::StatusOr<std::string> LimitsFile(Kernel& kernel, int tid) {
  return WithTask(kernel, tid, [](Task& t) -> absl::StatusOr<std::string> {
    return FormatLimits(t.rlimits);
  });
}

absl::StatusOr<std::vector<ProcMount>> MountsOf(Kernel& kernel, Task& reader, int tid) {
  absl::StatusOr<TaskRefs> refs = RefsOf(kernel, tid);
  if (!refs.ok()) return refs.status();
  if (refs->fs == nullptr) return std::vector<ProcMount>{};
  return MountTable(reader, *refs->fs);
}

// oom_score_adj per thread group. It lives here until Task has a place for
// it; simplified: a forked child starts at 0 instead of its parent's value.
struct OomScores {
  absl::Mutex mu;
  std::map<int, int> by_tgid ABSL_GUARDED_BY(mu);
};
OomScores& Oom() {
  static OomScores* scores = new OomScores;
  return *scores;
}

int OomScoreAdj(int tgid) {
  absl::MutexLock lock(&Oom().mu);
  auto it = Oom().by_tgid.find(tgid);
  return it == Oom().by_tgid.end() ? 0 : it->second;
}

// A decimal written to a proc file: surrounding whitespace allowed, as
// kstrtoint_from_user.
absl::StatusOr<int> ParseProcInt(absl::string_view text) {
  int v;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &v)) {
    return ErrnoError(EINVAL, "not a number");
  }
  return v;
}

absl::Status WriteOomScoreAdj(Kernel& kernel, Task& writer, int tgid, absl::string_view text) {
  absl::StatusOr<int> v = ParseProcInt(text);
  if (!v.ok()) return v.status();
  if (*v < -1000 || *v > 1000) return ErrnoError(EINVAL, "oom_score_adj out of range");
  {
    absl::MutexLock lock(&kernel.mu);
    if (FindProcTaskLocked(kernel, tgid) == nullptr) return ErrnoError(ESRCH, "no such process");
  }
  // Lowering below the minimum (0 here: oom_score_adj_min is not
  // tracked) takes CAP_SYS_RESOURCE, as in Linux.
  if (*v < 0 && !writer.creds.HasCapability(CAP_SYS_RESOURCE)) {
    return ErrnoError(EACCES, "lowering oom_score_adj takes CAP_SYS_RESOURCE");
  }
  absl::MutexLock lock(&Oom().mu);
  Oom().by_tgid[tgid] = *v;
  return absl::OkStatus();
}

absl::Status WriteComm(Kernel& kernel, Task& writer, int tid, absl::string_view text) {
  // Linux's comm_write: at most TASK_COMM_LEN - 1 bytes, up to a NUL, a
  // newline kept; only a task of the writer's own thread group.
  std::string comm(text.substr(0, 15));
  comm.resize(std::min(comm.size(), comm.find('\0')));
  absl::MutexLock lock(&kernel.mu);
  Task* t = FindProcTaskLocked(kernel, tid);
  if (t == nullptr) return ErrnoError(ESRCH, "no such process");
  if (t->tgid() != writer.tgid()) return ErrnoError(EINVAL, "comm of another process");
  t->comm = comm;
  return absl::OkStatus();
}

// The node /proc/<tid>/<leaf>/<fd> stands for, made once the fd is known to be open.
using FdNodeMaker = std::function<std::shared_ptr<Node>(
    const std::string& path, const std::shared_ptr<FdTable>& fds, int fd)>;

// /proc/<tid>/fd and /proc/<tid>/fdinfo: one entry of `type` per open fd of
// the task, each looked up afresh so a closed fd is ENOENT.
std::shared_ptr<Node> DirOfFds(Kernel& kernel, int tid, const std::string& leaf,
                               unsigned char type, FdNodeMaker make_node) {
  auto key = absl::StrCat("/proc/", tid, "/", leaf);
  auto fds_of = [&kernel, tid]() -> std::shared_ptr<FdTable> {
    absl::MutexLock lock(&kernel.mu);
    Task* t = FindProcTaskLocked(kernel, tid);
    return t ? std::static_pointer_cast<FdTable>(t->fds) : nullptr;
  };
  return std::make_shared<SyntheticDirNode>(
      key,
      [fds_of, key, type](Task&) {
        std::vector<DirEntry> out;
        if (auto fds = fds_of()) {
          for (auto& [fd, e] : fds->Snapshot()) {
            out.push_back({std::to_string(fd), SyntheticIno(key + std::to_string(fd)), type});
          }
        }
        return out;
      },
      [fds_of, key, make_node = std::move(make_node)](
          Task&, const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        int fd;
        auto fds = fds_of();
        if (!absl::SimpleAtoi(name, &fd) || fds == nullptr || fds->GetIncludingOPath(fd) == nullptr) {
          return ErrnoError(ENOENT, "no such fd");
        }
        return make_node(key + "/" + name, fds, fd);
      });
}

// What /proc/<pid>/fd/N leads to when N is a host stream (stdio from runsc
// create, which no filesystem names): opening it reopens the stream.
class ReopenedStreamNode : public Node {
 public:
  explicit ReopenedStreamNode(std::shared_ptr<HostFile> file) : file_(std::move(file)) {}
  absl::StatusOr<struct stat> Stat() override { return file_->Stat(); }
  absl::StatusOr<std::shared_ptr<File>> Open(Task& task, int flags) override {
    return file_->ReopenStream(flags);
  }
  bool Cacheable() const override { return false; }

 private:
  const std::shared_ptr<HostFile> file_;
};

// The dentry following /proc/<pid>/fd/N reaches: the file's own, a detached
// one for a pipe(2) end (which reopens the pipe) or a host stream, or null
// (the link's text is followed, and names nothing, for the sentry's sockets
// and anon inodes: ENOENT, where Linux gives ENXIO for a socket).
std::shared_ptr<Dentry> DentryOfOpenFile(const std::shared_ptr<File>& file) {
  if (file->dentry != nullptr) return file->dentry;
  if (std::shared_ptr<Node> pipe = Pipe::AnonymousPipeNodeOf(file)) {
    auto dentry = std::make_shared<Dentry>();
    dentry->node = std::move(pipe);
    dentry->path = file->Path();
    return dentry;
  }
  // Exactly a HostFile: the console (HostTtyFile) keeps its job control.
  if (typeid(*file) != typeid(HostFile)) return nullptr;
  auto dentry = std::make_shared<Dentry>();
  dentry->node = std::make_shared<ReopenedStreamNode>(std::static_pointer_cast<HostFile>(file));
  dentry->path = file->Path();
  return dentry;
}

std::shared_ptr<Node> FdDir(Kernel& kernel, int tid) {
  return DirOfFds(kernel, tid, "fd", DT_LNK,
                  [](const std::string& path, const std::shared_ptr<FdTable>& fds, int fd) {
                    return std::make_shared<MagicLinkNode>(
                        path,
                        [fds, fd](Task&) -> absl::StatusOr<std::string> {
                          auto file = fds->GetIncludingOPath(fd);
                          if (file == nullptr) return ErrnoError(ENOENT, "fd closed");
                          return file->Path();
                        },
                        // Reopens the file itself.
                        [fds, fd](Task&) -> absl::StatusOr<std::shared_ptr<Dentry>> {
                          auto file = fds->GetIncludingOPath(fd);
                          if (file == nullptr) return ErrnoError(ENOENT, "fd closed");
                          return DentryOfOpenFile(file);
                        });
                  });
}

// Linux's O_LARGEFILE, which open(2) always sets on 64-bit kernels (glibc's
// header defines it as 0 there).
constexpr int kKernelOLargefile = 0100000;

absl::StatusOr<std::string> FdInfo(Kernel& kernel, Task& reader, const std::shared_ptr<FdTable>& fds,
                                   int fd) {
  absl::StatusOr<FdTable::Entry> e = fds->GetEntry(fd);
  if (!e.ok()) return ErrnoError(ENOENT, "fd closed");
  File& file = *e->file;
  absl::StatusOr<int64_t> pos = file.Seek(0, SEEK_CUR);
  int flags = file.flags();
  if (e->cloexec) flags |= O_CLOEXEC;
  if (file.dentry != nullptr) flags |= kKernelOLargefile;
  int mnt_id = 0;
  std::string path = file.dentry ? file.dentry->path : "";
  std::shared_ptr<FsContext> fsc;
  std::string extra;
  {
    absl::MutexLock lock(&kernel.mu);
    fsc = std::static_pointer_cast<FsContext>(reader.fs);
    extra = file.FdInfoLocked();
  }
  if (!path.empty() && fsc != nullptr && fsc->vfs != nullptr) mnt_id = MountIdOf(*fsc->vfs, path);
  absl::StatusOr<struct stat> st = file.Stat();
  return absl::StrFormat("pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%u\n%s", pos.ok() ? *pos : 0,
                         flags, mnt_id, st.ok() ? st->st_ino : 0, extra);
}

std::shared_ptr<Node> FdInfoDir(Kernel& kernel, int tid) {
  return DirOfFds(kernel, tid, "fdinfo", DT_REG,
                  [&kernel](const std::string& path, const std::shared_ptr<FdTable>& fds, int fd) {
                    return std::make_shared<SyntheticFileNode>(
                        path,
                        [&kernel, fds, fd](Task& reader) { return FdInfo(kernel, reader, fds, fd); });
                  });
}

// /proc/<tid>/cwd and root: magic links to the task's own directories (a
// chrooted task's root is not the reader's "/").
std::shared_ptr<Node> FsLink(Kernel& kernel, int tid, const std::string& key,
                             std::shared_ptr<Dentry> FsContext::*which) {
  auto dentry_of = [&kernel, tid, which](Task&) {
    return WithTask(kernel, tid, [which](Task& t) -> absl::StatusOr<std::shared_ptr<Dentry>> {
      auto* fsc = static_cast<FsContext*>(t.fs.get());
      if (fsc == nullptr || fsc->*which == nullptr) return ErrnoError(ENOENT, "no such directory");
      return fsc->*which;
    });
  };
  return std::make_shared<MagicLinkNode>(
      key,
      [dentry_of](Task& reader) -> absl::StatusOr<std::string> {
        absl::StatusOr<std::shared_ptr<Dentry>> d = dentry_of(reader);
        if (!d.ok()) return d.status();
        return (*d)->path;
      },
      dentry_of);
}

// /proc/<pid>/exe: a magic link to the file the task runs (what execve
// opened, reached even if it was renamed since); its text is the path
// execve resolved. ENOENT for a zombie, as Linux once the mm is gone.
std::shared_ptr<Node> ExeLink(Kernel& kernel, int tid, const std::string& key) {
  using PathAndDentry = std::pair<std::string, std::shared_ptr<Dentry>>;
  auto exe_of = [&kernel, tid](Task&) {
    return WithTask(kernel, tid, [](Task& t) -> absl::StatusOr<PathAndDentry> {
      if (t.leader().zombie || t.exe == nullptr) return ErrnoError(ENOENT, "no executable");
      return PathAndDentry(t.exe_path, t.exe);
    });
  };
  return std::make_shared<MagicLinkNode>(
      key,
      [exe_of](Task& reader) -> absl::StatusOr<std::string> {
        auto exe = exe_of(reader);
        if (!exe.ok()) return exe.status();
        return exe->first;
      },
      [exe_of](Task& reader) -> absl::StatusOr<std::shared_ptr<Dentry>> {
        auto exe = exe_of(reader);
        if (!exe.ok()) return exe.status();
        return exe->second;
      });
}

// /proc/<pid>/task: the thread group's tasks, by the kernel's task table
// (one per process today; threads appear as they land).
std::shared_ptr<Node> TaskListDir(Kernel& kernel, int tgid) {
  const std::string key = absl::StrCat("/proc/", tgid, "/task");
  return std::make_shared<SyntheticDirNode>(
      key,
      [&kernel, tgid, key](Task&) {
        std::vector<DirEntry> out;
        absl::MutexLock lock(&kernel.mu);
        kernel.ForEachTask([&](Task& t) {
          if (t.tgid() == tgid) {
            out.push_back({std::to_string(t.tid()), SyntheticIno(absl::StrCat(key, "/", t.tid())), DT_DIR});
          }
        });
        return out;
      },
      [&kernel, tgid](Task&, const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        int tid;
        if (absl::SimpleAtoi(name, &tid)) {
          absl::MutexLock lock(&kernel.mu);
          Task* t = FindProcTaskLocked(kernel, tid);
          if (t != nullptr && t->tgid() == tgid) return NewProcTaskDir(kernel, tgid, tid, true);
        }
        return ErrnoError(ENOENT, "no such task");
      });
}

}  // namespace

sentry::Task* FindProcTaskLocked(Kernel& kernel, int tid) { return kernel.FindTask(tid); }

absl::StatusOr<std::string> ProcMountsFile(Kernel& kernel, Task& reader, int tid) {
  absl::StatusOr<std::vector<ProcMount>> mounts = MountsOf(kernel, reader, tid);
  if (!mounts.ok()) return mounts.status();
  return FormatMounts(*mounts);
}

std::shared_ptr<Node> NewProcTaskDir(Kernel& kernel, int tgid, int tid, bool thread_view) {
  const std::string key =
      thread_view ? absl::StrCat("/proc/", tgid, "/task/", tid) : absl::StrCat("/proc/", tid);
  auto file = [&](const char* name, std::function<absl::StatusOr<std::string>(Kernel&, int)> g) {
    return std::make_shared<SyntheticFileNode>(
        key + "/" + name, [&kernel, tid, g](Task&) { return g(kernel, tid); });
  };
  std::map<std::string, std::shared_ptr<Node>> children = {
      {"stat", file("stat", StatFile)},
      {"status", file("status", StatusFile)},
      {"statm", file("statm",
                     [](Kernel& k, int tid) -> absl::StatusOr<std::string> {
                       absl::StatusOr<TaskRefs> refs = RefsOf(k, tid);
                       if (!refs.ok()) return refs.status();
                       return FormatStatm(UsageOf(MappingsOf(*refs), refs->exe_path));
                     })},
      {"cmdline", file("cmdline", CmdlineFile)},
      {"environ", std::make_shared<SyntheticFileNode>(
                      key + "/environ",
                      [&kernel, tid](Task& reader) { return EnvironFile(kernel, reader, tid); }, 0400)},
      {"maps", file("maps", MapsFile)},
      {"smaps", file("smaps",
                     [](Kernel& k, int tid) -> absl::StatusOr<std::string> {
                       absl::StatusOr<TaskRefs> refs = RefsOf(k, tid);
                       if (!refs.ok()) return refs.status();
                       return FormatSmaps(MappingsOf(*refs));
                     })},
      {"smaps_rollup", file("smaps_rollup",
                            [](Kernel& k, int tid) -> absl::StatusOr<std::string> {
                              absl::StatusOr<TaskRefs> refs = RefsOf(k, tid);
                              if (!refs.ok()) return refs.status();
                              return FormatSmapsRollup(MappingsOf(*refs));
                            })},
      {"limits", file("limits", LimitsFile)},
      {"comm", std::make_shared<SyntheticFileNode>(
                   key + "/comm",
                   [&kernel, tid](Task&) {
                     return WithTask(kernel, tid, [](Task& t) -> absl::StatusOr<std::string> {
                       return t.comm + "\n";
                     });
                   },
                   0644,
                   [&kernel, tid](Task& writer, absl::string_view text) {
                     return WriteComm(kernel, writer, tid, text);
                   })},
      {"oom_score_adj", std::make_shared<SyntheticFileNode>(
                            key + "/oom_score_adj",
                            [&kernel, tgid](Task&) -> absl::StatusOr<std::string> {
                              return absl::StrCat(OomScoreAdj(tgid), "\n");
                            },
                            0644,
                            [&kernel, tgid](Task& writer, absl::string_view text) {
                              return WriteOomScoreAdj(kernel, writer, tgid, text);
                            })},
      // The badness the OOM killer would give: the sentry has no OOM
      // killer of its own, so only the adjustment's share of it.
      {"oom_score", std::make_shared<SyntheticFileNode>(
                        key + "/oom_score", [tgid](Task&) -> absl::StatusOr<std::string> {
                          return absl::StrCat(std::max(0, OomScoreAdj(tgid) * 2 / 3 + 666), "\n");
                        })},
      // No audit: the login uid was never set ((uid_t)-1).
      {"loginuid", std::make_shared<SyntheticFileNode>(
                       key + "/loginuid",
                       [](Task&) -> absl::StatusOr<std::string> { return std::string("4294967295"); })},
      // One cgroup v2 hierarchy, the sandbox at its root.
      {"cgroup", std::make_shared<SyntheticFileNode>(
                     key + "/cgroup",
                     [](Task&) -> absl::StatusOr<std::string> { return std::string("0::/\n"); })},
      {"mounts", std::make_shared<SyntheticFileNode>(
                     key + "/mounts",
                     [&kernel, tid](Task& reader) { return ProcMountsFile(kernel, reader, tid); })},
      {"mountinfo", std::make_shared<SyntheticFileNode>(
                        key + "/mountinfo",
                        [&kernel, tid](Task& reader) -> absl::StatusOr<std::string> {
                          absl::StatusOr<std::vector<ProcMount>> m = MountsOf(kernel, reader, tid);
                          if (!m.ok()) return m.status();
                          return FormatMountinfo(*m);
                        })},
      {"exe", ExeLink(kernel, tid, key + "/exe")},
      {"cwd", FsLink(kernel, tid, key + "/cwd", &FsContext::cwd)},
      {"root", FsLink(kernel, tid, key + "/root", &FsContext::root)},
      {"fd", FdDir(kernel, tid)},
      {"fdinfo", FdInfoDir(kernel, tid)},
  };
  if (!thread_view) children["task"] = TaskListDir(kernel, tgid);
  return SyntheticDirNode::Fixed(key, std::move(children));
}

}  // namespace runsc::fs
