// A stand-in for a family binary, to test the compat runner itself. It
// speaks just enough of gtest's command line (--gtest_list_tests,
// --gtest_filter=A.B:C.D with exact names, --gtest_color ignored) and prints
// gtest's lines, but each case does what its name says: pass, skip, fail,
// abort, segfault, hang, and so on. FAKE_FAMILY picks the set of cases (one
// binary per set, see CMakeLists.txt).
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

enum class Action { kPass, kSkip, kFail, kAbort, kSegfault, kHang, kSilent };

struct Case {
  const char* suite;
  const char* name;
  Action action;
};

#define FAKE_STR2(x) #x
#define FAKE_STR(x) FAKE_STR2(x)

// Set by mode: the binary exits 1 whatever its cases did (the "lies" family:
// every case prints OK).
bool g_always_exit_1 = false;

std::vector<Case> Cases(const std::string& family) {
  if (family == "good") {
    return {{"Good", "Passes", Action::kPass},
            {"Good", "AlsoPasses", Action::kPass},
            {"Good", "Skips", Action::kSkip},
            {"Good", "FailsEverywhere", Action::kFail}};
  }
  if (family == "crash") {
    return {{"Crash", "Before", Action::kPass},
            {"Crash", "Aborts", Action::kAbort},
            {"Crash", "Segfaults", Action::kSegfault},
            {"Crash", "After", Action::kPass}};
  }
  if (family == "hang") {
    return {{"Hang", "Before", Action::kPass},
            {"Hang", "SleepsForever", Action::kHang},
            {"Hang", "After", Action::kPass}};
  }
  if (family == "lies") {
    g_always_exit_1 = true;
    return {{"Lies", "PrintsOkThenExits1", Action::kPass}, {"Lies", "AlsoPrintsOk", Action::kPass}};
  }
  if (family == "silent") {
    return {{"Silent", "PrintsNothing", Action::kSilent},
            {"Silent", "AlsoNothing", Action::kSilent}};
  }
  return {};
}

void Print(const char* fmt, const char* suite, const char* name) {
  printf(fmt, suite, name);
  fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Case> cases = Cases(FAKE_STR(FAKE_FAMILY));
  std::vector<std::string> filter;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--gtest_list_tests") {
      list = true;
    } else if (arg.rfind("--gtest_filter=", 0) == 0) {
      std::string rest = arg.substr(strlen("--gtest_filter="));
      size_t start = 0;
      for (size_t colon; (colon = rest.find(':', start)) != std::string::npos; start = colon + 1) {
        filter.push_back(rest.substr(start, colon - start));
      }
      filter.push_back(rest.substr(start));
    } else if (arg.rfind("--gtest_color=", 0) != 0) {
      fprintf(stderr, "fake family: unknown flag %s\n", arg.c_str());
      return 64;
    }
  }
  printf("Running main() from fake_family.cc\n");
  if (list) {
    const char* suite = "";
    for (const Case& c : cases) {
      if (strcmp(suite, c.suite) != 0) printf("%s.\n", suite = c.suite);
      printf("  %s\n", c.name);
    }
    return 0;
  }
  std::vector<const Case*> failed;
  for (const Case& c : cases) {
    std::string full = std::string(c.suite) + "." + c.name;
    if (!filter.empty()) {
      bool selected = false;
      for (const std::string& f : filter) selected |= f == full;
      if (!selected) continue;
    }
    if (c.action == Action::kSilent) continue;
    Print("[ RUN      ] %s.%s\n", c.suite, c.name);
    switch (c.action) {
      case Action::kPass:
        Print("[       OK ] %s.%s (0 ms)\n", c.suite, c.name);
        break;
      case Action::kSkip:
        Print("[  SKIPPED ] %s.%s (0 ms)\n", c.suite, c.name);
        break;
      case Action::kFail:
        printf("fake_family.cc:1: Failure\n");
        Print("[  FAILED  ] %s.%s (0 ms)\n", c.suite, c.name);
        failed.push_back(&c);
        break;
      case Action::kAbort:
        abort();
      case Action::kSegfault: {
        // A real fault: the kernel's SIGSEGV kills even a pid-namespace init,
        // where raise(SIGSEGV) would be ignored.
        volatile int* volatile nowhere = nullptr;
        *nowhere = 1;
        break;
      }
      case Action::kHang:
        for (;;) pause();
      case Action::kSilent:
        break;
    }
  }
  // gtest's closing summary names failed cases again; the runner must not
  // read these lines as results.
  if (!failed.empty()) {
    printf("[  FAILED  ] %zu test, listed below:\n", failed.size());
    for (const Case* c : failed) printf("[  FAILED  ] %s.%s\n", c->suite, c->name);
  }
  fflush(stdout);
  return g_always_exit_1 || !failed.empty() ? 1 : 0;
}
