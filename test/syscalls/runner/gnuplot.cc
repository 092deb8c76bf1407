#include "test/syscalls/runner/gnuplot.h"

#include <stdlib.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "test/syscalls/runner/runtime_spec.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {
namespace {

constexpr absl::Duration kGnuplotTimeout = absl::Seconds(60);

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("writing ", path));
  return absl::OkStatus();
}

}  // namespace

std::string GnuplotQuoted(absl::string_view s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

absl::Status DrawWithGnuplot(const std::string& out_dir, const std::string& gnuplot,
                             const std::string& data, const std::string& script) {
  if (absl::Status s = WriteFile(absl::StrCat(out_dir, "/report.dat"), data); !s.ok()) return s;
  if (absl::Status s = WriteFile(absl::StrCat(out_dir, "/report.gp"), script); !s.ok()) return s;
  const char* path = getenv("PATH");
  // Resolved as a runtime command is: a missing gnuplot is then a clear
  // NotFound instead of a spawn error.
  absl::StatusOr<RuntimeSpec> tool =
      ParseRuntimeFlag(absl::StrCat("gnuplot=", gnuplot), path ? path : "/usr/bin:/bin");
  if (!tool.ok()) return tool.status();
  if (!tool->unavailable.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "gnuplot is not installed (", tool->unavailable,
        "): install gnuplot-nox (scripts/install-deps does) and run `gnuplot report.gp` in ",
        out_dir));
  }
  SubprocessSpec spec;
  spec.argv = tool->command;
  spec.argv.push_back("report.gp");
  spec.cwd = out_dir;
  SubprocessResult r = RunSubprocess(spec, kGnuplotTimeout);
  if (!r.Succeeded()) {
    // gnuplot's last complaint is the one that stopped it.
    return absl::InternalError(absl::StrCat(spec.argv[0], " report.gp in ", out_dir, " ",
                                            r.Describe(), ": ", LastLine(r.stderr_text)));
  }
  return absl::OkStatus();
}

}  // namespace runsc::compat
