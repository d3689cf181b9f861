// `connection: {endpoint: …, auth: entra}` end to end, offline: `acsbatch emulator --entra` plays
// both Entra ID and the resource, and `acsbatch run` gets one bearer token from it — with a
// client secret or App Service's managed identity — then runs every step with it. A refused or
// unreachable authority stops the run with exit 69, naming it, and no secret is ever printed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "acsbatch/emulator/server.hpp"
#include "support.hpp"

namespace acsbatch::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string binary = ACSBATCH_BINARY;

using environment = std::map<std::string, std::optional<std::string>>;

/// The Entra-related variables all unset: each test sets exactly what it means to use.
environment clean_environment() {
  environment env;
  for (const char* name : {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST",
                           "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                           "COMMUNICATION_SERVICES_CONNECTION_STRING"})
    env[name] = std::nullopt;
  return env;
}

struct EntraCli : ::testing::Test {
  void SetUp() override {
    // Intent: the emulator's second stdout line holds what a client needs, as AZURE_* variables.
    std::vector<std::string> lines;
    for (int i = 0; i < 200 && lines.size() < 2; ++i) {
      std::this_thread::sleep_for(25ms);
      lines.clear();
      std::istringstream out(emulator.out_so_far());
      for (std::string line; std::getline(out, line);) lines.push_back(line);
      if (!emulator.out_so_far().ends_with('\n')) lines.resize(lines.empty() ? 0 : lines.size() - 1);
    }
    ASSERT_EQ(lines.size(), 2u) << "the emulator did not print its two lines";
    ASSERT_THAT(lines[0], StartsWith("endpoint=http://127.0.0.1:"));
    url = lines[0].substr(9, lines[0].find(';') - 9);
    port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
    std::istringstream words(lines[1]);
    for (std::string word; words >> word;) {
      const auto equals = word.find('=');
      ASSERT_NE(equals, std::string::npos) << word;
      printed[word.substr(0, equals)] = word.substr(equals + 1);
    }
  }

  void TearDown() override {
    emulator.signal(SIGTERM);
    emulator.wait(30s);
  }

  /// A job of 5 users × 4 steps against `connection`, written to job.yaml.
  void write_job(const std::string& connection) {
    std::ofstream(dir.path() / "job.yaml") << "version: 1\nname: entra\nconnection: " << connection
                                           << "\nconcurrency: 4\nusers: {create: 5}\n"
                                              "steps: [create_user, {issue_token: {scopes: [voip]}}, revoke_tokens, "
                                              "delete_user]\nrate_limit: {per_operation: none}\n"
                                              "report: {path: report.json}\n";
  }

  process_result run(const environment& env) { return run_process({binary, "run", "job.yaml"}, dir.path(), env, 60s); }

  environment client_secret_env(const std::string& secret) {
    auto env = clean_environment();
    env["AZURE_TENANT_ID"] = printed.at("AZURE_TENANT_ID");
    env["AZURE_CLIENT_ID"] = printed.at("AZURE_CLIENT_ID");
    env["AZURE_CLIENT_SECRET"] = secret;
    env["AZURE_AUTHORITY_HOST"] = printed.at("AZURE_AUTHORITY_HOST");
    return env;
  }

  std::int64_t stat(std::initializer_list<const char*> path) {
    auto value = emulator_json(port, "GET", "/emulator/stats");
    const boost::json::value* at = &value;
    for (const char* key : path) {
      at = at->as_object().if_contains(key);
      if (!at) return 0;
    }
    return at->to_number<std::int64_t>();
  }

  /// Everything the run left for a person or a machine to read.
  std::string everything_printed(const process_result& result) {
    const auto report = dir.path() / "report.json";
    return result.out + result.err + (std::filesystem::exists(report) ? read_file(report) : std::string());
  }

  temp_dir dir;
  child_process emulator{{binary, "emulator", "--entra"}, dir.path()};
  std::string url;  ///< http://127.0.0.1:PORT/
  std::uint16_t port = 0;
  std::map<std::string, std::string> printed;  ///< the second line's variables
};

TEST_F(EntraCli, EmulatorPrintsTheTestCredentialsAsAzureVariables) {
  EXPECT_EQ(printed.at("AZURE_AUTHORITY_HOST"), url);
  EXPECT_EQ(printed.at("AZURE_TENANT_ID"), "00000000-0000-4000-8000-00000000e171");
  EXPECT_EQ(printed.at("AZURE_CLIENT_ID"), "00000000-0000-4000-8000-00000000c11e");
  EXPECT_THAT(printed.at("AZURE_CLIENT_SECRET"), StartsWith("emulator-"));
  EXPECT_EQ(printed.at("IDENTITY_ENDPOINT"), url + "msi/token");
  EXPECT_THAT(printed.at("IDENTITY_HEADER"), StartsWith("emulator-"));
  EXPECT_EQ(printed.at("AZURE_POD_IDENTITY_AUTHORITY_HOST"), url.substr(0, url.size() - 1));
}

TEST_F(EntraCli, ClientSecretRunsEveryStepWithOneToken) {
  write_job("{endpoint: " + url + ", auth: entra}");
  const auto result = run(client_secret_env(printed.at("AZURE_CLIENT_SECRET")));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("against " + url.substr(0, url.size() - 1) + " (api-version 2023-10-01, Entra ID)"));
  // Intent: every operation reached the resource with the bearer token, fetched once for the run.
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 5);
  EXPECT_EQ(stat({"requests", "issue_token", "200"}), 5);
  EXPECT_EQ(stat({"requests", "revoke_tokens", "204"}), 5);
  EXPECT_EQ(stat({"requests", "delete_user", "204"}), 5);
  EXPECT_EQ(stat({"requests", "entra_token", "200"}), 1);
  const auto shown = everything_printed(result);
  EXPECT_THAT(shown, Not(HasSubstr(printed.at("AZURE_CLIENT_SECRET"))));
  EXPECT_THAT(shown, Not(HasSubstr("eyJ")));  // no JWT either
}

