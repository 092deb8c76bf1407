#include "test/syscalls/runner/oci_launcher.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace runsc::compat {
namespace {

// delete --force must not hang the run either; it takes well under a
// second when the runtime works.
constexpr absl::Duration kDeleteTimeout = absl::Seconds(30);

}  // namespace

OciLauncher::OciLauncher(RuntimeSpec runtime, std::string work_dir, BundleWriter write_bundle,
                         std::string id_prefix)
    : runtime_(std::move(runtime)),
      work_dir_(std::move(work_dir)),
      state_root_(absl::StrCat(work_dir_, "/state-", runtime_.name)),
      write_bundle_(std::move(write_bundle)),
      id_prefix_(std::move(id_prefix)) {
  std::error_code ec;
  std::filesystem::create_directories(state_root_, ec);
}

SubprocessResult OciLauncher::Launch(const std::string& binary,
                                     const std::vector<std::string>& args,
                                     OutputWatcher& watcher) {
  const int n = next_id_++;
  const std::string id = absl::StrCat(id_prefix_, "-", getpid(), "-", runtime_.name, "-", n);
  const std::string bundle = absl::StrCat(work_dir_, "/bundle-", runtime_.name, "-", n);
  if (absl::Status s = write_bundle_(bundle, binary, args); !s.ok()) {
    SubprocessResult result;
    result.spawn_error = std::string(s.message());
    std::error_code ec;
    std::filesystem::remove_all(bundle, ec);
    return result;
  }

  SubprocessSpec run;
  run.argv = runtime_.command;
  run.argv.insert(run.argv.end(), {"--root", state_root_, "run", "--bundle", bundle, id});
  run.cwd = bundle;
  SubprocessResult result = RunSubprocess(run, watcher);

  SubprocessSpec del;
  del.argv = runtime_.command;
  del.argv.insert(del.argv.end(), {"--root", state_root_, "delete", "--force", id});
  del.survives_cancel = true;
  SubprocessResult deleted = RunSubprocess(del, kDeleteTimeout);
  // After a normal run the container is gone already and delete says so;
  // after a timeout or a dead runtime, a failed delete may have left it.
  if (result.end != SubprocessResult::End::kExited && !deleted.Succeeded()) {
    absl::StrAppend(&result.stderr_text, "\n[", id_prefix_, ": delete --force ", id, ": ",
                    deleted.Describe(), ": ", deleted.stderr_text, "]\n");
  }
  std::error_code ec;
  std::filesystem::remove_all(bundle, ec);
  return result;
}

}  // namespace runsc::compat
