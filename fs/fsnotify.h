// Where the sentry's own file operations become inotify events: Linux's
// fsnotify hook points (include/linux/fsnotify.h), one call per operation,
// made by the VFS and the syscall helpers after the operation succeeded and
// with no lock held. Every hook returns at once while nothing is watched.
//
// An event about a file goes to the watches on the file and, with the
// file's name, to those on its directory (the dentry's parent), as
// fsnotify_parent does; events about entries (create, delete, move) go to
// the directory's watches. Events for directories carry IN_ISDIR.
//
// Only what the sentry does is seen: a change made on the host to a gofer
// file (outside the sandbox) makes no event.
#ifndef RUNSC_FS_FSNOTIFY_H_
#define RUNSC_FS_FSNOTIFY_H_

#include <cstdint>
#include <string>

#include "fs/file.h"

namespace runsc::fs {

// IN_ACCESS (a read, getdents) or IN_MODIFY (a write, ftruncate) through an
// open file.
void NotifyFileEvent(const File& file, uint32_t event);
// A file was opened (after a truncation by O_TRUNC, which is IN_MODIFY).
void NotifyOpen(const File& file, bool truncated);
// NotifyLastClose (IN_CLOSE_WRITE / IN_CLOSE_NOWRITE) is in file.h: ~File
// makes it.

// A change of attributes through a name or fd (chmod, chown, utimes,
// truncate): the event Linux's fsnotify_change gives for `attrs`, if any.
void NotifySetAttr(const Dentry& dentry, const SetAttrs& attrs);
// An extended attribute was set or removed: IN_ATTRIB (fsnotify_xattr).
void NotifyXattrChange(const Dentry& dentry);
// `name` was made in `dir` (open O_CREAT, mkdir, mknod, symlink).
void NotifyCreate(const Dentry& dir, const std::string& name, Node& child);
// `target` got the new name `name` in `dir`: its link count changed
// (IN_ATTRIB), and the directory has an entry more (IN_CREATE).
void NotifyLink(Node& target, const Dentry& dir, const std::string& name);
// `child`, the entry `name` of `dir`, was removed (unlink, rmdir): its
// link count changed (IN_ATTRIB, files only), the file is gone if that was
// its last link (IN_DELETE_SELF, IN_IGNORED), and the directory lost an
// entry (IN_DELETE). `child` is marked unlinked (getcwd of it is ENOENT,
// IN_EXCL_UNLINK watches stop hearing of it): the one place that does.
void NotifyRemove(const Dentry& dir, const std::string& name, Dentry& child, bool directory);
// `moved` went from `from_dir`/`from_name` to `to_dir`/`to_name`, over
// `replaced` if that was there (null otherwise). With RENAME_EXCHANGE
// (`exchange`), `replaced` moved the other way.
void NotifyRename(const Dentry& from_dir, const std::string& from_name, const Dentry& to_dir,
                  const std::string& to_name, Dentry& moved, Dentry* replaced, bool exchange);

}  // namespace runsc::fs

#endif  // RUNSC_FS_FSNOTIFY_H_
