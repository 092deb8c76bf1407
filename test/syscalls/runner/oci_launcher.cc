#include "test/syscalls/runner/oci_launcher.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "test/syscalls/runner/case_watchdog.h"
#include "test/syscalls/runner/oci_bundle.h"

namespace runsc::compat {
namespace {

// delete --force must not hang the suite either: as long as a case may
// take, within [5 s, 30 s].
absl::Duration DeleteTimeout(absl::Duration per_case) {
  return std::clamp(per_case, absl::Seconds(5), absl::Seconds(30));
}

}  // namespace

OciLauncher::OciLauncher(RuntimeSpec runtime, std::string work_dir)
    : runtime_(std::move(runtime)),
      work_dir_(std::move(work_dir)),
      state_root_(absl::StrCat(work_dir_, "/state-", runtime_.name)) {
  std::error_code ec;
  std::filesystem::create_directories(state_root_, ec);
}

SubprocessResult OciLauncher::Launch(const std::string& binary,
                                     const std::vector<std::string>& args,
                                     absl::Duration per_case_timeout) {
  const int n = next_id_++;
  const std::string id = absl::StrCat("runsc-compat-", getpid(), "-", runtime_.name, "-", n);
  const std::string bundle = absl::StrCat(work_dir_, "/bundle-", runtime_.name, "-", n);
  if (absl::Status s = WriteOciBundle(bundle, binary, args); !s.ok()) {
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
  CaseWatchdog watchdog(per_case_timeout);
  SubprocessResult result = RunSubprocess(run, watchdog);

  SubprocessSpec del;
  del.argv = runtime_.command;
  del.argv.insert(del.argv.end(), {"--root", state_root_, "delete", "--force", id});
  del.survives_cancel = true;
  SubprocessResult deleted = RunSubprocess(del, DeleteTimeout(per_case_timeout));
  // After a normal run the container is gone already and delete says so;
  // after a timeout or a dead runtime, a failed delete may have left it.
  if (result.end != SubprocessResult::End::kExited && !deleted.Succeeded()) {
    absl::StrAppend(&result.stderr_text, "\n[runsc-compat: delete --force ", id, ": ",
                    deleted.Describe(), ": ", deleted.stderr_text, "]\n");
  }
  std::error_code ec;
  std::filesystem::remove_all(bundle, ec);
  return result;
}

}  // namespace runsc::compat
