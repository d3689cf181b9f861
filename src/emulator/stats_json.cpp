// GET /emulator/stats: everything the emulator counted, as one JSON object. Tests and the
// fault-storm checks read it; its field names are public API.

#include <boost/json/serialize.hpp>

#include "acsbatch/emulator/request_handler.hpp"

namespace acsbatch::emulator {
namespace {

/// The identity operations are always listed so readers need not guard missing keys; other
/// operations only once something happened to them.
bool listed(operation op, bool happened) {
  return static_cast<std::size_t>(op) <= static_cast<std::size_t>(operation::get_user) || happened;
}

}  // namespace

std::string request_handler::stats_json(std::optional<steady_time> now) const {
  const auto counters = store_.counters();
  const auto requests = stats_.counts();
  const auto faults = stats_.faults();
  const auto applied = stats_.applied_before_fault();
  const auto rates = rates_.read(now);

  boost::json::object by_operation, fault_counts, applied_counts, rate_series, max_per_second;
  for (std::size_t i = 0; i < operation_count; ++i) {
    const auto op = static_cast<operation>(i);
    const auto name = to_string(op);
    if (listed(op, !requests[i].empty())) {
      boost::json::object by_status;
      for (const auto& [status, count] : requests[i]) by_status[std::to_string(status)] = count;
      by_operation[name] = std::move(by_status);
    }
    // Arrivals, faults and limits concern the service's operations only, never /emulator/*.
    if (op == operation::emulator_stats || op == operation::emulator_validate_token || op == operation::other)
      continue;
    const bool seen = rates.max_per_second[i] != 0;
    if (!listed(op, seen)) continue;
    boost::json::object by_kind;
    for (std::size_t k = 0; k < fault_kind_count; ++k)
      if (faults[i][k] != 0) by_kind[to_string(static_cast<fault_kind>(k))] = faults[i][k];
    fault_counts[name] = std::move(by_kind);
    applied_counts[name] = applied[i];
    boost::json::array per_second;
    per_second.reserve(rates.per_second.size());
    for (const auto& bucket : rates.per_second) per_second.push_back(bucket[i]);
    rate_series[name] = {{"window_start_s", rates.window_start_s}, {"per_second", std::move(per_second)}};
    max_per_second[name] = rates.max_per_second[i];
  }

  boost::json::object out;
  out["seed"] = options_.seed;
  out["identities"] = {{"created", counters.created}, {"live", counters.live}, {"deleted", counters.deleted}};
  out["tokens"] = {{"issued", counters.tokens_issued}};
  out["requests"] = std::move(by_operation);
  out["faults"] = std::move(fault_counts);
  out["applied_before_fault"] = std::move(applied_counts);
  out["rates"] = std::move(rate_series);
  out["max_per_second"] = std::move(max_per_second);
  return boost::json::serialize(out);
}

}  // namespace acsbatch::emulator
