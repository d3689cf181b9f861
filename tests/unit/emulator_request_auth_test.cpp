#include "emulator_handler_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using namespace test;

// HMAC verification as the service does it (docs/rest-contract.md §4, §8, §10), incl. the SDK vectors.
class EmulatorRequestAuth : public handler_fixture {};

TEST_F(EmulatorRequestAuth, AcceptsTheExactSignedRequestOfVectorV1) {
  http::request req;
  req.method = "POST";
  req.target = "/identities?api-version=2023-10-01";
  req.headers.add("Content-Type", "application/json");
  req.headers.add("Host", "127.0.0.1:8089");
  req.headers.add("x-ms-date", "Wed, 25 Nov 2026 11:58:14 GMT");
  req.headers.add("x-ms-content-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  req.headers.add("Authorization",
                  "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&"
                  "Signature=7yRGa+/2QlFSOxrIAJIdq1R075dw/9vQ++H9ASWFVeI=");
  req.has_body = true;
  const auto res = handler_.handle(req, true, vector_date);
  ASSERT_EQ(res.status, 201u) << res.body;
  EXPECT_EQ(body(res).size(), 1u);
}

TEST_F(EmulatorRequestAuth, AcceptsThePercentEncodedVectorsV3AndV4) {
  // Authentic, for an identity this store never made: past auth, then 404 (not 401).
  const std::string id_path =
      "/identities/8%3Aacs%3A4a1c9b2e-0000-4000-8000-00000000abcd_00000020-0000-0000-0000-000000000015";
  http::request v3;
  v3.method = "POST";
  v3.target = id_path + "/:issueAccessToken?api-version=2023-10-01";
  v3.headers.add("Host", "127.0.0.1:8089");
  v3.headers.add("x-ms-date", "Wed, 25 Nov 2026 11:58:14 GMT");
  v3.headers.add("x-ms-content-sha256", "P1RwfEo9ooiQzNiWxaaue5mYALPNYKlNk8kSWHZrWlg=");
  v3.headers.add("Authorization",
                 "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&"
                 "Signature=mgOucrq6S0oTE6dDf8GyrshW/wI9DQv56Ei1asjx9E4=");
  v3.body = R"({"scopes":["voip"]})";
  expect_error(handler_.handle(v3, true, vector_date), 404, "IdentityNotFound");

  http::request v4;
  v4.method = "DELETE";
  v4.target = id_path + "?api-version=2023-10-01";
  v4.headers.add("Host", "127.0.0.1:8089");
  v4.headers.add("x-ms-date", "Wed, 25 Nov 2026 11:58:14 GMT");
  v4.headers.add("x-ms-content-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  v4.headers.add("Authorization",
                 "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&"
                 "Signature=K+ZltLjxuiEIEWN9jld5Qm5GIDXa7vn16GhSZHlWXcY=");
  expect_error(handler_.handle(v4, true, vector_date), 404, "IdentityNotFound");
}

TEST_F(EmulatorRequestAuth, WrongKeyIsDenied) {
  const auto req = signed_request("POST", identities(), "", now_, std::string(64, 'k'));
  const auto res = handler_.handle(req, true, now_);
  expect_error(res, 401, "Denied");
  EXPECT_EQ(body(res).at("error").at("message").as_string(), "Denied by the resource provider.");
  EXPECT_EQ(res.headers.get("x-emulator-denial-reason"), "signature_mismatch");
}

TEST_F(EmulatorRequestAuth, TamperedBodyFailsTheContentHash) {
  auto req = signed_request("POST", identities(), R"({"createTokenWithScopes":["chat"]})", now_);
  req.body = R"({"createTokenWithScopes":["voip"]})";
  const auto res = handler_.handle(req, true, now_);
  expect_error(res, 401, "Denied");
  EXPECT_EQ(body(res).at("error").at("message").as_string(),
            "Request 'x-ms-content-sha256' differs from generated content hash.");
}

TEST_F(EmulatorRequestAuth, SignedPartsCannotBeChanged) {
  auto other_host = signed_request("POST", identities(), "", now_);
  other_host.headers.set("Host", "127.0.0.1:9999");
  expect_error(handler_.handle(other_host, true, now_), 401, "Denied");
  auto other_target = signed_request("POST", identities(), "", now_);
  other_target.target = identities(preview);
  expect_error(handler_.handle(other_target, true, now_), 401, "Denied");
  auto other_method = signed_request("POST", identity("8:acs:x_y"), "", now_);
  other_method.method = "DELETE";
  expect_error(handler_.handle(other_method, true, now_), 401, "Denied");
}

TEST_F(EmulatorRequestAuth, MissingOrGarbledAuthorizationIsDenied) {
  const auto check = [&](auto mutate, std::string_view reason) {
    auto req = signed_request("POST", identities(), "", now_);
    mutate(req);
    const auto res = handler_.handle(req, true, now_);
    expect_error(res, 401, "Denied");
    EXPECT_EQ(res.headers.get("x-emulator-denial-reason"), reason);
  };
  check([](http::request& r) { r.headers.erase("Authorization"); }, "missing_authorization");
  check([](http::request& r) { r.headers.set("Authorization", "Bearer abc"); }, "malformed_authorization");
  check([](http::request& r) { r.headers.set("Authorization", "HMAC-SHA256 Signature=abc"); },
        "malformed_authorization");
  check([](http::request& r) { r.headers.erase("x-ms-date"); }, "missing_date");
  check([](http::request& r) { r.headers.set("x-ms-date", "2026-11-25T11:58:14Z"); }, "malformed_date");
  check([](http::request& r) { r.headers.erase("x-ms-content-sha256"); }, "missing_content_hash");
  check([](http::request& r) { r.headers.erase("Host"); }, "missing_host");
}

TEST_F(EmulatorRequestAuth, DatesOutsideTheSkewAreDeniedOldRetriesWithinAreAccepted) {
  const auto stale = send("POST", identities(), "", now_ - 16min);
  expect_error(stale, 401, "Denied");
  EXPECT_EQ(stale.headers.get("x-emulator-denial-reason"), "clock_skew");
  expect_error(send("POST", identities(), "", now_ + 16min), 401, "Denied");
  // A retry re-sends its first date: 14 minutes old is still fine.
  EXPECT_EQ(send("POST", identities(), "", now_ - 14min).status, 201u);
  EXPECT_EQ(send("POST", identities(), "", now_ + 14min).status, 201u);
}

// The skew was computed as date − now, which overflows (UBSan: signed integer overflow) for an
// x-ms-date centuries away; emulator_request_fuzz's seed found-x-ms-date-1678.txt replays it.
TEST_F(EmulatorRequestAuth, DatesCenturiesAwayAreDeniedWithoutOverflow) {
  for (const auto year : {std::chrono::year{1678}, std::chrono::year{2261}}) {
    const auto res = send("POST", identities(), "", clock_point{std::chrono::sys_days{year / 1 / 1}});
    expect_error(res, 401, "Denied");
    EXPECT_EQ(res.headers.get("x-emulator-denial-reason"), "clock_skew");
  }
}

}  // namespace
}  // namespace acsbatch::emulator
