#include "bench/runner/bench_rootfs.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/programs/bench_files.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::bench {
namespace fs = std::filesystem;
namespace {

constexpr absl::Duration kLddTimeout = absl::Seconds(30);

absl::Status Error(const std::string& what, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
}

// Copies the host file `from` (symlinks followed) to `root`/`inside`.
absl::Status CopyInto(const fs::path& root, const std::string& from, const std::string& inside,
                      fs::perms mode) {
  std::error_code ec;
  const fs::path to = root / fs::path(inside).relative_path();
  fs::create_directories(to.parent_path(), ec);
  if (ec) return Error(absl::StrCat("creating ", to.parent_path().string()), ec);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Error(absl::StrCat("copying ", from, " to ", to.string()), ec);
  fs::permissions(to, mode, ec);
  return absl::OkStatus();
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

absl::StatusOr<std::vector<std::string>> ParseLddOutput(absl::string_view text) {
  std::vector<std::string> libraries;
  if (absl::StrContains(text, "not a dynamic executable") ||
      absl::StrContains(text, "statically linked")) {
    return libraries;
  }
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    line = absl::StripAsciiWhitespace(line);
    //   libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)
    //   /lib64/ld-linux-x86-64.so.2 (0x...)
    //   linux-vdso.so.1 (0x...)            (in the kernel: nothing to copy)
    //   libfoo.so.1 => not found
    absl::string_view path = line;
    if (size_t arrow = line.find(" => "); arrow != absl::string_view::npos) {
      path = line.substr(arrow + 4);
      if (absl::StartsWith(path, "not found")) {
        return absl::NotFoundError(
            absl::StrCat("ldd: ", line.substr(0, arrow), " is not found on this host"));
      }
    }
    path = path.substr(0, path.find(" ("));
    if (absl::StartsWith(path, "/")) libraries.emplace_back(path);
  }
  return libraries;
}

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

  compat::SubprocessSpec ldd;
  ldd.argv = {"/usr/bin/ldd", program};
  compat::SubprocessResult listed = compat::RunSubprocess(ldd, kLddTimeout);
  if (listed.end != compat::SubprocessResult::End::kExited) {
    return absl::InternalError(absl::StrCat("ldd ", program, ": ", listed.Describe()));
  }
  absl::StatusOr<std::vector<std::string>> libraries =
      ParseLddOutput(listed.stdout_text + listed.stderr_text);
  if (!libraries.ok()) return libraries.status();
  if (listed.exit_code != 0 && !libraries->empty()) {
    return absl::InternalError(absl::StrCat("ldd ", program, ": ", listed.Describe(), ": ",
                                            listed.stderr_text));
  }
  for (const std::string& library : *libraries) {
    if (absl::Status s = CopyInto(root, library, library, fs::perms(0755)); !s.ok()) return s;
  }

  rootfs.program = absl::StrCat(kProgramDir, "/", fs::path(program).filename().string());
  if (absl::Status s = CopyInto(root, program, rootfs.program, fs::perms(0755)); !s.ok()) return s;
  if (absl::Status s = CopyInto(root, busybox, kBusybox, fs::perms(0755)); !s.ok()) return s;
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
