// Journal and resume end to end: a provisioning run killed with SIGKILL at random moments and
// resumed each time ends with every identity created exactly once and every live identity in
// the journal; the lock, a changed job and an unfinished journal are refused with clear words;
// cleanup deletes what a run left; rotation runs over another job's journal; secrets stay out of
// everything but the 0600 token file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include <sys/stat.h>

#include <boost/json.hpp>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/emulator/fault_spec.hpp"
#include "acsbatch/emulator/latency_model.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/state/job_lock.hpp"
#include "acsbatch/state/journal.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string binary = ACSBATCH_BINARY;

std::uint64_t number(const json::value& v) { return v.to_number<std::uint64_t>(); }

/// Polls `ready` every 10 ms for up to 60 s (a loaded machine, a sanitizer build).
template <class Predicate>
bool eventually(Predicate ready) {
  for (int i = 0; i < 6000; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::uint64_t created_by(const emulator::embedded_emulator& server) {
  return number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("created"));
}

/// The emulator's create count once it has stopped moving: requests a killed run had already
/// sent are still served after its death, and would pass for the next run's first create.
std::uint64_t settled_created_by(const emulator::embedded_emulator& server) {
  auto last = created_by(server);
  for (;;) {
    std::this_thread::sleep_for(200ms);
    const auto now = created_by(server);
    if (now == last) return now;
    last = now;
  }
}

/// A provisioning job against the emulator in CS, journalled in state/NAME.db; with customIds
/// (api-version 2025-03-02-preview) unless `custom_ids` is false (2023-10-01, the SDK default:
/// creates are made repeatable with Repeatability-Request-ID instead).
std::string provision_job(const std::string& name, std::uint64_t users, bool custom_ids = true) {
  const std::string connection = custom_ids ? "{ connection_string: \"${CS}\", api_version: 2025-03-02-preview }"
                                            : "{ connection_string: \"${CS}\" }";
  const std::string custom_id = custom_ids ? ", custom_id: \"" + name + "-{index}\"" : "";
  return "version: 1\nname: " + name + "\nconnection: " + connection + R"(
concurrency: 64
users: { create: )" + std::to_string(users) + custom_id + R"( }
steps:
  - create_user_and_token: { scopes: [voip], expires_in: 1h }
rate_limit: { per_operation: none }
retry: { max_attempts: 30, initial_backoff: 1ms, max_backoff: 20ms }
timeouts: { request: 5s }
state: { path: state/)" + name + R"(.db }
outputs: { tokens: out/tokens.jsonl, prometheus: out/acsbatch_)" + name + R"(.prom }
report: { path: reports/)" + name + ".json, items: true }\n";
}

/// The live identities of the emulator's state file (after save_state()).
std::set<std::string> live_in_emulator(const fs::path& state_file) {
  std::set<std::string> out;
  std::ifstream in(state_file);
  for (std::string line; std::getline(in, line);) {
    const auto value = json::parse(line);
    const auto& object = value.as_object();
    if (!object.contains("id")) continue;  // the header line
    if (const auto* deleted = object.if_contains("deleted"); deleted && deleted->as_bool()) continue;
    out.insert(std::string(object.at("id").as_string()));
  }
  return out;
}

std::set<std::string> live_in_journal(const fs::path& path) {
  state::journal journal(path.string(), false);
  std::set<std::string> out;
  for (std::uint64_t from = 0;;) {
    const auto items = journal.live_identities_from(from, 1000);
    if (items.empty()) break;
    for (const auto& item : items) out.insert(item.user_id);
    from = items.back().index + 1;
  }
  return out;
}

