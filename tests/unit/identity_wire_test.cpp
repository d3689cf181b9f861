// Exact requests of identity/wire.hpp (the builders in wire.cpp). The HMAC vectors were captured from
// the official JS SDK (@azure/communication-identity 1.3.1) and re-verified with Python's hmac.

#include "acsbatch/core/random_id.hpp"
#include "acsbatch/identity/wire.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"

namespace acsbatch::identity {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::Not;

constexpr const char* vector_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
constexpr const char* vector_date = "Wed, 25 Nov 2026 11:58:14 GMT";
constexpr const char* vector_user = "8:acs:4a1c9b2e-0000-4000-8000-00000000abcd_00000020-0000-0000-0000-000000000015";
constexpr const char* vector_user_path = "/identities/8%3Aacs%3A4a1c9b2e-0000-4000-8000-00000000abcd_00000020-0000-0000-0000-000000000015";
constexpr const char* empty_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
constexpr const char* auth_prefix = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";
constexpr const char* request_id = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

/// The fixture every vector was signed with: key 0x00..0x3f, 127.0.0.1:8089, a fixed date.
struct wire_fixture : ::testing::Test {
  wire_fixture() : target(endpoint::parse("http://127.0.0.1:8089/")), signer(*auth::base64_decode(vector_key)) {}

  request_context context(std::string api_version = "2023-10-01", const char* date = vector_date) const {
    request_context ctx;
    ctx.target = &target;
    ctx.signer = &signer;
    ctx.api_version = std::move(api_version);
    ctx.user_agent = "acsbatch-test/1.0";
    ctx.client_request_id = request_id;
    ctx.now = *parse_http_date(date);
    return ctx;
  }

