#include "test/syscalls/runner/chart_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "test/syscalls/runner/gnuplot.h"
#include "test/syscalls/runner/runtime_spec.h"

namespace runsc::compat {
namespace {

// The runtimes that have bars: those that ran, but not native, whose score
// against itself says nothing, unless it is all there is.
std::vector<const RuntimeSpec*> Charted(const CompatResults& results) {
  std::vector<const RuntimeSpec*> out;
  for (const RuntimeSpec& r : results.runtimes()) {
    if (r.unavailable.empty() && !r.native) out.push_back(&r);
  }
  if (out.empty()) {
    for (const RuntimeSpec& r : results.runtimes()) {
      if (r.native) out.push_back(&r);
    }
  }
  return out;
}

bool OnlyNative(const std::vector<const RuntimeSpec*>& charted) {
  return charted.size() == 1 && charted[0]->native;
}

}  // namespace

std::string ChartWriter::DataFile(const CompatResults& results) {
  std::string out = "# family";
  for (const RuntimeSpec* r : Charted(results)) absl::StrAppend(&out, " ", r->name);
  absl::StrAppend(&out, OnlyNative(Charted(results))
                            ? "\n# cases passing natively, in percent; - = none\n"
                            : "\n# pass rate in percent of the natively-passing cases; - = none\n");
  for (const FamilyResults& f : results.families()) {
    absl::StrAppend(&out, f.family);
    for (const RuntimeSpec* r : Charted(results)) {
      Score s = CompatResults::FamilyScore(f, r->name);
      if (s.total == 0) {
        absl::StrAppend(&out, " -");
      } else {
        absl::StrAppend(&out, absl::StrFormat(" %.1f", s.Percent()));
      }
    }
    absl::StrAppend(&out, "\n");
  }
  // The whole suite, last.
  absl::StrAppend(&out, "all");
  for (const RuntimeSpec* r : Charted(results)) {
    Score s = results.TotalScore(r->name);
    absl::StrAppend(&out, s.total == 0 ? " -" : absl::StrFormat(" %.1f", s.Percent()));
  }
  absl::StrAppend(&out, "\n");
  return out;
}

std::string ChartWriter::Script(const CompatResults& results, const std::string& data_file,
                                const std::string& svg_file) {
  const std::vector<const RuntimeSpec*> runtimes = Charted(results);
  const size_t families = std::max<size_t>(results.families().size(), 1);
  const size_t width = std::max<size_t>(800, 160 + families * (runtimes.size() * 14 + 18));
  ClusteredHistogram h;
  h.drawn_by = absl::StrCat("# Drawn by runsc-compat; redraw with: gnuplot ",
                            svg_file == "report.svg" ? "report.gp" : "<this file>", "\n");
  h.width = width;
  h.svg_file = svg_file;
  h.title = OnlyNative(runtimes)
                ? "Syscall compatibility: cases passing natively, in %"
                : "Syscall compatibility: cases passing, in % of those that pass natively";
  h.y_axis =
      "set yrange [0:105]\n"
      "set ytics 0,20,100\n"
      "set grid ytics\n"
      "set ylabel \"pass rate (%)\"\n";
  h.data_file = data_file;
  for (const RuntimeSpec* r : runtimes) h.series.push_back(r->name);
  return ClusteredHistogramScript(h);
}

absl::Status ChartWriter::Write(const CompatResults& results) const {
  bool any_bar = false;
  for (const FamilyResults& f : results.families()) {
    for (const RuntimeSpec* r : Charted(results))
      any_bar |= CompatResults::FamilyScore(f, r->name).total > 0;
  }
  if (!any_bar) {
    return absl::FailedPreconditionError("nothing to chart: no case passed natively");
  }
  return DrawWithGnuplot(out_dir_, gnuplot_, DataFile(results),
                         Script(results, "report.dat", "report.svg"));
}

}  // namespace runsc::compat
