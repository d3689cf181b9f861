// The emulator's state file: a store saved and restored keeps its identities, its deleted ids
// (still 404), its revocations and the validity of tokens issued before; damaged files give
// config_error with FILE:LINE[:COL], never a crash; saving is atomic and private (0600).

#include "acsbatch/emulator/state_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "acsbatch/core/error.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* resource = "4a1c9b2e-0000-4000-8000-00000000abcd";
const time_point t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 11h + 58min + 14s;
const std::vector<std::string> voip{"voip"};

std::string text_of(const store_state& state) {
  std::ostringstream out;
  write_store_state(state, out);
  return out.str();
}

store_state read_text(const std::string& text) {
  std::istringstream in(text);
  return read_store_state(in, "state.json");
}

/// The message of the config_error reading `text` raises; fails the test when it reads.
std::string error_reading(const std::string& text) {
  try {
    (void)read_text(text);
  } catch (const config_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "read without error:\n" << text;
  return {};
}

/// A directory of its own under the system temp dir, removed at the end of the test.
struct scratch {
  scratch() {
    path = std::filesystem::temp_directory_path() /
           ("acsbatch-state-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~scratch() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
  static inline int counter = 0;
};

unsigned mode_of(const std::filesystem::path& file) {
  struct stat info {};
  EXPECT_EQ(::stat(file.c_str(), &info), 0) << file;
  return info.st_mode & 0777;
}

TEST(EmulatorStateFile, RoundTripKeepsIdentitiesDeletionsAndTokens) {
  identity_store before{resource};
  const auto plain = before.create(std::nullopt, t0).identity.id;
  const auto sally = before.create("sally@contoso.com", t0 + 1s).identity.id;
  const auto gone = before.create("gone@contoso.com", t0 + 2s).identity.id;
  const auto kept_token = before.issue_token(sally, voip, 60min, t0 + 3s);
  const auto revoked_token = before.issue_token(plain, voip, 60min, t0 + 4s);
  ASSERT_TRUE(kept_token && revoked_token);
  ASSERT_TRUE(before.revoke_tokens(plain));
  ASSERT_TRUE(before.remove(gone));
  const std::string saved = text_of(before.snapshot());
  // A token issued after the save: lost to the file, but it must not outlive a later revoke.
  const auto unsaved_token = before.issue_token(sally, voip, 60min, t0 + 5s);
  ASSERT_TRUE(unsaved_token);

  identity_store after{read_text(saved)};
  EXPECT_EQ(after.resource_id(), resource);
  EXPECT_EQ(after.counters().created, 3u);
  EXPECT_EQ(after.counters().live, 2u);
  EXPECT_EQ(after.counters().deleted, 1u);
  EXPECT_EQ(after.counters().tokens_issued, 2u);

  const auto restored = after.find(sally);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->custom_id, "sally@contoso.com");
  EXPECT_EQ(restored->created_at, t0 + 1s);
  EXPECT_EQ(restored->last_token_issued_at, t0 + 3s);
  // The customId still maps to the same identity.
  EXPECT_EQ(after.create("sally@contoso.com", t0 + 10s).identity.id, sally);

  // Deleted stays deleted: 404 for every operation, its tokens unknown, its customId free.
  EXPECT_FALSE(after.exists(gone));
  EXPECT_TRUE(after.was_deleted(gone));
  EXPECT_FALSE(after.issue_token(gone, voip, 60min, t0 + 10s));
  EXPECT_FALSE(after.revoke_tokens(gone));
  EXPECT_FALSE(after.remove(gone));
  EXPECT_NE(after.create("gone@contoso.com", t0 + 10s).identity.id, gone);

  // Tokens issued before the restart keep their verdicts: the secret came along.
  EXPECT_EQ(after.validate_token(kept_token->token, t0 + 10s), token_validity::valid);
  EXPECT_EQ(after.validate_token(revoked_token->token, t0 + 10s), token_validity::revoked);
  EXPECT_EQ(after.validate_token(unsaved_token->token, t0 + 10s), token_validity::valid);
  ASSERT_TRUE(after.revoke_tokens(sally));
  EXPECT_EQ(after.validate_token(unsaved_token->token, t0 + 10s), token_validity::revoked);
  EXPECT_EQ(after.validate_token(kept_token->token, t0 + 10s), token_validity::revoked);
  const auto fresh = after.issue_token(sally, voip, 60min, t0 + 11s);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(after.validate_token(fresh->token, t0 + 12s), token_validity::valid);
  // Another store (another secret) does not accept them.
  EXPECT_EQ(identity_store{resource}.validate_token(fresh->token, t0 + 12s), token_validity::bad_signature);
}

TEST(EmulatorStateFile, ARestoreOfARestoreStillOrdersSerials) {
  identity_store first{resource};
  const auto id = first.create(std::nullopt, t0).identity.id;
  identity_store second{read_text(text_of(first.snapshot()))};
  const auto token = second.issue_token(id, voip, 60min, t0);
  ASSERT_TRUE(token);
  identity_store third{read_text(text_of(second.snapshot()))};
  EXPECT_EQ(third.validate_token(token->token, t0), token_validity::valid);
  ASSERT_TRUE(third.revoke_tokens(id));
  EXPECT_EQ(third.validate_token(token->token, t0), token_validity::revoked);
}

TEST(EmulatorStateFile, RevisionCountsEveryChange) {
  identity_store store{resource};
  EXPECT_EQ(store.revision(), 0u);
  const auto id = store.create(std::nullopt, t0).identity.id;
  (void)store.issue_token(id, voip, 60min, t0);
  (void)store.revoke_tokens(id);
  (void)store.remove(id);
  EXPECT_EQ(store.revision(), 4u);
  EXPECT_EQ(store.snapshot().revision, 4u);
  // Failed operations and reads change nothing.
  (void)store.remove(id);
  (void)store.find(id);
  EXPECT_EQ(store.revision(), 4u);
}

TEST(EmulatorStateFile, TrackedChangesAreTheChangedIdentitiesAsTheyAreNow) {
  identity_store store{resource};
  const auto untouched = store.create(std::nullopt, t0).identity.id;
  EXPECT_TRUE(store.take_changes().identities.empty()) << "an untracked store notes nothing";
  const auto all = store.track_changes();
  EXPECT_EQ(all.identities.size(), 1u);
  const auto issued = store.create(std::nullopt, t0).identity.id;
  const auto removed = store.create("r", t0).identity.id;
  (void)store.issue_token(issued, voip, 60min, t0 + 1s);
  (void)store.remove(removed);
  const auto changes = store.take_changes();
  EXPECT_EQ(changes.revision, store.revision());
  EXPECT_EQ(changes.counters.created, 3u);
  ASSERT_EQ(changes.identities.size(), 2u);
  for (const auto& identity : changes.identities) {
    EXPECT_NE(identity.id, untouched);
    if (identity.id == issued) EXPECT_EQ(identity.last_token_issued_at, t0 + 1s);
    else EXPECT_TRUE(identity.deleted);
  }
  EXPECT_TRUE(store.take_changes().identities.empty());
}

// The change log (FILE.log): what was answered after the last snapshot. Replayed over the
// snapshot it gives the store as it was at the last record; records the snapshot already holds
// (a crash between the snapshot and the log's restart) are skipped, not applied backwards.
TEST(EmulatorStateFile, TheChangeLogReplaysOnlyWhatTheSnapshotLacks) {
  identity_store store{resource};
  const auto kept = store.create("kept", t0).identity.id;
  (void)store.track_changes();
  const auto snapshot = store.snapshot();  // revision 1: `kept`
  const auto gone = store.create(std::nullopt, t0).identity.id;
  (void)store.issue_token(kept, voip, 60min, t0 + 1s);
  std::string log = change_record(store.take_changes());  // revision 3
  (void)store.remove(gone);
  log += change_record(store.take_changes());  // revision 4
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2) << "one line per change set";

  auto replayed = read_text(text_of(snapshot));
  EXPECT_EQ(replayed.revision, 1u);
  std::istringstream in(log);
  EXPECT_EQ(replay_change_log(replayed, in, "state.json.log"), 2u);
  EXPECT_EQ(replayed.revision, 4u);
  EXPECT_EQ(replayed.counters.created, 2u);
  EXPECT_EQ(replayed.counters.deleted, 1u);
  EXPECT_EQ(replayed.counters.tokens_issued, 1u);
  ASSERT_EQ(replayed.identities.size(), 2u) << "each id once, as it became";
  identity_store restored{std::move(replayed)};
  EXPECT_EQ(restored.find(kept)->last_token_issued_at, t0 + 1s);
  EXPECT_FALSE(restored.find(gone));
  EXPECT_EQ(restored.revision(), 4u) << "new changes continue the numbering";

  // A snapshot taken at revision 4 skips both records.
  auto newer = store.snapshot();
  const auto before = text_of(newer);
  std::istringstream again(log);
  EXPECT_EQ(replay_change_log(newer, again, "state.json.log"), 0u);
  EXPECT_EQ(text_of(newer), before);
}

TEST(EmulatorStateFile, AChangeLogCutShortEndsAtItsLastWholeRecordAndDamageElsewhereIsAnError) {
  identity_store store{resource};
  (void)store.track_changes();
  const auto empty = store.snapshot();
  (void)store.create(std::nullopt, t0);
  const auto first = change_record(store.take_changes());
  (void)store.create(std::nullopt, t0);
  const auto second = change_record(store.take_changes());

  auto state = empty;
  std::istringstream torn(first + second.substr(0, second.size() / 2));  // a crash mid-write
  EXPECT_EQ(replay_change_log(state, torn, "s.log"), 1u);
  EXPECT_EQ(state.identities.size(), 1u);

  state = empty;
  std::istringstream damaged(first.substr(0, 10) + "\n" + second);
  try {
    (void)replay_change_log(state, damaged, "s.log");
    ADD_FAILURE() << "a damaged record before the last must not be skipped";
  } catch (const config_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.log:1:"));
  }

  state = empty;
  std::istringstream foreign(R"({"revision":9,"nextSerial":1,"created":1,"deleted":0,"tokensIssued":0,)"
                             R"("identities":[{"id":"8:acs:other_1","createdAt":"2026-11-25T11:58:14Z","revokedBefore":0}]})"
                             "\n{}\n");
  try {
    (void)replay_change_log(state, foreign, "s.log");
    ADD_FAILURE() << "an identity of another resource must not be replayed";
  } catch (const config_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.log:1: \"id\" must be 8:acs:" + std::string(resource)));
  }
}

