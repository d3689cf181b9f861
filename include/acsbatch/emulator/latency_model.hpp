#pragma once
/// How long the emulator waits before answering (`--latency`): a distribution and a seeded
/// sampler over it. The server turns a sample into an asynchronous wait; nothing here sleeps.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace acsbatch::emulator {

struct latency_spec {
  enum class shape { none, fixed, uniform, lognormal };
  shape distribution = shape::none;
  std::chrono::microseconds fixed{0};  ///< shape::fixed
  std::chrono::microseconds min{0};    ///< shape::uniform, inclusive
  std::chrono::microseconds max{0};    ///< shape::uniform, inclusive
  std::chrono::microseconds median{0}; ///< shape::lognormal
  std::chrono::microseconds p99{0};    ///< shape::lognormal
  friend bool operator==(const latency_spec&, const latency_spec&) = default;
};

/// Samples are cut here: a lognormal tail must not hold a connection (or the server's stop)
/// for minutes.
inline constexpr std::chrono::seconds max_latency{60};

/// `--latency`: `none`/`off`/empty, `fixed:20ms`, `uniform:min=5ms,max=50ms`,
/// `lognormal:median=20ms,p99=250ms` (p99 ≥ median). Durations take us, ms, s or m and may
/// have decimals. Throws config_error naming the bad part, e.g.
/// `--latency: 'lognormal:median=20ms' needs p99=DURATION`.
latency_spec parse_latency_spec(std::string_view spec);

/// The canonical spec, for logs: `lognormal:median=20ms,p99=250ms`, or `none`.
std::string to_string(const latency_spec& spec);

/// Draws delays from a latency_spec. lognormal: exp(mu + sigma·Z) with mu = ln(median) and
/// sigma = ln(p99/median)/2.326 (2.326 = the standard normal's 99th percentile), Z from
/// Box–Muller over unit_interval (not std::lognormal_distribution, whose algorithm is the
/// library's choice), so a seed replays the same delays.
/// Safe to call from several threads.
class latency_sampler {
 public:
  latency_sampler(latency_spec spec, std::uint64_t seed);

  /// 0 for shape::none, without a draw; otherwise one sample in [0, max_latency].
  std::chrono::microseconds sample();

  const latency_spec& spec() const { return spec_; }
  double mu() const { return mu_; }
  double sigma() const { return sigma_; }

 private:
  const latency_spec spec_;
  double mu_ = 0;     ///< ln(median in microseconds)
  double sigma_ = 0;
  std::mutex mutex_;
  std::mt19937_64 random_;
};

}  // namespace acsbatch::emulator
