// A stand-in for an OCI runtime, to test the compat runner's OCI path
// without runc: it reads the bundle's config.json and execs process.args[0]
// from the rootfs (no namespaces, no chroot), with process.env, cwd = the
// rootfs. It insists on the global flag --fake-flag (to check that a
// runtime's command line reaches it whole) and appends "run ID" and
// "delete ID" lines to $RUNSC_COMPAT_FAKE_OCI_LOG when that is set.
//   runsc_compat_fake_oci_runtime --fake-flag --root R run --bundle B ID
//   runsc_compat_fake_oci_runtime --fake-flag --root R delete --force ID
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace {

void Log(const std::string& line) {
  const char* path = getenv("RUNSC_COMPAT_FAKE_OCI_LOG");
  if (path == nullptr) return;
  std::ofstream(path, std::ios::app) << line << "\n";
}

int Usage(const char* why) {
  fprintf(stderr, "fake-oci-runtime: %s\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string root;
  bool fake_flag = false;
  size_t i = 0;
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    if (args[i] == "--fake-flag") {
      fake_flag = true;
    } else if (args[i] == "--root" && i + 1 < args.size()) {
      root = args[++i];
    } else {
      return Usage(("unknown global flag " + args[i]).c_str());
    }
  }
  if (!fake_flag) return Usage("missing --fake-flag");
  if (root.empty()) return Usage("missing --root");
  if (i == args.size()) return Usage("no command");
  const std::string command = args[i++];
  if (command == "delete") {
    if (i + 2 != args.size() || args[i] != "--force") return Usage("usage: delete --force ID");
    const std::string state = root + "/" + args[i + 1];
    std::error_code ec;
    if (!std::filesystem::exists(state, ec)) {
      fprintf(stderr, "container \"%s\" does not exist\n", args[i + 1].c_str());
      return 1;
    }
    std::filesystem::remove_all(state, ec);
    Log("delete " + args[i + 1]);
    return 0;
  }
  if (command != "run") return Usage(("unsupported command " + command).c_str());
  if (i + 3 != args.size() || args[i] != "--bundle") return Usage("usage: run --bundle B ID");
  const std::string bundle = args[i + 1];
  const std::string id = args[i + 2];
  nlohmann::json config;
  try {
    std::ifstream in(bundle + "/config.json");
    config = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    fprintf(stderr, "fake-oci-runtime: config.json: %s\n", e.what());
    return 1;
  }
  // root.path is relative to the bundle, or absolute (runsc-bench's shared rootfs).
  const std::string root_path = config["root"]["path"].get<std::string>();
  const std::string rootfs = root_path.starts_with("/") ? root_path : bundle + "/" + root_path;
  std::vector<std::string> process_args = config["process"]["args"];
  std::vector<std::string> env = config["process"]["env"];
  if (process_args.empty() || process_args[0].empty() || process_args[0][0] != '/') {
    fprintf(stderr, "fake-oci-runtime: process.args[0] must be absolute\n");
    return 1;
  }
  if (mkdir((root + "/" + id).c_str(), 0700) != 0) {
    perror("fake-oci-runtime: state");
    return 1;
  }
  Log("run " + id);
  std::vector<char*> cargv, cenv;
  for (std::string& a : process_args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (std::string& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  if (chdir(rootfs.c_str()) != 0) {
    perror("fake-oci-runtime: chdir");
    return 1;
  }
  const std::string binary = rootfs + process_args[0];
  execve(binary.c_str(), cargv.data(), cenv.data());
  perror(("fake-oci-runtime: exec " + binary).c_str());
  return 127;
}
