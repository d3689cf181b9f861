// Emulator state across restarts: identities made through the identity client outlive their
// emulator (saved periodically and at stop), deleted ones stay 404, earlier tokens keep their
// verdicts; `acsbatch emulator --state --key-file` answers to the same key after a restart;
// and the shipped provision → rotate-tokens chain runs offline against `embedded`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <thread>

#include <sys/stat.h>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/emulator/state_file.hpp"
#include "acsbatch/identity/client.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

const std::string binary = ACSBATCH_BINARY;
const std::filesystem::path source_dir = ACSBATCH_SOURCE_DIR;
constexpr const char* connection_env = "COMMUNICATION_SERVICES_CONNECTION_STRING";

/// An identity client talking to one connection string, each call run to completion.
struct session {
  explicit session(const std::string& connection_string)
      : account(auth::parse_connection_string(connection_string)), signer(account.access_key) {}

  template <class T>
  T run(net::awaitable<T> op) {
    return run_to_completion(io, std::move(op));
  }

  std::string new_user() {
    auto created = run(client.create_user());
    if (!created) throw std::runtime_error("create_user failed: " + created.error().describe());
    return created->id;
  }

  auth::connection_string account;
  auth::hmac_signer signer;
  net::io_context io;
  http::client http{io.get_executor()};
  identity::identity_client client{http, account.endpoint, signer};
};

bool token_is_valid(std::uint16_t port, const std::string& token) {
  const auto body = json::serialize(json::object{{"token", token}});
  return emulator_json(port, "POST", "/emulator/tokens:validate", body).at("valid").as_bool();
}

unsigned mode_of(const std::filesystem::path& file) {
  struct stat info {};
  EXPECT_EQ(::stat(file.c_str(), &info), 0) << file;
  return info.st_mode & 0777;
}

emulator::server_options persisted(const std::filesystem::path& file, const std::string& key) {
  emulator::server_options options;
  options.state_file = file;
  options.access_key = key;
  options.state_save_interval = 100ms;
  return options;
}

TEST(EmulatorState, IdentitiesOutliveTheirEmulator) {
  temp_dir dir;
  const auto file = dir.path() / "state" / "emulator.json";
  const std::string key = auth::random_bytes(64);
  std::string kept, deleted, before_restart_token;
  {
    emulator::embedded_emulator first{persisted(file, key)};
    session s{first.connection_string()};
    kept = s.new_user();
    deleted = s.new_user();
    const auto token = s.run(s.client.issue_token(kept, {"voip"}));
    ASSERT_TRUE(token) << token.error().describe();
    before_restart_token = token->token;
    ASSERT_TRUE(s.run(s.client.delete_user(deleted)));

    // Saved while still serving, within a few intervals: a killed process loses little.
    std::optional<emulator::store_state> saved;
    for (int i = 0; i < 50 && !(saved && saved->counters.deleted == 1); ++i) {
      std::this_thread::sleep_for(100ms);
      saved = emulator::load_store_state(file);
    }
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->identities.size(), 2u);
    EXPECT_EQ(saved->counters.deleted, 1u);
  }
  EXPECT_EQ(mode_of(file), 0600u);
  const std::string text = read_file(file);
  EXPECT_EQ(text.find(auth::base64_encode(key)), std::string::npos) << "the access key reached the state file";
  EXPECT_EQ(text.find(before_restart_token), std::string::npos) << "a token reached the state file";

  // Same file, same key: a new emulator (another port) knows them.
  emulator::embedded_emulator second{persisted(file, key)};
  // While it runs, no other emulator may use the file: its saves would overwrite each other.
  try {
    emulator::embedded_emulator third{persisted(file, key)};
    ADD_FAILURE() << "two emulators share a state file";
  } catch (const config_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("is in use by another emulator"));
  }
  session s{second.connection_string()};
  const auto issued = s.run(s.client.issue_token(kept, {"chat"}));
  ASSERT_TRUE(issued) << issued.error().describe();
  EXPECT_TRUE(token_is_valid(second.port(), before_restart_token));
  const auto gone = s.run(s.client.issue_token(deleted, {"chat"}));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().http_status, 404u);
  EXPECT_EQ(gone.error().service_code, "IdentityNotFound");
  EXPECT_EQ(s.run(s.client.delete_user(deleted)).error().http_status, 404u);
  // Revoking after the restart reaches tokens issued before it.
  ASSERT_TRUE(s.run(s.client.revoke_tokens(kept)));
  EXPECT_FALSE(token_is_valid(second.port(), before_restart_token));
  const auto stats = emulator_json(second.port(), "GET", "/emulator/stats");
  EXPECT_EQ(stats.at("identities").at("created").to_number<int>(), 2);
  EXPECT_EQ(stats.at("identities").at("live").to_number<int>(), 1);
  EXPECT_EQ(stats.at("identities").at("deleted").to_number<int>(), 1);
}

