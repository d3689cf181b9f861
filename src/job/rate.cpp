#include "acsbatch/job/job.hpp"
#include "number.hpp"

namespace acsbatch::job {
namespace {

using std::chrono::milliseconds;

/// A bare unit ("s" in 33/s) means one of it; anything else must be a duration.
std::optional<milliseconds> window_of(std::string_view text) {
  if (text == "ms" || text == "s" || text == "m" || text == "h" || text == "d")
    return parse_duration("1" + std::string(text));
  return parse_duration(text);
}

}  // namespace

std::optional<rate> parse_rate(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto count = detail::parse_decimal(text.substr(0, slash));
  const auto window = window_of(text.substr(slash + 1));
  if (!count || !window || *window <= milliseconds{0}) return std::nullopt;
  return rate{*count, *window};
}

rate service_default_limit(operation op) {
  // docs/rest-contract.md §6, "Service limits for Azure Communication Services": requests per 30 s.
  constexpr milliseconds window{30'000};
  switch (op) {
    case operation::create_user: return {1000, window};
    case operation::create_user_and_token: return {1000, window};
    case operation::issue_token: return {1000, window};
    case operation::delete_user: return {500, window};
    case operation::revoke_tokens: return {500, window};
    // The service publishes no limit for GET /identities/{id}; this assumes it is throttled like
    // the other reads-and-creates (1000 per 30 s) rather than leaving it unlimited.
    case operation::get_user: return {1000, window};
  }
  return {1000, window};
}

}  // namespace acsbatch::job
