#pragma once
// Shared by the request_handler tests: a handler with the docs/rest-contract.md test key and helpers that
// sign requests exactly as the SDK does.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/request_handler.hpp"

namespace acsbatch::emulator::test {

using namespace std::chrono_literals;
using clock_point = std::chrono::system_clock::time_point;

constexpr const char* resource = "4a1c9b2e-0000-4000-8000-00000000abcd";
constexpr const char* host = "127.0.0.1:8089";
constexpr const char* v2023 = "2023-10-01";
constexpr const char* preview = "2025-03-02-preview";

inline std::string test_key() {
  std::string key;
  for (int i = 0; i < 64; ++i) key += static_cast<char>(i);
  return key;
}

// "Wed, 25 Nov 2026 11:58:14 GMT", the date of the docs/rest-contract.md vectors.
const clock_point vector_date =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 11h + 58min + 14s;

/// A request exactly as the SDK sends it, signed with `key` at `date`.
inline http::request signed_request(std::string method, std::string target, std::string body,
                             clock_point date, const std::string& key = test_key()) {
  const auto headers = auth::hmac_signer{key}.sign(method, target, host, date, body);
  http::request req;
  req.method = std::move(method);
  req.target = std::move(target);
  if (req.method == "POST") req.headers.add("Content-Type", "application/json");
  req.headers.add("Accept", "application/json");
  req.headers.add("x-ms-client-request-id", "6f9619ff-8b86-4011-b42d-00c04fc964ff");
  req.headers.add("Host", host);
  req.headers.add("x-ms-date", headers.date);
  req.headers.add("x-ms-content-sha256", headers.content_sha256);
  req.headers.add("Authorization", headers.authorization);
  req.has_body = req.method == "POST";
  req.body = std::move(body);
  return req;
}

inline std::string encode_id(std::string_view id) {
  std::string out;
  for (const char c : id) out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

class handler_fixture : public ::testing::Test {
 public:
  /// The docs/rest-contract.md key and resource; no limits, faults or latency.
  static handler_options base_options() {
    handler_options options;
    options.access_key = test_key();
    options.resource_id = resource;
    options.max_clock_skew = 15min;
    return options;
  }

 protected:
  explicit handler_fixture(handler_options options = base_options()) : handler_(std::move(options)) {}

  http::response send(std::string method, std::string target, std::string body = {},
                      clock_point date = {}, bool loopback = true) {
    if (date == clock_point{}) date = now_;
    return handler_.handle(signed_request(std::move(method), std::move(target), std::move(body), date),
                           loopback, now_);
  }
  static std::string identities(std::string_view version = v2023) {
    return "/identities?api-version=" + std::string(version);
  }
  static std::string identity(std::string_view id, std::string_view suffix = {},
                              std::string_view version = v2023) {
    return "/identities/" + encode_id(id) + std::string(suffix) + "?api-version=" + std::string(version);
  }
  std::string create_id(std::string_view version = v2023) {
    const auto res = send("POST", identities(version));
    EXPECT_EQ(res.status, 201u);
    return std::string(body(res).at("identity").at("id").as_string());
  }
  std::string issue(const std::string& id, std::string_view scopes_json = R"(["chat"])") {
    const auto res = send("POST", identity(id, "/:issueAccessToken"),
                          R"({"scopes":)" + std::string(scopes_json) + "}");
    EXPECT_EQ(res.status, 200u);
    return std::string(body(res).at("token").as_string());
  }
  std::string validity(const std::string& token) {
    http::request req;
    req.method = "POST";
    req.target = "/emulator/tokens:validate";
    req.body = boost::json::serialize(boost::json::object{{"token", token}});
    const auto res = handler_.handle(req, true, now_);
    EXPECT_EQ(res.status, 200u);
    const auto out = body(res);
    EXPECT_EQ(out.at("valid").as_bool(), out.at("reason").as_string() == "valid");
    return std::string(out.at("reason").as_string());
  }
  /// The whole plan (action, delay), with the fixture's clock as both wall and steady time.
  reply_plan plan(std::string method, std::string target, std::string body = {}) {
    return handler_.respond(signed_request(std::move(method), std::move(target), std::move(body), now_), true,
                            now_, steady_time{now_.time_since_epoch()});
  }
  boost::json::value stats() const { return boost::json::parse(handler_.stats_json()); }
  static boost::json::object body(const http::response& res) {
    return boost::json::parse(res.body).as_object();
  }
  /// A CommunicationErrorResponse with exactly this code (and target, when given).
  static void expect_error(const http::response& res, unsigned status, std::string_view code,
                           std::string_view target = {}) {
    EXPECT_EQ(res.status, status) << res.body;
    EXPECT_EQ(res.headers.get("Content-Type").value_or(""), "application/json; charset=utf-8");
    const auto error = body(res).at("error").as_object();
    EXPECT_EQ(error.at("code").as_string(), code) << res.body;
    EXPECT_FALSE(error.at("message").as_string().empty());
    if (!target.empty()) {
      ASSERT_TRUE(error.contains("target")) << res.body;
      EXPECT_EQ(error.at("target").as_string(), target);
    }
  }

  clock_point now_ = vector_date + 123456789ns;
  request_handler handler_;
};

}  // namespace acsbatch::emulator::test
