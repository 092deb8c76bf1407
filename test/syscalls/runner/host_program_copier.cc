#include "test/syscalls/runner/host_program_copier.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {
namespace fs = std::filesystem;
namespace {

constexpr absl::Duration kLddTimeout = absl::Seconds(30);

absl::Status Error(const std::string& what, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
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

absl::Status HostProgramCopier::CopyFile(const std::string& host_path, const std::string& inside,
                                         fs::perms mode) {
  std::error_code ec;
  const fs::path to = root_ / fs::path(inside).relative_path();
  fs::create_directories(to.parent_path(), ec);
  if (ec) return Error(absl::StrCat("creating ", to.parent_path().string()), ec);
  fs::copy_file(host_path, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Error(absl::StrCat("copying ", host_path, " to ", to.string()), ec);
  fs::permissions(to, mode, ec);
  if (ec) return Error(absl::StrCat("chmod ", to.string()), ec);
  return absl::OkStatus();
}

absl::Status HostProgramCopier::CopyProgram(const std::string& host_path,
                                            const std::string& inside) {
  SubprocessSpec ldd;
  ldd.argv = {"/usr/bin/ldd", host_path};
  SubprocessResult listed = RunSubprocess(ldd, kLddTimeout);
  if (listed.end != SubprocessResult::End::kExited) {
    return absl::InternalError(absl::StrCat("ldd ", host_path, ": ", listed.Describe()));
  }
  absl::StatusOr<std::vector<std::string>> libraries =
      ParseLddOutput(listed.stdout_text + listed.stderr_text);
  if (!libraries.ok()) return libraries.status();
  if (listed.exit_code != 0 && !libraries->empty()) {
    return absl::InternalError(absl::StrCat("ldd ", host_path, ": ", listed.Describe(), ": ",
                                            listed.stderr_text));
  }
  for (const std::string& library : *libraries) {
    if (!copied_libraries_.insert(library).second) continue;
    if (absl::Status s = CopyFile(library, library, fs::perms(0755)); !s.ok()) return s;
  }
  return CopyFile(host_path, inside, fs::perms(0755));
}

absl::Status HostProgramCopier::CopyTree(const std::string& host_path) {
  std::error_code ec;
  const fs::path to = root_ / fs::path(host_path).relative_path();
  fs::create_directories(to, ec);
  if (ec) return Error(absl::StrCat("creating ", to.string()), ec);
  fs::copy(host_path, to,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return Error(absl::StrCat("copying ", host_path, " to ", to.string()), ec);
  return absl::OkStatus();
}

}  // namespace runsc::compat
