#include "fs/devfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/unique_fd.h"
#include "fs/host_file.h"
#include "fs/synthetic.h"
#include "sentry/kernel/kernel.h"

namespace runsc::fs {
namespace {

enum class Device { kNull, kZero, kFull, kRandom };

class DeviceFile : public File {
 public:
  DeviceFile(int flags, Device device, struct stat st) : File(flags), device_(device), stat_(st) {}
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    switch (device_) {
      case Device::kNull: return 0;
      case Device::kZero:
      case Device::kFull: std::memset(buf.data(), 0, buf.size()); return buf.size();
      case Device::kRandom: {
        ssize_t n = ::getrandom(buf.data(), buf.size(), 0);
        if (n < 0) return HostError("getrandom");
        return static_cast<size_t>(n);
      }
    }
    return 0;
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    if (device_ == Device::kFull) return ErrnoError(ENOSPC, "/dev/full");
    return buf.size();
  }
  absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf, int64_t) override {
    return Read(task, buf);
  }
  absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf, int64_t) override {
    return Write(task, buf);
  }
  absl::StatusOr<int64_t> Seek(int64_t, int) override { return 0; }
  absl::StatusOr<struct stat> Stat() override { return stat_; }

 private:
  Device device_;
  struct stat stat_;
};

class DeviceNode : public Node {
 public:
  DeviceNode(Device device, unsigned major, unsigned minor, std::string name)
      : device_(device), name_(std::move(name)) {
    stat_ = SyntheticStat(S_IFCHR | 0666, SyntheticIno("/dev/" + name_));
    stat_.st_rdev = makedev(major, minor);
  }
  absl::StatusOr<struct stat> Stat() override { return stat_; }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return std::make_shared<DeviceFile>(flags, device_, stat_);
  }

 private:
  Device device_;
  std::string name_;
  struct stat stat_;
};

// /dev/tty: the opener's controlling terminal: the console, the terminal
// of an exec'd process (host_terminals.h), or a sentry pty. A task whose session has none
// (one that called setsid(2), or gave it up with TIOCNOTTY) gets ENXIO, as
// on Linux.
class TtyNode : public Node {
 public:
  TtyNode(std::shared_ptr<HostTty> console, std::shared_ptr<Devpts> devpts)
      : console_(std::move(console)), devpts_(std::move(devpts)) {
    stat_ = SyntheticStat(S_IFCHR | 0666, SyntheticIno("/dev/tty"));
    stat_.st_rdev = makedev(5, 0);
  }
  absl::StatusOr<struct stat> Stat() override { return stat_; }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    // A new open file description on the same terminal, as Linux's
    // /dev/tty gives: its own flags, the terminal's device.
    if (console_ != nullptr && console_->job_control().IsControllingTerminalOf(task)) {
      return console_->Open(flags);
    }
    if (std::shared_ptr<HostTty> tty = devpts_->terminals()->ControllingTerminalOf(task)) {
      return tty->Open(flags);
    }
    if (std::shared_ptr<Pty> pty = devpts_->ControllingTerminalOf(task)) {
      // Already the controlling terminal: O_NOCTTY changes nothing.
      return pty->OpenReplica(task, flags | O_NOCTTY);
    }
    return ErrnoError(ENXIO, "no controlling terminal");
  }

 private:
  std::shared_ptr<HostTty> console_;
  std::shared_ptr<Devpts> devpts_;
  struct stat stat_;
};

// /dev/console: the console itself, for anyone who may open it. Its stat is
// the host tty's, the same as what fds 0-2 show, so that ttyname(3) (and
// tty(1)) name it.
class ConsoleNode : public Node {
 public:
  explicit ConsoleNode(std::shared_ptr<HostTty> console) : console_(std::move(console)) {}
  absl::StatusOr<struct stat> Stat() override { return console_->Stat(); }
  absl::StatusOr<std::shared_ptr<File>> Open(sentry::Task& task, int flags) override {
    return console_->Open(flags);
  }

 private:
  std::shared_ptr<HostTty> console_;
};

std::shared_ptr<Node> Link(const std::string& key, const std::string& target) {
  return std::make_shared<SyntheticSymlinkNode>(
      key, [target](sentry::Task&) -> absl::StatusOr<std::string> { return target; });
}

}  // namespace

std::shared_ptr<Node> NewDevfs(std::shared_ptr<HostTty> console,
                               std::shared_ptr<Devpts> devpts) {
  if (devpts == nullptr) devpts = std::make_shared<Devpts>(std::make_shared<HostTerminals>());
  std::map<std::string, std::shared_ptr<Node>> entries = {
                  {"null", std::make_shared<DeviceNode>(Device::kNull, 1, 3, "null")},
                  {"zero", std::make_shared<DeviceNode>(Device::kZero, 1, 5, "zero")},
                  {"full", std::make_shared<DeviceNode>(Device::kFull, 1, 7, "full")},
                  {"random", std::make_shared<DeviceNode>(Device::kRandom, 1, 8, "random")},
                  {"urandom", std::make_shared<DeviceNode>(Device::kRandom, 1, 9, "urandom")},
                  {"fd", Link("/dev/fd", "/proc/self/fd")},
                  {"stdin", Link("/dev/stdin", "/proc/self/fd/0")},
                  {"stdout", Link("/dev/stdout", "/proc/self/fd/1")},
                  {"stderr", Link("/dev/stderr", "/proc/self/fd/2")},
                  {"tty", std::make_shared<TtyNode>(console, devpts)},
                  {"ptmx", devpts->NewPtmxNode()},
                  {"pts", devpts->NewDirNode()},
                  {"shm", SyntheticDirNode::Fixed("/dev/shm", {})},
              };
  if (console != nullptr) entries["console"] = std::make_shared<ConsoleNode>(console);
  return SyntheticDirNode::Fixed("/dev", std::move(entries));
}

}  // namespace runsc::fs
