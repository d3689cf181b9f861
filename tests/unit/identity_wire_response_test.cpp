// Reading service responses (identity/wire.hpp, wire_response.cpp): every success shape, every
// error shape, contract violations, Retry-After, and what error::describe() may show.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/identity/wire.hpp"

namespace acsbatch::identity {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* request_id = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

http::response reply(unsigned status, std::string body, std::vector<http::header> headers = {}) {
  http::response res;
  res.status = status;
  res.reason = status < 300 ? "OK" : "Error";
  for (auto& h : headers) res.headers.add(h.name, h.value);
  res.body = std::move(body);
  return res;
}

constexpr const char* token_text = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE2NTc4NzQ3MzJ9.c2lnbmF0dXJl";

TEST(wire_read, create_user_201) {
  const auto r = read_create_user(reply(201, R"({"identity":{"id":"8:acs:r_u"}})"), request_id);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->id, "8:acs:r_u");
  EXPECT_EQ(r->custom_id, std::nullopt);
}

TEST(wire_read, create_user_says_whether_the_repeatability_id_was_honoured) {
  const std::string body = R"({"identity":{"id":"8:acs:r_u"}})";
  EXPECT_FALSE(read_create_user(reply(201, body), request_id)->repeatability_accepted);
  EXPECT_TRUE(read_create_user(reply(201, body, {{"repeatability-result", "Accepted"}}), request_id)->repeatability_accepted);
  EXPECT_FALSE(read_create_user(reply(201, body, {{"Repeatability-Result", "rejected"}}), request_id)->repeatability_accepted);
  const auto both = read_create_user_and_token(
      reply(201, R"({"identity":{"id":"8:acs:r_u"},"accessToken":{"token":")" + std::string(token_text) +
                     R"(","expiresOn":"2026-11-26T12:00:00.000Z"}})",
            {{"Repeatability-Result", "accepted"}}),
      request_id);
  ASSERT_TRUE(both) << both.error().describe();
  EXPECT_TRUE(both->user.repeatability_accepted);
}

TEST(wire_read, create_user_preview_shape_with_custom_id) {
  const auto r = read_create_user(
      reply(201, R"({"identity":{"customId":"sally@contoso.com","id":"8:acs:r_u","lastTokenIssuedAt":"2025-02-10T21:39:39.3244584+00:00"}})"),
      request_id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->custom_id, "sally@contoso.com");
  EXPECT_EQ(r->last_token_issued_at, "2025-02-10T21:39:39.3244584+00:00");
}

TEST(wire_read, create_user_and_token_201) {
  const auto body = std::string(R"({"identity":{"id":"8:acs:r_u"},"accessToken":{"token":")") + token_text +
                    R"(","expiresOn":"2023-10-10T21:39:39.3244584+00:00"}})";
  const auto r = read_create_user_and_token(reply(201, body), request_id);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->user.id, "8:acs:r_u");
  EXPECT_EQ(r->token.token, token_text);
  EXPECT_EQ(r->token.expires_on, *parse_rfc3339("2023-10-10T21:39:39.3244584Z"));
}

// Bodies are parsed into a 4 KiB buffer on the stack; a larger one (a long token, many
// members) spills over to the heap and must read the same.
TEST(wire_read, a_body_larger_than_the_parse_buffer_reads_the_same) {
  const std::string token(20000, 'k');
  std::string padding;
  for (int i = 0; i < 200; ++i) padding += R"("extra)" + std::to_string(i) + R"(":[1,2,3,{"a":"b"}],)";
  const auto body = R"({)" + padding + R"("identity":{"id":"8:acs:r_u"},"accessToken":{"token":")" + token +
                    R"(","expiresOn":"2023-10-10T21:39:39.3244584+00:00"}})";
  ASSERT_GT(body.size(), 8192u);
  const auto r = read_create_user_and_token(reply(201, body), request_id);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->user.id, "8:acs:r_u");
  EXPECT_EQ(r->token.token, token);
  const auto error = read_issue_token(reply(400, R"({"error":{"code":"Bad","message":")" + std::string(6000, 'm') +
                                                     R"("}})"),
                                      request_id);
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().service_code, "Bad");
}

