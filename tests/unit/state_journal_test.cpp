// The journal: what the writer records is what the readers give back; intent is durable before
// flush completes; records are committed in groups; resume and from_state read the right items.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/state/job_lock.hpp"
#include "acsbatch/state/journal.hpp"
#include "acsbatch/state/journal_items.hpp"
#include "acsbatch/state/journal_recorder.hpp"
#include "acsbatch/state/journal_writer.hpp"
#include "acsbatch/state/token_file.hpp"

namespace acsbatch::state {
namespace {

using ::testing::ElementsAre;
namespace fs = std::filesystem;

class StateTest : public ::testing::Test {
 protected:
  StateTest() {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("acsbatch-state-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  ~StateTest() override { fs::remove_all(dir_); }

  std::string path(const std::string& name = "j.db") const { return (dir_ / name).string(); }

  /// A journal with meta written, as `run` leaves it before the engine starts.
  journal fresh(const std::string& custom_id = {}) {
    journal j(path(), true);
    journal_meta meta;
    meta.job_name = "t";
    meta.job_sha256 = "abc";
    meta.steps = 3;
    meta.runs = 1;
    meta.custom_id = custom_id;
    j.write_meta(meta);
    return j;
  }

  static journal_record started(std::uint64_t index, std::string user_id = {}) {
    journal_record r;
    r.what = journal_record::kind::item_started;
    r.index = index;
    r.user_id = std::move(user_id);
    return r;
  }
  static journal_record starting(std::uint64_t index, std::uint32_t step, std::string op, std::string key = {}) {
    journal_record r;
    r.what = journal_record::kind::step_starting;
    r.index = index;
    r.step = step;
    r.outcome.op = std::move(op);
    r.creates = r.outcome.op == "create_user";
    r.key = std::move(key);
    return r;
  }
  static journal_record finished_step(std::uint64_t index, std::uint32_t step, std::string op, bool ok,
                                      std::string user_id = {}, unsigned status = 0) {
    journal_record r;
    r.what = journal_record::kind::step_finished;
    r.index = index;
    r.step = step;
    r.outcome.op = std::move(op);
    r.outcome.ok = ok;
    r.outcome.http_status = status ? status : (ok ? 200 : 500);
    r.outcome.attempts = 2;
    r.outcome.latency = std::chrono::microseconds{1500};
    r.outcome.error_code = ok ? "" : "ServiceUnavailable";
    r.creates = r.outcome.op == "create_user";
    r.deletes = r.outcome.op == "delete_user";
    r.user_id = std::move(user_id);
    return r;
  }
  static journal_record finished_item(std::uint64_t index, item_status status, bool uncertain = false) {
    journal_record r;
    r.what = journal_record::kind::item_finished;
    r.index = index;
    r.status = static_cast<int>(status);
    r.uncertain = uncertain;
    return r;
  }

  fs::path dir_;
};

job::job three_step_job(std::uint64_t users) {
  job::job j;
  j.name = "t";
  j.users.create = users;
  j.steps = {{job::operation::create_user, {}, std::nullopt},
             {job::operation::issue_token, {"voip"}, std::nullopt},
             {job::operation::delete_user, {}, std::nullopt}};
  return j;
}

TEST_F(StateTest, MetaRoundTripsAndAStrangeSchemaIsRefused) {
  auto j = fresh("u-{index}");
  const auto meta = j.meta();
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->job_name, "t");
  EXPECT_EQ(meta->custom_id, "u-{index}");
  EXPECT_EQ(meta->steps, 3u);
  EXPECT_FALSE(meta->finished);
  j.db().exec("UPDATE meta SET value = 'acsbatch.journal/99' WHERE key = 'schema'");
  try {
    journal again(path(), false);
    FAIL() << "opened";
  } catch (const state_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("is a journal of another acsbatch version (acsbatch.journal/99"));
  }
}

TEST_F(StateTest, NotAJournalAndMissingFilesAreClearErrors) {
  std::ofstream(path("junk.db")) << "this is not a database, but long enough to look like a header...........";
  EXPECT_THROW(journal(path("junk.db"), true), state_error);
  try {
    journal(path("none.db"), false);
    FAIL();
  } catch (const state_error& e) {
    EXPECT_EQ(std::string(e.what()), "no journal at " + path("none.db"));
  }
}

TEST_F(StateTest, FlushCompletesOnTheCallersExecutorAfterTheRecordsAreCommitted) {
  auto j = fresh();
  journal_writer writer(path(), 1);
  boost::asio::io_context io;
  bool flushed = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        writer.append(started(0));
        writer.append(starting(0, 0, "create_user", "key-0"));
        const auto ec = co_await writer.async_flush(boost::asio::use_awaitable);
        EXPECT_FALSE(ec);
        // Committed: a second connection sees it now.
        journal reader(path(), false);
        const auto items = reader.items_from(0, 10, true);
        EXPECT_EQ(items.size(), 1u);
        if (!items.empty()) {
          EXPECT_EQ(items[0].create_key, "key-0");
          EXPECT_EQ(items[0].create, create_state::sent);
          EXPECT_EQ(items[0].steps.size(), 1u);
          if (!items[0].steps.empty()) {
            EXPECT_EQ(items[0].steps[0].status, step_status::in_flight);
          }
        }
        flushed = true;
      },
      boost::asio::detached);
  io.run();  // returns only when the flush completed: the waiter keeps the io_context busy
  EXPECT_TRUE(flushed);
}

