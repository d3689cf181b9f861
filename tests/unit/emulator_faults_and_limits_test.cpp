// request_handler with limits, faults and latency: the 429 of the limiter byte for byte, who
// counts toward a limit, which faults carry out the operation first, and what /emulator/stats
// reports. One fake clock drives everything (no sockets).

#include "emulator_handler_fixture.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;
using test::handler_fixture;
using test::signed_request;

handler_options with(std::string_view limits, std::string_view faults = {}, std::string_view latency = {}) {
  auto options = handler_fixture::base_options();
  options.limits = parse_service_limits(limits);
  options.faults = parse_fault_spec(faults);
  options.latency = parse_latency_spec(latency);
  options.seed = 42;
  return options;
}

std::uint64_t at(const boost::json::value& json, std::initializer_list<const char*> path) {
  const boost::json::value* v = &json;
  for (const char* key : path) {
    v = v->as_object().if_contains(key);
    if (v == nullptr) return 0;
  }
  return v->to_number<std::uint64_t>();
}

struct LimitedCreate : handler_fixture {
  LimitedCreate() : handler_fixture(with("create_user=2/1s,issue_token=1/1s")) {}
};

TEST_F(LimitedCreate, TheRequestOverTheLimitGets429WithRetryAfterOfTheOldestExpiry) {
  EXPECT_EQ(send("POST", identities()).status, 201u);
  now_ += 250ms;
  EXPECT_EQ(send("POST", identities()).status, 201u);
  now_ += 150ms;
  const auto res = send("POST", identities());
  // The first create leaves the window 600 ms from now.
  EXPECT_EQ(res.status, 429u);
  EXPECT_EQ(res.reason, "Too Many Requests");
  EXPECT_EQ(res.body,
            R"({"error":{"code":"TooManyRequests","message":"The create_user limit of 2 requests per 1s )"
            R"(is exhausted; retry after 600 ms."}})");
  EXPECT_EQ(res.headers.get("Content-Type").value_or(""), "application/json; charset=utf-8");
  EXPECT_EQ(res.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(res.headers.get("retry-after-ms").value_or(""), "600");
  EXPECT_TRUE(res.headers.get("MS-CV"));
  EXPECT_FALSE(res.headers.get("x-emulator-fault"));  // a real limit, not an injected fault

  now_ += 599ms;
  EXPECT_EQ(send("POST", identities()).headers.get("retry-after-ms").value_or(""), "1");
  now_ += 1ms;
  EXPECT_EQ(send("POST", identities()).status, 201u);
  // create_user_and_token has its own counter (and no limit here).
  EXPECT_EQ(send("POST", identities(), R"({"createTokenWithScopes":["chat"]})").status, 201u);

  const auto json = stats();
  EXPECT_EQ(at(json, {"requests", "create_user", "201"}), 3u);
  EXPECT_EQ(at(json, {"requests", "create_user", "429"}), 2u);
  EXPECT_EQ(at(json, {"identities", "created"}), 4u);
}

TEST_F(LimitedCreate, OnlyAuthenticatedRequestsCount) {
  for (int i = 0; i < 5; ++i) expect_error(send("POST", identities(), "", now_ - 1h), 401, "Denied");
  expect_error(send("POST", "/identities"), 400, "MissingApiVersionParameter");
  EXPECT_EQ(send("POST", identities()).status, 201u);
  EXPECT_EQ(send("POST", identities()).status, 201u);
  expect_error(send("POST", identities()), 429, "TooManyRequests");
}

TEST_F(LimitedCreate, AnInvalidBodyHasUsedItsPlaceInTheWindow) {
  // The limit is checked before the body is validated, as a front-door throttle would.
  const auto id = create_id();
  expect_error(send("POST", identity(id, "/:issueAccessToken"), R"({"scopes":["nope"]})"), 400,
               "ValidationError", "scopes");
  expect_error(send("POST", identity(id, "/:issueAccessToken"), R"({"scopes":["chat"]})"), 429,
               "TooManyRequests");
}

struct Faulty : handler_fixture {
  explicit Faulty(std::string_view faults, std::string_view latency = {})
      : handler_fixture(with("off", faults, latency)) {}
};

struct Refusal503 : Faulty {
  Refusal503() : Faulty("503:1,apply=1") {}
};