TEST(wire_read, issue_token_200_accepts_z_and_offset_forms) {
  const auto r = read_issue_token(reply(200, R"({"token":"t.o.k","expiresOn":"2026-11-26T11:58:14Z"})"), request_id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->token, "t.o.k");
  EXPECT_EQ(r->expires_on, *parse_http_date("Thu, 26 Nov 2026 11:58:14 GMT"));
  const auto offset = read_issue_token(reply(200, R"({"token":"t","expiresOn":"2026-11-26T12:58:14+01:00"})"), request_id);
  ASSERT_TRUE(offset);
  EXPECT_EQ(offset->expires_on, r->expires_on);
}

TEST(wire_read, no_content_204) {
  EXPECT_TRUE(read_no_content(reply(204, ""), request_id));
}

TEST(wire_read, get_user_200_and_the_external_id_spelling) {
  const auto r = read_get_user(reply(200, R"({"id":"8:acs:r_u","customId":"c1","lastTokenIssuedAt":"2025-02-10T21:39:39Z"})"), request_id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "8:acs:r_u");
  EXPECT_EQ(r->custom_id, "c1");
  const auto older = read_get_user(reply(200, R"({"id":"8:acs:r_u","externalId":"c2"})"), request_id);
  ASSERT_TRUE(older);
  EXPECT_EQ(older->custom_id, "c2");
}

TEST(wire_read, validation_error_400_with_target) {
  const auto r = read_issue_token(
      reply(400, R"({"error":{"code":"ValidationError","message":"Invalid scopes","target":"scopes","details":[{"code":"x","message":"y"}]}})",
            {{"Content-Type", "application/json"}, {"x-ms-request-id", "srv-123"}}),
      request_id);
  ASSERT_FALSE(r);
  const auto& e = r.error();
  EXPECT_EQ(e.code, errc::http_status);
  EXPECT_EQ(e.http_status, 400u);
  EXPECT_EQ(e.service_code, "ValidationError");
  EXPECT_EQ(e.message, "Invalid scopes");
  EXPECT_EQ(e.target, "scopes");
  EXPECT_EQ(e.client_request_id, request_id);
  EXPECT_EQ(e.service_request_id, "srv-123");
  EXPECT_EQ(e.retry_after, std::nullopt);
  EXPECT_EQ(e.describe(), "HTTP 400 ValidationError: Invalid scopes (target: scopes)");
}

TEST(wire_read, not_found_404_uses_ms_cv_when_no_request_id) {
  const auto r = read_no_content(reply(404, R"({"error":{"code":"IdentityNotFound","message":"Identity not found."}})",
                                       {{"MS-CV", "cv.1.2"}}),
                                 request_id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 404u);
  EXPECT_EQ(r.error().service_code, "IdentityNotFound");
  EXPECT_EQ(r.error().service_request_id, "cv.1.2");
}

TEST(wire_read, denied_401) {
  const auto r = read_create_user(reply(401, R"({"error":{"code":"Denied","message":"Denied by the resource provider."}})"), request_id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 401u);
  EXPECT_EQ(r.error().service_code, "Denied");
  EXPECT_EQ(r.error().message, "Denied by the resource provider.");
}

TEST(wire_read, throttled_429_carries_retry_after_in_each_form) {
  const auto body = R"({"error":{"code":"TooManyRequests","message":"Too many requests"}})";
  const auto seconds = read_create_user(reply(429, body, {{"Retry-After", "2"}}), request_id);
  ASSERT_FALSE(seconds);
  EXPECT_EQ(seconds.error().service_code, "TooManyRequests");
  EXPECT_EQ(seconds.error().retry_after, 2000ms);
  const auto millis = read_create_user(reply(429, body, {{"retry-after-ms", "300"}, {"Retry-After", "2"}}), request_id);
  EXPECT_EQ(millis.error().retry_after, 300ms);
  // An HTTP date is relative to the time of reading: 10 s ahead, to the second.
  const auto date = format_http_date(std::chrono::system_clock::now() + 10s);
  const auto dated = read_create_user(reply(429, body, {{"Retry-After", date}}), request_id);
  ASSERT_TRUE(dated.error().retry_after);
  EXPECT_GE(*dated.error().retry_after, 8s);
  EXPECT_LE(*dated.error().retry_after, 10s);
}

