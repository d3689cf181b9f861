// `acsbatch report junit` and the job's report.junit end to end: one test case per threshold and
// per operation, and the exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <memory>

#include "report_cli_support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class ReportJunitCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    runs_ = std::make_unique<two_runs>(", junit: out/shard.xml");
    ASSERT_TRUE(runs_->ok()) << runs_->error();
  }
  static void TearDownTestSuite() { runs_.reset(); }
  static const std::filesystem::path& dir() { return runs_->dir(); }
  static std::string out(const std::string& name) { return runs_->out(name); }
  static process_result acsbatch(const std::vector<std::string>& args) { return run_acsbatch(args, dir()); }

  static std::unique_ptr<two_runs> runs_;
};
std::unique_ptr<two_runs> ReportJunitCli::runs_;

TEST_F(ReportJunitCli, TheJobWritesItsJunitFile) {
  // Beside each run's --report JSON (out/a.json, out/b.json), not the job's out/shard.xml.
  EXPECT_FALSE(std::filesystem::exists(out("shard.xml")));
  EXPECT_THAT(read_file(out("a.xml")), HasSubstr("tests=\"6\" failures=\"0\""));  // 3 thresholds + 3 operations
  EXPECT_THAT(read_file(out("b.xml")), HasSubstr("tests=\"6\" failures=\"0\""));
}

TEST_F(ReportJunitCli, CountsThresholdsAndOperations) {
  const auto result = acsbatch({"report", "junit", out("a.json"), "-o", out("a.xml")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto xml = read_file(out("a.xml"));
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"acsbatch shard\" tests=\"6\" failures=\"0\""));
  EXPECT_THAT(xml, HasSubstr("name=\"error_rate &lt; 1%\""));
  EXPECT_THAT(xml, HasSubstr("name=\"delete_user\""));
  EXPECT_EQ(acsbatch({"report", "junit", out("nope.json"), "-o", out("x.xml")}).exit_code, 66);
  EXPECT_EQ(acsbatch({"report", "junit", out("a.json")}).exit_code, 64);
}


}  // namespace
}  // namespace acsbatch::testing