/// Provision `users` with `kills` SIGKILLs at random moments (up to `max_kill_delay` after each
/// run's first create), resuming each time, then a final resume; checks no duplicate, no
/// orphan, every item done.
void kill_and_resume(std::uint64_t users, int kills, const std::string& faults, bool custom_ids = true,
                     std::chrono::milliseconds max_kill_delay = 300ms) {
  temp_dir dir;
  emulator::server_options options;
  options.state_file = (dir.path() / "emulator.json").string();
  if (!faults.empty()) options.faults = emulator::parse_fault_spec(faults);
  options.seed = 7;
  emulator::embedded_emulator server{options};
  const auto job = dir.path() / "provision.yaml";
  std::ofstream(job) << provision_job("kr", users, custom_ids);
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};

  const auto seed = std::random_device{}();
  SCOPED_TRACE("kill moments seeded with " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(0, static_cast<int>(max_kill_delay.count()));
  int killed = 0;
  for (int i = 0; i < kills; ++i) {
    const auto created_before = settled_created_by(server);
    if (created_before >= users) break;  // nothing left that a kill could interrupt mid-way
    child_process child({binary, "run", job.string(), "--resume", "--quiet"}, dir.path(), env);
    // The kill moment counts from the run's first create, not from its start: a sanitizer build
    // on a loaded machine can take longer to start than any fixed delay, and a run killed before
    // it opened the journal tests nothing.
    eventually([&] { return created_by(server) > created_before; });
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    child.signal(SIGKILL);
    const auto result = child.wait(60s);
    if (result.exit_code == 0) break;  // finished before the kill
    ASSERT_EQ(result.exit_code, 128 + SIGKILL) << result.out << result.err;
    ++killed;
  }
  const auto final_run = run_process({binary, "run", job.string(), "--resume", "--quiet"}, dir.path(), env, 240s);
  ASSERT_EQ(final_run.exit_code, 0) << final_run.out << final_run.err;
  EXPECT_GE(killed, kills / 2) << "most runs should have been killed mid-way";

  // No duplicates: the service made exactly one identity per user, whatever was re-sent.
  const auto stats = emulator_json(server.port(), "GET", "/emulator/stats");
  EXPECT_EQ(number(stats.at("identities").at("created")), users);
  EXPECT_EQ(number(stats.at("identities").at("live")), users);
  // No orphans: every live identity is one the journal names, and the other way round.
  server.save_state();
  const auto in_emulator = live_in_emulator(options.state_file);
  const auto in_journal = live_in_journal(dir.path() / "state" / "kr.db");
  EXPECT_EQ(in_emulator.size(), users);
  EXPECT_TRUE(in_emulator == in_journal) << in_emulator.size() << " live vs " << in_journal.size() << " journalled";
  state::journal journal((dir.path() / "state" / "kr.db").string(), false);
  const auto counts = journal.counts();
  EXPECT_EQ(counts.items, users);
  EXPECT_EQ(counts.ok, users);
  EXPECT_EQ(counts.creates_in_doubt, 0u);
  EXPECT_EQ(counts.uncertain, 0u);
  EXPECT_TRUE(journal.meta()->finished);
  // Each run killed after its first create had opened the journal and counted itself.
  EXPECT_GE(journal.meta()->runs, static_cast<std::uint64_t>(killed) + 1);
  EXPECT_LE(journal.meta()->runs, static_cast<std::uint64_t>(killed) + 2);

  // The report covers every run; the token file every token (a redone step may add a line).
  const auto report = json::parse(read_file(dir.path() / "reports" / "kr.json"));
  EXPECT_EQ(number(report.at("summary").at("items").at("total")), users);
  EXPECT_EQ(number(report.at("summary").at("items").at("succeeded")), users);
  std::set<std::string> with_tokens;
  std::ifstream tokens(dir.path() / "out" / "tokens.jsonl");
  for (std::string line; std::getline(tokens, line);)
    with_tokens.insert(std::string(json::parse(line).at("user_id").as_string()));
  EXPECT_TRUE(with_tokens == in_journal) << with_tokens.size() << " users with a token of " << users;
}

