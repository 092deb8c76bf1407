// For the inotify unit tests (inotify_file_test, watch_table_test,
// fsnotify_test): the events an instance holds, parsed out of what read(2)
// would return, so a test states them as plain values.
#ifndef RUNSC_FS_INOTIFY_TEST_EVENTS_H_
#define RUNSC_FS_INOTIFY_TEST_EVENTS_H_

#include <sys/inotify.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "fs/inotify_file.h"
#include "sentry/kernel/task.h"

namespace runsc::fs {

struct InotifyRecord {
  int wd;
  uint32_t mask;
  uint32_t cookie;
  uint32_t len;  // Of the name field, padding included.
  std::string name;
};

// The records in the first `n` bytes of `buf`, as read(2) of an inotify fd
// lays them out.
inline std::vector<InotifyRecord> ParseInotifyRecords(const std::vector<uint8_t>& buf, size_t n) {
  std::vector<InotifyRecord> out;
  for (size_t off = 0; off < n;) {
    inotify_event ev;
    std::memcpy(&ev, buf.data() + off, sizeof(ev));
    const char* name = reinterpret_cast<const char*>(buf.data() + off + sizeof(ev));
    out.push_back({ev.wd, ev.mask, ev.cookie, ev.len, ev.len ? std::string(name) : ""});
    off += sizeof(ev) + ev.len;
  }
  return out;
}

// What most tests compare: which watch, which event, which name.
struct Seen {
  int wd;
  uint32_t mask;
  std::string name;
  bool operator==(const Seen&) const = default;
};

// Reads everything queued on a non-blocking instance (none: empty).
inline std::vector<Seen> DrainInotify(InotifyFile& f, sentry::Task& task) {
  std::vector<Seen> out;
  std::vector<uint8_t> buf(1 << 16);
  absl::StatusOr<size_t> n = f.Read(task, absl::MakeSpan(buf));
  if (!n.ok()) return out;
  for (const InotifyRecord& r : ParseInotifyRecords(buf, *n)) out.push_back({r.wd, r.mask, r.name});
  return out;
}

}  // namespace runsc::fs

#endif  // RUNSC_FS_INOTIFY_TEST_EVENTS_H_