TEST_F(EntraCli, WrongSecretExits69NamingTheAuthorityAndNeverTheSecret) {
  write_job("{endpoint: " + url + ", auth: entra}");
  const auto result = run(client_secret_env("CANARY-wrong-secret-4711"));
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("cannot get an Entra ID token from " + url + printed.at("AZURE_TENANT_ID") +
                                    "/oauth2/v2.0/token"));
  EXPECT_THAT(result.err, HasSubstr("HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided. — check "
                                    "AZURE_CLIENT_SECRET (is it expired?)"));
  EXPECT_THAT(everything_printed(result), Not(HasSubstr("CANARY")));
  // Intent: the run stopped before any identity request.
  EXPECT_EQ(stat({"requests", "entra_token", "401"}), 1);
  EXPECT_EQ(stat({"requests", "create_user", "401"}), 0);
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 0);

  // The same in JSON logs.
  const auto json = run_process({binary, "run", "job.yaml", "--log-format", "json"}, dir.path(),
                                client_secret_env("CANARY-wrong-secret-4711"), 60s);
  EXPECT_EQ(json.exit_code, 69);
  EXPECT_THAT(json.err, HasSubstr("invalid_client"));
  EXPECT_THAT(everything_printed(json), Not(HasSubstr("CANARY")));
}

TEST_F(EntraCli, UnreachableAuthorityExits69) {
  write_job("{endpoint: " + url + ", auth: entra}");
  auto env = client_secret_env("CANARY-secret-0815");
  env["AZURE_AUTHORITY_HOST"] = "http://127.0.0.1:1/";
  const auto result = run(env);
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("cannot get an Entra ID token from http://127.0.0.1:1/"));
  EXPECT_THAT(result.err, HasSubstr("could not connect"));
  EXPECT_THAT(result.err, HasSubstr("— check AZURE_AUTHORITY_HOST"));
  EXPECT_THAT(everything_printed(result), Not(HasSubstr("CANARY")));
}

