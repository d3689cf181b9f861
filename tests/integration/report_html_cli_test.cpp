// `acsbatch report html` and the job's report.html end to end, and the page rendered by headless
// Chromium (skipped where /usr/bin/chromium is not installed): a non-blank screenshot, and every
// chart and the thresholds table in its DOM.

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

const std::filesystem::path chromium = "/usr/bin/chromium";

class ReportHtmlCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    runs_ = std::make_unique<two_runs>(", html: out/shard.html");
    ASSERT_TRUE(runs_->ok()) << runs_->error();
  }
  static void TearDownTestSuite() { runs_.reset(); }
  static const std::filesystem::path& dir() { return runs_->dir(); }
  static std::string out(const std::string& name) { return runs_->out(name); }
  static process_result acsbatch(const std::vector<std::string>& args) { return run_acsbatch(args, dir()); }

  static std::unique_ptr<two_runs> runs_;
};
std::unique_ptr<two_runs> ReportHtmlCli::runs_;

TEST_F(ReportHtmlCli, TheJobWritesItsHtmlPage) {
  // Each run was given --report out/a.json or out/b.json: its page goes beside its JSON, so the
  // second run did not overwrite the first's out/shard.html (issue 20).
  EXPECT_FALSE(std::filesystem::exists(out("shard.html")));
  EXPECT_THAT(read_file(out("a.html")), HasSubstr("<!DOCTYPE html>"));
  const auto html = read_file(out("b.html"));
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("id=\"chart-latency-issue-token\""));
  EXPECT_THAT(html, HasSubstr("thresholds passed"));
}

TEST_F(ReportHtmlCli, RendersAReportAndTellsWhatWentWrong) {
  ASSERT_EQ(acsbatch({"report", "html", out("a.json"), "-o", out("a.html")}).exit_code, 0);
  EXPECT_THAT(read_file(out("a.html")), HasSubstr("id=\"chart-throughput\""));
  EXPECT_EQ(acsbatch({"report", "html", out("a.json")}).exit_code, 64);  // no -o
  EXPECT_EQ(acsbatch({"report", "html", out("a.json"), out("b.json"), "-o", out("x.html")}).exit_code, 64);
  EXPECT_EQ(acsbatch({"report", "html", out("nope.json"), "-o", out("x.html")}).exit_code, 66);
  std::ofstream(out("bad.json")) << "[1,2]";
  EXPECT_EQ(acsbatch({"report", "html", out("bad.json"), "-o", out("x.html")}).exit_code, 65);
  std::ofstream(out("file")) << "x";
  EXPECT_EQ(acsbatch({"report", "html", out("a.json"), "-o", out("file") + "/r.html"}).exit_code, 73);
}

/// Width, height and the size of a PNG file; throws when it is not one.
struct png_info {
  std::uint32_t width = 0, height = 0;
  std::size_t bytes = 0;
  std::size_t distinct_bytes = 0;  ///< of the compressed image data: a blank page has few
};

png_info inspect_png(const std::string& data) {
  const std::string signature = "\x89PNG\r\n\x1a\n";
  if (data.size() < 33 || data.compare(0, 8, signature) != 0 || data.compare(12, 4, "IHDR") != 0)
    throw std::runtime_error("not a PNG");
  const auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(data[at])) << 24) | (std::uint32_t(std::uint8_t(data[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(data[at + 2])) << 8) | std::uint32_t(std::uint8_t(data[at + 3]));
  };
  png_info out{be32(16), be32(20), data.size(), 0};
  // Walk the chunks and collect the byte values of the IDAT data.
  bool seen[256] = {};
  for (std::size_t at = 8; at + 8 <= data.size();) {
    const std::uint32_t length = be32(at);
    const std::string type = data.substr(at + 4, 4);
    if (type == "IDAT")
      for (std::size_t i = at + 8; i < at + 8 + length && i < data.size(); ++i) seen[std::uint8_t(data[i])] = true;
    at += 12 + length;
  }
  for (const bool b : seen) out.distinct_bytes += b ? 1 : 0;
  return out;
}

TEST_F(ReportHtmlCli, ChromiumRendersTheHtmlReport) {
  if (!std::filesystem::exists(chromium)) GTEST_SKIP() << "no " << chromium << " (scripts/setup.sh installs it)";
  const auto html_path = std::filesystem::absolute(out("b.html"));
  const auto profile = dir() / "chromium-profile";
  const std::vector<std::string> common{chromium.string(), "--headless", "--no-sandbox", "--disable-gpu",
                                        "--disable-background-networking", "--disable-component-update",
                                        "--disable-sync", "--no-first-run", "--hide-scrollbars",
                                        "--user-data-dir=" + profile.string()};
  auto screenshot_args = common;
  const auto png_path = dir() / "out" / "shard.png";
  screenshot_args.insert(screenshot_args.end(), {"--screenshot=" + png_path.string(), "--window-size=1280,2000",
                                                 "file://" + html_path.string()});
  const auto shot = run_process(screenshot_args, dir(), {}, std::chrono::seconds{90});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const auto png = inspect_png(read_file(png_path));
  EXPECT_EQ(png.width, 1280u);
  EXPECT_EQ(png.height, 2000u);
  // A blank 1280×2000 page compresses to a few kB of few distinct bytes; charts and text do not.
  EXPECT_GT(png.bytes, 60'000u);
  EXPECT_GT(png.distinct_bytes, 250u);

  auto dom_args = common;
  dom_args.insert(dom_args.end(), {"--dump-dom", "file://" + html_path.string()});
  const auto dom = run_process(dom_args, dir(), {}, std::chrono::seconds{90});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  for (const auto* id : {"id=\"thresholds\"", "id=\"chart-throughput\"", "id=\"chart-latency-create-user\"",
                         "id=\"chart-latency-issue-token\"", "id=\"chart-latency-delete-user\"",
                         "id=\"chart-distribution\"", "id=\"errors\"", "id=\"parameters\""})
    EXPECT_THAT(dom.out, HasSubstr(id));
  EXPECT_THAT(dom.out, HasSubstr("p99(issue_token) &lt; 2s"));
  EXPECT_THAT(dom.out, HasSubstr("<path class=\"line\""));  // the charts have drawn lines
}



}  // namespace
}  // namespace acsbatch::testing
