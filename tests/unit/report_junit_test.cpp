// The JUnit rendering of a report: well-formed XML (checked by a minimal parser here), one test
// case per threshold and per operation, the right counts, escaped texts.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <vector>

#include "acsbatch/report/junit_report.hpp"
#include "report_sample.hpp"

namespace acsbatch::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::sample;

/// A minimal XML well-formedness check: balanced tags, quoted attributes, no raw '<' or '&'
/// outside markup and entities. Counts elements by name.
struct xml_check {
  bool ok = true;
  std::string problem;
  std::map<std::string, int> elements;
};

xml_check check_xml(const std::string& xml) {
  xml_check out;
  std::vector<std::string> open;
  std::size_t i = xml.find("?>");
  if (xml.rfind("<?xml", 0) != 0 || i == std::string::npos) return {false, "no declaration", {}};
  i += 2;
  const std::regex entity{R"(&(amp|lt|gt|quot|apos);)"};
  while (i < xml.size()) {
    if (xml[i] == '<') {
      const auto end = xml.find('>', i);
      if (end == std::string::npos) return {false, "unclosed tag", {}};
      std::string tag = xml.substr(i + 1, end - i - 1);
      i = end + 1;
      if (tag.empty()) return {false, "empty tag", {}};
      if (tag[0] == '/') {
        if (open.empty() || open.back() != tag.substr(1)) return {false, "mismatched </" + tag.substr(1) + ">", {}};
        open.pop_back();
        continue;
      }
      const bool self_closing = tag.back() == '/';
      if (self_closing) tag.pop_back();
      const std::string name = tag.substr(0, tag.find(' '));
      // Attributes: name="value" with no '<' inside and escaped '&'.
      const std::regex attributes{R"re(^[A-Za-z_:][-A-Za-z0-9_:.]*(\s+[A-Za-z_:][-A-Za-z0-9_:.]*="[^"<]*")*\s*$)re"};
      if (!std::regex_match(tag, attributes)) return {false, "bad tag <" + tag + ">", {}};
      ++out.elements[name];
      if (!self_closing) open.push_back(name);
    } else if (xml[i] == '&') {
      std::smatch m;
      const std::string rest = xml.substr(i, 8);
      if (!std::regex_search(rest, m, entity) || m.position(0) != 0) return {false, "raw & at " + std::to_string(i), {}};
      i += static_cast<std::size_t>(m.length(0));
    } else {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) return {false, "text outside the root", {}};
      ++i;
    }
  }
  if (!open.empty()) return {false, "unclosed <" + open.back() + ">", {}};
  return out;
}

TEST(JunitReport, IsWellFormedWithOneCasePerThresholdAndOperation) {
  const auto xml = render_junit(sample());
  const auto check = check_xml(xml);
  ASSERT_TRUE(check.ok) << check.problem << "\n" << xml;
  EXPECT_EQ(check.elements.at("testsuites"), 1);
  EXPECT_EQ(check.elements.at("testsuite"), 2);
  EXPECT_EQ(check.elements.at("testcase"), 5);  // 3 thresholds + 2 operations
  EXPECT_EQ(check.elements.at("failure"), 3);   // 2 thresholds + issue_token
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"acsbatch nightly&lt;script&gt;"));
  EXPECT_THAT(xml, HasSubstr("tests=\"5\" failures=\"3\" errors=\"0\" time=\"6.000\""));
  EXPECT_THAT(xml, HasSubstr("tests=\"3\" failures=\"2\""));
  EXPECT_THAT(xml, HasSubstr("name=\"p99(create_user) &lt; 300ms\""));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"threshold\" message=\"error_rate &lt; 1%: measured 10.0000 %\">"));
  EXPECT_THAT(xml, HasSubstr("message=\"rate &gt; 900/s: nothing was measured\""));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"operation\" message=\"2 of 10 step(s) failed\">"));
  EXPECT_THAT(xml, HasSubstr("busy &lt;/td&gt;&lt;script&gt;steal()&lt;/script&gt;"));
}

TEST(JunitReport, ControlCharactersCannotBreakTheXml) {
  EXPECT_EQ(xml_escape("a\x01" "b\x1f\tc\n<&>\"'"), "a b \tc\n&lt;&amp;&gt;&quot;&apos;");
  auto d = sample();
  d.errors[0].example = std::string("nul\0here\x07", 9);
  EXPECT_TRUE(check_xml(render_junit(d)).ok);
}


}  // namespace
}  // namespace acsbatch::report