TEST(EmulatorStateFile, TheFileHoldsOneLinePerIdentityAndNoAccessKey) {
  identity_store store{resource, std::string(32, 's')};
  (void)store.create("c\"quoted\"\n", t0);
  const auto text = text_of(store.snapshot());
  EXPECT_THAT(text, ::testing::StartsWith(R"({"schema":"acsbatch.emulator-state/v1","resourceId":")"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_THAT(text, HasSubstr(R"("customId":"c\"quoted\"\n")"));
  EXPECT_EQ(read_text(text).identities.at(0).custom_id, "c\"quoted\"\n");
}

TEST(EmulatorStateFile, SaveIsAtomicAndPrivate) {
  scratch dir;
  const auto file = dir.path / "nested" / "state.json";
  EXPECT_FALSE(load_store_state(file).has_value());

  identity_store store{resource};
  const auto id = store.create(std::nullopt, t0).identity.id;
  save_store_state(store.snapshot(), file);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "nested" / "state.json.tmp"));
  const auto loaded = load_store_state(file);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->identities.size(), 1u);

  // A wider mode is narrowed by the next save; a stale .tmp is replaced.
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  std::ofstream(dir.path / "nested" / "state.json.tmp") << "half a file";
  (void)store.remove(id);
  save_store_state(store.snapshot(), file);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_TRUE(load_store_state(file)->identities.at(0).deleted);
}