  endpoint target;
  auth::hmac_signer signer;
};

std::vector<std::string> header_names(const http::request& req) {
  std::vector<std::string> names;
  for (const auto& field : req.headers) names.emplace_back(field.name);
  return names;
}

std::string header(const http::request& req, std::string_view name) {
  return std::string(req.headers.get(name).value_or("<absent>"));
}

TEST_F(wire_fixture, create_user_matches_vector_v1) {
  const auto req = make_create_user(context(), {});
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/identities?api-version=2023-10-01");
  // The SDK sends Content-Type even with no body (createUser has a body model) and Content-Length: 0.
  EXPECT_THAT(header_names(req), ElementsAre("Content-Type", "Accept", "User-Agent", "x-ms-client-request-id",
                                             "Host", "x-ms-date", "x-ms-content-sha256", "Authorization"));
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Accept"), "application/json");
  EXPECT_EQ(header(req, "User-Agent"), "acsbatch-test/1.0");
  EXPECT_EQ(header(req, "x-ms-client-request-id"), request_id);
  EXPECT_EQ(header(req, "Host"), "127.0.0.1:8089");
  EXPECT_EQ(header(req, "x-ms-date"), vector_date);
  EXPECT_EQ(header(req, "x-ms-content-sha256"), empty_hash);
  EXPECT_EQ(header(req, "Authorization"), std::string(auth_prefix) + "7yRGa+/2QlFSOxrIAJIdq1R075dw/9vQ++H9ASWFVeI=");
  EXPECT_EQ(req.body, "");
  EXPECT_TRUE(req.has_body);
}

TEST_F(wire_fixture, create_user_and_token_matches_vector_v2) {
  const auto req = make_create_user_and_token(context(), {"chat", "voip"}, std::nullopt, {});
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/identities?api-version=2023-10-01");
  EXPECT_EQ(req.body, R"({"createTokenWithScopes":["chat","voip"]})");
  EXPECT_TRUE(req.has_body);
  EXPECT_THAT(header_names(req), ElementsAre("Content-Type", "Accept", "User-Agent", "x-ms-client-request-id",
                                             "Host", "x-ms-date", "x-ms-content-sha256", "Authorization"));
  EXPECT_EQ(header(req, "x-ms-content-sha256"), "fYTayOkxDFdoXd25BoJTvoTLLr5+QVfLFXvdJep6oNs=");
  EXPECT_EQ(header(req, "Authorization"), std::string(auth_prefix) + "kX1jGBK0ginkqoQ692vI18aYXmUwcI2zhHkD8BzISpQ=");
}

TEST_F(wire_fixture, create_user_and_token_with_expiry_matches_vector_v5) {
  // V5: the SDK's signing policy on a default-port https endpoint (Host has no port).
  const auto resource = endpoint::parse("https://my-resource.communication.azure.com/");
  auto ctx = context("2023-10-01", "Wed, 25 Nov 2026 11:58:43 GMT");
  ctx.target = &resource;
  const auto req = make_create_user_and_token(ctx, {"chat", "voip"}, 60min, {});
  EXPECT_EQ(req.body, R"({"createTokenWithScopes":["chat","voip"],"expiresInMinutes":60})");
  EXPECT_EQ(header(req, "Host"), "my-resource.communication.azure.com");
  EXPECT_EQ(header(req, "x-ms-content-sha256"), "jENEeifYNCidF9FcfXJ54WzhK3ED/2UrQyA4+oWOZKc=");
  EXPECT_EQ(header(req, "Authorization"), std::string(auth_prefix) + "ldcyiEFa6vrHeyGoDlYRVJofvBRH1VrBROrETxI+Szo=");
}

TEST_F(wire_fixture, custom_id_comes_first_as_in_the_preview_example) {
  create_options options;
  options.custom_id = "sally@contoso.com";
  const auto with_token = make_create_user_and_token(context("2025-03-02-preview"), {"chat"}, 60min, options);
  EXPECT_EQ(with_token.target, "/identities?api-version=2025-03-02-preview");
  EXPECT_EQ(with_token.body, R"({"customId":"sally@contoso.com","createTokenWithScopes":["chat"],"expiresInMinutes":60})");
  const auto plain = make_create_user(context("2025-03-02-preview"), options);
  EXPECT_EQ(plain.body, R"({"customId":"sally@contoso.com"})");
  EXPECT_EQ(header(plain, "x-ms-content-sha256"), auth::content_hash(plain.body));
}

TEST_F(wire_fixture, a_repeatable_create_appends_its_repeatability_headers) {
  create_options options;
  options.repeat = repeatability{"6f9619ff-8b86-4011-b42d-00c04fc964ff",
                                 std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours{11}};
  const auto req = make_create_user(context(), options);
  // After the signed headers: they are not signed, and the SDK's own headers keep their order.
  EXPECT_THAT(header_names(req), ElementsAre("Content-Type", "Accept", "User-Agent", "x-ms-client-request-id",
                                             "Host", "x-ms-date", "x-ms-content-sha256", "Authorization",
                                             "Repeatability-Request-ID", "Repeatability-First-Sent"));
  EXPECT_EQ(header(req, "Repeatability-Request-ID"), "6f9619ff-8b86-4011-b42d-00c04fc964ff");
  EXPECT_EQ(header(req, "Repeatability-First-Sent"), "Wed, 25 Nov 2026 11:00:00 GMT");
  EXPECT_EQ(header(make_create_user_and_token(context(), {"voip"}, std::nullopt, options), "Repeatability-First-Sent"),
            "Wed, 25 Nov 2026 11:00:00 GMT");
}

TEST_F(wire_fixture, issue_token_matches_vector_v3) {
  const auto req = make_issue_token(context(), vector_user, {"voip"}, std::nullopt);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, std::string(vector_user_path) + "/:issueAccessToken?api-version=2023-10-01");
  EXPECT_EQ(req.body, R"({"scopes":["voip"]})");
  EXPECT_TRUE(req.has_body);
  EXPECT_THAT(header_names(req), ElementsAre("Content-Type", "Accept", "User-Agent", "x-ms-client-request-id",
                                             "Host", "x-ms-date", "x-ms-content-sha256", "Authorization"));
  EXPECT_EQ(header(req, "x-ms-content-sha256"), "P1RwfEo9ooiQzNiWxaaue5mYALPNYKlNk8kSWHZrWlg=");
  EXPECT_EQ(header(req, "Authorization"), std::string(auth_prefix) + "mgOucrq6S0oTE6dDf8GyrshW/wI9DQv56Ei1asjx9E4=");
}

TEST_F(wire_fixture, issue_token_with_expiry_body) {
  const auto req = make_issue_token(context(), vector_user, {"chat.join", "voip.join"}, 120min);
  EXPECT_EQ(req.body, R"({"scopes":["chat.join","voip.join"],"expiresInMinutes":120})");
}

TEST_F(wire_fixture, revoke_tokens_has_empty_body_without_content_type) {
  const auto req = make_revoke_tokens(context(), vector_user);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, std::string(vector_user_path) + "/:revokeAccessTokens?api-version=2023-10-01");
  EXPECT_THAT(header_names(req), ElementsAre("Accept", "User-Agent", "x-ms-client-request-id", "Host",
                                             "x-ms-date", "x-ms-content-sha256", "Authorization"));
  EXPECT_EQ(req.body, "");
  EXPECT_TRUE(req.has_body);  // Content-Length: 0, as the SDK sends
  EXPECT_EQ(header(req, "x-ms-content-sha256"), empty_hash);
}

