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

std::string ClusteredHistogramScript(const ClusteredHistogram& h) {
  std::string s = h.drawn_by;
  absl::StrAppend(&s, "set terminal svg size ", h.width,
                  ",480 dynamic noenhanced font \"sans,11\" background rgb \"white\"\n");
  absl::StrAppend(&s, "set output ", GnuplotQuoted(h.svg_file), "\n");
  absl::StrAppend(&s, "set title \"", h.title, "\"\n");
  absl::StrAppend(&s,
                  "set datafile missing \"-\"\n"
                  "set style data histogram\n"
                  "set style histogram cluster gap 1\n"
                  "set style fill solid 0.85 border -1\n"
                  "set boxwidth 0.9\n");
  absl::StrAppend(&s, h.y_axis);
  absl::StrAppend(&s,
                  "set xtics rotate by -45 nomirror\n"
                  "set key outside top center horizontal\n");
  absl::StrAppend(&s, "plot ");
  if (h.series.empty()) {
    absl::StrAppend(&s, "1/0 notitle\n");
    return s;
  }
  for (size_t i = 0; i < h.series.size(); ++i) {
    if (i > 0) absl::StrAppend(&s, ", \\\n     ");
    absl::StrAppend(&s, i == 0 ? GnuplotQuoted(h.data_file) : "''", " using ", i + 2,
                    i == 0 ? ":xtic(1)" : "", " title ", GnuplotQuoted(h.series[i]));
  }
  absl::StrAppend(&s, "\n");
  return s;
}

}  // namespace runsc::compat