TEST_F(StateTest, ABacklogIsCommittedWholeAndInOrder) {
  auto j = fresh();
  journal_writer writer(path(), 1);
  constexpr std::uint64_t n = 20'000;
  for (std::uint64_t i = 0; i < n; ++i) writer.append(started(i));
  EXPECT_FALSE(writer.flush_now());
  EXPECT_EQ(writer.records(), n);
  // How many records a commit carries depends on timing (bench/ measures it), not asserted here.
  EXPECT_EQ(j.counts().items, n);
  EXPECT_EQ(j.end_index(), n);
}

TEST_F(StateTest, OutcomesIdentitiesAndDeletionsAreRecorded) {
  auto j = fresh();
  {
    journal_writer writer(path(), 1);
    writer.append(started(0));
    writer.append(starting(0, 0, "create_user", "k0"));
    writer.append(finished_step(0, 0, "create_user", true, "8:acs:one", 201));
    writer.append(starting(0, 1, "delete_user"));
    writer.append(finished_step(0, 1, "delete_user", true, "8:acs:one", 204));
    writer.append(finished_item(0, item_status::ok));
    writer.append(started(1));
    writer.append(starting(1, 0, "create_user", "k1"));
    writer.append(finished_step(1, 0, "create_user", true, "8:acs:two", 201));
    writer.append(finished_item(1, item_status::failed));
    writer.append(started(2));
    writer.append(starting(2, 0, "create_user", "k2"));
    writer.append(finished_step(2, 0, "create_user", false, "", 400));  // refused: no identity
    writer.append(finished_item(2, item_status::failed));
    writer.append(started(3));
    writer.append(starting(3, 0, "create_user", "k3"));  // killed here
  }
  const auto counts = j.counts();
  EXPECT_EQ(counts.items, 4u);
  EXPECT_EQ(counts.ok, 1u);
  EXPECT_EQ(counts.failed, 2u);
  EXPECT_EQ(counts.running, 1u);
  EXPECT_EQ(counts.live_identities, 1u);  // two was created and not deleted
  EXPECT_EQ(counts.creates_in_doubt, 1u);  // three: sent, never answered
  const auto items = j.items_from(0, 10, true);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(items[0].deleted);
  EXPECT_EQ(items[1].user_id, "8:acs:two");
  EXPECT_EQ(items[2].create, create_state::failed);
  ASSERT_EQ(items[0].steps.size(), 2u);
  EXPECT_EQ(items[0].steps[0].outcome.http_status, 201u);
  EXPECT_EQ(items[0].steps[0].outcome.attempts, 2u);
  EXPECT_EQ(items[0].steps[0].outcome.latency, std::chrono::microseconds{1500});
  const auto live = j.live_identities_from(0, 10);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].index, 1u);
}