TEST(EmulatorStateFile, UnwritablePlaceThrowsNamingTheFile) {
  scratch dir;
  std::ofstream(dir.path / "a-file") << "x";
  try {
    save_store_state(identity_store{resource}.snapshot(), dir.path / "a-file" / "state.json");
    FAIL() << "saved under a file";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("a-file"));
  }
}

TEST(EmulatorStateFile, DamageIsReportedWithFileAndLine) {
  identity_store store{resource};
  const auto id = store.create("x", t0).identity.id;
  (void)store.create(std::nullopt, t0);
  const std::string good = text_of(store.snapshot());
  const auto first_newline = good.find('\n');
  const std::string header = good.substr(0, first_newline + 1);
  const std::string body = good.substr(first_newline + 1);
  const std::string line2 = body.substr(0, body.find('\n') + 1);

  EXPECT_EQ(error_reading(""), "emulator state file state.json: is empty: expected the header line of an "
                               "emulator state file");
  EXPECT_THAT(error_reading("{\"schema\":\"acsbatch.emulator-state/v1\",\n"),
              HasSubstr("state.json:1:40: not JSON (incomplete JSON)"));
  EXPECT_THAT(error_reading("[1,2]\n"), HasSubstr("state.json:1: expected a JSON object"));
  EXPECT_THAT(error_reading("{\"schema\":\"other\"}\n"), HasSubstr("state.json:1: is not an emulator state file"));
  EXPECT_THAT(error_reading(header), HasSubstr("state.json:2: ends after 0 of the 2 identities its header announces"));
  EXPECT_THAT(error_reading(good + line2), HasSubstr("state.json:4: holds more identities than the header's"));
  EXPECT_THAT(error_reading(header + line2 + line2), HasSubstr("state.json:3: repeats the id of line 2"));
  EXPECT_THAT(error_reading(header + line2.substr(0, 30) + "\n" + line2), HasSubstr("state.json:2:31: not JSON"));

  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  EXPECT_THAT(error_reading(replaced("\"tokenSecret\":\"", "\"tokenSecret\":\"!!")),
              HasSubstr("state.json:1: \"tokenSecret\" must be the base64 of at least 16 bytes"));
  EXPECT_THAT(error_reading(replaced("\"nextSerial\":", "\"nextSerial\":-")),
              HasSubstr("state.json:1: \"nextSerial\" must be a whole number of 0 or more"));
  EXPECT_THAT(error_reading(replaced(id, "8:acs:other_" + id.substr(id.find('_') + 1))),
              HasSubstr("\"id\" must be 8:acs:" + std::string(resource) + "_"));
  EXPECT_THAT(error_reading(replaced("\"createdAt\":\"2026", "\"createdAt\":\"yesterday")),
              HasSubstr("state.json:2: \"createdAt\" must be an RFC 3339 date-time"));
  EXPECT_THAT(error_reading(replaced("\"revokedBefore\"", "\"revoked\"")),
              HasSubstr("state.json:2: has an unknown key \"revoked\""));
  EXPECT_THAT(error_reading(replaced("\"createdAt\"", "\"customId\":\"x\",\"createdAt\"")),
              HasSubstr("binds the customId of line 2 a second time"));
  EXPECT_THAT(error_reading(header + "\n" + body), HasSubstr("state.json:2:1: not JSON"));
}