TEST_F(EntraCli, IncompleteClientSecretVariablesExit65NamingThem) {
  write_job("{endpoint: " + url + ", auth: entra}");
  auto env = clean_environment();
  env["AZURE_CLIENT_SECRET"] = "CANARY-lonely-secret";
  const auto result = run(env);
  EXPECT_EQ(result.exit_code, 65) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("AZURE_CLIENT_SECRET is set, but AZURE_TENANT_ID and AZURE_CLIENT_ID are not"));
  EXPECT_THAT(everything_printed(result), Not(HasSubstr("CANARY")));
}

TEST_F(EntraCli, AppServiceManagedIdentityRunsEveryStep) {
  write_job("{endpoint: " + url + ", auth: entra}");
  auto env = clean_environment();
  env["IDENTITY_ENDPOINT"] = printed.at("IDENTITY_ENDPOINT");
  env["IDENTITY_HEADER"] = printed.at("IDENTITY_HEADER");
  const auto result = run(env);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(stat({"requests", "app_service_token", "200"}), 1);
  EXPECT_EQ(stat({"requests", "delete_user", "204"}), 5);
  EXPECT_THAT(everything_printed(result), Not(HasSubstr(printed.at("IDENTITY_HEADER"))));

  // A wrong header is refused by the endpoint, and not shown either.
  env["IDENTITY_HEADER"] = "CANARY-header-1234";
  const auto refused = run(env);
  EXPECT_EQ(refused.exit_code, 69);
  EXPECT_THAT(refused.err, HasSubstr("managed identity (IDENTITY_ENDPOINT)"));
  EXPECT_THAT(refused.err, HasSubstr("check IDENTITY_HEADER"));
  EXPECT_THAT(everything_printed(refused), Not(HasSubstr("CANARY")));
}

TEST_F(EntraCli, AResourceThatRefusesTheTokenStopsTheRunPointingAtTheRole) {
  // Intent: the authority gives a token, but the resource (another emulator, which trusts only
  // its own tokens) answers 401 — as a resource does when the principal has no role on it.
  emulator::server_options options;
  options.entra = emulator::test_entra_app();
  emulator::embedded_emulator other{options};
  write_job("{endpoint: " + other.url() + ", auth: entra}");
  const auto result = run(client_secret_env(printed.at("AZURE_CLIENT_SECRET")));
  EXPECT_EQ(result.exit_code, 69) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("rejected the request or could not be reached: HTTP 401"));
  EXPECT_THAT(result.err, HasSubstr("and that the Entra ID principal has a role on the resource"));
  EXPECT_EQ(stat({"requests", "entra_token", "200"}), 1);
  EXPECT_THAT(everything_printed(result), Not(HasSubstr(printed.at("AZURE_CLIENT_SECRET"))));
}

TEST_F(EntraCli, EmbeddedEmulatorIssuesItsOwnTokensOffline) {
  // No endpoint: the run starts its own emulator with Entra ID, whatever the environment says.
  write_job("{auth: entra}");
  auto env = clean_environment();
  env["AZURE_CLIENT_SECRET"] = "CANARY-unused-secret";
  const auto result = run(env);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("against the embedded emulator at http://127.0.0.1:"));
  EXPECT_THAT(result.out, HasSubstr("Entra ID)"));
  EXPECT_THAT(everything_printed(result), Not(HasSubstr("CANARY")));
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 0);  // the other emulator saw nothing
}

TEST_F(EntraCli, ARunWithAnAccessKeyIsUnchangedBesideEntra) {
  // The --entra emulator still verifies HMAC: the access-key path keeps working against it.
  const auto connection_string = emulator.out_so_far().substr(0, emulator.out_so_far().find('\n'));
  write_job("{connection_string: \"" + connection_string + "\"}");
  const auto result = run(clean_environment());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(stat({"requests", "entra_token", "200"}), 0);
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 5);
}

}  // namespace
}  // namespace acsbatch::testing
