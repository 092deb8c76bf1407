#include "fs/devpts.h"

#include <dirent.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "fs/synthetic.h"

namespace runsc::fs {
namespace {

constexpr unsigned kPtsMajor = 136;  // UNIX98_PTY_SLAVE_MAJOR.
constexpr char kPtmxName[] = "ptmx";

constexpr char kDevPtmx[] = "/dev/ptmx";

struct stat PtmxStat(const std::string& key, mode_t perm) {
  struct stat st = SyntheticStatOf(key, S_IFCHR | perm);
  st.st_rdev = makedev(5, 2);
  // udev gives /dev/ptmx to group tty; devpts's own ptmx is root's.
  if (key == kDevPtmx) st.st_gid = 5;
  return st;
}

// A ptmx node: /dev/ptmx or /dev/pts/ptmx. Its mode is read anew, as the
// mount's ptmxmode may change it.
class PtmxNode : public Node {
 public:
  PtmxNode(std::shared_ptr<Devpts> devpts, std::string key, std::function<mode_t()> perm)
      : devpts_(std::move(devpts)), key_(std::move(key)), perm_(std::move(perm)) {}
  absl::StatusOr<struct stat> Stat() override { return PtmxStat(key_, perm_()); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return devpts_->OpenMaster(task, flags, PtmxStat(key_, perm_()));
  }
  bool Cacheable() const override { return false; }
  NodeIdentity Identity() override { return SyntheticIdentityOf(key_); }

 private:
  std::shared_ptr<Devpts> devpts_;
  std::string key_;
  std::function<mode_t()> perm_;
};

class ReplicaNode : public Node {
 public:
  explicit ReplicaNode(std::shared_ptr<Pty> pty) : pty_(std::move(pty)) {}
  absl::StatusOr<struct stat> Stat() override { return pty_->replica_stat(); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return pty_->OpenReplica(task, flags);
  }
  bool Cacheable() const override { return false; }
  NodeIdentity Identity() override { return SyntheticIdentityOf(pty_->ReplicaPath()); }

 private:
  std::shared_ptr<Pty> pty_;
};

// /dev/pts/<n> of an exec'd process's host terminal. Its stat is the host
// tty's, as its open files show, so that ttyname(3) names it.
class HostTerminalNode : public Node {
 public:
  explicit HostTerminalNode(std::shared_ptr<HostTty> tty) : tty_(std::move(tty)) {}
  absl::StatusOr<struct stat> Stat() override { return tty_->Stat(); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return tty_->Open(flags);
  }
  bool Cacheable() const override { return false; }

 private:
  std::shared_ptr<HostTty> tty_;
};

absl::StatusOr<unsigned> ParseNumber(const std::string& option, const std::string& value, int base) {
  char* end = nullptr;
  errno = 0;
  const unsigned long n = std::strtoul(value.c_str(), &end, base);
  if (value.empty() || *end != '\0' || errno != 0 || n > 0xffffffffUL) {
    return ErrnoError(EINVAL, absl::StrCat("devpts: bad value in ", option));
  }
  return static_cast<unsigned>(n);
}

}  // namespace

absl::StatusOr<Devpts::Options> Devpts::ParseOptions(const std::vector<std::string>& data) {
  Options out;
  for (const std::string& option : data) {
    const size_t eq = option.find('=');
    const std::string key = option.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
    if (option == "newinstance") continue;  // Every sandbox has its own already.
    if (key == "max") continue;             // No limit but the fd limit.
    absl::StatusOr<unsigned> n = ParseNumber(option, value, key == "gid" || key == "uid" ? 10 : 8);
    if (!n.ok()) return n.status();
    if (key == "ptmxmode") {
      out.ptmx_mode = *n & 07777;
    } else if (key == "mode") {
      out.mode = *n & 07777;
    } else if (key == "gid") {
      out.gid = *n;
    } else if (key == "uid") {
      out.uid = *n;
    } else {
      return ErrnoError(EINVAL, absl::StrCat("devpts: unknown option \"", option, "\""));
    }
  }
  return out;
}

void Devpts::Configure(const Options& options) {
  absl::MutexLock lock(&mu_);
  options_ = options;
}

absl::StatusOr<std::shared_ptr<File>> Devpts::OpenMaster(sentry::Task& task, int flags,
                                                         const struct stat& ptmx_stat) {
  const int n = terminals_->Reserve();
  Options options;
  {
    absl::MutexLock lock(&mu_);
    options = options_;
  }
  const std::string path = absl::StrCat("/dev/pts/", n);
  struct stat st = SyntheticStatOf(path, S_IFCHR | options.mode);
  st.st_rdev = makedev(kPtsMajor + n / 256, n % 256);
  st.st_uid = options.uid.value_or(task.creds.fsuid);
  st.st_gid = options.gid.value_or(task.creds.fsgid);
  std::weak_ptr<Devpts> weak = weak_from_this();
  auto pty = std::make_shared<Pty>(task.kernel(), n, st, [weak](int index) {
    if (std::shared_ptr<Devpts> devpts = weak.lock()) devpts->Release(index);
  });
  {
    absl::MutexLock lock(&mu_);
    ptys_[n] = pty;
  }
  return pty->NewMaster(flags, ptmx_stat);
}

void Devpts::Release(int n) {
  {
    absl::MutexLock lock(&mu_);
    auto it = ptys_.find(n);
    if (it != ptys_.end() && it->second.expired()) ptys_.erase(it);
  }
  terminals_->Release(n);
}

std::vector<std::pair<int, std::shared_ptr<Pty>>> Devpts::Snapshot() {
  std::vector<std::pair<int, std::shared_ptr<Pty>>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [n, weak] : ptys_) {
    if (std::shared_ptr<Pty> pty = weak.lock()) out.emplace_back(n, std::move(pty));
  }
  return out;
}

