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
  std::string s;
  absl::StrAppend(&s, "# Drawn by runsc-compat; redraw with: gnuplot ",
                  svg_file == "report.svg" ? "report.gp" : "<this file>", "\n");
  absl::StrAppend(&s, "set terminal svg size ", width,
                  ",480 dynamic noenhanced font \"sans,11\" background rgb \"white\"\n");
  absl::StrAppend(&s, "set output ", GnuplotQuoted(svg_file), "\n");
  absl::StrAppend(&s,
                  OnlyNative(runtimes)
                      ? "set title \"Syscall compatibility: cases passing natively, in %\"\n"
                      : "set title \"Syscall compatibility: cases passing, in % of those that pass "
                        "natively\"\n");
  absl::StrAppend(&s,
                  "set datafile missing \"-\"\n"
                  "set style data histogram\n"
                  "set style histogram cluster gap 1\n"
                  "set style fill solid 0.85 border -1\n"
                  "set boxwidth 0.9\n"
                  "set yrange [0:105]\n"
                  "set ytics 0,20,100\n"
                  "set grid ytics\n"
                  "set ylabel \"pass rate (%)\"\n"
                  "set xtics rotate by -45 nomirror\n"
                  "set key outside top center horizontal\n");
  absl::StrAppend(&s, "plot ");
  if (runtimes.empty()) {
    absl::StrAppend(&s, "1/0 notitle\n");
    return s;
  }
  for (size_t i = 0; i < runtimes.size(); ++i) {
    if (i > 0) absl::StrAppend(&s, ", \\\n     ");
    absl::StrAppend(&s, i == 0 ? GnuplotQuoted(data_file) : "''", " using ", i + 2,
                    i == 0 ? ":xtic(1)" : "", " title ", GnuplotQuoted(runtimes[i]->name));
  }
  absl::StrAppend(&s, "\n");
  return s;
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
