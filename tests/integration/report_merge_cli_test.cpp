// `acsbatch report merge` end to end: two runs of a job merged into one report, reports of
// another job refused unless forced, and the exit codes for bad flags and unreadable, invalid or
// unwritable files.

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

class ReportMergeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    runs_ = std::make_unique<two_runs>();
    ASSERT_TRUE(runs_->ok()) << runs_->error();
  }
  static void TearDownTestSuite() { runs_.reset(); }
  static const std::filesystem::path& dir() { return runs_->dir(); }
  static std::string out(const std::string& name) { return runs_->out(name); }
  static process_result acsbatch(const std::vector<std::string>& args) { return run_acsbatch(args, dir()); }

  static std::unique_ptr<two_runs> runs_;
};
std::unique_ptr<two_runs> ReportMergeCli::runs_;

TEST_F(ReportMergeCli, MergeAddsTheShards) {
  const auto result = acsbatch({"report", "merge", out("a.json"), out("b.json"), "-o", out("merged.json")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto merged = json::parse(read_file(out("merged.json"))).as_object();
  EXPECT_EQ(merged.at("summary").at("items").at("total"), 60);
  EXPECT_EQ(merged.at("summary").at("operations").at("issue_token").at("count"), 60);
  EXPECT_FALSE(merged.at("summary").at("operations").at("issue_token").at("histogram").at("buckets").as_array().empty());
  EXPECT_EQ(merged.at("items").as_array().size(), 60u);
  EXPECT_EQ(merged.at("thresholds").as_array().size(), 3u);
  EXPECT_EQ(merged.at("merged_from").as_array().size(), 2u);
  EXPECT_EQ(merged.at("job").at("runs").as_array().size(), 2u) << "the runs whose items it counts";
  // A merged report is a report, but merged again with one of its inputs it would count that
  // input's items twice (issue 20): refused, naming the run, unless --force.
  const auto twice = acsbatch({"report", "merge", out("merged.json"), out("a.json"), "-o", out("m3.json")});
  EXPECT_EQ(twice.exit_code, 65);
  EXPECT_THAT(twice.err, HasSubstr("both count the items of run "));
  EXPECT_THAT(twice.err, HasSubstr("merging would count them twice; --force merges them anyway"));
  const auto same = acsbatch({"report", "merge", out("a.json"), out("a.json"), "-o", out("m4.json")});
  EXPECT_EQ(same.exit_code, 65) << "one report given twice";
  EXPECT_EQ(acsbatch({"report", "merge", out("merged.json"), out("a.json"), "-o", out("m3.json"), "--force"}).exit_code, 0);
  EXPECT_EQ(json::parse(read_file(out("m3.json"))).at("summary").at("items").at("total"), 90);
}

TEST_F(ReportMergeCli, MergeRefusesOtherJobsUnlessForced) {
  const auto other = write_report_job(dir(), "other", 2);
  ASSERT_EQ(acsbatch({"run", other.string(), "--quiet"}).exit_code, 0);
  const auto refused = acsbatch({"report", "merge", out("a.json"), out("other.json"), "-o", out("x.json")});
  EXPECT_EQ(refused.exit_code, 65);
  EXPECT_THAT(refused.err, HasSubstr("is a report of another job"));
  EXPECT_FALSE(std::filesystem::exists(out("x.json")));
  const auto forced = acsbatch({"report", "merge", "--force", out("a.json"), out("other.json"), "-o", out("x.json")});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

TEST_F(ReportMergeCli, ExitCodes) {
  // 64: bad command line.
  EXPECT_EQ(acsbatch({"report", "merge", out("a.json"), "-o", out("y.json")}).exit_code, 64);  // one report
  EXPECT_EQ(acsbatch({"report", "merge", out("a.json"), out("b.json")}).exit_code, 64);        // no -o
  EXPECT_EQ(acsbatch({"report", "pdf", out("a.json"), "-o", out("y.pdf")}).exit_code, 64);
  EXPECT_EQ(acsbatch({"report"}).exit_code, 64);
  // 66: an input that cannot be read; 65: one that is not a report.
  const auto missing = acsbatch({"report", "merge", out("a.json"), out("nope.json"), "-o", out("y.json")});
  EXPECT_EQ(missing.exit_code, 66);
  EXPECT_THAT(missing.err, HasSubstr("nope.json"));
  std::ofstream(out("bad.json")) << "{\"schema\":\"something else\"}";
  EXPECT_EQ(acsbatch({"report", "merge", out("a.json"), out("bad.json"), "-o", out("y.json")}).exit_code, 65);
  // 73: an output that cannot be written.
  std::ofstream(out("file")) << "x";
  EXPECT_EQ(acsbatch({"report", "merge", out("a.json"), out("b.json"), "-o", out("file") + "/m.json"}).exit_code, 73);
}


}  // namespace
}  // namespace acsbatch::testing
