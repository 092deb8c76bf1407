// build/bench/report.svg: one group of bars per benchmark, one bar per
// runtime that ran (not native, the reference), height = how many times
// slower than native it is, on a log scale: time ÷ native time, and for
// MB/s native ÷ runtime, so that a taller bar is always worse. A benchmark
// without a native number (idle_rss) is drawn against runc instead when it
// has one, and says so in its label. Drawn with gnuplot (gnuplot.h).
#ifndef RUNSC_BENCH_RUNNER_BENCH_CHART_H_
#define RUNSC_BENCH_RUNNER_BENCH_CHART_H_

#include <string>

#include "absl/status/status.h"
#include "bench/runner/bench_results.h"

namespace runsc::bench {

class BenchChart {
 public:
  // `gnuplot` is a command name (searched in PATH) or a path.
  BenchChart(std::string out_dir, std::string gnuplot)
      : out_dir_(std::move(out_dir)), gnuplot_(std::move(gnuplot)) {}

  // The data file and the script, as text.
  static std::string DataFile(const BenchResults& results);
  static std::string Script(const BenchResults& results, const std::string& data_file,
                            const std::string& svg_file);

  // Writes report.dat, report.gp and report.svg. FailedPrecondition when
  // there is no bar to draw, NotFound without gnuplot (gnuplot.h).
  [[nodiscard]] absl::Status Write(const BenchResults& results) const;

 private:
  std::string out_dir_;
  std::string gnuplot_;
};

}  // namespace runsc::bench

#endif  // RUNSC_BENCH_RUNNER_BENCH_CHART_H_
