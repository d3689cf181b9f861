#pragma once
/// Which faults the emulator injects, and how often (`--faults`): answers the service gives
/// when it is unwell (429, 5xx) and failures of the connection itself (reset, timeout, close).

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acsbatch::emulator {

enum class fault_kind {
  too_many_requests,    ///< "429": TooManyRequests with Retry-After
  internal_error,       ///< "500": InternalServerError
  bad_gateway,          ///< "502": BadGateway
  service_unavailable,  ///< "503": ServiceUnavailable with Retry-After
  gateway_timeout,      ///< "504": GatewayTimeout
  reset,    ///< "reset": the request is read, then the connection is reset (SO_LINGER 0, RST)
  timeout,  ///< "timeout": the request is read and never answered; the connection stays open
  close,    ///< "close": the request is read, then the connection is closed cleanly (FIN)
};
inline constexpr std::size_t fault_kind_count = static_cast<std::size_t>(fault_kind::close) + 1;

/// "429", "500", "502", "503", "504", "reset", "timeout", "close": the spec's and the stats' names.
std::string_view to_string(fault_kind kind);

/// 429 and 503 are refusals: the service did nothing, so a retry is always safe. Every other
/// fault may strike after the operation was carried out (the service did the work, the answer
/// was lost): that is what makes retrying a non-idempotent create dangerous, and the emulator
/// reproduces it (fault_spec::apply_probability).
bool fault_may_follow_the_operation(fault_kind kind);

/// The HTTP status a fault answers with; 0 for the connection faults.
unsigned status_of(fault_kind kind);

struct fault_rule {
  fault_kind kind = fault_kind::internal_error;
  double probability = 0;  ///< per eligible request, in [0,1]
  /// Retry-After (whole seconds, rounded up) and retry-after-ms of a 429 or 503; nullopt sends
  /// neither (a 429 the SDK will not retry, docs/rest-contract.md §5).
  std::optional<std::chrono::milliseconds> retry_after = std::chrono::milliseconds{1000};
  friend bool operator==(const fault_rule&, const fault_rule&) = default;
};

struct fault_spec {
  std::vector<fault_rule> rules;  ///< at most one per kind; probabilities add up to at most 1
  /// The chance that a fault which may follow the operation strikes after it was applied.
  double apply_probability = 0.5;
  bool empty() const { return rules.empty(); }
  friend bool operator==(const fault_spec&, const fault_spec&) = default;
};

/// `--faults`: a comma list of `KIND:PROBABILITY` and `KIND@RETRY_AFTER:PROBABILITY`
/// (`429@250ms:0.3`, `503@none:0.1`; 429/503 only), plus `apply=P` to change
/// apply_probability. `off`, `none` or empty: no faults. Throws config_error naming the bad
/// item, e.g. `--faults: '429:1.5' probability must be in [0,1]`.
fault_spec parse_fault_spec(std::string_view spec);

/// The canonical spec (`429@1s:0.3,reset:0.01,apply=0.5`) or `off`, for logs.
std::string to_string(const fault_spec& spec);

}  // namespace acsbatch::emulator