TEST(JournalResume, AProvisionKilledTwentyTimesFinishesWithNoDuplicateAndNoOrphan) {
  kill_and_resume(20'000, 20, "");
}

TEST(JournalResume, WithoutCustomIdsTheRepeatabilityIdKeepsCreatesExactlyOnce) {
  // api-version 2023-10-01: each create carries Repeatability-Request-ID and -First-Sent from
  // its journal entry; the emulator honours them (Repeatability-Result: accepted).
  // 5 000 users go by in about a second: kills come sooner so that most land mid-way.
  kill_and_resume(5'000, 10, "reset:0.02", false, 80ms);
}

TEST(JournalResume, TheSameUnderThrottlingErrorsAndResets) {
  // Resets after the work (apply) included: the create happened, its answer was lost.
  kill_and_resume(20'000, 20, "429@1ms:0.1,503@1ms:0.05,reset:0.02");
}

/// A small finished provisioning run in `dir`, against `server`.
void provision(const temp_dir& dir, const emulator::embedded_emulator& server, const std::string& name,
               std::uint64_t users) {
  std::ofstream(dir.path() / (name + ".yaml")) << provision_job(name, users);
  const auto r = run_process({binary, "run", (dir.path() / (name + ".yaml")).string(), "--quiet"}, dir.path(),
                             {{"CS", server.connection_string()}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(JournalCli, ASecondConcurrentRunExits75) {
  emulator::embedded_emulator server;
  temp_dir dir;
  std::ofstream(dir.path() / "p.yaml") << provision_job("p", 3);
  fs::create_directories(dir.path() / "state");
  auto held = state::job_lock::try_acquire((dir.path() / "state" / "p.db.lock").string());
  ASSERT_TRUE(held);
  const auto r = run_process({binary, "run", "p.yaml"}, dir.path(), {{"CS", server.connection_string()}});
  EXPECT_EQ(r.exit_code, 75);
  EXPECT_THAT(r.err, HasSubstr("another run of this job holds state/p.db.lock (pid " + std::to_string(::getpid()) +
                               "): it is still running; this run did nothing"));
  EXPECT_EQ(number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("created")), 0u);
}

TEST(JournalCli, ResumingAChangedJobIsRefusedUnlessForced) {
  emulator::embedded_emulator server;
  temp_dir dir;
  provision(dir, server, "p", 3);
  std::ofstream(dir.path() / "p.yaml", std::ios::app) << "# edited\n";
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};
  const auto refused = run_process({binary, "run", "p.yaml", "--resume"}, dir.path(), env);
  EXPECT_EQ(refused.exit_code, 65);
  EXPECT_THAT(refused.err, HasSubstr("p.yaml changed since the run journalled in state/p.db (sha256 "));
  EXPECT_THAT(refused.err, HasSubstr("pass --force to resume with the new one"));
  const auto forced = run_process({binary, "run", "p.yaml", "--resume", "--force", "--quiet"}, dir.path(), env);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("created")), 3u);
}

TEST(JournalCli, AJournalThatHoldsIdentitiesIsNotStartedOver) {
  emulator::embedded_emulator server;
  temp_dir dir;
  provision(dir, server, "p", 3);
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};
  const auto again = run_process({binary, "run", "p.yaml"}, dir.path(), env);
  EXPECT_EQ(again.exit_code, 64);
  EXPECT_THAT(again.err, HasSubstr("state/p.db records 3 identities made by an earlier run of this job: starting "
                                   "over would forget them"));
  // --resume of a finished run sends nothing and reports it again.
  const auto resumed = run_process({binary, "run", "p.yaml", "--resume", "--quiet"}, dir.path(), env);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto report = json::parse(read_file(dir.path() / "reports" / "p.json"));
  EXPECT_EQ(number(report.at("summary").at("items").at("from_earlier_runs")), 3u);
  EXPECT_EQ(number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("created")), 3u);
}

