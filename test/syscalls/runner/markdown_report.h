// build/compat/report.md: the date and runtimes, a summary table (family x
// runtime, passed/total as scored in compat_results.h), the families that
// fail most per runtime, then one section per family with its table, the
// cases that do not pass under each runtime (with the reason), the cases
// that fail natively, and notes (crashes, hangs, re-runs).
#ifndef RUNSC_TEST_SYSCALLS_RUNNER_MARKDOWN_REPORT_H_
#define RUNSC_TEST_SYSCALLS_RUNNER_MARKDOWN_REPORT_H_

#include <string>

#include "absl/time/time.h"
#include "test/syscalls/runner/compat_results.h"

namespace runsc::compat {

struct ReportContext {
  absl::Time date;
  std::string host;           // "Linux 6.18.0 x86_64"
  absl::Duration timeout;     // Per case.
  std::string command;        // How it was run, for "reproduce".
  std::string chart;          // File name of the chart, empty if none was drawn.
  std::string chart_problem;  // Why there is no chart.
};

std::string RenderMarkdownReport(const CompatResults& results, const ReportContext& context);

}  // namespace runsc::compat

#endif  // RUNSC_TEST_SYSCALLS_RUNNER_MARKDOWN_REPORT_H_
