#include "sentry/boot/mounts.h"

#include <fcntl.h>
#include <sys/statvfs.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/errno_status.h"
#include "base/logging.h"
#include "fs/gofer_node.h"
#include "fs/procfs.h"
#include "fs/readonly_node.h"
#include "fs/sysfs.h"
#include "fs/tmpfs.h"

namespace runsc::sentry {
namespace {

using Type = MountOptions::Type;

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

absl::Status MountError(const std::string& destination, const absl::Status& cause) {
  if (cause.ok()) return cause;
  return absl::Status(cause.code(), absl::StrCat("mount at ", destination, ": ", cause.message()));
}

// The options column of /proc/mounts.
std::string OptionsOf(const MountOptions& m) {
  std::vector<std::string> out = {m.read_only ? "ro" : "rw"};
  if (m.nosuid) out.push_back("nosuid");
  if (m.nodev) out.push_back("nodev");
  if (m.noexec) out.push_back("noexec");
  out.push_back("relatime");
  out.insert(out.end(), m.data.begin(), m.data.end());
  return absl::StrJoin(out, ",");
}

// The canonical path of the mount point for `destination`, made if missing
// (see ApplyMounts). `directory`: the mount is of a directory.
absl::StatusOr<std::string> MountPoint(Task& task, fs::Vfs& vfs, const std::string& destination,
                                       bool directory) {
  std::vector<std::string> parts = absl::StrSplit(destination, '/', absl::SkipEmpty());
  std::shared_ptr<fs::Dentry> cur = vfs.root();
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& name = parts[i];
    const bool last = i + 1 == parts.size();
    if (name == ".") continue;
    if (name == "..") {
      if (cur->parent != nullptr) cur = cur->parent;
      continue;
    }
    // Symlinks on the way are followed inside the container's root, as
    // runc's securejoin does.
    absl::StatusOr<std::shared_ptr<fs::Dentry>> next =
        vfs.Resolve(task, vfs.root(), JoinPath(cur->path, name), /*follow_last=*/true);
    if (next.ok()) {
      cur = *next;
      if (!last && cur->node->Type() != S_IFDIR) {
        return ErrnoError(ENOTDIR, absl::StrCat(cur->path, " is not a directory"));
      }
      continue;
    }
    if (ErrnoOf(next.status()) != ENOENT) return next.status();
    absl::StatusOr<std::shared_ptr<fs::Node>> made;
    if (!last || directory) {
      made = cur->node->Mkdir(task, name, 0755);
    } else {
      absl::StatusOr<fs::CreatedNode> created = cur->node->Create(task, name, O_RDONLY, 0644);
      if (created.ok()) {
        made = created->node;
      } else {
        made = created.status();
      }
    }
    if (made.ok()) {
      cur = vfs.AddChild(cur, name, *made);
      continue;
    }
    const std::string path = JoinPath(cur->path, name);
    if (!last) {
      return absl::Status(made.status().code(), absl::StrCat("cannot make the directory ", path,
                                                             ": ", made.status().message()));
    }
    LogDebug("mount point ", path, " cannot be made (", made.status().message(),
             "): mounted over the missing name");
    return path;
  }
  if (cur == vfs.root()) return ErrnoError(EBUSY, "cannot mount over the container's root");
  const bool is_dir = cur->node->Type() == S_IFDIR;
  if (directory && !is_dir) return ErrnoError(ENOTDIR, absl::StrCat(cur->path, " is not a directory"));
  if (!directory && is_dir) return ErrnoError(EISDIR, absl::StrCat(cur->path, " is a directory"));
  return cur->path;
}

absl::Status MountAt(Task& task, fs::Vfs& vfs, const std::string& destination, bool directory,
                     std::shared_ptr<fs::Node> node, fs::MountInfo info) {
  absl::StatusOr<std::string> path = MountPoint(task, vfs, destination, directory);
  if (!path.ok()) return MountError(destination, path.status());
  if (absl::Status s = vfs.Mount(&task, *path, std::move(node), std::move(info)); !s.ok()) {
    return MountError(destination, s);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<fs::Node>> NewTmpfsFor(const MountOptions& m) {
  absl::StatusOr<fs::TmpfsOptions> options = fs::ParseTmpfsOptions(m.data);
  if (!options.ok()) return options.status();
  options->read_only = m.read_only;
  options->statfs_flags = (m.nosuid ? ST_NOSUID : 0) | (m.nodev ? ST_NODEV : 0) |
                          (m.noexec ? ST_NOEXEC : 0);
  return fs::NewTmpfs(*options);
}

absl::Status ApplyMount(Task& task, fs::Vfs& vfs, const std::shared_ptr<gofer::GoferClient>& gofer,
                        const std::shared_ptr<fs::Devpts>& devpts, const MountOptions& m) {
  if (m.noexec) LogDebug("mount at ", m.destination, ": noexec is shown, not enforced");
  std::shared_ptr<fs::Node> node;
  fs::MountInfo info{.source = m.source, .options = OptionsOf(m)};
  bool directory = true;
  switch (m.type) {
    case Type::kTmpfs: {
      if (m.destination == "/dev") {
        // runc fills a tmpfs at /dev with device nodes; the sentry's devfs
        // is that already.
        LogDebug("tmpfs at /dev: the sentry's own /dev stays");
        return absl::OkStatus();
      }
      absl::StatusOr<std::shared_ptr<fs::Node>> tmpfs = NewTmpfsFor(m);
      if (!tmpfs.ok()) return MountError(m.destination, tmpfs.status());
      node = *tmpfs;
      info.type = "tmpfs";
      break;
    }
    case Type::kProc:
      node = fs::NewProcfs(task.kernel());
      info.type = "proc";
      break;
    case Type::kSysfs:
      node = fs::NewSysfs(task.kernel());
      info.type = "sysfs";
      break;
    case Type::kDevpts: {
      // The sandbox has one devpts, the one /dev/pts already shows: the
      // mount sets its options and shows it where the spec puts it.
      if (devpts == nullptr) return MountError(m.destination, absl::UnimplementedError("no devpts"));
      absl::StatusOr<fs::Devpts::Options> options = fs::Devpts::ParseOptions(m.data);
      if (!options.ok()) return MountError(m.destination, options.status());
      devpts->Configure(*options);
      node = devpts->NewDirNode();
      info.type = "devpts";
      break;
    }
    case Type::kBind: {
      absl::StatusOr<gofer::WalkedFile> attached = gofer->Attach(m.gofer_mount);
      if (!attached.ok()) {
        return MountError(m.destination, absl::Status(attached.status().code(),
                                                      absl::StrCat("the gofer's bind mount ",
                                                                   m.gofer_mount, ": ",
                                                                   attached.status().message())));
      }
      directory = S_ISDIR(attached->stat.mode);
      node = std::make_shared<fs::GoferNode>(gofer, *attached);
      info.type = "9p";  // As gVisor shows what its gofer serves.
      // ro is the gofer's to enforce, as for root.readonly.
      return MountAt(task, vfs, m.destination, directory, std::move(node), std::move(info));
    }
  }
  // The sentry's own filesystems have no read-only mode of their own.
  if (m.read_only && m.type != Type::kTmpfs) node = std::make_shared<fs::ReadOnlyNode>(node);
  return MountAt(task, vfs, m.destination, directory, std::move(node), std::move(info));
}

// The mount table entry `path` is on.
fs::MountInfo ContainingMount(fs::Vfs& vfs, const std::string& path) {
  fs::MountInfo best;
  size_t best_length = 0;
  for (const fs::MountEntry& e : vfs.MountTable()) {
    const bool under = e.path == "/" || path == e.path || path.starts_with(e.path + "/");
    if (under && e.path.size() >= best_length) {
      best = e.info;
      best_length = e.path.size();
    }
  }
  return best;
}

absl::Status MaskPath(Task& task, fs::Vfs& vfs, const std::string& path) {
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d = vfs.Resolve(task, vfs.root(), path, true);
  if (!d.ok()) {
    // As runc: what is not there needs no mask.
    if (ErrnoOf(d.status()) == ENOENT) return absl::OkStatus();
    return MountError(path, d.status());
  }
  if ((*d)->node->Type() == S_IFDIR) {
    return MountError(path, vfs.Mount(&task, (*d)->path, fs::NewTmpfs({.read_only = true}),
                                      {.source = "tmpfs", .type = "tmpfs", .options = "ro,relatime"}));
  }
  return MountError(path, vfs.Mount(&task, (*d)->path, fs::NewMaskedFileNode(),
                                    {.source = "none", .type = "devtmpfs", .options = "ro"}));
}

absl::Status ReadOnlyPath(Task& task, fs::Vfs& vfs, const std::string& path) {
  absl::StatusOr<std::shared_ptr<fs::Dentry>> d = vfs.Resolve(task, vfs.root(), path, true);
  if (!d.ok()) {
    if (ErrnoOf(d.status()) == ENOENT) return absl::OkStatus();
    return MountError(path, d.status());
  }
  fs::MountInfo info = ContainingMount(vfs, (*d)->path);
  if (info.options.starts_with("rw")) info.options.replace(0, 2, "ro");
  return MountError(path, vfs.Mount(&task, (*d)->path,
                                    std::make_shared<fs::ReadOnlyNode>((*d)->node), info));
}

}  // namespace

absl::Status ApplyMounts(Task& task, fs::Vfs& vfs, const std::shared_ptr<gofer::GoferClient>& gofer,
                         const BootOptions& options, std::shared_ptr<fs::Devpts> devpts) {
  const Credentials saved = task.creds;
  task.creds = Credentials{};
  absl::Status status = [&]() -> absl::Status {
    // Shared memory (shm_open, POSIX semaphores) needs a tmpfs at /dev/shm
    // even when the spec mounts none; a spec's own mount there replaces it.
    if (absl::Status s = MountAt(task, vfs, "/dev/shm", true, fs::NewTmpfs({}),
                                 {.source = "shm",
                                  .type = "tmpfs",
                                  .options = "rw,nosuid,nodev,noexec,relatime"});
        !s.ok()) {
      return s;
    }
    for (const MountOptions& m : options.mounts) {
      if (absl::Status s = ApplyMount(task, vfs, gofer, devpts, m); !s.ok()) return s;
    }
    for (const std::string& path : options.masked_paths) {
      if (absl::Status s = MaskPath(task, vfs, path); !s.ok()) return s;
    }
    for (const std::string& path : options.readonly_paths) {
      if (absl::Status s = ReadOnlyPath(task, vfs, path); !s.ok()) return s;
    }
    return absl::OkStatus();
  }();
  task.creds = saved;
  return status;
}

}  // namespace runsc::sentry
