#pragma once
/// The emulator's whole behaviour as a function from request to what to do about it: routing,
/// api-version checks, HMAC verification, validation, the service limits, injected faults and
/// latency, the identity operations and the /emulator/* endpoints. No socket and no clock of
/// its own, so the unit tests drive it directly.

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/emulator/arrival_rates.hpp"
#include "acsbatch/emulator/entra.hpp"
#include "acsbatch/emulator/fault_injector.hpp"
#include "acsbatch/emulator/identity_store.hpp"
#include "acsbatch/emulator/latency_model.hpp"
#include "acsbatch/emulator/request_capture.hpp"
#include "acsbatch/emulator/request_stats.hpp"
#include "acsbatch/emulator/service_limits.hpp"
#include "acsbatch/emulator/sliding_window_limiter.hpp"
#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator {

using steady_time = std::chrono::steady_clock::time_point;

struct handler_options {
  /// Decoded access key the requests must be signed with.
  std::string access_key;
  /// The resource GUID in issued ids; empty: random.
  std::string resource_id;
  /// Accepted |x-ms-date − now|.
  std::chrono::seconds max_clock_skew{15 * 60};
  /// Per-operation limits; empty: none.
  service_limits limits{};
  /// Injected faults; empty: none.
  fault_spec faults{};
  /// Injected latency; none: answer at once.
  latency_spec latency{};
  /// Seeds the fault and latency streams (derive_seed).
  std::uint64_t seed = 0;
  /// Second 0 of the stats' `rates`; nullopt: the first counted request.
  std::optional<steady_time> started_at{};
  /// `--capture`: where every request but /emulator/* is recorded; null: nowhere.
  std::shared_ptr<request_capture> capture{};
  /// `--entra`: serve the Entra ID and managed-identity token endpoints for this app and accept
  /// the bearer tokens they issue (entra.hpp); nullopt: HMAC only, bearer tokens are refused.
  std::optional<entra_app> entra{};
};

/// What the server does with one request.
enum class reply_action {
  send,   ///< write `response`
  reset,  ///< abort the connection (RST), no answer
  stall,  ///< never answer; hold the connection until the client gives up
  close,  ///< close the connection cleanly (FIN), no answer
};

struct reply_plan {
  reply_action action = reply_action::send;
  /// The answer when action is send; status 0 otherwise.
  http::response response;
  /// Injected latency: wait this long before acting (0 without --latency, and for /emulator/*).
  std::chrono::microseconds delay{0};
};

/// Order of work for an identity operation:
///  1. route, api-version, HMAC: a request failing these is answered at once and is not counted
///     by the limits, the faults or `rates` (the service did not accept it);
///  2. the request now counts as an arrival (`rates`, `max_per_second`);
///  3. a fault may strike. 429/503 and, with probability 1 − apply, the other kinds replace the
///     answer without touching the limiter or the store;
///  4. the limiter admits the request or answers 429 with Retry-After (a throttled request does
///     not count toward the window);
///  5. the operation runs (body validation included: a 400 has used its place in the window);
///  6. with a fault that follows the operation, the fault replaces the answer just computed.
///
/// Response headers every answer carries, besides Content-Type on bodies:
///  - `MS-CV`: the service's correlation id (22 base64 characters + ".0"), which the real
///    service sends instead of x-ms-request-id (recorded SDK test sessions show only MS-CV);
///  - `x-ms-client-request-id`: echoed when the request had one, as the service does;
///  - `api-supported-versions`, `Date`.
/// 401 answers also carry `x-emulator-denial-reason` (auth_failure_reason) and injected
/// faults `x-emulator-fault` (fault_kind), which the real service does not send: they tell a
/// developer why the emulator refused.
class request_handler {
 public:
  explicit request_handler(handler_options options);
  /// With the identities of `restored` (a loaded state file) instead of an empty store; its
  /// resource id then takes the place of options.resource_id.
  request_handler(handler_options options, std::optional<store_state> restored);

  /// Decides the fate of one request. `peer_is_loopback` gates /emulator/*; `now` is the clock
  /// for date checks, token times and the Date header; `steady_now` the clock of the limits
  /// and the rates. Never throws for any request content.
  reply_plan respond(const http::request& request, bool peer_is_loopback,
                     std::chrono::system_clock::time_point now, steady_time steady_now);

  /// respond(…).response with one clock (its time since epoch doubles as the steady time),
  /// for tests without faults.
  http::response handle(const http::request& request, bool peer_is_loopback,
                        std::chrono::system_clock::time_point now);

  identity_store& store() { return store_; }
  const identity_store& store() const { return store_; }
  /// Called by respond() on its own thread after a request changed the store and before the
  /// answer is returned: the state file's change log is written there, ahead of the answer.
  /// Set before serving; empty: nothing is called.
  void after_store_change(std::function<void()> hook) { after_store_change_ = std::move(hook); }
  const request_stats& stats() const { return stats_; }

  /// The body of GET /emulator/stats (shape in the README):
  /// `{"seed","identities":{"created","live","deleted"},"tokens":{"issued"},
  ///   "requests":{op:{status:n}},"faults":{op:{kind:n}},"applied_before_fault":{op:n},
  ///   "rates":{op:{"window_start_s","per_second":[…]}},"max_per_second":{op:n}}`.
  /// `now` pads `rates` with the empty seconds up to it.
  std::string stats_json(std::optional<steady_time> now = std::nullopt) const;

 private:
  struct context;
  http::response dispatch(context& ctx);
  http::response serve_identity_operation(context& ctx);
  std::optional<http::response> route_missing_in_version(const context& ctx);
  http::response create_user(context& ctx);
  http::response issue_token(context& ctx);
  http::response revoke_tokens(context& ctx);
  http::response delete_user(context& ctx);
  http::response get_user(context& ctx);
  http::response validate_token(context& ctx);
  http::response entra_token(context& ctx);

  handler_options options_;
  auth::hmac_signer signer_;
  identity_store store_;
  request_stats stats_;
  sliding_window_limiter limiter_;
  fault_injector faults_;
  latency_sampler latency_;
  arrival_rates rates_;
  /// Signs the bearer tokens this emulator issues; random per emulator.
  std::string entra_signing_secret_;
  std::function<void()> after_store_change_;
};

}  // namespace acsbatch::emulator
