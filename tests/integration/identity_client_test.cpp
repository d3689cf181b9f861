// identity_client end to end against the embedded emulator on 127.0.0.1:0: every operation's
// success, the service's error answers, and HMAC failures (wrong key, tampered body, stale date).

#include "acsbatch/identity/client.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/server.hpp"
#include "support.hpp"

namespace acsbatch::identity {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock = std::chrono::system_clock;

struct identity_client_test : ::testing::Test {
  /// Runs one client call to completion on the test's io_context.
  template <class T>
  T run(net::awaitable<T> op) {
    return acsbatch::testing::run_to_completion(io, std::move(op));
  }

  std::string new_user() {
    auto created = run(client.create_user());
    if (!created) throw std::runtime_error("create_user failed: " + created.error().describe());
    return created->id;
  }

  /// The emulator's loopback-only verdict on a token it issued.
  bool token_is_valid(const std::string& token) {
    const auto body = boost::json::serialize(boost::json::object{{"token", token}});
    return testing::emulator_json(emulator.port(), "POST", "/emulator/tokens:validate", body)
        .at("valid")
        .as_bool();
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

  /// Sends a request built (and perhaps altered) by the test, through the same http client.
  boost::system::result<http::response> send_raw(http::request req) {
    return run(http.send(account.endpoint, std::move(req), 10s));
  }

  request_context context(clock::time_point now = clock::now()) {
    request_context ctx;
    ctx.target = &account.endpoint;
    ctx.signer = &signer;
    ctx.user_agent = "acsbatch-test";
    ctx.client_request_id = new_client_request_id();
    ctx.now = now;
    return ctx;
  }

  emulator::embedded_emulator emulator;
  auth::connection_string account = auth::parse_connection_string(emulator.connection_string());
  auth::hmac_signer signer{account.access_key};
  net::io_context io;
  http::client http{io.get_executor()};
  identity_client client{http, account.endpoint, signer};
};

void expect_expiry_within(clock::time_point expires_on, clock::time_point before, clock::time_point after,
                          std::chrono::minutes lifetime) {
  EXPECT_GE(expires_on, before + lifetime - 2s);
  EXPECT_LE(expires_on, after + lifetime + 2s);
}

TEST_F(identity_client_test, create_user) {
  const auto r = run(client.create_user());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->id.starts_with("8:acs:")) << r->id;
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 1);
}

TEST_F(identity_client_test, create_user_and_token_with_and_without_expiry) {
  const auto before = clock::now();
  const auto short_lived = run(client.create_user_and_token({"chat", "voip"}, 60min));
  const auto default_lived = run(client.create_user_and_token({"voip"}));
  const auto after = clock::now();
  ASSERT_TRUE(short_lived) << short_lived.error().describe();
  ASSERT_TRUE(default_lived) << default_lived.error().describe();
  EXPECT_TRUE(short_lived->user.id.starts_with("8:acs:"));
  EXPECT_FALSE(short_lived->token.token.empty());
  expect_expiry_within(short_lived->token.expires_on, before, after, 60min);
  expect_expiry_within(default_lived->token.expires_on, before, after, 1440min);
  EXPECT_TRUE(token_is_valid(short_lived->token.token));
}

TEST_F(identity_client_test, issue_token_within_the_requested_window) {
  const auto user = new_user();
  const auto before = clock::now();
  const auto r = run(client.issue_token(user, {"chat.join", "voip.join"}, 120min));
  const auto after = clock::now();
  ASSERT_TRUE(r) << r.error().describe();
  expect_expiry_within(r->expires_on, before, after, 120min);
  EXPECT_TRUE(token_is_valid(r->token));
}

TEST_F(identity_client_test, revoke_invalidates_earlier_tokens_only) {
  const auto user = new_user();
  const auto earlier = run(client.issue_token(user, {"voip"}));
  ASSERT_TRUE(earlier);
  ASSERT_TRUE(token_is_valid(earlier->token));
  const auto revoked = run(client.revoke_tokens(user));
  ASSERT_TRUE(revoked) << revoked.error().describe();
  EXPECT_FALSE(token_is_valid(earlier->token));
  const auto later = run(client.issue_token(user, {"voip"}));
  ASSERT_TRUE(later);
  EXPECT_TRUE(token_is_valid(later->token));
}

TEST_F(identity_client_test, delete_user_then_it_is_not_found) {
  const auto user = new_user();
  const auto deleted = run(client.delete_user(user));
  ASSERT_TRUE(deleted) << deleted.error().describe();
  const auto issue = run(client.issue_token(user, {"chat"}));
  ASSERT_FALSE(issue);
  EXPECT_EQ(issue.error().code, errc::http_status);
  EXPECT_EQ(issue.error().http_status, 404u);
  EXPECT_EQ(issue.error().service_code, "IdentityNotFound");
  const auto again = run(client.delete_user(user));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().http_status, 404u);
  EXPECT_EQ(stat({"identities", "created"}), 1);
  EXPECT_EQ(stat({"identities", "live"}), 0);
  EXPECT_EQ(stat({"identities", "deleted"}), 1);
}