TEST_F(Refusal503, IsNeverAppliedEvenWithApplyOne) {
  const auto res = send("POST", identities());
  expect_error(res, 503, "ServiceUnavailable");
  EXPECT_EQ(res.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(res.headers.get("retry-after-ms").value_or(""), "1000");
  EXPECT_EQ(res.headers.get("x-emulator-fault").value_or(""), "503");
  const auto json = stats();
  EXPECT_EQ(at(json, {"identities", "created"}), 0u);
  EXPECT_EQ(at(json, {"faults", "create_user", "503"}), 1u);
  EXPECT_EQ(at(json, {"requests", "create_user", "503"}), 1u);
  EXPECT_EQ(at(json, {"applied_before_fault", "create_user"}), 0u);
}

struct Applied500 : Faulty {
  Applied500() : Faulty("500:1,apply=1") {}
};

TEST_F(Applied500, CreatesTheIdentityAndStillAnswers500) {
  expect_error(send("POST", identities()), 500, "InternalServerError");
  const auto json = stats();
  EXPECT_EQ(at(json, {"identities", "created"}), 1u);
  EXPECT_EQ(at(json, {"applied_before_fault", "create_user"}), 1u);
  EXPECT_EQ(at(json, {"requests", "create_user", "500"}), 1u);
  EXPECT_EQ(at(json, {"faults", "create_user", "500"}), 1u);
}

TEST_F(Applied500, AFailedOperationIsNotCountedAsApplied) {
  expect_error(send("DELETE", identity("8:acs:nobody")), 500, "InternalServerError");
  EXPECT_EQ(at(stats(), {"applied_before_fault", "delete_user"}), 0u);
}

struct Lost502 : Faulty {
  Lost502() : Faulty("502:1,apply=0") {}
};

TEST_F(Lost502, WithApplyZeroNothingHappens) {
  expect_error(send("POST", identities()), 502, "BadGateway");
  EXPECT_EQ(at(stats(), {"identities", "created"}), 0u);
}

struct Throttle429 : Faulty {
  Throttle429() : Faulty("429@250ms:1") {}
};

TEST_F(Throttle429, CarriesTheConfiguredRetryAfter) {
  const auto res = send("POST", identities());
  expect_error(res, 429, "TooManyRequests");
  EXPECT_EQ(res.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(res.headers.get("retry-after-ms").value_or(""), "250");
  EXPECT_EQ(res.headers.get("x-emulator-fault").value_or(""), "429");
}

struct Throttle429WithoutHeader : Faulty {
  Throttle429WithoutHeader() : Faulty("429@none:1") {}
};

TEST_F(Throttle429WithoutHeader, SendsNoRetryAfter) {
  const auto res = send("POST", identities());
  EXPECT_EQ(res.status, 429u);
  EXPECT_FALSE(res.headers.get("Retry-After"));
  EXPECT_FALSE(res.headers.get("retry-after-ms"));
}

struct ConnectionFaults : handler_fixture {};

TEST_F(ConnectionFaults, MapToTheirActionsWithoutAStatus) {
  const std::pair<const char*, reply_action> cases[] = {
      {"reset:1", reply_action::reset}, {"timeout:1", reply_action::stall}, {"close:1", reply_action::close}};
  for (const auto& [spec, action] : cases) {
    request_handler handler{with("off", spec)};
    const auto plan = handler.respond(signed_request("POST", identities(), "", now_), true, now_,
                                      steady_time{now_.time_since_epoch()});
    EXPECT_EQ(plan.action, action) << spec;
    EXPECT_EQ(plan.response.status, 0u) << spec;
    const auto json = boost::json::parse(handler.stats_json());
    const std::string kind = std::string(spec).substr(0, std::string(spec).find(':'));
    EXPECT_EQ(at(json, {"faults", "create_user", kind.c_str()}), 1u) << spec;
    EXPECT_EQ(json.at("requests").at("create_user").as_object().size(), 0u) << "no status was sent: " << spec;
  }
}

struct FaultsEverywhere : Faulty {
  FaultsEverywhere() : Faulty("500:1", "fixed:20ms") {}
};

TEST_F(FaultsEverywhere, NeverTouchTheEmulatorEndpointsOrUnauthenticatedRequests) {
  http::request req;
  req.method = "GET";
  req.target = "/emulator/stats";
  const auto stats_plan = handler_.respond(req, true, now_, steady_time{now_.time_since_epoch()});
  EXPECT_EQ(stats_plan.response.status, 200u);
  EXPECT_EQ(stats_plan.delay, 0us);
  expect_error(send("POST", identities(), "", now_ - 1h), 401, "Denied");
  const auto plan_of_create = plan("POST", identities());
  EXPECT_EQ(plan_of_create.response.status, 500u);
  EXPECT_EQ(plan_of_create.delay, 20ms);
}

struct Rates : handler_fixture {
  Rates() : handler_fixture(with("create_user=3/1s")) {}
};

TEST_F(Rates, StatsReportArrivalsPerSecondAndTheSlidingMaximum) {
  for (int i = 0; i < 5; ++i) send("POST", identities());  // 3 × 201, 2 × 429: all arrived
  now_ += 1500ms;
  send("POST", identities());
  send("DELETE", identity("8:acs:nobody"));
  send("POST", identities(), "", now_ - 1h);  // 401: not an arrival

  const auto json = stats();
  EXPECT_EQ(json.at("seed").to_number<std::uint64_t>(), 42u);
  EXPECT_EQ(boost::json::serialize(json.at("rates").at("create_user")), R"({"window_start_s":0,"per_second":[5,1]})");
  EXPECT_EQ(boost::json::serialize(json.at("rates").at("delete_user")), R"({"window_start_s":0,"per_second":[0,1]})");
  EXPECT_EQ(at(json, {"max_per_second", "create_user"}), 5u);
  EXPECT_EQ(at(json, {"max_per_second", "delete_user"}), 1u);
  EXPECT_EQ(at(json, {"max_per_second", "get_user"}), 0u);
  EXPECT_EQ(boost::json::serialize(json.at("faults").at("create_user")), "{}");
  EXPECT_EQ(at(json, {"applied_before_fault", "create_user"}), 0u);
  for (const char* key : {"emulator_stats", "other"}) {
    EXPECT_FALSE(json.at("rates").as_object().contains(key)) << key;
    EXPECT_FALSE(json.at("faults").as_object().contains(key)) << key;
  }
}

}  // namespace
}  // namespace acsbatch::emulator
