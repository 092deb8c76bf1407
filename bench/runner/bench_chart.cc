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
  std::string s;
  absl::StrAppend(&s, "# Drawn by runsc-bench; redraw with: gnuplot report.gp\n");
  absl::StrAppend(&s, "set terminal svg size ", width,
                  ",480 dynamic noenhanced font \"sans,11\" background rgb \"white\"\n");
  absl::StrAppend(&s, "set output ", compat::GnuplotQuoted(svg_file), "\n");
  absl::StrAppend(&s,
                  "set title \"Times slower than native (log scale; MB/s inverted so that "
                  "taller is worse)\"\n"
                  "set datafile missing \"-\"\n"
                  "set style data histogram\n"
                  "set style histogram cluster gap 1\n"
                  "set style fill solid 0.85 border -1\n"
                  "set boxwidth 0.9\n"
                  "set logscale y 10\n"
                  "set yrange [0.1:*]\n"
                  "set grid ytics mytics\n"
                  "set ylabel \"× native\"\n"
                  "set xtics rotate by -45 nomirror\n"
                  "set key outside top center horizontal\n");
  absl::StrAppend(&s, "plot ");
  if (runtimes.empty()) {
    absl::StrAppend(&s, "1/0 notitle\n");
    return s;
  }
  for (size_t i = 0; i < runtimes.size(); ++i) {
    if (i > 0) absl::StrAppend(&s, ", \\\n     ");
    absl::StrAppend(&s, i == 0 ? compat::GnuplotQuoted(data_file) : "''", " using ", i + 2,
                    i == 0 ? ":xtic(1)" : "", " title ", compat::GnuplotQuoted(runtimes[i]->name));
  }
  absl::StrAppend(&s, "\n");
  return s;
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
