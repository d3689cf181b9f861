#include "acsbatch/emulator/service_limits.hpp"

#include <algorithm>

#include "acsbatch/core/error.hpp"
#include "spec_text.hpp"

namespace acsbatch::emulator {
namespace {

using namespace std::chrono_literals;

/// The operations a limit may name: those the service answers (not /emulator/*, not 404s).
constexpr operation limitable[] = {
    operation::create_user,   operation::create_user_and_token, operation::issue_token,
    operation::revoke_tokens, operation::delete_user,           operation::get_user,
    operation::exchange_teams_token,
};

[[noreturn]] void fail(std::string_view item, std::string_view why) {
  throw config_error("--limits: '" + std::string(item) + "' " + std::string(why));
}

std::optional<operation> limitable_operation(std::string_view name) {
  for (const auto op : limitable)
    if (to_string(op) == name) return op;
  return std::nullopt;
}

std::string limitable_names() {
  std::string out;
  for (const auto op : limitable) out += (out.empty() ? "" : ", ") + std::string(to_string(op));
  return out;
}

/// "100/1s", "100/s", "1000/30s".
operation_limit parse_rate(std::string_view item, std::string_view rate) {
  const auto slash = rate.find('/');
  if (slash == std::string_view::npos) fail(item, "must be OP=N/WINDOW (e.g. create_user=100/1s)");
  const auto requests = spec_text::parse_count(rate.substr(0, slash));
  if (!requests || *requests == 0 || *requests > max_limit_requests)
    fail(item, "needs a request count N between 1 and " + std::to_string(max_limit_requests));
  std::string window_text(rate.substr(slash + 1));
  if (!window_text.empty() && window_text.front() >= 'a' && window_text.front() <= 'z')
    window_text.insert(0, "1");  // "100/s": per one second
  const auto window = spec_text::parse_duration(window_text);
  if (!window || *window <= 0ns)
    fail(item, "needs a window such as 1s, 500ms or 30s after the '/'");
  return {static_cast<std::size_t>(*requests), *window};
}

}  // namespace

bool service_limits::empty() const {
  return std::none_of(per_operation.begin(), per_operation.end(), [](const auto& l) { return l.has_value(); });
}

service_limits real_service_limits() {
  service_limits out;
  const auto set = [&](operation op, std::size_t n) { out.per_operation[static_cast<std::size_t>(op)] = operation_limit{n, 30s}; };
  set(operation::create_user, 1000);
  set(operation::create_user_and_token, 1000);
  set(operation::issue_token, 1000);
  set(operation::delete_user, 500);
  set(operation::revoke_tokens, 500);
  set(operation::exchange_teams_token, 500);
  set(operation::get_user, 1000);  // not published; see the header
  return out;
}

service_limits parse_service_limits(std::string_view spec) {
  const auto whole = spec_text::trim(spec);
  if (whole.empty() || whole == "off" || whole == "none") return {};
  service_limits out;
  for (const auto item : spec_text::split(whole, ',')) {
    if (item == "real") {
      out = real_service_limits();
      continue;
    }
    const auto equals = item.find('=');
    if (equals == std::string_view::npos)
      fail(item, "must be real, off, or OP=N/WINDOW (e.g. create_user=100/1s)");
    const auto name = spec_text::trim(item.substr(0, equals));
    const auto op = limitable_operation(name);
    if (!op) fail(item, "names no operation (operations: " + limitable_names() + ")");
    const auto rate = spec_text::trim(item.substr(equals + 1));
    auto& slot = out.per_operation[static_cast<std::size_t>(*op)];
    if (rate == "off" || rate == "none") slot.reset();
    else slot = parse_rate(item, rate);
  }
  return out;
}

std::string to_string(const service_limits& limits) {
  std::string out;
  for (std::size_t i = 0; i < operation_count; ++i) {
    const auto& limit = limits.per_operation[i];
    if (!limit) continue;
    out += (out.empty() ? "" : ",") + std::string(to_string(static_cast<operation>(i))) + "=" +
           std::to_string(limit->requests) + "/" + spec_text::format_duration(limit->window);
  }
  return out.empty() ? "off" : out;
}

}  // namespace acsbatch::emulator
