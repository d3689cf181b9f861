// The engine under a fault storm: a seeded emulator answers 30 % of requests with 429, 5 % with
// 503 and resets 1 % of connections (half of those after doing the work). Every item must still
// succeed, every failed response must have been retried exactly once, and the client must never
// have sent more in any one-second window than the operation's limit.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <boost/json.hpp>

#include "acsbatch/emulator/fault_spec.hpp"
#include "acsbatch/emulator/server.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string binary = ACSBATCH_BINARY;

std::uint64_t number(const json::value& v) { return v.to_number<std::uint64_t>(); }

std::uint64_t sum_nested(const json::object& by_operation) {
  std::uint64_t total = 0;
  for (const auto& [op, kinds] : by_operation)
    for (const auto& [kind, count] : kinds.as_object()) total += number(count);
  return total;
}

TEST(EngineFaults, StormOf429And503AndResetsEveryItemSucceeds) {
  emulator::server_options options;
  // Millisecond Retry-After keeps the storm quick; the engine still pauses the operation.
  options.faults = emulator::parse_fault_spec("429@1ms:0.3,503@1ms:0.05,reset:0.01");
  options.seed = 20261125;
  emulator::embedded_emulator server{options};
  temp_dir dir;
  const auto job = dir.path() / "storm.yaml";
  std::ofstream(job) << R"(version: 1
name: storm
connection: { connection_string: "${COMMUNICATION_SERVICES_CONNECTION_STRING}", api_version: 2025-03-02-preview }
concurrency: 64
users: { create: 5000, custom_id: "storm-{index}" }
rate_limit:
  per_operation: { create_user: 500/s, issue_token: 500/s, revoke_tokens: 500/s, delete_user: 500/s }
retry: { max_attempts: 20, initial_backoff: 2ms, max_backoff: 50ms }
timeouts: { request: 60s }
steps:
  - create_user
  - issue_token: { scopes: [voip] }
  - revoke_tokens
  - delete_user
report: { path: storm.json, items: false }
)";
  // request: 60s, because the counts below are exact: a client timeout is a retry that no fault
  // caused (ASan with both cores hogged saw 5 of 20 000 requests pass 5 s).
  const auto result = run_process({binary, "run", job.string(), "--quiet"}, dir.path(),
                                  {{"COMMUNICATION_SERVICES_CONNECTION_STRING", server.connection_string()}}, 500s);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;

  const auto report = json::parse(read_file(dir.path() / "storm.json")).as_object();
  EXPECT_EQ(number(report.at("summary").at("items").at("succeeded")), 5000u);
  std::uint64_t retries = 0, throttled = 0;
  for (const auto& [op, totals] : report.at("summary").at("operations").as_object()) {
    EXPECT_EQ(number(totals.at("ok")), 5000u) << op;
    retries += number(totals.at("retries"));
    throttled += number(totals.at("throttled"));
  }

  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  const auto faults = sum_nested(stats.at("faults").as_object());
  EXPECT_GT(faults, 5000u) << "the storm should have struck often";
  EXPECT_EQ(retries, faults) << "every failed response retried exactly once";
  std::uint64_t injected_429 = 0;
  for (const auto& [op, kinds] : stats.at("faults").as_object())
    if (kinds.as_object().contains("429")) injected_429 += number(kinds.at("429"));
  EXPECT_EQ(throttled, injected_429);
  // No orphan: every identity created (once per customId) was deleted.
  EXPECT_EQ(number(stats.at("identities").at("created")), 5000u);
  EXPECT_EQ(number(stats.at("identities").at("live")), 0u);
  // Retries drew from the same limits: what the client sent in any 1 s window of its own send
  // times (the moments the limiter let each attempt go, summary.operations.*.peak_sends_per_s)
  // is at most the operation's 500. That is what the code controls; what the emulator counts in
  // its window adds how late its thread gets scheduled (a 30 ms stall once put 506 into one), so
  // the on-wire bound is checked by scripts/bench.sh's rate section instead. A limiter that let
  // retries bypass the windows would send thousands in a second and fail here. How close to 500
  // a debug build gets depends on the machine (CI saw 235..248 with the other ctest job busy), so
  // only "the meter saw this operation's sends" is asserted below, not a lower rate.
  for (const auto& [op, totals] : report.at("summary").at("operations").as_object()) {
    const auto peak = number(totals.at("peak_sends_per_s"));
    EXPECT_LE(peak, 500u) << op;
    EXPECT_GT(peak, 0u) << op << ": the meter should have seen the operation's sends";
  }
}

TEST(EngineFaults, CreateWithoutCustomIdIsNotRetriedAfterALostAnswer) {
  emulator::server_options options;
  options.faults = emulator::parse_fault_spec("reset:1,apply=1");
  options.seed = 7;
  emulator::embedded_emulator server{options};
  temp_dir dir;
  const auto job = dir.path() / "unsafe.yaml";
  std::ofstream(job) << R"(version: 1
name: unsafe
connection: { connection_string: "${COMMUNICATION_SERVICES_CONNECTION_STRING}" }
users: { create: 3 }
rate_limit: { per_operation: none }
steps: [create_user]
report: { path: unsafe.json }
)";
  const auto result = run_process({binary, "run", job.string(), "--quiet"}, dir.path(),
                                  {{"COMMUNICATION_SERVICES_CONNECTION_STRING", server.connection_string()}}, 60s);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  const auto report = json::parse(read_file(dir.path() / "unsafe.json")).as_object();
  const auto& create = report.at("summary").at("operations").at("create_user");
  EXPECT_EQ(number(create.at("failed")), 3u);
  EXPECT_EQ(number(create.at("retries")), 0u);
  const auto& step = report.at("items").at(0).at("steps").at(0);
  EXPECT_THAT(std::string(step.at("error").at("message").as_string()), ::testing::HasSubstr("not retried"));
  // The emulator did create them: the report says so instead of creating duplicates.
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(number(stats.at("identities").at("created")), 3u);
}

}  // namespace
}  // namespace acsbatch::testing
