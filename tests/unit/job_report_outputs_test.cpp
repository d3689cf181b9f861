// `report: {html, junit}` in a job file: paths kept as written (relative to the working
// directory, like report.path), checked like it, and misspellings suggested.

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;

TEST(JobReportOutputs, HtmlAndJunitPaths) {
  const job j = parse(with_head("steps: [create_user]\nreport: {path: out/r.json, html: out/r.html, junit: ci/r.xml}\n"));
  EXPECT_EQ(j.report.html, "out/r.html");
  EXPECT_EQ(j.report.junit, "ci/r.xml");
  const job none = parse(with_head("steps: [create_user]\n"));
  EXPECT_EQ(none.report.html, "");
  EXPECT_EQ(none.report.junit, "");
}

TEST(JobReportOutputs, Mistakes) {
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nreport: {html: out/}\n")),
            "job.yaml:6:16: report.html must name a file, not 'out/'");
  EXPECT_EQ(error_of(with_head("steps: [create_user]\nreport: {junt: r.xml}\n")),
            "job.yaml:6:10: unknown key 'junt' in report; did you mean 'junit'?");
}

}  // namespace
}  // namespace acsbatch::job
