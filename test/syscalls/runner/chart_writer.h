// build/compat/report.svg: a clustered bar chart, one group per family, one
// bar per runtime that ran (native only when it is the only one: its score
// against itself is 100% by definition), height = the family's score in
// percent (compat_results.h); a last group "all" is the whole suite. Drawn by gnuplot (Debian: gnuplot-nox) from two files
// written next to it: report.dat (the numbers) and report.gp (the script),
// so the chart can be redrawn or restyled by hand.
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_CHART_WRITER_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_CHART_WRITER_H_

#include <string>

#include "absl/status/status.h"
#include "test/syscalls/runner/compat_results.h"

namespace runsc::compat {

class ChartWriter {
 public:
  // `gnuplot` is a command name (searched in PATH) or a path.
  ChartWriter(std::string out_dir, std::string gnuplot)
      : out_dir_(std::move(out_dir)), gnuplot_(std::move(gnuplot)) {}

  // The data file and the script, as text.
  static std::string DataFile(const CompatResults& results);
  static std::string Script(const CompatResults& results, const std::string& data_file,
                            const std::string& svg_file);

  // Writes report.dat and report.gp and runs gnuplot to make report.svg.
  // NotFound if gnuplot is not installed (the .dat and .gp are still
  // written); other errors if writing or drawing failed.
  [[nodiscard]] absl::Status Write(const CompatResults& results) const;

 private:
  std::string out_dir_;
  std::string gnuplot_;
};

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_CHART_WRITER_H_
