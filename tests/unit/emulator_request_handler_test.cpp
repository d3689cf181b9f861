#include "emulator_handler_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>

#include "acsbatch/identity/api_versions.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using namespace test;

// Routing, validation and the identity operations.
class EmulatorRequestHandler : public handler_fixture {};

TEST_F(EmulatorRequestHandler, CreateUserAnswers201WithOnlyTheIdentity) {
  // The SDK's createUser: empty body, Content-Length 0, still Content-Type json.
  const auto res = send("POST", identities());
  ASSERT_EQ(res.status, 201u) << res.body;
  EXPECT_EQ(res.headers.get("Content-Type"), "application/json; charset=utf-8");
  const auto out = body(res);
  ASSERT_EQ(out.size(), 1u);
  const auto& identity = out.at("identity").as_object();
  ASSERT_EQ(identity.size(), 1u);
  const std::regex shape{std::string("^8:acs:") + resource +
                         "_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"};
  EXPECT_TRUE(std::regex_match(std::string(identity.at("id").as_string()), shape));
}

TEST_F(EmulatorRequestHandler, EveryResponseCarriesTheServiceHeaders) {
  const auto res = send("POST", identities());
  EXPECT_TRUE(std::regex_match(std::string(res.headers.get("MS-CV").value_or("")),
                               std::regex{"^[A-Za-z0-9+/]{22}\\.0$"}));
  EXPECT_EQ(res.headers.get("x-ms-client-request-id"), "6f9619ff-8b86-4011-b42d-00c04fc964ff");
  EXPECT_EQ(res.headers.get("Date"), format_http_date(now_));
  EXPECT_NE(res.headers.get("api-supported-versions").value_or("").find("2023-10-01"), std::string::npos);
  // No request id in, none echoed.
  http::request bare;
  bare.method = "GET";
  bare.target = "/nowhere";
  EXPECT_FALSE(handler_.handle(bare, true, now_).headers.get("x-ms-client-request-id"));
}

TEST_F(EmulatorRequestHandler, CreateUserAndTokenDefaultsTo24Hours) {
  const auto res = send("POST", identities(), R"({"createTokenWithScopes":["chat","voip"]})");
  ASSERT_EQ(res.status, 201u) << res.body;
  const auto out = body(res);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.at("identity").as_object().size(), 1u);
  const auto& token = out.at("accessToken").as_object();
  ASSERT_EQ(token.size(), 2u);
  EXPECT_EQ(token.at("expiresOn").as_string(), format_rfc3339(now_ + 1440min));
  EXPECT_EQ(validity(std::string(token.at("token").as_string())), "valid");
}