TEST(wire_read, unavailable_503_with_html_body_keeps_a_short_one_line_excerpt) {
  std::string html = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>";
  html += std::string(2000, 'x') + "</body></html>";
  const auto r = read_issue_token(reply(503, html), request_id);
  ASSERT_FALSE(r);
  const auto& e = r.error();
  EXPECT_EQ(e.code, errc::http_status);
  EXPECT_EQ(e.http_status, 503u);
  EXPECT_EQ(e.service_code, "");
  EXPECT_THAT(e.message, HasSubstr("503 Service Temporarily Unavailable"));
  EXPECT_LE(e.message.size(), 200u);
  EXPECT_EQ(e.message.find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(e.describe().find('\n'), std::string::npos);
}

TEST(wire_read, empty_error_body_falls_back_to_the_reason) {
  const auto r = read_no_content(reply(502, ""), request_id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "Error");
}

TEST(wire_read, error_text_never_carries_a_token) {
  const auto body = std::string(R"({"error":{"code":"Denied","message":"bad token )") + token_text + R"("}})";
  const auto r = read_issue_token(reply(401, body), request_id);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, Not(HasSubstr(token_text)));
  EXPECT_THAT(r.error().describe(), Not(HasSubstr(token_text)));
  EXPECT_THAT(r.error().message, HasSubstr("<redacted>"));
}

TEST(wire_read, success_bodies_that_break_the_contract_are_invalid_response) {
  const auto invalid = [](const auto& r) { return !r && r.error().code == errc::invalid_response; };
  EXPECT_TRUE(invalid(read_create_user(reply(201, "not json"), request_id)));
  EXPECT_TRUE(invalid(read_create_user(reply(201, "[]"), request_id)));
  EXPECT_TRUE(invalid(read_create_user(reply(201, "{}"), request_id)));
  EXPECT_TRUE(invalid(read_create_user(reply(201, R"({"identity":{}})"), request_id)));
  EXPECT_TRUE(invalid(read_create_user(reply(201, R"({"identity":{"id":""}})"), request_id)));
  EXPECT_TRUE(invalid(read_create_user(reply(201, R"({"identity":{"id":42}})"), request_id)));
  EXPECT_TRUE(invalid(read_create_user_and_token(reply(201, R"({"identity":{"id":"8:acs:r_u"}})"), request_id)));
  EXPECT_TRUE(invalid(read_issue_token(reply(200, ""), request_id)));
  EXPECT_TRUE(invalid(read_issue_token(reply(200, R"({"expiresOn":"2026-11-26T11:58:14Z"})"), request_id)));
  EXPECT_TRUE(invalid(read_issue_token(reply(200, R"({"token":7,"expiresOn":"2026-11-26T11:58:14Z"})"), request_id)));
  EXPECT_TRUE(invalid(read_issue_token(reply(200, R"({"token":"t"})"), request_id)));
  EXPECT_TRUE(invalid(read_get_user(reply(200, R"({"customId":"c"})"), request_id)));
  const auto bad_date = read_issue_token(
      reply(200, std::string(R"({"token":")") + token_text + R"(","expiresOn":"tomorrow"})"), request_id);
  ASSERT_TRUE(invalid(bad_date));
  EXPECT_EQ(bad_date.error().http_status, 200u);
  EXPECT_EQ(bad_date.error().client_request_id, request_id);
  EXPECT_THAT(bad_date.error().describe(), HasSubstr("tomorrow"));
  EXPECT_THAT(bad_date.error().describe(), Not(HasSubstr(token_text)));
}

TEST(wire_retry_after, header_precedence_and_garbage) {
  const auto now = *parse_http_date("Wed, 25 Nov 2026 11:58:14 GMT");
  const auto read = [&](std::vector<http::header> fields) {
    http::header_list headers;
    for (auto& f : fields) headers.add(f.name, f.value);
    return read_retry_after(headers, now);
  };
  EXPECT_EQ(read({}), std::nullopt);
  EXPECT_EQ(read({{"Retry-After", "2"}}), 2000ms);
  EXPECT_EQ(read({{"Retry-After", "0"}}), 0ms);
  EXPECT_EQ(read({{"Retry-After", "1.5"}}), 1500ms);
  EXPECT_EQ(read({{"retry-after-ms", "300"}}), 300ms);
  EXPECT_EQ(read({{"x-ms-retry-after-ms", "200"}}), 200ms);
  EXPECT_EQ(read({{"Retry-After", "5"}, {"x-ms-retry-after-ms", "200"}, {"retry-after-ms", "300"}}), 300ms);
  EXPECT_EQ(read({{"Retry-After", "5"}, {"x-ms-retry-after-ms", "200"}}), 200ms);
  // Garbage in a millisecond header falls through to the next one, as in the SDK.
  EXPECT_EQ(read({{"retry-after-ms", "soon"}, {"Retry-After", "3"}}), 3000ms);
  EXPECT_EQ(read({{"Retry-After", "Thu, 26 Nov 2026 11:58:14 GMT"}}), std::chrono::milliseconds(24h));
  EXPECT_EQ(read({{"Retry-After", "Wed, 25 Nov 2026 11:58:16 GMT"}}), 2000ms);
  EXPECT_EQ(read({{"Retry-After", "Tue, 24 Nov 2026 11:58:14 GMT"}}), 0ms);  // in the past: now
  EXPECT_EQ(read({{"Retry-After", "soon"}}), std::nullopt);
  EXPECT_EQ(read({{"Retry-After", "-1"}}), std::nullopt);
  EXPECT_EQ(read({{"Retry-After", "2s"}}), std::nullopt);
  EXPECT_EQ(read({{"Retry-After", ""}}), std::nullopt);
  EXPECT_EQ(read({{"Retry-After", "1e400"}}), std::nullopt);
  EXPECT_EQ(read({{"retry-after-ms", "-5"}}), std::nullopt);
  EXPECT_EQ(read({{"Retry-After", "Wednesday, 25-Nov-26 11:58:16 GMT"}}), std::nullopt);
}

TEST(wire_error, describe_is_one_line_for_transport_errors) {
  error e;
  e.code = make_error_code(errc::timeout);
  e.client_request_id = request_id;
  EXPECT_EQ(e.describe(), "request timed out");
  e.message = "line one\nline two";
  EXPECT_EQ(e.describe(), "request timed out: line one line two");
}

TEST(wire_error, result_value_throws_system_error) {
  error e;
  e.code = make_error_code(errc::http_status);
  e.http_status = 404;
  e.service_code = "IdentityNotFound";
  const result<user> r = e;
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (const boost::system::system_error& thrown) {
    EXPECT_EQ(thrown.code(), errc::http_status);
    EXPECT_THAT(thrown.what(), HasSubstr("HTTP 404 IdentityNotFound"));
  }
}

TEST(wire_types, scopes_and_api_versions) {
  EXPECT_TRUE(is_known_scope("chat.join.limited"));
  EXPECT_FALSE(is_known_scope("admin"));
  EXPECT_TRUE(is_supported_api_version("2023-10-01"));
  EXPECT_FALSE(is_supported_api_version("2021-03-07-preview"));
  EXPECT_TRUE(api_version_has_custom_id("2025-03-02-preview"));
  // 2025-06-30's newest swagger (@37c6051) has no customId: no idempotent create promised there.
  EXPECT_FALSE(api_version_has_custom_id("2025-06-30"));
  EXPECT_FALSE(api_version_has_custom_id("2026-07-22"));
  EXPECT_FALSE(api_version_has_custom_id("2023-10-01"));
  EXPECT_TRUE(is_supported_api_version("2026-07-22"));
  EXPECT_TRUE(is_supported_api_version("2026-09-23"));
}

}  // namespace
}  // namespace acsbatch::identity
