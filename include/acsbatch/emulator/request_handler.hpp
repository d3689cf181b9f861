#pragma once
/// The emulator's whole behaviour as a function from request to response: routing, api-version
/// checks, HMAC verification, validation, the identity operations and the /emulator/*
/// endpoints. No socket and no clock of its own, so the unit tests drive it directly.

#include <chrono>
#include <string>

#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/emulator/identity_store.hpp"
#include "acsbatch/emulator/request_stats.hpp"
#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator {

struct handler_options {
  /// Decoded access key the requests must be signed with.
  std::string access_key;
  /// The resource GUID in issued ids; empty: random.
  std::string resource_id;
  /// Accepted |x-ms-date − now|.
  std::chrono::seconds max_clock_skew{15 * 60};
};

/// Response headers every answer carries, besides Content-Type on bodies:
///  - `MS-CV`: the service's correlation id (22 base64 characters + ".0"), which the real
///    service sends instead of x-ms-request-id (recorded SDK test sessions show only MS-CV);
///  - `x-ms-client-request-id`: echoed when the request had one, as the service does;
///  - `api-supported-versions`, `Date`.
/// 401 answers also carry `x-emulator-denial-reason` (auth_failure_reason), which the real
/// service does not send: it tells a developer why the emulator refused.
class request_handler {
 public:
  explicit request_handler(handler_options options);

  /// Answers one request. `peer_is_loopback` gates /emulator/*; `now` is the clock for date
  /// checks, token times and the Date header. Never throws for any request content.
  http::response handle(const http::request& request, bool peer_is_loopback,
                        std::chrono::system_clock::time_point now);

  identity_store& store() { return store_; }
  const identity_store& store() const { return store_; }
  const request_stats& stats() const { return stats_; }

  /// The body of GET /emulator/stats:
  /// `{"identities":{"created","live","deleted"},"tokens":{"issued"},"requests":{op:{status:n}}}`.
  std::string stats_json() const;

 private:
  struct context;
  http::response dispatch(context& ctx);
  http::response create_user(context& ctx);
  http::response issue_token(context& ctx);
  http::response revoke_tokens(context& ctx);
  http::response delete_user(context& ctx);
  http::response get_user(context& ctx);
  http::response validate_token(context& ctx);

  handler_options options_;
  auth::hmac_signer signer_;
  identity_store store_;
  request_stats stats_;
};

}  // namespace acsbatch::emulator
