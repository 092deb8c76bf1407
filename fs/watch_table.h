// The sentry's inotify watches (man 7 inotify), found by the identity of the
// watched node. Linux keeps them on the inode as fsnotify marks; here one
// file can have several Node objects (a gofer file walked again, another
// hard link), so they are kept in one table keyed by NodeIdentity, and a
// watch pins its node as a Linux mark pins its inode.
//
// Locking: mu_ is never held while an event is queued on an instance
// (InotifyFile::Enqueue takes the kernel's mutex and wakes its waiters), so
// the order is always mu_ alone, or kernel().mu then mu_ (fdinfo).
#ifndef RUNSC_FS_WATCH_TABLE_H_
#define RUNSC_FS_WATCH_TABLE_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "fs/file.h"

namespace runsc::fs {

class InotifyFile;

class WatchTable {
 public:
  // /proc/sys/fs/inotify/max_user_watches and max_user_instances: per
  // effective uid of the instance's creator, as Linux counts them.
  static constexpr int kMaxUserWatches = 65536;
  static constexpr int kMaxUserInstances = 128;

  explicit WatchTable(int max_user_watches = kMaxUserWatches,
                      int max_user_instances = kMaxUserInstances)
      : max_user_watches_(max_user_watches), max_user_instances_(max_user_instances) {}

  // The sentry's one table. Never destroyed: files closed while the
  // process exits still look at it.
  static WatchTable& Sentry();

  // True while no watch exists anywhere: the event hooks (fsnotify.h) then
  // return before computing anything.
  bool Empty() const { return watch_count_.load(std::memory_order_acquire) == 0; }

  // inotify_init1: one more instance for `uid`, or EMFILE past
  // max_user_instances. Each success is paired with a RemoveInstance.
  [[nodiscard]] absl::Status AddInstance(uid_t uid);
  void RemoveInstance(uid_t uid);

  // inotify_add_watch once the path is walked and read permission checked:
  // the watch of `owner` on the file `node` is (`st` is its stat, kept for
  // fdinfo), made or updated as Linux's inotify_update_watch does. The same
  // file gives the same wd; IN_MASK_ADD adds to the old mask, otherwise the
  // mask is replaced; IN_MASK_CREATE on a watched file is EEXIST; a new
  // watch past max_user_watches is ENOSPC.
  [[nodiscard]] absl::StatusOr<int> AddWatch(const std::shared_ptr<InotifyFile>& owner, uid_t uid,
                                             std::shared_ptr<Node> node, const struct stat& st,
                                             uint32_t mask);
  // inotify_rm_watch: the watch `wd` of `owner` is gone (the caller queues
  // IN_IGNORED), or EINVAL if there is none.
  [[nodiscard]] absl::Status RemoveWatch(const InotifyFile* owner, int wd);
  // Every watch of an instance whose last fd closed. No IN_IGNORED: nobody
  // can read it.
  void RemoveAllOf(const InotifyFile* owner);

  // Queues `event` (one IN_* bit, plus IN_ISDIR when it is about a
  // directory) on every watch on `id` that asks for it. `name` is empty for
  // an event about the watched file itself and the entry's name for one
  // about a watched directory's entry. `unlinked`: the event comes through
  // a name that was removed, which IN_EXCL_UNLINK watches do not hear.
  // An IN_ONESHOT watch ends after its event, with IN_IGNORED.
  void Notify(const NodeIdentity& id, uint32_t event, uint32_t cookie, std::string_view name,
              bool unlinked = false);
  // The watched file is gone (its last link removed): IN_DELETE_SELF to
  // the watches that ask for it, then IN_IGNORED to all; they end.
  void NotifyDeleted(const NodeIdentity& id);
  // Whether some watch is on `id` (so a hook may pay for a stat).
  bool Watched(const NodeIdentity& id);

  // A new cookie tying an IN_MOVED_FROM to its IN_MOVED_TO.
  uint32_t NextCookie() {
    uint32_t cookie;
    do {
      cookie = next_cookie_.fetch_add(1, std::memory_order_relaxed) + 1;
    } while (cookie == 0);  // 0 means "no move" to readers.
    return cookie;
  }

  // What /proc/<pid>/fdinfo shows of an instance's watches, by wd.
  struct WatchInfo {
    int wd;
    uint32_t mask;  // Events plus IN_ONESHOT and IN_EXCL_UNLINK.
    uint64_t ino;
    uint64_t dev;
  };
  std::vector<WatchInfo> WatchesOf(const InotifyFile* owner);

 private:
  struct Watch {
    std::weak_ptr<InotifyFile> owner;
    const InotifyFile* owner_key;  // Still valid for lookups while the owner is destroyed.
    int wd;
    uint32_t mask;
    std::shared_ptr<Node> node;  // Pinned, as a Linux mark pins its inode.
    uint64_t ino;
    uint64_t dev;
  };
  struct Owner {
    uid_t uid;
    int next_wd = 1;
    std::map<int, NodeIdentity> watched;  // By wd.
  };
  // Something to queue once mu_ is released.
  struct Delivery {
    std::shared_ptr<InotifyFile> to;
    int wd;
    uint32_t mask;
    bool ignored_after;  // Then IN_IGNORED: the watch ended.
  };

  // Drops the watch of `owner_key` on `id` from both maps, if there is
  // one; its node is moved to `released`, to be destroyed after mu_ (a
  // gofer node's destructor makes an RPC).
  void EraseLocked(const NodeIdentity& id, const InotifyFile* owner_key,
                   std::vector<std::shared_ptr<Node>>& released) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Deliver(const std::vector<Delivery>& deliveries, uint32_t cookie,
                      std::string_view name);

  const int max_user_watches_;
  const int max_user_instances_;
  absl::Mutex mu_;
  std::map<NodeIdentity, std::vector<Watch>> by_node_ ABSL_GUARDED_BY(mu_);
  std::map<const InotifyFile*, Owner> owners_ ABSL_GUARDED_BY(mu_);
  std::map<uid_t, int> watches_per_uid_ ABSL_GUARDED_BY(mu_);
  std::map<uid_t, int> instances_per_uid_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> watch_count_{0};
  std::atomic<uint32_t> next_cookie_{0};
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_WATCH_TABLE_H_
