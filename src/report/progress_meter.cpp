#include <algorithm>
#include <cmath>
#include <cstdio>

#include "acsbatch/report/progress.hpp"

namespace acsbatch::report {

progress_meter::progress_meter(std::optional<std::uint64_t> total, clock::time_point started,
                               clock::duration window)
    : total_(total), window_(window) {
  samples_.push_back({started, {}});
}

void progress_meter::update(const progress_snapshot& snapshot, clock::time_point now) {
  if (now < samples_.back().at) return;
  samples_.push_back({now, snapshot});
  // Drop the oldest while the next one is old enough to span the window on its own.
  while (samples_.size() > 2 && samples_[1].at <= now - window_) samples_.pop_front();
}

double progress_meter::rate(std::uint64_t progress_snapshot::*counter) const {
  const auto& oldest = samples_.front();
  const auto& newest = samples_.back();
  const double seconds = std::chrono::duration<double>(newest.at - oldest.at).count();
  if (seconds <= 0.0 || newest.counts.*counter < oldest.counts.*counter) return 0.0;
  return static_cast<double>(newest.counts.*counter - oldest.counts.*counter) / seconds;
}

double progress_meter::ops_per_second() const { return rate(&progress_snapshot::requests); }

double progress_meter::items_per_second() const { return rate(&progress_snapshot::items_done); }

std::optional<unsigned> progress_meter::percent() const {
  if (!total_) return std::nullopt;
  const std::uint64_t done = last().items_done;
  if (*total_ == 0 || done >= *total_) return 100u;
  // Integer arithmetic: 99 999 of 100 000 is 99%, never a rounded-up 100%.
  const auto whole = static_cast<unsigned>(static_cast<long double>(done) * 100 / static_cast<long double>(*total_));
  return std::min(whole, 99u);
}

std::optional<std::chrono::seconds> progress_meter::eta() const {
  if (!total_) return std::nullopt;
  const std::uint64_t done = last().items_done;
  if (done >= *total_) return std::chrono::seconds{0};
  const double per_second = items_per_second();
  if (per_second <= 0.0) return std::nullopt;
  const double seconds = std::ceil(static_cast<double>(*total_ - done) / per_second);
  // Beyond a year the number means nothing; it also keeps the cast in range.
  return std::chrono::seconds{static_cast<std::int64_t>(std::min(seconds, 366.0 * 24 * 3600))};
}

std::string progress_meter::text() const {
  const auto& now = last();
  char buffer[256];
  std::string out;
  if (total_) {
    std::snprintf(buffer, sizeof buffer, "%llu/%llu (%u%%)", static_cast<unsigned long long>(now.items_done),
                  static_cast<unsigned long long>(*total_), *percent());
  } else {
    std::snprintf(buffer, sizeof buffer, "%llu done", static_cast<unsigned long long>(now.items_done));
  }
  out += buffer;
  std::snprintf(buffer, sizeof buffer, " · %.1f ops/s · errors %llu · throttled %llu · retries %llu",
                ops_per_second(), static_cast<unsigned long long>(now.items_failed),
                static_cast<unsigned long long>(now.throttled), static_cast<unsigned long long>(now.retries));
  out += buffer;
  if (total_) {
    const auto left = eta();
    out += " · ETA ";
    out += left ? format_eta(*left) : "--";
  }
  return out;
}

log_fields progress_meter::fields() const {
  const auto& now = last();
  log_fields out;
  out.add_unsigned("done", now.items_done);
  if (total_) out.add_unsigned("total", *total_);
  else out.add_null("total");
  out.add_number("ops_per_s", ops_per_second());
  out.add_unsigned("errors", now.items_failed);
  out.add_unsigned("throttled", now.throttled);
  out.add_unsigned("retries", now.retries);
  if (const auto left = eta()) out.add_unsigned("eta_s", static_cast<std::uint64_t>(left->count()));
  else out.add_null("eta_s");
  return out;
}

std::string format_eta(std::chrono::seconds duration) {
  const long long total = std::max<long long>(0, duration.count());
  char buffer[64];
  if (total >= 3600) std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02llds", total / 3600, total / 60 % 60, total % 60);
  else if (total >= 60) std::snprintf(buffer, sizeof buffer, "%lldm%02llds", total / 60, total % 60);
  else std::snprintf(buffer, sizeof buffer, "%llds", total);
  return buffer;
}

}  // namespace acsbatch::report
