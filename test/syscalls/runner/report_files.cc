#include "test/syscalls/runner/report_files.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace runsc::compat {

namespace fs = std::filesystem;

absl::Status WriteReportFiles(const std::string& out_dir, const nlohmann::json& results,
                              const ChartDrawer& draw_chart, const MarkdownRenderer& render,
                              std::string* chart_problem) {
  const fs::path out(out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  {
    std::ofstream json(out / "results.json", std::ios::trunc);
    json << results.dump(2) << "\n";
    json.close();
    if (!json) {
      return absl::InternalError(absl::StrCat("writing ", (out / "results.json").string()));
    }
  }
  absl::Status drawn = draw_chart();
  chart_problem->clear();
  if (!drawn.ok()) *chart_problem = std::string(drawn.message());
  if (!drawn.ok()) fs::remove(out / "report.svg", ec);  // Not a stale chart from an earlier run.

  std::ofstream md(out / "report.md", std::ios::trunc);
  md << render(drawn.ok() ? "report.svg" : "", *chart_problem);
  md.close();
  if (!md) return absl::InternalError(absl::StrCat("writing ", (out / "report.md").string()));
  return absl::OkStatus();
}

}  // namespace runsc::compat
