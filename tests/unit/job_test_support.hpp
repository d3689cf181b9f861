#pragma once
// What the job loader tests share: a fake environment, parse-and-collect helpers and a few
// valid job texts to start from.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/job/job.hpp"

namespace acsbatch::job::testing {

/// An environment holding exactly `vars`.
inline env_lookup env_of(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

/// Parses `text` as the file "job.yaml" (in the working directory).
inline job parse(std::string_view text, const env_lookup& env = env_of(),
                 const std::vector<override_value>& overrides = {}) {
  return parse_job(text, "job.yaml", env, overrides);
}

/// Every diagnostic, formatted; fails the test when the text parses.
inline std::vector<std::string> errors_of(std::string_view text, const env_lookup& env = env_of(),
                                          const std::vector<override_value>& overrides = {}) {
  try {
    (void)parse(text, env, overrides);
  } catch (const job_error& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics()) out.push_back(d.to_string());
    return out;
  }
  ADD_FAILURE() << "parsed without error:\n" << text;
  return {};
}

/// The one diagnostic a text produces.
inline std::string error_of(std::string_view text, const env_lookup& env = env_of(),
                            const std::vector<override_value>& overrides = {}) {
  const auto errors = errors_of(text, env, overrides);
  EXPECT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  return errors.empty() ? std::string() : errors.front();
}

/// Four valid lines; tests append from line 5.
inline constexpr std::string_view head = "version: 1\nname: t\nconnection: embedded\nusers: {create: 1}\n";
inline std::string with_head(std::string_view rest) { return std::string(head) + std::string(rest); }

/// Like head, but the users come from a file: steps must not create them.
inline constexpr std::string_view file_head =
    "version: 1\nname: t\nconnection: embedded\nusers: {from_file: ids.txt}\n";
inline std::string with_file_head(std::string_view rest) { return std::string(file_head) + std::string(rest); }

inline constexpr std::string_view quickstart = R"(version: 1
name: quickstart
connection:
  connection_string: ${COMMUNICATION_SERVICES_CONNECTION_STRING:-embedded}
  api_version: "2023-10-01"
concurrency: 64
timeouts: { request: 10s }
users: { create: 1 }
steps:
  - create_user
  - issue_token: { scopes: [voip], expires_in: 24h }
  - revoke_tokens
  - delete_user
report: { path: reports/quickstart.json, items: true }
)";

/// The project root (CMake passes it in).
inline std::filesystem::path project_root() {
  // Set by CMake: __FILE__ may be relative (ccache's base_dir rewrites paths).
  return std::filesystem::path(ACSBATCH_SOURCE_DIR);
}

}  // namespace acsbatch::job::testing
