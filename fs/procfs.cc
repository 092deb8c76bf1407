#include "fs/procfs.h"

#include <dirent.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fs/fd_table.h"
#include "fs/synthetic.h"

namespace runsc::fs {
namespace {

using sentry::Kernel;
using sentry::Task;

// Runs `f` on the task `tid` under the kernel lock; ESRCH if it is gone.
template <typename F>
auto WithTask(Kernel& kernel, int tid, F f) -> decltype(f(std::declval<Task&>())) {
  absl::MutexLock lock(&kernel.mu);
  Task* t = kernel.FindTask(tid);
  if (t == nullptr || t->zombie) return ErrnoError(ESRCH, "no such process");
  return f(*t);
}

char StateLetter(const Task& t) { return t.zombie ? 'Z' : 'R'; }

absl::StatusOr<std::string> StatFile(Kernel& kernel, int tid) {
  return WithTask(kernel, tid, [&](Task& t) -> absl::StatusOr<std::string> {
    int ppid = t.parent ? t.parent->tgid() : 0;
    int64_t start_ticks = absl::ToInt64Milliseconds(t.start_time - kernel.boot_time) / 10;
    return absl::StrFormat(
        "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0 "
        "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
        t.tid(), t.comm, StateLetter(t), ppid, t.pgid, t.sid, start_ticks);
  });
}

absl::StatusOr<std::string> StatusFile(Kernel& kernel, int tid) {
  return WithTask(kernel, tid, [&](Task& t) -> absl::StatusOr<std::string> {
    int ppid = t.parent ? t.parent->tgid() : 0;
    const auto& c = t.creds;
    return absl::StrFormat(
        "Name:\t%s\nUmask:\t0022\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
        "TracerPid:\t0\nUid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nFDSize:\t64\nGroups:\t\n"
        "NSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nThreads:\t1\nSigQ:\t0/0\n"
        "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t%016x\n"
        "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
        "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t%d\nSeccomp:\t0\n",
        t.comm, StateLetter(t), t.zombie ? "zombie" : "running", t.tgid(), t.tid(), ppid, c.uid,
        c.euid, c.suid, c.euid, c.gid, c.egid, c.sgid, c.egid, t.tid(), t.pgid, t.sid, t.blocked,
        t.no_new_privs ? 1 : 0);
  });
}

absl::StatusOr<std::string> CmdlineFile(Kernel& kernel, int tid) {
  std::shared_ptr<sentry::MemoryManager> mm;
  {
    absl::MutexLock lock(&kernel.mu);
    Task* t = kernel.FindTask(tid);
    if (t == nullptr) return ErrnoError(ESRCH, "no such process");
    mm = t->mm;
  }
  if (mm == nullptr || mm->arg_end <= mm->arg_start) return std::string();
  std::string out(std::min<uint64_t>(mm->arg_end - mm->arg_start, 1 << 16), '\0');
  if (!mm->CopyIn(mm->arg_start, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size())).ok()) {
    return std::string();
  }
  return out;
}

std::shared_ptr<Node> FdDir(Kernel& kernel, int tid) {
  auto key = absl::StrCat("/proc/", tid, "/fd");
  auto fds_of = [&kernel, tid]() -> std::shared_ptr<FdTable> {
    absl::MutexLock lock(&kernel.mu);
    Task* t = kernel.FindTask(tid);
    return t ? std::static_pointer_cast<FdTable>(t->fds) : nullptr;
  };
  return std::make_shared<SyntheticDirNode>(
      key,
      [fds_of, key](Task&) {
        std::vector<DirEntry> out;
        if (auto fds = fds_of()) {
          for (auto& [fd, e] : fds->Snapshot()) {
            out.push_back({std::to_string(fd), SyntheticIno(key + std::to_string(fd)), DT_LNK});
          }
        }
        return out;
      },
      [fds_of, key](Task&, const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        int fd;
        auto fds = fds_of();
        if (!absl::SimpleAtoi(name, &fd) || fds == nullptr || fds->Get(fd) == nullptr) {
          return ErrnoError(ENOENT, "no such fd");
        }
        return std::make_shared<SyntheticSymlinkNode>(
            key + "/" + name, [fds, fd](Task&) -> absl::StatusOr<std::string> {
              auto file = fds->Get(fd);
              if (file == nullptr) return ErrnoError(ENOENT, "fd closed");
              return file->Path();
            });
      });
}

std::shared_ptr<Node> TaskDir(Kernel& kernel, int tid) {
  std::string key = absl::StrCat("/proc/", tid);
  auto file = [&](const char* name, std::function<absl::StatusOr<std::string>(Kernel&, int)> g) {
    return std::make_shared<SyntheticFileNode>(
        key + "/" + name, [&kernel, tid, g](Task&) { return g(kernel, tid); });
  };
  return SyntheticDirNode::Fixed(
      key,
      {
          {"stat", file("stat", StatFile)},
          {"status", file("status", StatusFile)},
          {"cmdline", file("cmdline", CmdlineFile)},
          {"comm", file("comm", [](Kernel& k, int tid) {
             return WithTask(k, tid, [](Task& t) -> absl::StatusOr<std::string> {
               return t.comm + "\n";
             });
           })},
          {"exe", std::make_shared<SyntheticSymlinkNode>(
                      key + "/exe",
                      [&kernel, tid](Task&) {
                        return WithTask(kernel, tid, [](Task& t) -> absl::StatusOr<std::string> {
                          return t.exe_path;
                        });
                      })},
          {"cwd", std::make_shared<SyntheticSymlinkNode>(
                      key + "/cwd",
                      [&kernel, tid](Task&) {
                        return WithTask(kernel, tid, [](Task& t) -> absl::StatusOr<std::string> {
                          return static_cast<FsContext*>(t.fs.get())->cwd->path;
                        });
                      })},
          {"fd", FdDir(kernel, tid)},
      });
}

}  // namespace

