// The README's api-version table is the code's table: the rows between the markers must be what
// identity::api_version_table_markdown() renders from identity::api_versions(), so neither can
// change without the other.

#include "acsbatch/identity/api_versions.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string readme() {
  std::ifstream in{std::string(ACSBATCH_SOURCE_DIR) + "/README.md"};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReadmeApiVersions, TheTableIsTheCodesTable) {
  const std::string text = readme();
  const std::string begin = "<!-- api-versions:begin (generated from identity::api_version_table_markdown) -->\n";
  const std::string end = "<!-- api-versions:end -->";
  const auto from = text.find(begin);
  ASSERT_NE(from, std::string::npos) << "README.md lost its api-versions:begin marker";
  const auto to = text.find(end, from);
  ASSERT_NE(to, std::string::npos) << "README.md lost its api-versions:end marker";
  EXPECT_EQ(text.substr(from + begin.size(), to - from - begin.size()),
            acsbatch::identity::api_version_table_markdown())
      << "regenerate the README's table from identity::api_version_table_markdown()";
}

TEST(ReadmeApiVersions, EveryVersionIsARowAndTheDefaultIsMarked) {
  const std::string table = acsbatch::identity::api_version_table_markdown();
  for (const auto& v : acsbatch::identity::api_versions())
    EXPECT_NE(table.find("| `" + std::string(v.version) + "`"), std::string::npos) << v.version;
  EXPECT_NE(table.find("`2023-10-01` (default)"), std::string::npos);
  EXPECT_EQ(acsbatch::identity::versions_with_custom_id(), "2025-03-02-preview");
}

}  // namespace
