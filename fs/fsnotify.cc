#include "fs/fsnotify.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "fs/watch_table.h"

namespace runsc::fs {
namespace {

WatchTable& Table() { return WatchTable::Sentry(); }

uint32_t IsDirBit(Node& node) { return node.Type() == S_IFDIR ? IN_ISDIR : 0; }

// The dentry's name in its parent: the last component of its path.
std::string NameOf(const Dentry& d) {
  const size_t slash = d.path.rfind('/');
  return slash == std::string::npos ? d.path : d.path.substr(slash + 1);
}

// An event about the file `d` names: with its name to its directory's
// watches (fsnotify_parent), then to its own, in the order Linux's
// fsnotify_handle_event reports them. `path_event`: it comes through an
// open file (read, write, open, close), the only kind IN_EXCL_UNLINK
// filters, as in Linux's inotify_handle_inode_event.
void NotifyNamed(const Dentry& d, uint32_t event, bool path_event) {
  if (d.node == nullptr) return;
  event |= IsDirBit(*d.node);
  const bool unlinked = path_event && d.unlinked.load();
  if (d.parent != nullptr && d.parent->node != nullptr) {
    Table().Notify(d.parent->node->Identity(), event, 0, NameOf(d), unlinked);
  }
  Table().Notify(d.node->Identity(), event, 0, "", unlinked);
}

// The file `node` lost a link: if that was its last one, it is gone for
// its watches (IN_DELETE_SELF, IN_IGNORED). A stat is paid only for a
// watched file; a directory that was removed is always gone.
void NotifyIfDeleted(Node& node, bool directory) {
  const NodeIdentity id = node.Identity();
  if (!Table().Watched(id)) return;
  if (!directory) {
    absl::StatusOr<struct stat> st = node.Stat();
    if (st.ok() && st->st_nlink > 0) return;
  }
  Table().NotifyDeleted(id);
}

// The events of one move (fsnotify_move): the cookie ties the pair, then
// the overwritten file's link count (IN_ATTRIB) and the moved file's
// IN_MOVE_SELF.
void NotifyMove(const Dentry& from_dir, const std::string& from_name, const Dentry& to_dir,
                const std::string& to_name, Node& moved, Node* overwritten) {
  const uint32_t cookie = Table().NextCookie();
  const uint32_t isdir = IsDirBit(moved);
  Table().Notify(from_dir.node->Identity(), IN_MOVED_FROM | isdir, cookie, from_name);
  Table().Notify(to_dir.node->Identity(), IN_MOVED_TO | isdir, cookie, to_name);
  if (overwritten != nullptr) {
    Table().Notify(overwritten->Identity(), IN_ATTRIB | IsDirBit(*overwritten), 0, "");
  }
  Table().Notify(moved.Identity(), IN_MOVE_SELF, 0, "");
}

bool Notifiable(const File& file) {
  return file.dentry != nullptr && !(file.flags() & O_PATH) && !Table().Empty();
}

}  // namespace

void NotifyFileEvent(const File& file, uint32_t event) {
  if (!Notifiable(file)) return;
  NotifyNamed(*file.dentry, event, /*path_event=*/true);
}

void NotifyOpen(const File& file, bool truncated) {
  if (!Notifiable(file)) return;
  if (truncated) NotifyNamed(*file.dentry, IN_MODIFY, /*path_event=*/false);
  NotifyNamed(*file.dentry, IN_OPEN, /*path_event=*/true);
}

void NotifyLastClose(const File& file) {
  if (!Notifiable(file)) return;
  const bool wrote = (file.flags() & O_ACCMODE) != O_RDONLY;
  NotifyNamed(*file.dentry, wrote ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE, /*path_event=*/true);
}

void NotifySetAttr(const Dentry& dentry, const SetAttrs& attrs) {
  if (Table().Empty()) return;
  // Linux's fsnotify_change.
  uint32_t event = 0;
  if (attrs.mode.has_value()) event |= IN_ATTRIB;
  if (attrs.owner.has_value() &&
      (attrs.owner->first != static_cast<uid_t>(-1) || attrs.owner->second != static_cast<gid_t>(-1))) {
    event |= IN_ATTRIB;
  }
  if (attrs.size.has_value()) event |= IN_MODIFY;
  if (attrs.times.has_value()) {
    const bool atime = attrs.times->first.tv_nsec != UTIME_OMIT;
    const bool mtime = attrs.times->second.tv_nsec != UTIME_OMIT;
    // Both times is a utimes(2): a change of attributes.
    if (atime && mtime) {
      event |= IN_ATTRIB;
    } else if (atime) {
      event |= IN_ACCESS;
    } else if (mtime) {
      event |= IN_MODIFY;
    }
  }
  if (event != 0) NotifyNamed(dentry, event, /*path_event=*/false);
}

void NotifyXattrChange(const Dentry& dentry) {
  if (Table().Empty()) return;
  NotifyNamed(dentry, IN_ATTRIB, /*path_event=*/false);
}

void NotifyCreate(const Dentry& dir, const std::string& name, Node& child) {
  if (Table().Empty() || dir.node == nullptr) return;
  Table().Notify(dir.node->Identity(), IN_CREATE | IsDirBit(child), 0, name);
}

void NotifyLink(Node& target, const Dentry& dir, const std::string& name) {
  if (Table().Empty()) return;
  // fsnotify_link_count: the file's own watches only.
  Table().Notify(target.Identity(), IN_ATTRIB | IsDirBit(target), 0, "");
  NotifyCreate(dir, name, target);
}

void NotifyRemove(const Dentry& dir, const std::string& name, Dentry& child, bool directory) {
  child.unlinked.store(true);
  if (Table().Empty() || child.node == nullptr || dir.node == nullptr) return;
  Node& node = *child.node;
  // vfs_unlink's fsnotify_link_count; vfs_rmdir has none.
  if (!directory) Table().Notify(node.Identity(), IN_ATTRIB | IsDirBit(node), 0, "");
  // Linux sends IN_DELETE_SELF once the removed name's dentry is released,
  // which waits for open files to close; here it comes at once.
  NotifyIfDeleted(node, directory);
  Table().Notify(dir.node->Identity(), IN_DELETE | (directory ? IN_ISDIR : 0), 0, name);
}

void NotifyRename(const Dentry& from_dir, const std::string& from_name, const Dentry& to_dir,
                  const std::string& to_name, Dentry& moved, Dentry* replaced, bool exchange) {
  if (moved.node == nullptr) return;
  if (replaced != nullptr && replaced->node != nullptr &&
      replaced->node->Identity() == moved.node->Identity()) {
    return;  // Two names of one file: rename(2) does nothing.
  }
  if (replaced != nullptr && !exchange) replaced->unlinked.store(true);
  if (Table().Empty() || from_dir.node == nullptr || to_dir.node == nullptr) return;
  Node* other = replaced != nullptr ? replaced->node.get() : nullptr;
  NotifyMove(from_dir, from_name, to_dir, to_name, *moved.node, exchange ? nullptr : other);
  if (other == nullptr) return;
  if (exchange) {
    NotifyMove(to_dir, to_name, from_dir, from_name, *other, nullptr);
  } else {
    NotifyIfDeleted(*other, other->Type() == S_IFDIR);
  }
}

}  // namespace runsc::fs