TEST(JournalCli, AnUnfinishedJournalNeedsResume) {
  emulator::server_options options;
  options.latency = emulator::parse_latency_spec("fixed:300ms");
  emulator::embedded_emulator server{options};
  temp_dir dir;
  std::ofstream(dir.path() / "p.yaml") << provision_job("p", 200);
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};
  {
    child_process child({binary, "run", "p.yaml", "--quiet"}, dir.path(), env);
    // Killed once it has made identities (300 ms each), i.e. surely mid-run.
    ASSERT_TRUE(eventually([&] { return created_by(server) > 0; }));
    child.signal(SIGKILL);
    ASSERT_EQ(child.wait().exit_code, 128 + SIGKILL);
  }
  const auto refused = run_process({binary, "run", "p.yaml"}, dir.path(), env);
  EXPECT_EQ(refused.exit_code, 64);
  EXPECT_THAT(refused.err, HasSubstr("state/p.db holds an unfinished run of job p ("));
  EXPECT_THAT(refused.err, HasSubstr("run again with --resume to finish it"));
}

TEST(JournalCli, ResumeWithoutAJournalIsAUsageError) {
  temp_dir dir;
  std::ofstream(dir.path() / "q.yaml") << "version: 1\nname: q\nusers: {create: 1}\nsteps: [create_user]\n";
  const auto r = run_process({binary, "run", "q.yaml", "--resume"}, dir.path());
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_THAT(r.err, HasSubstr("--resume needs a journal: set state.path in q.yaml"));
}

TEST(JournalCli, AJournalThatCannotBeCreatedExits73) {
  temp_dir dir;
  std::ofstream(dir.path() / "q.yaml")
      << "version: 1\nname: q\nusers: {create: 1}\nsteps: [create_user]\nstate: {path: /dev/full/q.db}\n";
  const auto r = run_process({binary, "run", "q.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 73);
  EXPECT_THAT(r.err, HasSubstr("/dev/full"));
}

TEST(JournalCli, CleanupDeletesWhatAKilledRunLeftAndIsItselfResumable) {
  emulator::server_options options;
  options.latency = emulator::parse_latency_spec("fixed:20ms");
  emulator::embedded_emulator server{options};
  temp_dir dir;
  std::ofstream(dir.path() / "p.yaml") << provision_job("p", 2000);
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};
  {
    child_process child({binary, "run", "p.yaml", "--quiet"}, dir.path(), env);
    ASSERT_TRUE(eventually([&] { return created_by(server) >= 100; }));  // mid-run, whatever the machine
    child.signal(SIGKILL);
    ASSERT_EQ(child.wait().exit_code, 128 + SIGKILL);
  }
  auto live = [&] { return number(emulator_json(server.port(), "GET", "/emulator/stats").at("identities").at("live")); };
  ASSERT_GT(live(), 0u);
  const auto cleaned = run_process({binary, "cleanup", "--state", "state/p.db"}, dir.path(), env);
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.err;
  EXPECT_THAT(cleaned.out, HasSubstr("identities deleted, 0 already gone (HTTP 404); 0 remain in state/p.db"));
  // Creates cut off in flight were found again by their customId: nothing is left behind.
  EXPECT_EQ(live(), 0u);
  state::journal journal((dir.path() / "state" / "p.db").string(), false);
  EXPECT_EQ(journal.counts().live_identities, 0u);
  EXPECT_EQ(journal.counts().creates_in_doubt, 0u);
  const auto again = run_process({binary, "cleanup", "--state", "state/p.db"}, dir.path(), env);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("0 of 0 identities deleted"));
}

