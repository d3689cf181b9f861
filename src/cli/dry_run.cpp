#include "dry_run.hpp"
#include "load_execution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "acsbatch/state/journal_items.hpp"
#include "acsbatch/engine/rate_limiter.hpp"

namespace acsbatch::cli {
namespace {

std::string format_duration(double seconds) {
  char buffer[64];
  const auto total = static_cast<long long>(std::ceil(seconds));
  if (total >= 3600) std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02llds", total / 3600, total / 60 % 60, total % 60);
  else if (total >= 60) std::snprintf(buffer, sizeof buffer, "%lldm%02llds", total / 60, total % 60);
  else std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  return buffer;
}

std::string format_rate(double per_second) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, per_second >= 100 ? "%.0f/s" : "%.2f/s", per_second);
  return buffer;
}

}  // namespace

void print_plan(const job::job& job, std::ostream& out) {
  if (job.load) {
    out << "plan for job " << job.name << " (" << job.file << ") — dry run, nothing is sent\n  " << load_plan(job)
        << '\n';
    return;
  }
  const auto stream = state::open_users(job);
  auto& source = *stream;
  const std::uint64_t items = source.total() ? *source.total() : source.count_remaining();
  const engine::rate_limiter limiter{job.rate_limit};

  out << "plan for job " << job.name << " (" << job.file << ") — dry run, nothing is sent\n";
  out << "  connection: "
      << (job.connection.embedded                         ? std::string("the embedded emulator")
          : job.connection.auth == job::auth_mode::entra ? job.connection.endpoint
                                                         : std::string("a connection string"))
      << (job.connection.auth == job::auth_mode::entra ? " with Entra ID" : "")
      << ", api-version " << job.connection.api_version << '\n';
  if (job.users.creates_users()) out << "  items: " << items << " new user(s)\n";
  else
    out << "  items: " << items << " user(s) from "
        << job.users.existing_users_path() << '\n';
  out << "  steps per item:";
  std::map<job::operation, std::uint64_t> requests;
  for (const auto& step : job.steps) {
    out << ' ' << job::to_string(step.op);
    if (!step.scopes.empty()) {
      out << '[';
      for (std::size_t i = 0; i < step.scopes.size(); ++i) out << (i ? "," : "") << step.scopes[i];
      out << ']';
    }
    requests[step.op] += items;
  }
  out << "\n  concurrency: " << job.concurrency << ", up to " << job.retry.max_attempts
      << " attempt(s) per request, request timeout " << job.request_timeout.count() << " ms\n";
  if (auto rate = limiter.job_limit_per_second())
    out << "  job rate limit: " << format_rate(*rate) << ", burst " << job.rate_limit.burst
        << (job.rate_limit.adaptive ? ", adaptive" : "") << '\n';

  double expected = 0;
  std::string bottleneck;
  std::uint64_t all_requests = 0;
  for (const auto& [op, count] : requests) {
    all_requests += count;
    out << "  " << job::to_string(op) << ": " << count << " request(s)";
    if (auto rate = limiter.limit_per_second(op)) {
      const double seconds = static_cast<double>(count) / *rate;
      out << " at ≤ " << format_rate(*rate) << " → " << format_duration(seconds);
      if (seconds > expected) expected = seconds, bottleneck = std::string(job::to_string(op));
    } else {
      out << ", unlimited";
    }
    out << '\n';
  }
  if (auto rate = limiter.job_limit_per_second()) {
    const double seconds = static_cast<double>(all_requests) / *rate;
    if (seconds > expected) expected = seconds, bottleneck = "the job's rate limit";
  }
  if (expected > 0)
    out << "  expected duration at the limits: " << format_duration(expected) << " (bound by " << bottleneck
        << "; the service's latency and throttling may add to it)\n";
  else
    out << "  expected duration: bound by latency only (no rate limit applies)\n";
}

}  // namespace acsbatch::cli