TEST(EmulatorState, ACorruptStateFileStopsTheStartNamingTheLine) {
  temp_dir dir;
  const auto file = dir.path() / "emulator.json";
  std::ofstream(file) << "{\"schema\":\"acsbatch.emulator-state/v1\"}\n";
  EXPECT_THROW(emulator::embedded_emulator{persisted(file, "k")}, config_error);
  const auto result = run_process({binary, "emulator", "--state", file.string()}, dir.path(), {}, 30s);
  EXPECT_EQ(result.exit_code, 65) << result.err;
  EXPECT_THAT(result.err, ::testing::HasSubstr(file.string() + ":1: lacks \"resourceId\""));
  EXPECT_TRUE(result.out.empty());
}

/// The first stdout line of `acsbatch emulator …`, waiting for it.
std::string first_line(child_process& child) {
  for (int i = 0; i < 100; ++i) {
    const auto out = child.out_so_far();
    if (const auto newline = out.find('\n'); newline != std::string::npos) return out.substr(0, newline);
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "the emulator printed no connection string";
  return {};
}

TEST(EmulatorState, TheEmulatorCommandKeepsKeyAndIdentitiesAcrossRestarts) {
  temp_dir dir;
  const std::vector<std::string> args{binary, "emulator", "--state", "state.json", "--key-file", "emulator.key"};
  std::string first_connection, user;
  {
    child_process first{args, dir.path()};
    first_connection = first_line(first);
    session s{first_connection};
    user = s.new_user();
    first.signal(SIGTERM);
    const auto result = first.wait(30s);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.err, ::testing::HasSubstr("wrote a new random access key to emulator.key"));
    EXPECT_THAT(result.err, ::testing::HasSubstr("identities persist in state.json"));
  }
  EXPECT_EQ(mode_of(dir.path() / "emulator.key"), 0600u);
  EXPECT_EQ(mode_of(dir.path() / "state.json"), 0600u);

  child_process second{args, dir.path()};
  const std::string second_connection = first_line(second);
  const auto key_of = [](const std::string& cs) { return cs.substr(cs.find(";accesskey=")); };
  EXPECT_EQ(key_of(second_connection), key_of(first_connection));
  session s{second_connection};
  const auto token = s.run(s.client.issue_token(user, {"voip"}));
  EXPECT_TRUE(token) << token.error().describe();
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(30s).exit_code, 0);

  // A key file others may read is refused, and the key is not shown.
  std::filesystem::permissions(dir.path() / "emulator.key", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  const auto refused = run_process(args, dir.path(), {}, 30s);
  EXPECT_EQ(refused.exit_code, 64);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("chmod 600 emulator.key"));
  EXPECT_EQ(refused.err.find(key_of(first_connection).substr(11, 16)), std::string::npos);
}

/// The items of a report, checked to have all succeeded; returns how many there are.
std::size_t succeeded_items(const std::filesystem::path& report) {
  const auto parsed = json::parse(read_file(report)).as_object();
  const auto& items = parsed.at("items").as_array();
  for (const auto& item : items) {
    for (const auto& step : item.at("steps").as_array())
      EXPECT_EQ(step.at("status"), "ok") << json::serialize(item);
  }
  EXPECT_EQ(parsed.at("summary").at("items").at("failed").to_number<int>(), 0);
  return items.size();
}

TEST(EmulatorState, ProvisionThenRotateTokensRunOfflineAsShipped) {
  temp_dir dir;
  std::filesystem::create_directories(dir.path() / "jobs");
  for (const char* name : {"provision.yaml", "rotate-tokens.yaml"})
    std::filesystem::copy_file(source_dir / "jobs" / name, dir.path() / "jobs" / name);
  const std::map<std::string, std::optional<std::string>> offline{{connection_env, std::nullopt}};

  // Small and unthrottled: the shipped 10 000 users at the service's pace take minutes.
  const auto provision = run_process({binary, "run", "jobs/provision.yaml", "--quiet", "--set", "users.create=50",
                                      "--set", "rate_limit.per_operation=none"},
                                     dir.path(), offline);
  ASSERT_EQ(provision.exit_code, 0) << provision.out << provision.err;
  EXPECT_EQ(succeeded_items(dir.path() / "reports" / "provision.json"), 50u);
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "state" / "emulator.json"));

  // A new process, a new emulator: the identities come from state/emulator.json.
  const auto rotate = run_process({binary, "run", "jobs/rotate-tokens.yaml", "--quiet", "--set",
                                   "report.path=reports/rotated.json"},
                                  dir.path(), offline);
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  const auto report = dir.path() / "reports" / "rotated.json";
  EXPECT_EQ(succeeded_items(report), 50u);
  const auto parsed = json::parse(read_file(report)).as_object();
  const auto& operations = parsed.at("summary").at("operations").as_object();
  EXPECT_EQ(operations.at("revoke_tokens").at("ok").to_number<int>(), 50);
  EXPECT_EQ(operations.at("issue_token").at("ok").to_number<int>(), 50);

  const auto state = emulator::load_store_state(dir.path() / "state" / "emulator.json");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->identities.size(), 50u);
  EXPECT_EQ(state->counters.tokens_issued, 100u);
}

}  // namespace
}  // namespace acsbatch::testing