std::shared_ptr<Node> NewProcfs(Kernel& kernel) {
  std::map<std::string, std::shared_ptr<Node>> fixed = {
      {"self", std::make_shared<SyntheticSymlinkNode>(
                   "/proc/self",
                   [](Task& t) -> absl::StatusOr<std::string> { return std::to_string(t.tgid()); })},
      {"uptime", std::make_shared<SyntheticFileNode>(
                     "/proc/uptime",
                     [&kernel](Task&) -> absl::StatusOr<std::string> {
                       double up = absl::ToDoubleSeconds(absl::Now() - kernel.boot_time);
                       return absl::StrFormat("%.2f %.2f\n", up, up);
                     })},
      {"mounts", std::make_shared<SyntheticFileNode>(
                     "/proc/mounts",
                     [](Task&) -> absl::StatusOr<std::string> {
                       return std::string(
                           "none / 9p ro,relatime 0 0\nproc /proc proc rw,relatime 0 0\n"
                           "none /dev tmpfs rw,relatime 0 0\n");
                     })},
  };
  auto shared = std::make_shared<decltype(fixed)>(std::move(fixed));
  return std::make_shared<SyntheticDirNode>(
      "/proc",
      [&kernel, shared](Task&) {
        std::vector<DirEntry> out;
        for (auto& [name, node] : *shared) {
          out.push_back({name, SyntheticIno("/proc/" + name), node->Type() == S_IFLNK ? uint8_t{DT_LNK} : uint8_t{DT_REG}});
        }
        absl::MutexLock lock(&kernel.mu);
        kernel.ForEachTask([&](Task& t) {
          if (!t.zombie) out.push_back({std::to_string(t.tid()), SyntheticIno(absl::StrCat("/proc/", t.tid())), DT_DIR});
        });
        return out;
      },
      [&kernel, shared](Task&, const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        auto it = shared->find(name);
        if (it != shared->end()) return it->second;
        int tid;
        if (absl::SimpleAtoi(name, &tid)) {
          absl::MutexLock lock(&kernel.mu);
          Task* t = kernel.FindTask(tid);
          if (t != nullptr && !t->zombie) return TaskDir(kernel, tid);
        }
        return ErrnoError(ENOENT, "no such file in /proc");
      });
}

}  // namespace runsc::fs
