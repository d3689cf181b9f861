#pragma once
/// The ACS Identity service limits (docs/rest-contract.md §6) as the emulator enforces them: per
/// operation, at most N requests in any sliding window of W. What is configured, not how it is
/// enforced (that is sliding_window_limiter).

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "acsbatch/emulator/routes.hpp"

namespace acsbatch::emulator {

/// "N requests per W".
struct operation_limit {
  std::size_t requests = 0;
  std::chrono::nanoseconds window{};
  friend bool operator==(const operation_limit&, const operation_limit&) = default;
};

/// At most this many requests per window: the limiter remembers one timestamp per request in
/// the window, so this bounds its memory (8 MB per operation).
inline constexpr std::size_t max_limit_requests = 1'000'000;

/// One optional limit per operation; no limit at all (the default) is `--limits off`.
struct service_limits {
  std::array<std::optional<operation_limit>, operation_count> per_operation{};

  const std::optional<operation_limit>& of(operation op) const {
    return per_operation[static_cast<std::size_t>(op)];
  }
  bool empty() const;
  friend bool operator==(const service_limits&, const service_limits&) = default;
};

/// The published limits (docs/rest-contract.md §6), each its own counter: create_user 1000/30s,
/// create_user_and_token 1000/30s (the docs list "Create identity" and "createUserAndToken" as
/// separate rows, so a createUserAndToken does not use up create_user's allowance),
/// issue_token 1000/30s, delete_user 500/30s, revoke_tokens 500/30s, exchange_teams_token
/// 500/30s. get_user is not in the table (it arrived with the customId preview): the emulator
/// assumes 1000/30s like the other single-identity reads and writes — a guess, not a fact.
service_limits real_service_limits();

/// `--limits`: `off` (or `none`, or empty): no limits; `real`: real_service_limits();
/// otherwise a comma list of `OP=N/WINDOW` (`create_user=100/1s,issue_token=50/500ms`;
/// `N/s` means N per second), `OP=off`, and `real` (the published limits, overridden by the
/// items after it). OP is an operation name of /emulator/stats. Throws config_error naming
/// the bad item, e.g. `--limits: 'create_user=100' must be OP=N/WINDOW (e.g. create_user=100/1s)`.
service_limits parse_service_limits(std::string_view spec);

/// `create_user=1000/30s,…` in operation order, or `off`: the canonical spec, for logs.
std::string to_string(const service_limits& limits);

}  // namespace acsbatch::emulator