TEST_F(EmulatorRequestHandler, CreateUserAndTokenHonoursExpiresInMinutes) {
  const auto res = send("POST", identities(), R"({"createTokenWithScopes":["voip"],"expiresInMinutes":60})");
  ASSERT_EQ(res.status, 201u) << res.body;
  EXPECT_EQ(body(res).at("accessToken").at("expiresOn").as_string(), format_rfc3339(now_ + 60min));
  EXPECT_TRUE(std::regex_match(std::string(body(res).at("accessToken").at("expiresOn").as_string()),
                               std::regex{R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$)"}));
}

TEST_F(EmulatorRequestHandler, IssueTokenAnswers200WithTokenAndExpiry) {
  const auto id = create_id();
  const auto res = send("POST", identity(id, "/:issueAccessToken"),
                        R"({"scopes":["chat.join","voip.join"],"expiresInMinutes":120})");
  ASSERT_EQ(res.status, 200u) << res.body;
  const auto out = body(res);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.at("expiresOn").as_string(), format_rfc3339(now_ + 120min));
  EXPECT_EQ(validity(std::string(out.at("token").as_string())), "valid");
}

TEST_F(EmulatorRequestHandler, RevokeAnswers204AndInvalidatesOnlyEarlierTokens) {
  const auto id = create_id();
  const auto before = issue(id);
  const auto res = send("POST", identity(id, "/:revokeAccessTokens"));
  EXPECT_EQ(res.status, 204u);
  EXPECT_TRUE(res.body.empty());
  EXPECT_FALSE(res.headers.get("Content-Type"));
  const auto after = issue(id);
  EXPECT_EQ(validity(before), "revoked");
  EXPECT_EQ(validity(after), "valid");
}

TEST_F(EmulatorRequestHandler, DeletedIdentityIs404ForEveryOperation) {
  const auto id = create_id(preview);
  const auto token = issue(id);
  const auto res = send("DELETE", identity(id));
  EXPECT_EQ(res.status, 204u);
  EXPECT_TRUE(res.body.empty());
  expect_error(send("DELETE", identity(id)), 404, "IdentityNotFound");
  expect_error(send("POST", identity(id, "/:issueAccessToken"), R"({"scopes":["chat"]})"), 404,
               "IdentityNotFound");
  expect_error(send("POST", identity(id, "/:revokeAccessTokens")), 404, "IdentityNotFound");
  expect_error(send("GET", identity(id, "", preview)), 404, "IdentityNotFound");
  EXPECT_EQ(validity(token), "unknown_identity");
}

TEST_F(EmulatorRequestHandler, UnknownIdentityIs404) {
  const std::string id = std::string("8:acs:") + resource + "_00000000-0000-4000-8000-000000000000";
  expect_error(send("POST", identity(id, "/:issueAccessToken"), R"({"scopes":["chat"]})"), 404,
               "IdentityNotFound");
  expect_error(send("POST", identity(id, "/:revokeAccessTokens")), 404, "IdentityNotFound");
  expect_error(send("DELETE", identity(id)), 404, "IdentityNotFound");
}

TEST_F(EmulatorRequestHandler, RejectsBadScopes) {
  const auto id = create_id();
  const auto target = identity(id, "/:issueAccessToken");
  expect_error(send("POST", target, R"({"scopes":["chat","email"]})"), 400, "ValidationError", "scopes");
  expect_error(send("POST", target, R"({"scopes":[]})"), 400, "ValidationError", "scopes");
  expect_error(send("POST", target, R"({"scopes":"chat"})"), 400, "ValidationError", "scopes");
  expect_error(send("POST", target, R"({"scopes":[7]})"), 400, "ValidationError", "scopes");
  expect_error(send("POST", target, R"({})"), 400, "ValidationError", "scopes");
  expect_error(send("POST", target, ""), 400, "ValidationError", "scopes");
  expect_error(send("POST", identities(), R"({"createTokenWithScopes":["admin"]})"), 400,
               "ValidationError", "createTokenWithScopes");
  expect_error(send("POST", identities(), R"({"createTokenWithScopes":[]})"), 400, "ValidationError",
               "createTokenWithScopes");
}

TEST_F(EmulatorRequestHandler, RejectsExpiryOutsideTheRange) {
  const auto id = create_id();
  const auto target = identity(id, "/:issueAccessToken");
  for (const auto* minutes : {"59", "1441", "0", "-60", "60.5", "\"60\"", "100000000000000000000"})
    expect_error(send("POST", target, std::string(R"({"scopes":["chat"],"expiresInMinutes":)") + minutes + "}"),
                 400, "ValidationError", "expiresInMinutes");
  expect_error(send("POST", identities(), R"({"createTokenWithScopes":["chat"],"expiresInMinutes":1441})"),
               400, "ValidationError", "expiresInMinutes");
  EXPECT_EQ(send("POST", target, R"({"scopes":["chat"],"expiresInMinutes":60})").status, 200u);
  EXPECT_EQ(send("POST", target, R"({"scopes":["chat"],"expiresInMinutes":1440})").status, 200u);
}

TEST_F(EmulatorRequestHandler, RejectsMalformedJson) {
  expect_error(send("POST", identities(), R"({"createTokenWithScopes":)"), 400, "BadRequest");
  expect_error(send("POST", identities(), R"([1,2])"), 400, "BadRequest");
  const auto id = create_id();
  expect_error(send("POST", identity(id, "/:issueAccessToken"), "{scopes:[chat]}"), 400, "BadRequest");
  // Nothing was created by the failed attempts.
  EXPECT_EQ(handler_.store().counters().created, 1u);
}

TEST_F(EmulatorRequestHandler, ApiVersionIsRequiredAndChecked) {
  expect_error(send("POST", "/identities"), 400, "MissingApiVersionParameter");
  expect_error(send("POST", "/identities?api-version="), 400, "MissingApiVersionParameter");
  expect_error(send("POST", "/identities?api-version=2020-07-20-preview2"), 400, "UnsupportedApiVersion");
  for (const auto& version : identity::api_versions())
    EXPECT_EQ(send("POST", identities(version.version)).status, 201u) << version.version;
}

TEST_F(EmulatorRequestHandler, GetUserExistsOnlyInCustomIdVersions) {
  const auto id = create_id();
  expect_error(send("GET", identity(id)), 404, "NotFound");
  const auto res = send("GET", identity(id, "", preview));
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.body, R"({"id":")" + id + R"("})");
  issue(id);
  expect_error(send("GET", identity(id, "", "2025-06-30")), 404, "NotFound");  // not in its spec
  const auto after = body(send("GET", identity(id, "", preview)));
  EXPECT_EQ(after.at("lastTokenIssuedAt").as_string(), format_rfc3339(now_));
}

