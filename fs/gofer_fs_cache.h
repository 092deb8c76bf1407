// What the sentry keeps of an exclusive gofer filesystem between requests
// (DESIGN §5: the rootfs belongs to the sandbox, as gVisor's "exclusive"
// file access): which stats the gofer gave still hold, and a budget of
// donated read-only fds kept for reopening the same files.
//
// The host files of an exclusive filesystem change only through the sandbox,
// and the sandbox changes them in two ways only:
//   - gofer requests (create, link, unlink, rename, setattr...; getdents and
//     readlink too, which move atime): each one counts as a change of the
//     whole filesystem when it returns, whatever its outcome (Invalidate);
//   - host fds the gofer donated, which the application reads, writes,
//     truncates and maps directly: while one is open (OpenFile below) the
//     inode's attributes are never kept, and its open and its close are
//     events of that inode. An fd that may be mapped shared and writable
//     marks its inode uncacheable for good, since the mapping writes after
//     the close.
// So a stat taken under a Stamp (taken before the request) may be kept if no
// fd of the inode was open (MayKeep), and answers for as long as neither the
// filesystem changed nor the inode was opened or closed since (Current). A
// name found missing holds while the filesystem did not change (Unchanged).
// One change counter for the whole filesystem is coarse, but exact: a stat
// kept across a change it missed would be a bug, one dropped too early only
// costs a round trip.
#ifndef RUNSC_FS_GOFER_FS_CACHE_H_
#define RUNSC_FS_GOFER_FS_CACHE_H_

#include <cstdint>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace runsc::fs {

class GoferFsCache {
 public:
  // (st_dev, st_ino): a served tree may span several host filesystems.
  using InodeKey = std::pair<uint64_t, uint64_t>;
  // When a request was sent: the filesystem's changes and donated-fd opens
  // and closes counted so far.
  struct Stamp {
    uint64_t changes = 0;
    uint64_t open_events = 0;
  };

  explicit GoferFsCache(int kept_fd_budget = 4096) : kept_fds_left_(kept_fd_budget) {}

  // Taken before a request whose reply carries a stat or a missing name.
  Stamp Now() const;
  // The sandbox has (or may have) changed something: every kept stat and
  // missing name goes.
  void Invalidate();
  // A stat of `inode` taken under `stamp` may be kept: it still holds
  // (Current) and no donated fd of the inode is open.
  bool MayKeep(const InodeKey& inode, const Stamp& stamp) const;
  // A stat of `inode` kept under `stamp` still holds: no change, and no open
  // or close of the inode since.
  bool Current(const InodeKey& inode, const Stamp& stamp) const;
  // No change since `stamp`: a name then missing still is.
  bool Unchanged(const Stamp& stamp) const;

  // One application open of a donated fd of `inode`, for the life of the
  // sentry's File.
  class OpenFile {
   public:
    OpenFile(std::shared_ptr<GoferFsCache> cache, const InodeKey& inode);
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    // The fd may be mapped MAP_SHARED with write access: the mapping keeps
    // writing after the close, which nothing here would see.
    void MayBeMappedWritable();

   private:
    std::shared_ptr<GoferFsCache> cache_;
    const InodeKey inode_;
  };

  // Read-only donated fds kept by nodes to serve later opens of their file
  // without a gofer round trip (each dup'ed, with an offset of its own).
  // Bounded, since each is a host fd of the sentry's: false when the budget
  // is spent, and the open goes to the gofer as before.
  bool TakeKeptFdSlot();
  void ReturnKeptFdSlot();

  // Application opens of `inode` now (for tests).
  int OpenCount(const InodeKey& inode) const;

 private:
  bool CurrentLocked(const InodeKey& inode, const Stamp& stamp) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // An open or close of `inode`.
  void OpenEventLocked(const InodeKey& inode) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t changes_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t open_events_ ABSL_GUARDED_BY(mu_) = 1;
  // The open_events_ count of each inode's last open or close.
  absl::flat_hash_map<InodeKey, uint64_t> last_open_event_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<InodeKey, int> open_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<InodeKey> never_ ABSL_GUARDED_BY(mu_);
  int kept_fds_left_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_GOFER_FS_CACHE_H_
