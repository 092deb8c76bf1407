// Drawing a chart with gnuplot (Debian: gnuplot-nox), shared by runsc-compat
// and runsc-bench: the numbers and the script are written as report.dat and
// report.gp next to the chart, so that it can be redrawn or restyled by hand
// (`gnuplot report.gp` in that directory).
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_GNUPLOT_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_GNUPLOT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace runsc::compat {

// `s` as a gnuplot string literal: "a \"b\"".
std::string GnuplotQuoted(absl::string_view s);

// A clustered bar chart (one cluster a row of the data file, one bar a
// column) as runsc-compat and runsc-bench draw it.
struct ClusteredHistogram {
  std::string drawn_by;  // The first line, a "# ..." comment with its newline.
  size_t width = 800;    // Pixels of the SVG.
  std::string svg_file;
  std::string title;     // Put in "" as is: no '"' or '\\'.
  std::string y_axis;    // "set ..." lines for the y axis, each with its newline.
  std::string data_file;
  std::vector<std::string> series;  // Titles of columns 2, 3, ... of data_file.
};

// The gnuplot script that draws `h`; with no series, an empty plot.
std::string ClusteredHistogramScript(const ClusteredHistogram& h);

// Writes <out_dir>/report.dat (`data`) and <out_dir>/report.gp (`script`,
// which names its files relative to out_dir) and runs `gnuplot` (a command
// name searched in PATH, or a path) on the script in out_dir. NotFound if
// gnuplot is not installed (the .dat and .gp are still written); other
// errors if writing or drawing failed, with gnuplot's last complaint.
[[nodiscard]] absl::Status DrawWithGnuplot(const std::string& out_dir, const std::string& gnuplot,
                                           const std::string& data, const std::string& script);

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_GNUPLOT_H_