TEST_F(EmulatorRequestHandler, CustomIdIsIdempotentInThePreview) {
  const auto first = send("POST", identities(preview),
                          R"({"customId":"sally@contoso.com","createTokenWithScopes":["chat"],"expiresInMinutes":60})");
  ASSERT_EQ(first.status, 201u) << first.body;
  const auto identity_json = body(first).at("identity").as_object();
  EXPECT_EQ(identity_json.at("customId").as_string(), "sally@contoso.com");
  EXPECT_EQ(identity_json.at("lastTokenIssuedAt").as_string(), format_rfc3339(now_));
  const auto again = send("POST", identities(preview), R"({"customId":"sally@contoso.com"})");
  ASSERT_EQ(again.status, 200u);  // the existing identity, not a new one
  EXPECT_EQ(body(again).at("identity").at("id"), identity_json.at("id"));
  const auto other = send("POST", identities(preview), R"({"customId":"bob@contoso.com"})");
  EXPECT_NE(body(other).at("identity").at("id"), identity_json.at("id"));
  const auto got = body(send("GET", identity(std::string(identity_json.at("id").as_string()), "", preview)));
  EXPECT_EQ(got.at("customId").as_string(), "sally@contoso.com");
  expect_error(send("POST", identities(preview), R"({"customId":42})"), 400, "ValidationError", "customId");
}

TEST_F(EmulatorRequestHandler, CustomIdIsIgnoredWhereTheVersionHasNone) {
  // Decision: 2023-10-01 has no customId, so it is an unknown property and ignored (not an
  // error), as the service's models ignore unknown properties: every create is a new identity.
  const auto a = send("POST", identities(), R"({"customId":"sally@contoso.com"})");
  const auto b = send("POST", identities(), R"({"customId":"sally@contoso.com"})");
  ASSERT_EQ(a.status, 201u);
  ASSERT_EQ(b.status, 201u);
  EXPECT_NE(body(a).at("identity").at("id"), body(b).at("identity").at("id"));
  EXPECT_FALSE(body(a).at("identity").as_object().contains("customId"));
}

TEST_F(EmulatorRequestHandler, TeamsExchangeIsHonestlyNotImplemented) {
  expect_error(send("POST", "/teamsUser/:exchangeAccessToken?api-version=2023-10-01",
                    R"({"token":"aad.tok.en","appId":"a","userId":"u"})"),
               501, "NotImplemented");
  expect_error(send("POST", "/access/teamsExtension/:exchangeAccessToken?api-version=2025-06-30", "{}"),
               501, "NotImplemented");
}

TEST_F(EmulatorRequestHandler, UnknownRoutesAndMethods) {
  expect_error(send("POST", "/users?api-version=2023-10-01"), 404, "NotFound");
  expect_error(send("POST", identity("8:acs:x_y", "/:frobnicate")), 404, "NotFound");
  const auto res = send("PUT", identities());
  expect_error(res, 405, "MethodNotAllowed");
  EXPECT_EQ(res.headers.get("Allow"), "POST");
}

TEST_F(EmulatorRequestHandler, EmulatorEndpointsAreLoopbackOnly) {
  http::request req;
  req.method = "GET";
  req.target = "/emulator/stats";
  expect_error(handler_.handle(req, false, now_), 403, "Forbidden");
  EXPECT_EQ(handler_.handle(req, true, now_).status, 200u);
  req.method = "POST";
  req.target = "/emulator/tokens:validate";
  req.body = R"({"token":"x"})";
  expect_error(handler_.handle(req, false, now_), 403, "Forbidden");
}