TEST(JournalCli, AFullDiskStopsTheRunWith73AndResumeFinishesIt) {
  emulator::embedded_emulator server;
  temp_dir dir;
  // No token or metrics file: the journal is what meets the full disk.
  auto text = provision_job("p", 3000);
  text.erase(text.find("outputs:"), text.find("report:") - text.find("outputs:"));
  std::ofstream(dir.path() / "p.yaml") << text;
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};
  // RLIMIT_FSIZE makes the disk "full" at 256 KiB for this process: writes past it fail with
  // EFBIG (SIGXFSZ ignored), as they would with ENOSPC.
  const auto full = run_process({"/bin/sh", "-c", "trap '' XFSZ; ulimit -f 512; exec " + binary + " run p.yaml --quiet"},
                                dir.path(), env);
  EXPECT_EQ(full.exit_code, 73) << full.out << full.err;
  EXPECT_THAT(full.err, HasSubstr("the journal cannot be written"));
  const auto created = created_by(server);
  EXPECT_LT(created, 3000u);
  // Nothing was sent that the journal does not hold: resuming (disk space back) makes exactly the rest.
  const auto resumed = run_process({binary, "run", "p.yaml", "--resume", "--quiet"}, dir.path(), env, 240s);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(created_by(server), 3000u);
  EXPECT_EQ(live_in_journal(dir.path() / "state" / "p.db").size(), 3000u);
}

TEST(JournalCli, CleanupOfNoJournalExits66) {
  temp_dir dir;
  const auto r = run_process({binary, "cleanup", "--state", "nothing.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 66);
  EXPECT_THAT(r.err, HasSubstr("no journal at nothing.db"));
}

TEST(JournalCli, RotationRunsOverTheIdentitiesAnotherJobJournalled) {
  emulator::embedded_emulator server;
  temp_dir dir;
  provision(dir, server, "p", 40);
  std::ofstream(dir.path() / "rotate.yaml") << R"(version: 1
name: rotate
connection: { connection_string: "${CS}" }
users: { from_state: state/p.db }
steps:
  - revoke_tokens
  - issue_token: { scopes: [chat], expires_in: 2h }
rate_limit: { per_operation: none }
state: { path: state/rotate.db }
)";
  const std::map<std::string, std::optional<std::string>> env{{"CS", server.connection_string()}};
  for (int night = 0; night < 2; ++night) {  // a cron job: the same command every night
    const auto r = run_process({binary, "run", "rotate.yaml", "--quiet"}, dir.path(), env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto report = json::parse(read_file(dir.path() / "reports" / "rotate.json"));
    EXPECT_EQ(number(report.at("summary").at("operations").at("revoke_tokens").at("ok")), 40u);
    EXPECT_EQ(number(report.at("summary").at("operations").at("issue_token").at("ok")), 40u);
  }
}

TEST(JournalCli, SecretsReachOnlyTheTokenFile) {
  temp_dir dir;
  // A canary key: if any byte of it, or of a token, shows up anywhere else, something leaks.
  const std::string canary_bytes = "CANARY-KEY-0123456789-acsbatch-journal-test";
  const std::string canary_key = auth::base64_encode(canary_bytes);
  emulator::server_options options;
  options.access_key = canary_bytes;  // raw key bytes; the connection string carries it in base64
  emulator::embedded_emulator server{options};
  std::ofstream(dir.path() / "p.yaml") << provision_job("p", 20);
  const auto r = run_process({binary, "run", "p.yaml", "--log-format", "json"}, dir.path(),
                             {{"CS", server.connection_string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(server.connection_string(), HasSubstr(canary_key));

  std::vector<std::string> tokens;
  std::ifstream in(dir.path() / "out" / "tokens.jsonl");
  for (std::string line; std::getline(in, line);) tokens.emplace_back(json::parse(line).at("token").as_string());
  ASSERT_EQ(tokens.size(), 20u);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "out" / "tokens.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::vector<std::pair<std::string, std::string>> places{{"stdout", r.out}, {"stderr", r.err}};
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file() || entry.path().filename() == "tokens.jsonl") continue;
    places.emplace_back(entry.path().string(), read_file(entry.path()));  // report, journal, .prom, …
  }
  for (const auto& [where, text] : places) {
    EXPECT_THAT(text, Not(HasSubstr(canary_key))) << where;
    EXPECT_THAT(text, Not(HasSubstr("CANARY"))) << where;
    for (const auto& token : tokens) EXPECT_THAT(text, Not(HasSubstr(token))) << where;
  }
}

}  // namespace
}  // namespace acsbatch::testing
