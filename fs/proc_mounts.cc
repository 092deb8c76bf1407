#include "fs/proc_mounts.h"

#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <cstdint>

#include "fs/gofer_node.h"
#include "fs/vfs.h"

namespace runsc::fs {
namespace {

// A mount's id: its place in the Vfs's table, from 1 (Linux's are
// arbitrary numbers too).
int IdAt(size_t index) { return static_cast<int>(index) + 1; }

bool Under(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// The index of the mount `path` is on among the first `limit` mounts: the
// last one made at the longest mount point above it.
size_t MountOf(const std::vector<MountEntry>& table, const std::string& path,
               size_t limit = SIZE_MAX) {
  size_t best = 0;
  for (size_t i = 0; i < table.size() && i < limit; ++i) {
    if (Under(path, table[i].path) && table[i].path.size() >= table[best].path.size()) best = i;
  }
  return best;
}

// A mount whose Mount() call said nothing of it: what its node is.
void InferFromNode(sentry::Task& reader, Node& node, const std::string& path, ProcMount& e) {
  absl::StatusOr<struct statfs> sfs = node.StatFs(reader);
  if (dynamic_cast<GoferNode*>(&node) != nullptr) {
    // The gofer's files, as gVisor shows them.
    e.fstype = "9p";
    e.source = "none";
    e.options = sfs.ok() && (sfs->f_flags & ST_RDONLY) ? "ro,relatime" : "rw,relatime";
  } else if (sfs.ok() && sfs->f_type == 0x9fa0) {
    e.fstype = e.source = "proc";
    e.options = "rw,nosuid,nodev,noexec,relatime";
  } else if (sfs.ok() && sfs->f_type == 0x62656572) {
    e.fstype = e.source = "sysfs";
    e.options = "ro,nosuid,nodev,noexec,relatime";
  } else {
    e.fstype = "tmpfs";
    e.source = path == "/dev" ? "none" : "tmpfs";
    e.options = "rw,nosuid";
  }
}

}  // namespace

int MountIdOf(Vfs& vfs, const std::string& path) { return IdAt(MountOf(vfs.MountTable(), path)); }

std::vector<ProcMount> MountTable(sentry::Task& reader, const FsContext& fsc) {
  std::vector<ProcMount> out;
  if (fsc.vfs == nullptr || fsc.root == nullptr) return out;
  Vfs& vfs = *fsc.vfs;
  const std::string& root = fsc.root->path;
  const std::vector<MountEntry> table = vfs.MountTable();
  const size_t base = MountOf(table, root);
  for (size_t i = 0; i < table.size(); ++i) {
    const MountEntry& m = table[i];
    if (i != base && (!Under(m.path, root) || m.path == root)) continue;
    // A mount hidden by a later one at the same place is listed too, as
    // Linux does; its parent is the mount it was made on.
    ProcMount e;
    e.id = IdAt(i);
    e.parent_id = i == 0 ? 0 : IdAt(MountOf(table, m.path, i));
    if (i == base) {
      e.mount_point = "/";
      e.root = root == m.path ? "/" : (m.path == "/" ? root : root.substr(m.path.size()));
    } else {
      e.mount_point = root == "/" ? m.path : m.path.substr(root.size());
    }
    e.fstype = m.info.type;
    e.source = m.info.source;
    e.options = m.info.options;
    absl::StatusOr<std::shared_ptr<Dentry>> d = vfs.Resolve(reader, vfs.root(), m.path, false);
    if (d.ok()) {
      if (absl::StatusOr<struct stat> st = (*d)->node->Stat(); st.ok()) {
        e.major = major(st->st_dev);
        e.minor = minor(st->st_dev);
      }
      if (e.fstype.empty() || e.fstype == "none") InferFromNode(reader, *(*d)->node, m.path, e);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace runsc::fs