TEST_F(EmulatorRequestHandler, StatsCountIdentitiesTokensAndRequestsByStatus) {
  const auto id = create_id();
  send("POST", identities(), R"({"createTokenWithScopes":["chat"]})");
  issue(id);
  issue(id);
  send("POST", identity(id, "/:revokeAccessTokens"));
  send("DELETE", identity(id));
  send("DELETE", identity(id));
  send("POST", identities(), "", now_ - 1h);  // 401
  handler_.handle(signed_request("POST", identities(), "", now_, std::string(64, 'x')), true, now_);

  http::request req;
  req.method = "GET";
  req.target = "/emulator/stats";
  const auto stats = body(handler_.handle(req, true, now_));
  EXPECT_EQ(boost::json::serialize(stats.at("identities")), R"({"created":2,"live":1,"deleted":1})");
  EXPECT_EQ(boost::json::serialize(stats.at("tokens")), R"({"issued":3})");
  const auto& requests = stats.at("requests").as_object();
  EXPECT_EQ(boost::json::serialize(requests.at("create_user")), R"({"201":1,"401":2})");
  EXPECT_EQ(boost::json::serialize(requests.at("create_user_and_token")), R"({"201":1})");
  EXPECT_EQ(boost::json::serialize(requests.at("issue_token")), R"({"200":2})");
  EXPECT_EQ(boost::json::serialize(requests.at("revoke_tokens")), R"({"204":1})");
  EXPECT_EQ(boost::json::serialize(requests.at("delete_user")), R"({"204":1,"404":1})");
  EXPECT_EQ(boost::json::serialize(requests.at("get_user")), "{}");
}

}  // namespace
}  // namespace acsbatch::emulator

namespace acsbatch::emulator {
namespace {

using namespace test;

/// A signed create carrying Repeatability-* headers (docs/rest-contract.md §3).
http::request repeatable_create(const std::string& request_id, std::optional<std::string> first_sent,
                                clock_point now) {
  auto req = signed_request("POST", "/identities?api-version=2023-10-01", "", now);
  req.headers.add("Repeatability-Request-ID", request_id);
  if (first_sent) req.headers.add("Repeatability-First-Sent", *first_sent);
  return req;
}

class EmulatorRepeatability : public handler_fixture {};

TEST_F(EmulatorRepeatability, ARepeatedRequestIdReturnsTheFirstSendsIdentity) {
  const std::string first_sent = "Wed, 25 Nov 2026 11:58:00 GMT";
  const auto first = handler_.handle(repeatable_create("6f9619ff-8b86-4011-b42d-00c04fc964f1", first_sent, now_), true, now_);
  ASSERT_EQ(first.status, 201u) << first.body;
  EXPECT_EQ(first.headers.get("Repeatability-Result"), "accepted");
  const auto again = handler_.handle(repeatable_create("6f9619ff-8b86-4011-b42d-00c04fc964f1", first_sent, now_), true, now_);
  ASSERT_EQ(again.status, 201u);
  EXPECT_EQ(again.headers.get("Repeatability-Result"), "accepted");
  EXPECT_EQ(body(again).at("identity").at("id"), body(first).at("identity").at("id"));
  const auto other = handler_.handle(repeatable_create("6f9619ff-8b86-4011-b42d-00c04fc964f2", first_sent, now_), true, now_);
  EXPECT_NE(body(other).at("identity").at("id"), body(first).at("identity").at("id"));
  // Without the headers nothing says so: the client cannot tell a repeat would be safe.
  EXPECT_FALSE(send("POST", identities()).headers.get("Repeatability-Result"));
}

TEST_F(EmulatorRepeatability, ARequestIdWithoutAValidFirstSentIs400) {
  for (const std::optional<std::string>& bad : {std::optional<std::string>{}, std::optional<std::string>{"yesterday"}}) {
    const auto res = handler_.handle(repeatable_create("6f9619ff-8b86-4011-b42d-00c04fc964f3", bad, now_), true, now_);
    EXPECT_EQ(res.status, 400u);
    EXPECT_EQ(body(res).at("error").at("code"), "InvalidRepeatabilityHeader");
    EXPECT_EQ(body(res).at("error").at("target"), "Repeatability-First-Sent");
  }
}

}  // namespace
}  // namespace acsbatch::emulator
