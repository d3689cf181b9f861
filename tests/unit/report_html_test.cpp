// The HTML rendering of a report: every section and chart present, every text from the report
// escaped (a job name or a service message cannot inject markup or script), nothing fetched.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "acsbatch/report/html_report.hpp"
#include "report_sample.hpp"

namespace acsbatch::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::sample;

TEST(HtmlReport, HasEverySectionAndChart) {
  const auto html = render_html(sample());
  for (const auto* id : {"id=\"verdict\"", "id=\"thresholds\"", "id=\"chart-throughput\"", "id=\"chart-latency-create-user\"",
                         "id=\"chart-distribution\"", "id=\"operations\"", "id=\"errors\"", "id=\"chart-errors\"",
                         "id=\"parameters\""})
    EXPECT_THAT(html, HasSubstr(id));
  EXPECT_THAT(html, HasSubstr("thresholds failed"));
  EXPECT_THAT(html, HasSubstr("<code>p99(create_user) &lt; 300ms</code>"));
  EXPECT_THAT(html, HasSubstr("10.00 ms"));
  EXPECT_THAT(html, HasSubstr("10.000 %"));  // error_rate as a percentage
  EXPECT_THAT(html, HasSubstr("no data"));
  EXPECT_THAT(html, HasSubstr("time since start (s)"));
  EXPECT_THAT(html, HasSubstr("latency (ms)"));
  EXPECT_THAT(html, HasSubstr("operations per second"));
  EXPECT_THAT(html, HasSubstr("2026-11-25 11:58:14 UTC"));
}

TEST(HtmlReport, TextFromTheReportCannotInjectMarkup) {
  const auto html = render_html(sample());
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));  // shown as text, never markup
  EXPECT_THAT(html, HasSubstr("nightly&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;"));
  EXPECT_THAT(html, HasSubstr("busy &lt;/td&gt;&lt;script&gt;steal()&lt;/script&gt;"));
  // An operation's name becomes a safe id.
  EXPECT_THAT(html, HasSubstr("id=\"chart-latency-create-user\""));
  const std::regex id_attribute{R"re(id="([^"]*)")re"};
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id_attribute); it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(std::regex_match((*it)[1].str(), std::regex("[a-z0-9-]+"))) << (*it)[1];
}

TEST(HtmlReport, IsSelfContained) {
  const auto html = render_html(sample(false));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr(" src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, HasSubstr("Content-Security-Policy\" content=\"default-src 'none'"));
  // The only URL is the SVG namespace, which is a name, not a fetch.
  std::string rest = html;
  for (std::size_t at; (at = rest.find("://")) != std::string::npos; rest = rest.substr(at + 3))
    EXPECT_EQ(rest.substr(at - 4, 26), "http://www.w3.org/2000/svg");
}

TEST(HtmlReport, AnEmptyReportStillRenders) {
  report_document d;
  d.job_name = "empty";
  const auto html = render_html(d);
  EXPECT_THAT(html, HasSubstr("id=\"chart-throughput\""));
  EXPECT_THAT(html, HasSubstr("no data"));
  EXPECT_THAT(html, HasSubstr("This job has no thresholds."));
  EXPECT_THAT(html, HasSubstr("no failures"));
}


}  // namespace
}  // namespace acsbatch::report
