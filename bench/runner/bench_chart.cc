#include "bench/runner/bench_chart.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/runner/bench_report.h"
#include "test/syscalls/runner/gnuplot.h"

namespace runsc::bench {
namespace {

std::vector<const RuntimeSpec*> Charted(const BenchResults& results) {
  std::vector<const RuntimeSpec*> out;
  for (const RuntimeSpec& r : results.runtimes()) {
    if (!r.native && r.unavailable.empty()) out.push_back(&r);
  }
  return out;
}

bool Measured(const BenchResults& results, const std::string& name, const std::string& runtime) {
  const BenchResult* r = results.Find(name, runtime);
  return r != nullptr && r->measurement.has_value();
}

// The runtime `name`'s bars are relative to: native, or runc where native
// has no number; "" if neither has one.
std::string Reference(const BenchResults& results, const std::string& name) {
  if (Measured(results, name, kNativeRuntime)) return kNativeRuntime;
  if (Measured(results, name, kRuncRuntime)) return kRuncRuntime;
  return "";
}

// How many times worse than the reference `runtime` is at `name`.
std::optional<double> Slowdown(const BenchResults& results, const std::string& name,
                               const std::string& runtime, const std::string& reference) {
  std::optional<double> ratio = results.Ratio(name, runtime, reference);
  if (!ratio || *ratio <= 0) return std::nullopt;
  return HigherIsBetter(results.Find(name, runtime)->measurement->unit) ? 1 / *ratio : *ratio;
}

}  // namespace

std::string BenchChart::DataFile(const BenchResults& results) {
  std::string out = "# benchmark";
  for (const RuntimeSpec* r : Charted(results)) absl::StrAppend(&out, " ", r->name);
  absl::StrAppend(&out,
                  "\n# times slower than the reference (native, else runc); - = no number\n");
  for (const std::string& name : results.benchmarks()) {
    const std::string reference = Reference(results, name);
    if (reference.empty()) continue;
    // Labels hold no blanks: gnuplot splits the data file at them.
    absl::StrAppend(&out, reference == kNativeRuntime ? name : absl::StrCat(name, "(÷", reference, ")"));
    for (const RuntimeSpec* r : Charted(results)) {
      std::optional<double> s = Slowdown(results, name, r->name, reference);
      absl::StrAppend(&out, s ? absl::StrFormat(" %.3f", *s) : " -");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string BenchChart::Script(const BenchResults& results, const std::string& data_file,
                               const std::string& svg_file) {
  const std::vector<const RuntimeSpec*> runtimes = Charted(results);
  const size_t groups = std::max<size_t>(results.benchmarks().size(), 1);
  const size_t width = std::max<size_t>(800, 160 + groups * (runtimes.size() * 14 + 24));
  compat::ClusteredHistogram h;
  h.drawn_by = "# Drawn by runsc-bench; redraw with: gnuplot report.gp\n";
  h.width = width;
  h.svg_file = svg_file;
  h.title = "Times slower than native (log scale; MB/s inverted so that taller is worse)";
  h.y_axis =
      "set logscale y 10\n"
      "set yrange [0.1:*]\n"
      "set grid ytics mytics\n"
      "set ylabel \"× native\"\n";
  h.data_file = data_file;
  for (const RuntimeSpec* r : runtimes) h.series.push_back(r->name);
  return compat::ClusteredHistogramScript(h);
}

absl::Status BenchChart::Write(const BenchResults& results) const {
  bool any_bar = false;
  for (const std::string& name : results.benchmarks()) {
    const std::string reference = Reference(results, name);
    for (const RuntimeSpec* r : Charted(results)) {
      any_bar |= !reference.empty() && Slowdown(results, name, r->name, reference).has_value();
    }
  }
  if (!any_bar) {
    return absl::FailedPreconditionError(
        "nothing to chart: no runtime but native has a number to compare");
  }
  return compat::DrawWithGnuplot(out_dir_, gnuplot_, DataFile(results),
                                 Script(results, "report.dat", "report.svg"));
}

}  // namespace runsc::bench
