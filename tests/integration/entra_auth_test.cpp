// Entra ID (Azure AD) authentication end to end, offline: acsbatch's credentials get bearer
// tokens from the emulator's Entra ID endpoints (client secret, IMDS, App Service managed
// identity) and the emulator accepts exactly the tokens it issued.

#include <gtest/gtest.h>

#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include "acsbatch/auth/entra_credential.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/identity/client.hpp"
#include "support.hpp"

namespace acsbatch::identity {
namespace {

namespace net = boost::asio;

constexpr const char* tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
constexpr const char* app_id = "3b3c5c1e-7c2a-4a53-9f2e-1b9d4a0c0001";
// A canary: must never appear in any message.
constexpr const char* secret = "CANARY-client-secret-9f8e7d";
constexpr const char* identity_header = "CANARY-identity-header-1a2b";

emulator::server_options with_entra() {
  emulator::server_options options;
  options.entra = emulator::entra_app{tenant, app_id, secret, identity_header};
  return options;
}

struct entra_auth_test : ::testing::Test {
  template <class T>
  T run(net::awaitable<T> op) {
    return acsbatch::testing::run_to_completion(io, std::move(op));
  }

  auth::entra_settings settings(std::map<std::string, std::string> env) {
    return auth::entra_settings_from([&](std::string_view name) -> std::optional<std::string> {
      const auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    });
  }

  std::map<std::string, std::string> client_secret_env(std::string client_secret = secret) {
    return {{"AZURE_TENANT_ID", tenant}, {"AZURE_CLIENT_ID", app_id}, {"AZURE_CLIENT_SECRET", client_secret},
            {"AZURE_AUTHORITY_HOST", emulator.url()}};
  }

  std::int64_t stat(std::initializer_list<const char*> path) {
    auto value = testing::emulator_json(emulator.port(), "GET", "/emulator/stats");
    const boost::json::value* at = &value;
    for (const char* key : path) {
      at = at->as_object().if_contains(key);
      if (!at) return 0;
    }
    return at->to_number<std::int64_t>();
  }

  /// Every identity operation through a client that authenticates with `credential`.
  void run_every_operation(auth::entra_credential& credential) {
    identity_client client{http, endpoint::parse(emulator.url()), credential};
    auto created = run(client.create_user_and_token({"voip"}));
    ASSERT_TRUE(created) << created.error().describe();
    auto token = run(client.issue_token(created->user.id, {"chat"}));
    ASSERT_TRUE(token) << token.error().describe();
    ASSERT_TRUE(run(client.revoke_tokens(created->user.id)));
    ASSERT_TRUE(run(client.delete_user(created->user.id)));
    auto gone = run(client.delete_user(created->user.id));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().http_status, 404u);  // authenticated, and the identity is gone
  }

  emulator::embedded_emulator emulator{with_entra()};
  net::io_context io;
  http::client http{io.get_executor()};
};

TEST_F(entra_auth_test, ClientSecretCredentialRunsEveryOperationWithOneCachedToken) {
  auth::entra_credential credential{io.get_executor(), settings(client_secret_env())};
  EXPECT_EQ(credential.settings().source, auth::entra_source::client_secret);
  run_every_operation(credential);
  // The token was asked for once and reused by all five requests.
  EXPECT_EQ(credential.fetches(), 1u);
  EXPECT_EQ(stat({"requests", "entra_token", "200"}), 1);
  EXPECT_EQ(stat({"requests", "create_user_and_token", "201"}), 1);
}

TEST_F(entra_auth_test, TokenRequestAsksForTheSdkScopeWithTheDoubleSlash) {
  const auto req = auth::make_token_request(settings(client_secret_env()));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, std::string("/") + tenant + "/oauth2/v2.0/token");
  EXPECT_NE(req.body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(req.body.find("scope=https%3A%2F%2Fcommunication.azure.com%2F%2F.default"), std::string::npos) << req.body;
}

TEST_F(entra_auth_test, WrongClientSecretFailsWithInvalidClientAndNeverShowsTheSecret) {
  auth::entra_credential credential{io.get_executor(), settings(client_secret_env("CANARY-wrong-secret"))};
  identity_client client{http, endpoint::parse(emulator.url()), credential};
  auto created = run(client.create_user());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().http_status, 401u);
  EXPECT_EQ(created.error().service_code, "invalid_client");
  EXPECT_EQ(created.error().describe().find("CANARY"), std::string::npos) << created.error().describe();
  EXPECT_EQ(stat({"requests", "entra_token", "401"}), 1);
  EXPECT_EQ(stat({"requests", "create_user", "401"}), 0);  // nothing reached the identity API
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 0);
}

