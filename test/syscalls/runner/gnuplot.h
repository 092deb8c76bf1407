// Drawing a chart with gnuplot (Debian: gnuplot-nox), shared by runsc-compat
// and runsc-bench: the numbers and the script are written as report.dat and
// report.gp next to the chart, so that it can be redrawn or restyled by hand
// (`gnuplot report.gp` in that directory).
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_GNUPLOT_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_GNUPLOT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runsc::compat {

// `s` as a gnuplot string literal: "a \"b\"".
std::string GnuplotQuoted(absl::string_view s);

// Writes <out_dir>/report.dat (`data`) and <out_dir>/report.gp (`script`,
// which names its files relative to out_dir) and runs `gnuplot` (a command
// name searched in PATH, or a path) on the script in out_dir. NotFound if
// gnuplot is not installed (the .dat and .gp are still written); other
// errors if writing or drawing failed, with gnuplot's last complaint.
[[nodiscard]] absl::Status DrawWithGnuplot(const std::string& out_dir, const std::string& gnuplot,
                                           const std::string& data, const std::string& script);

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_GNUPLOT_H_