TEST_F(StateTest, ResumeStreamGivesEachItemFromItsFirstStepNotDoneThenTheRest) {
  auto j = fresh();
  {
    journal_writer writer(path(), 1);
    // 0: all three steps done.
    writer.append(started(0));
    writer.append(finished_step(0, 0, "create_user", true, "8:acs:zero", 201));
    writer.append(finished_step(0, 1, "issue_token", true, "8:acs:zero"));
    writer.append(finished_step(0, 2, "delete_user", true, "8:acs:zero", 204));
    writer.append(finished_item(0, item_status::ok));
    // 1: created; the token request was in flight.
    writer.append(started(1));
    writer.append(starting(1, 0, "create_user", "k1"));
    writer.append(finished_step(1, 0, "create_user", true, "8:acs:one", 201));
    writer.append(starting(1, 1, "issue_token"));
    // 2: the create was in flight.
    writer.append(started(2));
    writer.append(starting(2, 0, "create_user", "k2"));
    // 3: failed at the token, then its identity was deleted: starts over.
    writer.append(started(3));
    writer.append(finished_step(3, 0, "create_user", true, "8:acs:three", 201));
    writer.append(finished_step(3, 1, "issue_token", false, "8:acs:three"));
    writer.append(finished_step(3, 2, "delete_user", true, "8:acs:three", 204));
    writer.append(finished_item(3, item_status::failed));
  }
  const auto job = three_step_job(6);
  resume_stream stream(path(), job, std::make_unique<engine::item_source>(job.users));
  EXPECT_EQ(stream.journalled(), 4u);
  auto zero = stream.next();
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->finished);
  EXPECT_EQ(zero->done_steps.size(), 3u);
  EXPECT_TRUE(zero->done_steps[0].ok);
  auto one = stream.next();
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->finished);
  EXPECT_EQ(one->user_id, "8:acs:one");
  EXPECT_EQ(one->first_step, 1u);
  EXPECT_EQ(one->in_flight_step, 1u);
  auto two = stream.next();
  ASSERT_TRUE(two);
  EXPECT_EQ(two->user_id, "");
  EXPECT_EQ(two->first_step, 0u);
  EXPECT_EQ(two->in_flight_step, 0u);
  EXPECT_EQ(two->create_key, "k2");
  auto three = stream.next();
  ASSERT_TRUE(three);
  EXPECT_EQ(three->first_step, 0u);
  EXPECT_EQ(three->user_id, "");
  EXPECT_TRUE(three->done_steps.empty());
  // Then the job's own users, after the journal's last one.
  auto four = stream.next();
  ASSERT_TRUE(four);
  EXPECT_EQ(four->index, 4u);
  EXPECT_EQ(four->first_step, 0u);
  EXPECT_EQ(stream.next()->index, 5u);
  EXPECT_FALSE(stream.next());
}

TEST_F(StateTest, ResumeStreamCountsWhatRemainsAcrossJournalAndSource) {
  auto j = fresh();
  {
    journal_writer writer(path(), 1);
    for (std::uint64_t i = 0; i < 3; ++i) writer.append(started(i));
  }
  const auto job = three_step_job(10);
  resume_stream stream(path(), job, std::make_unique<engine::item_source>(job.users));
  ASSERT_TRUE(stream.next());
  EXPECT_EQ(stream.count_remaining(), 2u + 7u);
}

