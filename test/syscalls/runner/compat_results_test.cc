#include "test/syscalls/runner/compat_results.h"

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

RuntimeSpec Runtime(const std::string& name, const std::string& unavailable = "") {
  RuntimeSpec r;
  r.name = name;
  r.native = name == kNativeRuntime;
  if (!r.native) r.command = {"/usr/sbin/" + name};
  r.unavailable = unavailable;
  return r;
}

// read: A passes everywhere, B fails natively (and passes under runc: still
// not scored), C passes natively and fails under runc, D times out under runc.
CompatResults Sample() {
  FamilyResults read;
  read.family = "read";
  read.cases = {"ReadTest.A", "ReadTest.B", "ReadTest.C", "ReadTest.D"};
  auto set = [&](const std::string& rt, const std::string& name, Verdict v) {
    read.by_runtime[rt].cases[name] = {v, ""};
  };
  set("native", "ReadTest.A", Verdict::kPass);
  set("native", "ReadTest.B", Verdict::kFail);
  set("native", "ReadTest.C", Verdict::kPass);
  set("native", "ReadTest.D", Verdict::kPass);
  set("runc", "ReadTest.A", Verdict::kPass);
  set("runc", "ReadTest.B", Verdict::kPass);
  set("runc", "ReadTest.C", Verdict::kFail);
  set("runc", "ReadTest.D", Verdict::kTimeout);
  for (const std::string& name : read.cases) set("ghost", name, Verdict::kSkip);
  return CompatResults({Runtime("native"), Runtime("runc"), Runtime("ghost", "not found")}, {read});
}

TEST(CompatResultsTest, NativeFailuresAreLeftOutOfEveryScore) {
  CompatResults results = Sample();
  const FamilyResults& read = results.families()[0];
  Score native = CompatResults::FamilyScore(read, "native");
  EXPECT_EQ(native.passed, 3);
  EXPECT_EQ(native.total, 4);
  Score runc = CompatResults::FamilyScore(read, "runc");
  EXPECT_EQ(runc.passed, 1);  // B passed under runc but failed natively: not counted.
  EXPECT_EQ(runc.total, 3);
  Score ghost = results.TotalScore("ghost");
  EXPECT_EQ(ghost.passed, 0);
  EXPECT_EQ(ghost.total, 3);
}

TEST(CompatResultsTest, JsonIsTheIssueFormat) {
  nlohmann::ordered_json json = Sample().ToJson();
  EXPECT_EQ(json["runtimes"], (nlohmann::json{"native", "runc", "ghost"}));
  ASSERT_EQ(json["tests"].size(), 4u);
  const auto& first = json["tests"][0];
  EXPECT_EQ(first["name"], "read.ReadTest.A");
  EXPECT_EQ(first["family"], "read");
  // In the order of "runtimes".
  EXPECT_EQ(first["results"].dump(), R"({"native":"pass","runc":"pass","ghost":"skip"})");
  EXPECT_EQ(json["tests"][3]["results"]["runc"], "timeout");
  // Exactly these keys, nothing else.
  EXPECT_EQ(json.size(), 2u);
  for (const auto& t : json["tests"]) EXPECT_EQ(t.size(), 3u);
  for (const auto& t : json["tests"]) {
    for (const auto& [rt, v] : t["results"].items()) {
      EXPECT_TRUE(VerdictFromName(v.get<std::string>()).has_value()) << v;
    }
  }
}

TEST(CompatResultsTest, UnknownOutcomesAreSkips) {
  FamilyResults f;
  f.cases = {"S.A"};
  EXPECT_EQ(f.Get("native", "S.A").verdict, Verdict::kSkip);
}

}  // namespace
}  // namespace runsc::compat