TEST(EmulatorStateFile, UnreadableFileIsAConfigError) {
  scratch dir;
  try {
    (void)load_store_state(dir.path);  // a directory
    FAIL() << "loaded a directory";
  } catch (const config_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir.path.string()));
  }
}

TEST(EmulatorStateFile, RandomDamageNeverCrashes) {
  identity_store store{resource};
  for (int i = 0; i < 20; ++i) {
    const std::string custom_id = "c" + std::to_string(i);
    const auto id = store.create(i % 3 == 0 ? std::optional<std::string_view>(custom_id) : std::nullopt, t0).identity.id;
    if (i % 4 == 0) (void)store.issue_token(id, voip, 60min, t0);
    if (i % 5 == 0) (void)store.remove(id);
  }
  const std::string good = text_of(store.snapshot());
  std::mt19937 random{42};
  for (int round = 0; round < 500; ++round) {
    std::string text = good;
    switch (round % 3) {
      case 0: text.resize(random() % text.size()); break;
      case 1:
        for (int n = 0; n < 3; ++n) text[random() % text.size()] = static_cast<char>(random() % 256);
        break;
      default: text.erase(random() % text.size(), 1 + random() % 40); break;
    }
    try {
      identity_store restored{read_text(text)};
      (void)restored.counters();
    } catch (const config_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("state.json"));
    }
  }
}

}  // namespace
}  // namespace acsbatch::emulator
