#include "runsc/cmd/spec.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "base/errno_status.h"
#include "base/unique_fd.h"
#include "runsc/config/default_spec.h"

namespace runsc::cmd {

void SpecCommand::SetFlags(CLI::App& app) {
  app.add_option("-b,--bundle", bundle_, "directory to write config.json to")
      ->capture_default_str();
}

absl::StatusOr<int> SpecCommand::Execute(const config::GlobalConfig& config) {
  const std::string path = absl::StrCat(bundle_, "/config.json");
  // O_EXCL: never overwrite someone's config, not even in a race.
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(path, " exists; remove it first"));
    }
    return HostError(absl::StrCat("cannot create ", path));
  }
  std::string text = config::DefaultSpec().dump(1, '\t') + "\n";
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = write(fd.get(), text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status error = HostError(absl::StrCat("write ", path));
      unlink(path.c_str());
      return error;
    }
    written += n;
  }
  return 0;
}

}  // namespace runsc::cmd
