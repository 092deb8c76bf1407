#include "bench/runner/bench_rootfs.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "bench/programs/bench_files.h"
#include "test/syscalls/runner/host_program_copier.h"

namespace runsc::bench {
namespace fs = std::filesystem;
namespace {

absl::Status Error(const std::string& what, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
}

absl::Status WriteDataFile(const fs::path& root, const DataFile& file) {
  const fs::path path = root / fs::path(file.path).relative_path();
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Error(absl::StrCat("creating ", path.parent_path().string()), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  // Not zeros: no file system may store it sparse or compressed.
  std::string chunk(std::min<size_t>(file.size, size_t{1} << 20), '\0');
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>('a' + i % 26);
  for (size_t left = file.size; left > 0 && out;) {
    const size_t n = std::min(left, chunk.size());
    out.write(chunk.data(), static_cast<std::streamsize>(n));
    left -= n;
  }
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("writing ", path.string()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BenchRootfs> BuildBenchRootfs(const std::string& dir, const std::string& program,
                                             const std::string& busybox) {
  std::error_code ec;
  BenchRootfs rootfs;
  rootfs.dir = fs::absolute(dir, ec).lexically_normal().string();
  const fs::path root(rootfs.dir);
  if (!fs::create_directory(root, ec) || ec) {
    return absl::InternalError(
        absl::StrCat("creating rootfs ", rootfs.dir, ": ", ec ? ec.message() : "already exists"));
  }
  for (const char* sub : {"tmp", "proc", "dev", "sys", "bin"}) {
    fs::create_directories(root / sub, ec);
    if (ec) return Error(absl::StrCat("creating ", (root / sub).string()), ec);
  }
  chmod((root / "tmp").c_str(), 01777);

  compat::HostProgramCopier copier(root);
  rootfs.program = absl::StrCat(kProgramDir, "/", fs::path(program).filename().string());
  if (absl::Status s = copier.CopyProgram(program, rootfs.program); !s.ok()) return s;
  if (absl::Status s = copier.CopyFile(busybox, kBusybox, fs::perms(0755)); !s.ok()) return s;
  for (const char* applet : {"true", "sleep"}) {
    fs::create_symlink("busybox", root / "bin" / applet, ec);
    if (ec) return Error(absl::StrCat("linking /bin/", applet, " to busybox"), ec);
  }
  for (const DataFile& file : kDataFiles) {
    if (absl::Status s = WriteDataFile(root, file); !s.ok()) return s;
  }
  return rootfs;
}

}  // namespace runsc::bench