TEST_F(identity_client_test, unknown_user_is_404_with_our_request_id) {
  const auto r = run(client.revoke_tokens("8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000001"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 404u);
  EXPECT_EQ(r.error().service_code, "IdentityNotFound");
  EXPECT_EQ(r.error().client_request_id.size(), 36u);
}

TEST_F(identity_client_test, bad_scope_is_validation_error) {
  const auto user = new_user();
  const auto r = run(client.issue_token(user, {"admin"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 400u);
  EXPECT_EQ(r.error().service_code, "ValidationError");
  EXPECT_EQ(r.error().target, "scopes");
  const auto on_create = run(client.create_user_and_token({"chat", "everything"}));
  ASSERT_FALSE(on_create);
  EXPECT_EQ(on_create.error().service_code, "ValidationError");
}

TEST_F(identity_client_test, expiry_outside_60_to_1440_minutes_is_validation_error) {
  const auto user = new_user();
  for (const auto minutes : {59min, 1441min}) {
    const auto r = run(client.issue_token(user, {"voip"}, minutes));
    ASSERT_FALSE(r) << minutes.count();
    EXPECT_EQ(r.error().http_status, 400u);
    EXPECT_EQ(r.error().service_code, "ValidationError");
    EXPECT_EQ(r.error().target, "expiresInMinutes");
  }
  EXPECT_TRUE(run(client.issue_token(user, {"voip"}, 60min)));
  EXPECT_TRUE(run(client.issue_token(user, {"voip"}, 1440min)));
}

TEST_F(identity_client_test, wrong_key_is_denied) {
  const auth::hmac_signer wrong{auth::random_bytes(64)};
  identity_client impostor{http, account.endpoint, wrong};
  const auto r = run(impostor.create_user());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::http_status);
  EXPECT_EQ(r.error().http_status, 401u);
  EXPECT_EQ(r.error().service_code, "Denied");
}

TEST_F(identity_client_test, body_changed_after_signing_is_denied) {
  const auto user = new_user();
  auto req = make_issue_token(context(), user, {"voip"}, std::nullopt);
  req.body = R"({"scopes":["chat"]})";  // same length, different bytes: only the hash notices
  const auto res = send_raw(std::move(req));
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 401u);
  const auto read = read_issue_token(*res, "tampered");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().service_code, "Denied");
}

TEST_F(identity_client_test, stale_date_is_denied) {
  const auto res = send_raw(make_create_user(context(clock::now() - 20min), {}));
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ(res->status, 401u);
  // The same request dated now is accepted: only the date differed.
  const auto fresh = send_raw(make_create_user(context(), {}));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 201u);
}

TEST_F(identity_client_test, get_user_needs_an_api_version_that_has_it) {
  const auto user = new_user();
  const auto sent_before = http.stats().requests_sent;
  const auto refused = run(client.get_user(user));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, boost::system::errc::operation_not_supported);
  EXPECT_EQ(http.stats().requests_sent, sent_before);  // refused without sending

  identity_client preview{http, account.endpoint, signer, {.api_version = "2025-03-02-preview"}};
  const auto r = run(preview.get_user(user));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->id, user);
}

TEST_F(identity_client_test, custom_id_maps_to_the_same_identity) {
  identity_client preview{http, account.endpoint, signer, {.api_version = "2025-03-02-preview"}};
  create_options options;
  options.custom_id = "sally@contoso.com";
  const auto first = run(preview.create_user(options));
  const auto second = run(preview.create_user_and_token({"chat"}, std::nullopt, options));
  ASSERT_TRUE(first) << first.error().describe();
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->user.id, first->id);
  EXPECT_EQ(first->custom_id, "sally@contoso.com");
  const auto looked_up = run(preview.get_user(first->id));
  ASSERT_TRUE(looked_up);
  EXPECT_EQ(looked_up->custom_id, "sally@contoso.com");
  // The stable version has no customId: refused before sending.
  EXPECT_FALSE(run(client.create_user(options)));
}

TEST_F(identity_client_test, emulator_stats_count_what_happened) {
  const auto user = new_user();
  ASSERT_TRUE(run(client.create_user_and_token({"chat"}, 60min)));
  ASSERT_TRUE(run(client.issue_token(user, {"voip"})));
  ASSERT_TRUE(run(client.revoke_tokens(user)));
  ASSERT_TRUE(run(client.delete_user(user)));
  EXPECT_FALSE(run(client.issue_token(user, {"voip"})));
  EXPECT_EQ(stat({"identities", "created"}), 2);
  EXPECT_EQ(stat({"identities", "live"}), 1);
  EXPECT_EQ(stat({"identities", "deleted"}), 1);
  EXPECT_EQ(stat({"tokens", "issued"}), 2);
  EXPECT_EQ(stat({"requests", "create_user", "201"}), 1);
  EXPECT_EQ(stat({"requests", "create_user_and_token", "201"}), 1);
  EXPECT_EQ(stat({"requests", "issue_token", "200"}), 1);
  EXPECT_EQ(stat({"requests", "issue_token", "404"}), 1);
  EXPECT_EQ(stat({"requests", "revoke_tokens", "204"}), 1);
  EXPECT_EQ(stat({"requests", "delete_user", "204"}), 1);
  // Every call went over one kept-alive connection.
  EXPECT_EQ(http.stats().connections_opened, 1u);
}

TEST_F(identity_client_test, unreachable_service_is_a_transport_error_with_request_id) {
  const auto closed = endpoint{"http", "127.0.0.1", 1};
  identity_client nowhere{http, closed, signer, {.request_timeout = 2s}};
  const auto r = run(nowhere.create_user());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::connection_failed);
  EXPECT_EQ(r.error().http_status, 0u);
  EXPECT_EQ(r.error().client_request_id.size(), 36u);
}

}  // namespace
}  // namespace acsbatch::identity
