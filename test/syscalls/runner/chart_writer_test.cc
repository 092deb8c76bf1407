#include "test/syscalls/runner/chart_writer.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace runsc::compat {
namespace {

CompatResults Sample() {
  RuntimeSpec native{"native", true, {}, ""};
  RuntimeSpec runc{"runc", false, {"/usr/sbin/runc"}, ""};
  RuntimeSpec ghost{"ghost", false, {"/x"}, "not found"};
  FamilyResults read;
  read.family = "read_write";
  read.cases = {"R.A", "R.B"};
  read.by_runtime["native"].cases = {{"R.A", {Verdict::kPass, ""}}, {"R.B", {Verdict::kPass, ""}}};
  read.by_runtime["runc"].cases = {{"R.A", {Verdict::kPass, ""}}, {"R.B", {Verdict::kFail, ""}}};
  FamilyResults none;
  none.family = "none";
  none.cases = {"N.A"};
  none.by_runtime["native"].cases = {{"N.A", {Verdict::kFail, ""}}};
  return CompatResults({native, runc, ghost}, {read, none});
}

TEST(ChartWriterTest, DataHasOneRowPerFamilyAndAColumnPerRuntimeThatRan) {
  std::string data = ChartWriter::DataFile(Sample());
  EXPECT_NE(data.find("# family runc\n"), std::string::npos) << data;
  EXPECT_NE(data.find("read_write 50.0\n"), std::string::npos) << data;
  EXPECT_NE(data.find("none -\n"), std::string::npos) << data;
  EXPECT_TRUE(data.ends_with("all 50.0\n")) << data;
  EXPECT_EQ(data.find("ghost"), std::string::npos) << data;
}

TEST(ChartWriterTest, NativeIsChartedOnlyAlone) {
  RuntimeSpec native{"native", true, {}, ""};
  FamilyResults f;
  f.family = "f";
  f.cases = {"S.A", "S.B"};
  f.by_runtime["native"].cases = {{"S.A", {Verdict::kPass, ""}}, {"S.B", {Verdict::kFail, ""}}};
  CompatResults results({native}, {f});
  std::string data = ChartWriter::DataFile(results);
  EXPECT_NE(data.find("# family native\n"), std::string::npos) << data;
  EXPECT_NE(data.find("f 50.0\n"), std::string::npos) << data;
  EXPECT_NE(ChartWriter::Script(results, "d", "s").find("passing natively, in %"),
            std::string::npos);
}

TEST(ChartWriterTest, ScriptPlotsEveryColumn) {
  std::string script = ChartWriter::Script(Sample(), "report.dat", "report.svg");
  EXPECT_NE(script.find("set terminal svg"), std::string::npos) << script;
  EXPECT_NE(script.find("noenhanced"), std::string::npos)
      << script;  // read_write, not read subscript write
  EXPECT_NE(script.find("set output \"report.svg\""), std::string::npos) << script;
  EXPECT_NE(script.find("\"report.dat\" using 2:xtic(1) title \"runc\""), std::string::npos)
      << script;
  EXPECT_EQ(script.find("title \"native\""), std::string::npos) << script;
}

TEST(ChartWriterTest, MissingGnuplotIsNotFoundButTheInputsAreWritten) {
  char tmpl[] = "/tmp/chart_writer_test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  ChartWriter writer(tmpl, "/nonexistent/gnuplot");
  absl::Status s = writer.Write(Sample());
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_NE(s.message().find("gnuplot-nox"), absl::string_view::npos) << s;
  EXPECT_TRUE(std::filesystem::exists(std::string(tmpl) + "/report.dat"));
  EXPECT_TRUE(std::filesystem::exists(std::string(tmpl) + "/report.gp"));
  EXPECT_FALSE(std::filesystem::exists(std::string(tmpl) + "/report.svg"));
  std::filesystem::remove_all(tmpl);
}

TEST(ChartWriterTest, DrawsAnSvgWhenGnuplotIsInstalled) {
  if (system("command -v gnuplot >/dev/null 2>&1") != 0) GTEST_SKIP() << "gnuplot not installed";
  char tmpl[] = "/tmp/chart_writer_test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  ChartWriter writer(tmpl, "gnuplot");
  ASSERT_TRUE(writer.Write(Sample()).ok());
  std::ifstream svg(std::string(tmpl) + "/report.svg");
  std::stringstream text;
  text << svg.rdbuf();
  EXPECT_NE(text.str().find("<svg"), std::string::npos);
  EXPECT_NE(text.str().find("read_write"), std::string::npos);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace runsc::compat