TEST_F(wire_fixture, delete_user_matches_vector_v4) {
  const auto req = make_delete_user(context(), vector_user);
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.target, std::string(vector_user_path) + "?api-version=2023-10-01");
  EXPECT_THAT(header_names(req), ElementsAre("Accept", "User-Agent", "x-ms-client-request-id", "Host",
                                             "x-ms-date", "x-ms-content-sha256", "Authorization"));
  EXPECT_FALSE(req.has_body);  // no Content-Length at all
  EXPECT_EQ(header(req, "Authorization"), std::string(auth_prefix) + "K+ZltLjxuiEIEWN9jld5Qm5GIDXa7vn16GhSZHlWXcY=");
}

TEST_F(wire_fixture, delete_user_matches_vector_v6) {
  const auto resource = endpoint::parse("https://my-resource.communication.azure.com");
  auto ctx = context("2025-06-30", "Wed, 25 Nov 2026 11:58:43 GMT");
  ctx.target = &resource;
  const auto req = make_delete_user(ctx, "8:acs:abc_def");
  EXPECT_EQ(req.target, "/identities/8%3Aacs%3Aabc_def?api-version=2025-06-30");
  EXPECT_EQ(header(req, "Authorization"), std::string(auth_prefix) + "KRUgxW5A5RQOIgFvGTe2UiVpllQ5jUBs0WUS5pCOxiM=");
}

TEST_F(wire_fixture, get_user_is_a_signed_get_without_body) {
  const auto req = make_get_user(context("2025-03-02-preview"), vector_user);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, std::string(vector_user_path) + "?api-version=2025-03-02-preview");
  EXPECT_THAT(header_names(req), Not(::testing::Contains("Content-Type")));
  EXPECT_FALSE(req.has_body);
  const auto expected = signer.sign("GET", req.target, "127.0.0.1:8089", vector_date, "");
  EXPECT_EQ(header(req, "Authorization"), expected.authorization);
}

TEST_F(wire_fixture, empty_user_agent_is_left_out) {
  auto ctx = context();
  ctx.user_agent.clear();
  EXPECT_THAT(header_names(make_delete_user(ctx, "x")), Not(::testing::Contains("User-Agent")));
}

TEST(wire_path, encode_path_segment_is_encode_uri_component) {
  EXPECT_EQ(encode_path_segment("8:acs:abc_def-1.x~!*'()"), "8%3Aacs%3Aabc_def-1.x~!*'()");
  EXPECT_EQ(encode_path_segment("a b/c?d#e%f+g&h=i"), "a%20b%2Fc%3Fd%23e%25f%2Bg%26h%3Di");
  EXPECT_EQ(encode_path_segment("\xC3\xA9"), "%C3%A9");
}

TEST(wire_path, decode_path_segment_round_trips_and_refuses_bad_escapes) {
  EXPECT_EQ(decode_path_segment("8%3Aacs%3Aabc_def"), "8:acs:abc_def");
  EXPECT_EQ(decode_path_segment("8%3aacs"), "8:acs");
  const std::string raw = "8:acs:r_u \xC3\xA9/?%";
  EXPECT_EQ(decode_path_segment(encode_path_segment(raw)), raw);
  EXPECT_EQ(decode_path_segment("%4"), std::nullopt);
  EXPECT_EQ(decode_path_segment("abc%"), std::nullopt);
  EXPECT_EQ(decode_path_segment("%zz"), std::nullopt);
}

TEST(wire_request_id, is_a_random_uuid_v4) {
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto id = new_client_request_id();
    EXPECT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// Idempotency keys (engine) and request ids come from one generator per thread: threads (and
// processes) must not share a sequence, as a fixed or shared seed would make them do.
TEST(wire_request_id, every_thread_draws_its_own_sequence) {
  std::vector<std::string> firsts(4);
  std::vector<std::thread> threads;
  for (auto& first : firsts) threads.emplace_back([&first] { first = random_uuid() + random_uuid(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(firsts.begin(), firsts.end()).size(), firsts.size());
  EXPECT_EQ(firsts[0].size(), 72u);
}

}  // namespace
}  // namespace acsbatch::identity
