#include "runsc/cmd/list.h"

#include <algorithm>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "runsc/container/container.h"
#include "runsc/status_macros.h"

namespace runsc::cmd {
namespace {

// Columns padded to their widest cell, as runc's tabwriter output.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 3, ' ');
    }
    std::cout << line << "\n";
  }
}

}  // namespace

void ListCommand::SetFlags(CLI::App& app) {
  app.add_flag("-q,--quiet", quiet_, "print only the container ids");
  app.add_option("-f,--format", format_, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

absl::StatusOr<int> ListCommand::Execute(const config::GlobalConfig& config) {
  RUNSC_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                         container::Container::ListIds(config.root));
  std::vector<container::ContainerSnapshot> snaps;
  for (const std::string& id : ids) {
    absl::StatusOr<container::ContainerSnapshot> snap = container::Container::Peek(config.root, id);
    if (!snap.ok()) {
      // Deleted meanwhile, or broken: one bad entry must not hide the others.
      if (!absl::IsNotFound(snap.status())) LogWarning("list: ", snap.status().message());
      continue;
    }
    snaps.push_back(*std::move(snap));
  }

  if (quiet_) {
    for (const auto& snap : snaps) std::cout << snap.state.id << "\n";
  } else if (format_ == "json") {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto& snap : snaps) all.push_back(container::OciState(snap.state, snap.status));
    std::cout << all.dump() << "\n";
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& snap : snaps) {
      nlohmann::ordered_json oci = container::OciState(snap.state, snap.status);
      rows.push_back({snap.state.id, absl::StrCat(oci["pid"].get<int>()),
                      oci["status"].get<std::string>(), snap.state.bundle,
                      oci["created"].get<std::string>(), snap.state.owner});
    }
    PrintTable(rows);
  }
  std::cout.flush();
  return 0;
}

}  // namespace runsc::cmd
