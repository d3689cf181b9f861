// users: exactly one source (create, from_file, from_report), where relative paths are taken
// from, and how the source constrains the steps.

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "job_test_support.hpp"

namespace acsbatch::job {
namespace {

using namespace acsbatch::job::testing;
using ::testing::ElementsAre;

constexpr std::string_view rotate_steps = "steps:\n  - revoke_tokens\n  - issue_token: {scopes: [voip]}\n";

std::string with_users(std::string_view users) {
  return "version: 1\nname: t\nusers: " + std::string(users) + "\n" + std::string(rotate_steps);
}

TEST(JobUsers, CreateMakesNewUsers) {
  const job j = parse(with_head("steps: [create_user]\n"));
  EXPECT_EQ(j.users.create, 1u);
  EXPECT_TRUE(j.users.creates_users());
  EXPECT_TRUE(j.users.from_file.empty());
  EXPECT_TRUE(j.users.from_report.empty());
}

TEST(JobUsers, FromFileAndFromReportNameExistingUsers) {
  const job from_file = parse(with_users("{from_file: ids.txt}"));
  EXPECT_EQ(from_file.users.from_file, "ids.txt");  // job.yaml is in the working directory
  EXPECT_EQ(from_file.users.create, 0u);
  EXPECT_FALSE(from_file.users.creates_users());
  ASSERT_EQ(from_file.steps.size(), 2u);
  EXPECT_EQ(from_file.steps[0].op, operation::revoke_tokens);
  EXPECT_EQ(parse(with_users("{from_report: reports/provision.json}")).users.from_report, "reports/provision.json");
}

TEST(JobUsers, RelativePathsAreTakenFromTheJobFilesDirectory) {
  const auto parse_in = [](std::string file, std::string_view users) {
    return parse_job(with_users(users), std::move(file), env_of()).users;
  };
  EXPECT_EQ(parse_in("jobs/rotate.yaml", "{from_file: ids.txt}").from_file, "jobs/ids.txt");
  EXPECT_EQ(parse_in("jobs/rotate.yaml", "{from_report: ../reports/p.json}").from_report, "jobs/../reports/p.json");
  EXPECT_EQ(parse_in("/etc/acsbatch/nightly.yaml", "{from_file: lists/ids.txt}").from_file,
            "/etc/acsbatch/lists/ids.txt");
  EXPECT_EQ(parse_in("jobs/rotate.yaml", "{from_file: /var/lib/ids.txt}").from_file, "/var/lib/ids.txt");
  // The report the job writes stays relative to the working directory.
  EXPECT_EQ(parse_job(with_users("{from_file: ids.txt}") + "report: {path: out.json}\n", "jobs/r.yaml", env_of())
                .report.path,
            "out.json");
}

TEST(JobUsers, LoadJobResolvesNextToTheFileOnDisk) {
  const auto dir = std::filesystem::temp_directory_path() / ("acsbatch_users_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "rotate.yaml";
  std::ofstream(path) << with_users("{from_file: ids.txt}");
  EXPECT_EQ(load_job(path.string(), env_of()).users.from_file, (dir / "ids.txt").string());
  std::filesystem::remove_all(dir);
}

TEST(JobUsers, TheFileIsNotOpenedAtLoadTime) {
  // The engine reads it lazily; validate on another machine must not need it.
  EXPECT_EQ(parse(with_users("{from_file: /nonexistent/ids.txt}")).users.from_file, "/nonexistent/ids.txt");
}

TEST(JobUsers, EverySourceAfterTheFirstIsReported) {
  EXPECT_THAT(errors_of("version: 1\nname: t\nusers:\n  from_report: r.json\n  create: 3\n  from_file: ids.txt\n"
                        "steps: [revoke_tokens]\n"),
              ElementsAre("job.yaml:5:3: users has both from_report and create: give exactly one of create, "
                          "from_file, from_state, from_report",
                          "job.yaml:6:3: users has both from_report and from_file: give exactly one of create, "
                          "from_file, from_state, from_report"));
}

TEST(JobUsers, PathsMustNameAFile) {
  EXPECT_EQ(error_of(with_users("{from_report: reports/}")),
            "job.yaml:3:22: users.from_report must name a file, not 'reports/'");
  EXPECT_EQ(error_of(with_users("{from_file: [a.txt]}")),
            "job.yaml:3:20: users.from_file must be a single value, not a list");
  EXPECT_EQ(error_of(with_users("{from_file: }")), "job.yaml:3:9: users.from_file needs a value");
}

TEST(JobUsers, StepsMustNotCreateExistingUsers) {
  EXPECT_EQ(error_of("version: 1\nname: t\nusers: {from_report: r.json}\nsteps:\n  - revoke_tokens\n"
                     "  - create_user_and_token: {scopes: [voip]}\n"),
            "job.yaml:6:5: create_user_and_token makes new users, but users.from_report lists existing ones: remove "
            "the step, or use users.create instead");
  // Any step but a creating one may come first.
  EXPECT_EQ(parse(with_users("{from_file: ids.txt}")).steps.size(), 2u);
  EXPECT_EQ(parse("version: 1\nname: t\nusers: {from_file: ids.txt}\nsteps: [delete_user]\n").steps.size(), 1u);
}

TEST(JobUsers, CreateStillNeedsACreatingFirstStep) {
  EXPECT_EQ(error_of(with_head("steps:\n  - revoke_tokens\n  - delete_user\n")),
            "job.yaml:6:5: the first step must create the user (create_user or create_user_and_token) because "
            "users.create makes new users");
}

TEST(JobUsers, CreateRange) {
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: embedded\nusers: {create: 100000001}\nsteps: [create_user]\n"),
            "job.yaml:4:17: users.create must be from 1 to 100000000, not '100000001'");
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: embedded\nusers: {create: 0}\nsteps: [create_user]\n"),
            "job.yaml:4:17: users.create must be from 1 to 100000000, not '0'");
}

TEST(JobUsers, FromStateIsRelativeToTheWorkingDirectoryLikeStatePath) {
  const auto j = parse_job("version: 1\nname: t\nusers:\n  from_state: state/provision.db\nsteps: [revoke_tokens]\n",
                           "jobs/rotate.yaml", env_of());
  EXPECT_EQ(j.users.from_state, "state/provision.db");
  EXPECT_EQ(j.users.existing_users_path(), j.users.from_state);
}

TEST(JobUsers, CustomIdNeedsAnApiVersionWithIt) {
  EXPECT_EQ(error_of("version: 1\nname: t\nusers: {create: 2, custom_id: \"launch-{index}\"}\nsteps: [create_user]\n"),
            "job.yaml:3:20: users.custom_id needs a connection.api_version whose spec has customId: "
            "2025-03-02-preview (this job uses 2023-10-01, which has no customId)");
  // The stable 2025-06-30 spec has no customId (its newest swagger revision, and the TypeSpec):
  // a create there is not idempotent, so the job is refused rather than promised safe retries.
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: {api_version: \"2025-06-30\"}\n"
                     "users: {create: 2, custom_id: \"launch-{index}\"}\nsteps: [create_user]\n"),
            "job.yaml:4:20: users.custom_id needs a connection.api_version whose spec has customId: "
            "2025-03-02-preview (this job uses 2025-06-30, which has no customId)");
  EXPECT_EQ(parse("version: 1\nname: t\nconnection: {api_version: 2025-03-02-preview}\n"
                  "users: {create: 2, custom_id: \"launch-{index}\"}\nsteps: [create_user]\n")
                .users.custom_id,
            "launch-{index}");
  EXPECT_EQ(error_of("version: 1\nname: t\nconnection: {api_version: 2025-03-02-preview}\n"
                     "users: {create: 2, custom_id: launch}\nsteps: [create_user]\n"),
            "job.yaml:4:31: users.custom_id must contain {index}, so that every user gets an identity of its own");
  EXPECT_EQ(error_of("version: 1\nname: t\nusers: {create: 2, from_fil: x}\nsteps: [create_user]\n"),
            "job.yaml:3:20: unknown key 'from_fil' in users; did you mean 'from_file'?");
}

TEST(JobUsers, SourceKeysAtTheTopSayWhereTheyBelong) {
  EXPECT_THAT(errors_of("version: 1\nname: t\nfrom_file: ids.txt\nusers: {from_report: r.json}\n"
                        "steps: [revoke_tokens]\n"),
              ElementsAre("job.yaml:3:1: unknown key 'from_file'; it belongs under 'users'"));
}

}  // namespace
}  // namespace acsbatch::job

TEST(JobUsers, CustomIdMakesEachUsersIdentityIdempotent) {
  const auto job = acsbatch::job::parse_job(
      "version: 1\nname: t\nconnection: {api_version: 2025-03-02-preview}\n"
      "users: {create: 3, custom_id: \"launch-{index}-{index}\"}\nsteps: [create_user]\n",
      "job.yaml", [](std::string_view) { return std::optional<std::string>{}; });
  EXPECT_EQ(job.users.custom_id_for(0), "launch-0-0");
  EXPECT_EQ(job.users.custom_id_for(12), "launch-12-12");
  acsbatch::job::users_spec none;
  EXPECT_EQ(none.custom_id_for(5), "");
}
