#include "fs/synthetic.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/sysmacros.h>

#include <cstring>

namespace runsc::fs {
namespace {

class StringFile : public File {
 public:
  StringFile(int flags, std::string data, struct stat st, SyntheticFileNode::Writer write)
      : File(flags), data_(std::move(data)), stat_(st), write_(std::move(write)) {}
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<size_t> n = PRead(task, buf, offset_);
    if (n.ok()) offset_ += *n;
    return n;
  }
  absl::StatusOr<size_t> PRead(sentry::Task& task, absl::Span<uint8_t> buf,
                               int64_t offset) override {
    if (offset < 0) return ErrnoError(EINVAL, "negative offset");
    if (static_cast<size_t>(offset) >= data_.size()) return 0;
    size_t n = std::min(buf.size(), data_.size() - offset);
    std::memcpy(buf.data(), data_.data() + offset, n);
    return n;
  }
  absl::StatusOr<size_t> Write(sentry::Task& task, absl::Span<const uint8_t> buf) override {
    if (write_ == nullptr) return ErrnoError(EINVAL, "this file has no write operation");
    absl::Status s = write_(task, absl::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
    if (!s.ok()) return s;
    return buf.size();
  }
  absl::StatusOr<size_t> PWrite(sentry::Task& task, absl::Span<const uint8_t> buf,
                                int64_t offset) override {
    if (offset < 0) return ErrnoError(EINVAL, "negative offset");
    return Write(task, buf);
  }
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override {
    absl::MutexLock lock(&mu_);
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? offset_ : whence == SEEK_END ? static_cast<int64_t>(data_.size()) : -1;
    if (base < 0 || base + offset < 0) return ErrnoError(EINVAL, "bad seek");
    offset_ = base + offset;
    return offset_;
  }
  absl::StatusOr<struct stat> Stat() override { return stat_; }

 private:
  std::string data_;
  struct stat stat_;
  SyntheticFileNode::Writer write_;
  absl::Mutex mu_;
  int64_t offset_ ABSL_GUARDED_BY(mu_) = 0;
};

class ListFile : public DirectoryFile {
 public:
  ListFile(int flags, std::vector<DirEntry> entries, struct stat st)
      : DirectoryFile(flags), entries_(std::move(entries)), stat_(st) {}
  absl::StatusOr<std::vector<DirEntry>> ReadDir() override { return entries_; }
  absl::StatusOr<struct stat> Stat() override { return stat_; }
  absl::StatusOr<int64_t> Seek(int64_t offset, int whence) override {
    if (whence != SEEK_SET || offset < 0) return ErrnoError(EINVAL, "directory seek");
    dir_pos = offset;
    return offset;
  }

 private:
  std::vector<DirEntry> entries_;
  struct stat stat_;
};

}  // namespace

uint64_t SyntheticIno(const std::string& key) {
  return (std::hash<std::string>{}(key) & 0xffffffff) | 0x100000000ull;
}

struct stat SyntheticStat(mode_t mode, uint64_t ino) {
  struct stat st {};
  st.st_mode = mode;
  st.st_ino = ino;
  st.st_nlink = (mode & S_IFMT) == S_IFDIR ? 2 : 1;
  st.st_blksize = 4096;
  st.st_dev = 0x1d;
  return st;
}

SyntheticFs SyntheticFsOf(const std::string& key) {
  // Device numbers of the kind Linux gives anonymous-device filesystems
  // (major 0); /dev keeps the 0x1d it always had.
  if (key == "/proc" || key.rfind("/proc/", 0) == 0) return {makedev(0, 0x15), 0x9fa0, "proc"};
  if (key == "/sys" || key.rfind("/sys/", 0) == 0) return {makedev(0, 0x16), 0x62656572, "sysfs"};
  return {0x1d, 0x01021994, "tmpfs"};
}

struct stat SyntheticStatOf(const std::string& key, mode_t mode) {
  struct stat st = SyntheticStat(mode, SyntheticIno(key));
  st.st_dev = SyntheticFsOf(key).dev;
  return st;
}

NodeIdentity SyntheticIdentityOf(const std::string& key) {
  static const char kSyntheticFiles = 0;  // Its address tags the identities.
  return {&kSyntheticFiles, static_cast<uint64_t>(SyntheticFsOf(key).dev), SyntheticIno(key)};
}

struct statfs SyntheticStatFsOf(const std::string& key) {
  struct statfs st {};
  st.f_type = SyntheticFsOf(key).magic;
  st.f_bsize = 4096;
  st.f_frsize = 4096;
  st.f_namelen = 255;
  return st;
}

absl::StatusOr<std::shared_ptr<File>> SyntheticFileNode::Open(sentry::Task& task, int flags) {
  if ((flags & O_ACCMODE) != O_RDONLY && write_ == nullptr && (perm_ & 0222) == 0 &&
      !task.creds.HasCapability(CAP_DAC_OVERRIDE)) {
    return ErrnoError(EACCES, "read-only file");
  }
  // O_WRONLY opens skip the generator: the writer decides, and a write-only
  // file (e.g. one whose reads would fail) still opens.
  std::string data;
  if ((flags & O_ACCMODE) != O_WRONLY) {
    absl::StatusOr<std::string> generated = generate_(task);
    if (!generated.ok()) return generated.status();
    data = std::move(*generated);
  }
  absl::StatusOr<struct stat> st = Stat();
  return std::make_shared<StringFile>(flags, std::move(data), *st, write_);
}

absl::StatusOr<std::shared_ptr<File>> SyntheticDirNode::Open(sentry::Task& task, int flags) {
  std::vector<DirEntry> entries = {{".", SyntheticIno(key_), DT_DIR}, {"..", 1, DT_DIR}};
  for (DirEntry& e : list_(task)) entries.push_back(std::move(e));
  absl::StatusOr<struct stat> st = Stat();
  return std::make_shared<ListFile>(flags, std::move(entries), *st);
}

std::shared_ptr<SyntheticDirNode> SyntheticDirNode::Fixed(
    std::string key, std::map<std::string, std::shared_ptr<Node>> children) {
  auto shared = std::make_shared<std::map<std::string, std::shared_ptr<Node>>>(std::move(children));
  return std::make_shared<SyntheticDirNode>(
      key,
      [shared, key](sentry::Task&) {
        std::vector<DirEntry> out;
        for (auto& [name, node] : *shared) {
          mode_t t = node->Type();
          uint8_t dt = t == S_IFDIR ? DT_DIR : t == S_IFLNK ? DT_LNK : t == S_IFCHR ? DT_CHR : DT_REG;
          out.push_back({name, SyntheticIno(key + "/" + name), dt});
        }
        return out;
      },
      [shared](sentry::Task&, const std::string& name) -> absl::StatusOr<std::shared_ptr<Node>> {
        auto it = shared->find(name);
        if (it == shared->end()) return ErrnoError(ENOENT, "no such file");
        return it->second;
      });
}

}  // namespace runsc::fs