TEST_F(StateTest, JournalIdentitiesAreTheLiveOnesAndCleanupFindsCutOffCreatesByCustomId) {
  auto j = fresh("u-{index}");
  {
    journal_writer writer(path(), 1);
    writer.append(started(0));
    writer.append(finished_step(0, 0, "create_user", true, "8:acs:zero", 201));
    writer.append(started(1));
    writer.append(finished_step(1, 0, "create_user", true, "8:acs:one", 201));
    writer.append(finished_step(1, 2, "delete_user", true, "8:acs:one", 204));
    writer.append(started(2));
    writer.append(starting(2, 0, "create_user", "u-2"));
  }
  journal_identities rotation(path());
  EXPECT_EQ(rotation.total(), 1u);
  auto first = rotation.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->index, 0u);
  EXPECT_EQ(first->user_id, "8:acs:zero");
  EXPECT_FALSE(first->in_flight_step);
  EXPECT_FALSE(rotation.next());

  journal_identities cleanup(path(), true);
  EXPECT_EQ(cleanup.total(), 2u);
  auto zero = cleanup.next();
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->in_flight_step, 0u);  // a 404 to the delete means gone: fine
  auto two = cleanup.next();
  ASSERT_TRUE(two);
  EXPECT_EQ(two->index, 2u);
  EXPECT_EQ(two->user_id, "");
  EXPECT_EQ(two->adopt_custom_id, "u-2");
  EXPECT_FALSE(cleanup.next());
}

TEST_F(StateTest, DeletionRecorderMarksTheIdentityFoundAndGone) {
  auto j = fresh("u-{index}");
  {
    journal_writer writer(path(), 1);
    writer.append(started(2));
    writer.append(starting(2, 0, "create_user", "u-2"));
  }
  {
    journal_writer writer(path(), 1);
    deletion_recorder recorder(writer);
    report::step_outcome gone;
    gone.op = "delete_user";
    gone.ok = true;
    gone.http_status = 204;
    recorder.step_finished(2, 0, gone, "8:acs:found");
  }
  const auto items = j.items_from(0, 10, false);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].user_id, "8:acs:found");
  EXPECT_TRUE(items[0].deleted);
  EXPECT_EQ(j.counts().creates_in_doubt, 0u);
  EXPECT_EQ(j.counts().live_identities, 0u);
}

TEST_F(StateTest, FromStateOfAJournalWithNoRunIsAConfigError) {
  journal j(path(), true);
  EXPECT_THROW(journal_identities{path()}, config_error);
}

TEST_F(StateTest, TheLockIsExclusiveAndReleasedWithItsHolder) {
  const auto lock_file = lock_path_for(path());
  EXPECT_EQ(lock_file, path() + ".lock");
  {
    auto held = job_lock::try_acquire(lock_file);
    ASSERT_TRUE(held);
    EXPECT_FALSE(job_lock::try_acquire(lock_file));  // a second open file description
    EXPECT_EQ(lock_holder(lock_file), static_cast<long>(::getpid()));
  }
  EXPECT_TRUE(job_lock::try_acquire(lock_file));
}

TEST_F(StateTest, TokenFileIsPrivatePartialUntilCommittedAndAppendedOnResume) {
  const auto file = path("out/tokens.jsonl");
  const auto expires = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
  {
    token_file tokens(file, false);
    tokens.add("8:acs:a", "tok\"en-a", expires);
    tokens.keep_partial();
    EXPECT_FALSE(fs::exists(file));
    struct stat st {};
    ASSERT_EQ(::stat((file + ".partial").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  {
    token_file tokens(file, true);
    tokens.add("8:acs:b", "token-b", expires);
    tokens.commit();
  }
  EXPECT_FALSE(fs::exists(file + ".partial"));
  std::ifstream in(file);
  std::string a, b;
  std::getline(in, a);
  std::getline(in, b);
  EXPECT_EQ(a, R"({"user_id":"8:acs:a","token":"tok\"en-a","expires_on":"2027-01-15T08:00:00.0000000+00:00"})");
  EXPECT_EQ(b, R"({"user_id":"8:acs:b","token":"token-b","expires_on":"2027-01-15T08:00:00.0000000+00:00"})");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A resumed run after a committed one takes the tokens back and keeps them.
  {
    token_file tokens(file, true);
    tokens.add("8:acs:c", "token-c", expires);
    tokens.commit();
  }
  std::ifstream again(file);
  int lines = 0;
  for (std::string line; std::getline(again, line);) ++lines;
  EXPECT_EQ(lines, 3);
}

}  // namespace
}  // namespace acsbatch::state
