// Stands in for runsc_bench_workloads in runsc-bench's tests: it takes the
// same flags and lists these benchmarks, each misbehaving in its own way.
//   good     a valid report: median 123 ns.
//   crash    abort().
//   hang     sleeps forever.
//   garbage  prints what is not JSON.
//   error    a report whose run has error_occurred (SkipWithError).
//   missing  a valid report without the benchmark asked for.
//   zero     a report whose time is 0.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace {

constexpr char kNames[] = "good\ncrash\nhang\ngarbage\nerror\nmissing\nzero\n";

void Report(const std::string& entries) {
  printf("{\n  \"context\": {\"executable\": \"fake\"},\n  \"benchmarks\": [%s]\n}\n",
         entries.c_str());
}

std::string Median(const std::string& name, const char* time) {
  return "{\"name\": \"" + name + "_median\", \"run_name\": \"" + name +
         "\", \"run_type\": \"aggregate\", \"aggregate_name\": \"median\", \"real_time\": " + time +
         ", \"cpu_time\": 1.0, \"time_unit\": \"ns\"}";
}

}  // namespace

int main(int argc, char** argv) {
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--benchmark_list_tests=true") {
      fputs(kNames, stdout);
      return 0;
    }
    if (arg.rfind("--benchmark_filter=^", 0) == 0 && arg.back() == '$') {
      filter = arg.substr(20, arg.size() - 21);
    }
  }
  if (filter == "good") {
    Report(Median("good", "123.0"));
  } else if (filter == "crash") {
    fprintf(stderr, "fake: about to abort\n");
    abort();
  } else if (filter == "hang") {
    for (;;) pause();
  } else if (filter == "garbage") {
    puts("this is not a benchmark report");
  } else if (filter == "error") {
    Report("{\"name\": \"error\", \"run_name\": \"error\", \"run_type\": \"iteration\", "
           "\"error_occurred\": true, \"error_message\": \"open /bench/data/x: No such file\"}");
  } else if (filter == "missing") {
    Report(Median("other", "5.0"));
  } else if (filter == "zero") {
    Report(Median("zero", "0"));
  } else {
    fprintf(stderr, "fake: unknown benchmark \"%s\"\n", filter.c_str());
    return 1;
  }
  return 0;
}
