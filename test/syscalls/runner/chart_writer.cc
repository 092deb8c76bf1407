#include "test/syscalls/runner/chart_writer.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "test/syscalls/runner/runtime_spec.h"
#include "test/syscalls/runner/subprocess.h"

namespace runsc::compat {
namespace {

constexpr absl::Duration kGnuplotTimeout = absl::Seconds(60);

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

std::string Quoted(absl::string_view s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("writing ", path));
  return absl::OkStatus();
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
  absl::StrAppend(&s, "set output ", Quoted(svg_file), "\n");
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
    absl::StrAppend(&s, i == 0 ? Quoted(data_file) : "''", " using ", i + 2,
                    i == 0 ? ":xtic(1)" : "", " title ", Quoted(runtimes[i]->name));
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
  if (absl::Status s = WriteFile(absl::StrCat(out_dir_, "/report.dat"), DataFile(results));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteFile(absl::StrCat(out_dir_, "/report.gp"),
                                 Script(results, "report.dat", "report.svg"));
      !s.ok()) {
    return s;
  }
  const char* path = getenv("PATH");
  absl::StatusOr<RuntimeSpec> tool =
      ParseRuntimeFlag(absl::StrCat("gnuplot=", gnuplot_), path ? path : "/usr/bin:/bin");
  if (!tool.ok()) return tool.status();
  if (!tool->unavailable.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "gnuplot is not installed (", tool->unavailable,
        "): install gnuplot-nox (scripts/install-deps does) and run `gnuplot report.gp` in ",
        out_dir_));
  }
  SubprocessSpec spec;
  spec.argv = tool->command;
  spec.argv.push_back("report.gp");
  spec.cwd = out_dir_;
  SubprocessResult r = RunSubprocess(spec, kGnuplotTimeout);
  if (!r.Succeeded()) {
    // gnuplot's last complaint is the one that stopped it.
    std::string why;
    for (absl::string_view line : absl::StrSplit(r.stderr_text, '\n', absl::SkipWhitespace())) {
      why = std::string(absl::StripAsciiWhitespace(line));
    }
    return absl::InternalError(
        absl::StrCat(spec.argv[0], " report.gp in ", out_dir_, " ", r.Describe(), ": ", why));
  }
  return absl::OkStatus();
}

}  // namespace runsc::compat
