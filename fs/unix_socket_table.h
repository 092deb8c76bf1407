// The names AF_UNIX sockets are bound to (unix(7)), for the whole sentry:
// abstract names ("\0..."), which exist only here and vanish with their
// socket, and bound socket files, found by the (st_dev, st_ino) of the
// S_IFSOCK file that bind(2) made in the filesystem. The file outlives its
// socket (as on Linux); its entry here does not.
//
// Locking: the table has its own mutex, never taken with kernel().mu held.
#ifndef RUNSC_FS_UNIX_SOCKET_TABLE_H_
#define RUNSC_FS_UNIX_SOCKET_TABLE_H_

#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace runsc::fs {

class UnixSocket;

class UnixSocketTable {
 public:
  // A bound socket file.
  struct InodeKey {
    dev_t dev = 0;
    ino_t ino = 0;
    auto operator<=>(const InodeKey&) const = default;
  };

  // Linux keys abstract names by socket type too: a stream and a datagram
  // socket may hold the same name, and each type finds only its own.
  // `name` is the address's bytes after the leading NUL, exactly as long
  // as the address said. EADDRINUSE if a live socket of `type` holds it.
  [[nodiscard]] absl::Status BindAbstract(int type, const std::string& name,
                                          std::weak_ptr<UnixSocket> socket);
  // Autobind (bind with an empty address, or SO_PASSCRED on an unbound
  // socket): a free name of five hex digits, bound to `socket` and
  // returned. ENOSPC once all 2^20 are taken.
  [[nodiscard]] absl::StatusOr<std::string> BindAutomatic(int type,
                                                          std::weak_ptr<UnixSocket> socket);
  // A socket file bind(2) just made. A previous entry for the inode (a
  // file that was unlinked while bound, its inode number reused) is
  // replaced: the new file is the one a path now names.
  void BindInode(InodeKey key, std::weak_ptr<UnixSocket> socket);

  // Forget the name if `socket` still holds it.
  void UnbindAbstract(int type, const std::string& name, const UnixSocket* socket);
  void UnbindInode(InodeKey key, const UnixSocket* socket);

  // The live socket holding the name, or null.
  std::shared_ptr<UnixSocket> FindAbstract(int type, const std::string& name);
  std::shared_ptr<UnixSocket> FindInode(InodeKey key);

  size_t SizeForTest();

 private:
  struct Entry {
    std::weak_ptr<UnixSocket> socket;
    const UnixSocket* raw = nullptr;  // Identity even after the socket died.
  };
  absl::Mutex mu_;
  std::map<std::pair<int, std::string>, Entry> abstract_ ABSL_GUARDED_BY(mu_);
  std::map<InodeKey, Entry> inodes_ ABSL_GUARDED_BY(mu_);
  uint32_t next_auto_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_UNIX_SOCKET_TABLE_H_