std::vector<std::pair<int, std::shared_ptr<Pty>>> Devpts::List() {
  std::vector<std::pair<int, std::shared_ptr<Pty>>> out = Snapshot();
  std::erase_if(out, [&](const auto& entry) { return !entry.second->MasterOpen(); });
  return out;
}

std::shared_ptr<Pty> Devpts::Find(int n) {
  for (auto& [index, pty] : List()) {
    if (index == n) return pty;
  }
  return nullptr;
}

std::shared_ptr<Pty> Devpts::ControllingTerminalOf(sentry::Task& task) {
  for (auto& [n, pty] : Snapshot()) {
    if (pty->job_control().IsControllingTerminalOf(task)) return pty;
  }
  return nullptr;
}

std::shared_ptr<Node> Devpts::NewPtmxNode() {
  return std::make_shared<PtmxNode>(shared_from_this(), kDevPtmx, [] { return 0666; });
}

std::shared_ptr<Node> Devpts::NewDirNode() {
  std::shared_ptr<Devpts> self = shared_from_this();
  auto ptmx = std::make_shared<PtmxNode>(self, "/dev/pts/ptmx", [self] {
    absl::MutexLock lock(&self->mu_);
    return self->options_.ptmx_mode;
  });
  return std::make_shared<SyntheticDirNode>(
      "/dev/pts",
      [self](sentry::Task& task) {
        std::map<int, uint8_t> numbers;
        for (const auto& [n, tty] : self->terminals_->List()) numbers[n] = DT_CHR;
        for (const auto& [n, pty] : self->List()) numbers[n] = DT_CHR;
        std::vector<DirEntry> out;
        out.push_back({kPtmxName, SyntheticIno("/dev/pts/ptmx"), DT_CHR});
        for (const auto& [n, type] : numbers) {
          out.push_back({absl::StrCat(n), SyntheticIno(absl::StrCat("/dev/pts/", n)), type});
        }
        return out;
      },
      [self, ptmx](sentry::Task& task,
                   const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        if (name == kPtmxName) return ptmx;
        int n = -1;
        if (!absl::SimpleAtoi(name, &n) || n < 0 || absl::StrCat(n) != name) {
          return ErrnoError(ENOENT, "no such terminal");
        }
        if (std::shared_ptr<Pty> pty = self->Find(n)) {
          return std::make_shared<ReplicaNode>(std::move(pty));
        }
        if (std::shared_ptr<HostTty> tty = self->terminals_->Find(n)) {
          return std::make_shared<HostTerminalNode>(std::move(tty));
        }
        return ErrnoError(ENOENT, "no such terminal");
      });
}

}  // namespace runsc::fs