TEST_F(entra_auth_test, ImdsManagedIdentityAtTheConfiguredAddress) {
  auth::entra_credential credential{io.get_executor(),
                                    settings({{"AZURE_POD_IDENTITY_AUTHORITY_HOST", emulator.url()}})};
  EXPECT_EQ(credential.settings().source, auth::entra_source::imds_identity);
  run_every_operation(credential);
  EXPECT_EQ(stat({"requests", "imds_token", "200"}), 1);
}

TEST_F(entra_auth_test, AppServiceManagedIdentityNeedsItsHeader) {
  auth::entra_credential credential{
      io.get_executor(), settings({{"IDENTITY_ENDPOINT", emulator.url() + "msi/token"}, {"IDENTITY_HEADER", identity_header}})};
  EXPECT_EQ(credential.settings().source, auth::entra_source::app_service_identity);
  run_every_operation(credential);

  auth::entra_credential wrong{
      io.get_executor(), settings({{"IDENTITY_ENDPOINT", emulator.url() + "msi/token"}, {"IDENTITY_HEADER", "nope"}})};
  identity_client client{http, endpoint::parse(emulator.url()), wrong};
  auto created = run(client.create_user());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().http_status, 401u);
}

TEST_F(entra_auth_test, EmulatorRejectsABearerTokenItDidNotIssue) {
  request_context ctx;
  const auto target = endpoint::parse(emulator.url());
  ctx.target = &target;
  ctx.client_request_id = new_client_request_id();
  ctx.now = std::chrono::system_clock::now();
  // Well-formed, right audience, but signed by someone else.
  ctx.bearer_token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2NvbW11bmljYXRpb24uYXp1cmUuY29tIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmVkLWJ5LXNvbWVvbmUtZWxzZQ";
  auto res = run(http.send(target, make_create_user(ctx, {}), std::chrono::seconds{5}));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401u);
  EXPECT_EQ(res->headers.get("x-emulator-denial-reason").value_or(""), "bearer_token_rejected");
  EXPECT_NE(res->body.find("\"Denied\""), std::string::npos);
}

TEST_F(entra_auth_test, EmulatorWithoutEntraRefusesBearerTokensAndHasNoTokenEndpoint) {
  emulator::embedded_emulator plain{};
  auth::entra_credential credential{io.get_executor(),
                                    settings({{"AZURE_TENANT_ID", tenant}, {"AZURE_CLIENT_ID", app_id},
                                              {"AZURE_CLIENT_SECRET", secret}, {"AZURE_AUTHORITY_HOST", plain.url()}})};
  identity_client client{http, endpoint::parse(plain.url()), credential};
  auto created = run(client.create_user());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().http_status, 404u);
}

TEST(entra_settings, IncompleteClientSecretSettingsNameTheMissingVariablesOnly) {
  try {
    auth::entra_settings_from([](std::string_view name) -> std::optional<std::string> {
      if (name == "AZURE_CLIENT_SECRET") return std::string("CANARY-s3cret");
      return std::nullopt;
    });
    FAIL() << "no error";
  } catch (const config_error& e) {
    EXPECT_STREQ(e.what(), "AZURE_CLIENT_SECRET is set, but AZURE_TENANT_ID and AZURE_CLIENT_ID are not: "
                           "client-secret authentication needs all three");
  }
}

TEST(entra_settings, RefreshesFiveMinutesEarlyOrHalfWayForShortTokens) {
  using namespace std::chrono;
  const system_clock::time_point t0{hours{1000}};
  EXPECT_EQ(auth::refresh_time({"x", t0 + hours{1}}, t0), t0 + minutes{55});
  EXPECT_EQ(auth::refresh_time({"x", t0 + minutes{4}}, t0), t0 + minutes{2});
}

TEST(entra_settings, ReadsImdsStringTimesAndEntraErrors) {
  using namespace std::chrono;
  const system_clock::time_point now{seconds{1'700'000'000}};
  http::response ok;
  ok.status = 200;
  ok.body = R"({"access_token":"t","expires_in":"3599","expires_on":"1700003599","token_type":"Bearer"})";
  auto token = auth::read_token_response(ok, now);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->expires_on, now + seconds{3599});
  http::response bad;
  bad.status = 400;
  bad.body = R"({"error":"invalid_scope","error_description":"AADSTS70011: bad scope"})";
  auto failure = auth::read_token_response(bad, now);
  ASSERT_FALSE(failure);
  EXPECT_EQ(failure.error().describe(), "the token endpoint answered HTTP 400 invalid_scope: AADSTS70011: bad scope");
}

}  // namespace
}  // namespace acsbatch::identity
