// The small public pieces of the job module (durations, rates, operation names, diagnostics),
// reading files from disk, and random damage to a valid file never crashing the loader.

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "acsbatch/identity/types.hpp"
#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace std::chrono_literals;
using namespace acsbatch::job::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- Small pieces. ---

TEST(JobDuration, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("24h"), 24h);
  EXPECT_EQ(parse_duration("1d"), 24h);
  EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(JobDuration, RefusesEverythingElse) {
  for (const std::string_view bad : {"", "s", "10", "-5s", "+5s", "1.5s", "5 s", " 5s", "5S", "5sec", "5us", "1h30m",
                                     "0x10s", "99999999999999999999999d", "106751991167301d", "9223372036854775808ms"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
  EXPECT_EQ(parse_duration("9223372036854775807ms"), std::chrono::milliseconds::max());
  EXPECT_EQ(parse_duration("106751991167d"), std::chrono::hours{106751991167LL * 24});
}

TEST(JobRate, ParsesCountsAndWindows) {
  const auto r = [](std::string_view text) { return parse_rate(text).value_or(rate{-1, 0ms}); };
  EXPECT_EQ(r("33/s").count, 33);
  EXPECT_EQ(r("33/s").window, 1s);
  EXPECT_EQ(r("1000/30s").window, 30s);
  EXPECT_EQ(r("50/1m").window, 1min);
  EXPECT_EQ(r("5/ms").window, 1ms);
  EXPECT_EQ(r("100/h").window, 1h);
  EXPECT_EQ(r("2/d").window, 24h);
  EXPECT_EQ(r("0.5/s").count, 0.5);
  EXPECT_DOUBLE_EQ(r("1000/30s").per_second(), 1000.0 / 30);
  EXPECT_EQ(r("0/s").count, 0);  // syntactically a rate; the loader refuses it
  for (const std::string_view bad : {"", "33", "/s", "33/", "s/33", "33/0s", "33/s ", " 33/s", "1e3/s", "+3/s",
                                     "3./s", ".5/s", "33/sec", "33//s", "nan/s", "inf/s"})
    EXPECT_FALSE(parse_rate(bad)) << bad;
}

TEST(JobRate, ServiceDefaultsAreThePublishedLimits) {
  // docs/rest-contract.md §6: per 30 s, 1000 for creates and tokens, 500 for deletes and revokes.
  for (const auto op : {operation::create_user, operation::create_user_and_token, operation::issue_token,
                        operation::get_user}) {
    EXPECT_EQ(service_default_limit(op).count, 1000) << to_string(op);
    EXPECT_EQ(service_default_limit(op).window, 30s) << to_string(op);
  }
  for (const auto op : {operation::delete_user, operation::revoke_tokens}) {
    EXPECT_EQ(service_default_limit(op).count, 500) << to_string(op);
    EXPECT_EQ(service_default_limit(op).window, 30s) << to_string(op);
  }
}

TEST(JobOperation, RoundTripsThroughItsName) {
  for (const auto op : {operation::create_user, operation::create_user_and_token, operation::issue_token,
                        operation::revoke_tokens, operation::delete_user, operation::get_user})
    EXPECT_EQ(operation_from_string(to_string(op)), op);
  EXPECT_EQ(to_string(operation::create_user_and_token), "create_user_and_token");
  EXPECT_FALSE(operation_from_string("Create_User"));
  EXPECT_FALSE(operation_from_string(""));
}

TEST(JobDiagnostic, FormatsWithAndWithoutPosition) {
  EXPECT_EQ((diagnostic{"f.yaml", 3, 7, "bad"}).to_string(), "f.yaml:3:7: bad");
  EXPECT_EQ((diagnostic{"f.yaml", 3, 0, "bad"}).to_string(), "f.yaml:3: bad");
  EXPECT_EQ((diagnostic{"f.yaml", 0, 0, "bad"}).to_string(), "f.yaml: bad");
}

// --- Files on disk. ---

TEST(JobLoadFile, ReadsAFile) {
  const auto path = std::filesystem::temp_directory_path() / ("acsbatch_job_test_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path, std::ios::binary);
    out << quickstart;
  }
  const job j = load_job(path.string(), env_of());
  EXPECT_EQ(j.name, "quickstart");
  EXPECT_EQ(j.file, path.string());
  EXPECT_EQ(j.sha256, parse(quickstart).sha256);
  std::filesystem::remove(path);
}

TEST(JobLoadFile, UnreadableFileNamesThePathAndTheReason) {
  try {
    (void)load_job("/nonexistent/dir/job.yaml", env_of());
    FAIL() << "no error";
  } catch (const job_error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/dir/job.yaml: cannot open the job file: No such file or directory");
  }
  try {
    (void)load_job(std::filesystem::temp_directory_path().string(), env_of());
    FAIL() << "no error";
  } catch (const job_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read the job file: Is a directory"));
  }
}

// --- Random damage to a valid file never crashes the loader. ---

/// One to four random edits: deletions, insertions, replacements, copies, truncation.
std::string damaged(std::string text, std::mt19937& random) {
  constexpr std::string_view alphabet = ":-[]{}\"'$#\n &*!|>%@`,?\\~01aZ_.";
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int k = 0; k < edits && !text.empty(); ++k) {
    const std::size_t at = random() % text.size();
    switch (random() % 5) {
      case 0: text.erase(at, 1 + random() % 8); break;
      case 1: text.insert(at, 1, alphabet[random() % alphabet.size()]); break;
      case 2: text[at] = alphabet[random() % alphabet.size()]; break;
      case 3: text.insert(at, text.substr(random() % text.size(), 1 + random() % 40)); break;
      case 4: text.resize(at); break;
    }
  }
  return text;
}

/// Parses every damaged text: only job_error may come out, always with messages. {parsed, rejected}
std::pair<int, int> parse_damaged(const std::string& base, std::uint32_t seed,
                                  const std::vector<std::vector<override_value>>& override_sets = {{}}) {
  std::mt19937 random(seed);
  const auto env = env_of({{"COMMUNICATION_SERVICES_CONNECTION_STRING", "embedded"}});
  int parsed = 0, rejected = 0;
  for (int round = 0; round < 600; ++round) {
    const std::string text = damaged(base, random);
    const auto& overrides = override_sets[random() % override_sets.size()];
    try {
      (void)parse(text, env, overrides);
      ++parsed;
    } catch (const job_error& e) {
      ++rejected;
      EXPECT_FALSE(e.diagnostics().empty()) << text;
      for (const auto& d : e.diagnostics()) EXPECT_FALSE(d.message.empty()) << text;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception " << e.what() << " for:\n" << text;
    }
  }
  return {parsed, rejected};
}

TEST(JobFuzz, MutationsOfAValidFileNeverCrash) {
  const auto [parsed, rejected] = parse_damaged(
      std::string(quickstart) + "rate_limit: { per_second: 200 }\noutputs: { tokens: null }\nstate: { path: s.db }\n",
      20261125);
  EXPECT_GT(rejected, 0);
  EXPECT_GT(parsed, 0);
}

TEST(JobFuzz, MutationsOfTheWholeSchemaWithOverridesNeverCrash) {
  const std::string base = R"(version: 1
name: rotate
users: { from_report: ../reports/provision.json }
steps: [revoke_tokens, {issue_token: {scopes: [voip, chat], expires_in: 24h}}]
rate_limit: { per_second: 20.5, burst: 4, adaptive: yes,
              per_operation: { revoke_tokens: 500/30s, issue_token: 33/s } }
retry: { max_attempts: 6, initial_backoff: 200ms, max_backoff: 30s, on: [429, 503, timeout] }
timeouts: { request: 10s, job: 1h, grace: 30s }
report: { path: reports/rotate.json, items: true }
# Comments and a block section give the damage harmless places to land.
connection:
  connection_string: ${COMMUNICATION_SERVICES_CONNECTION_STRING:-embedded}
  api_version: "2023-10-01"
)";
  const std::vector<std::vector<override_value>> override_sets = {
      {},
      {{"rate_limit.per_second", "50"}, {"retry.max_attempts", "2"}},
      {{"users.from_report", "r.json"}, {"concurrency", "8"}, {"rate_limit.per_operation", "none"}},
      {{"rate_limit.per_second", "50"}, {"retry.on", "429"}},
      {{"rate_limit.per_operation.issue_token", "0/s"}, {"users.create", "5"}},
      {{"steps.0", "x"}, {"rate_limit.per_operation", "none"}, {"timeouts.grace.x", "1"}},
      {{"users", "ids.txt"}, {"a.b.c.d", ""}, {"retry", "none"}},
  };
  const auto [parsed, rejected] = parse_damaged(base, 4242, override_sets);
  EXPECT_GT(rejected, 0);
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace acsbatch::job
