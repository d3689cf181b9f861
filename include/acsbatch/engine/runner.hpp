#pragma once
/// Runs a job's items — one per user, each its steps in order — with at most `concurrency`
/// items in flight on the caller's executor. Items are produced lazily from a counter and their
/// outcomes handed to the report as they finish, so memory does not grow with the user count.

#include <atomic>
#include <cstdint>
#include <functional>

#include <boost/asio/awaitable.hpp>

#include "acsbatch/identity/client.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::engine {

/// Why a run stopped launching new items.
enum class stop_reason {
  none,
  /// The service rejected our credentials or could not be reached: every further item would
  /// fail the same way, so the run stops instead of hammering it.
  unavailable,
  /// SIGINT/SIGTERM: in-flight items finish, no new ones start.
  interrupted,
};

class runner {
 public:
  /// `client` and `report` must outlive run().
  runner(const job::job& job, identity::identity_client& client, report::report_builder& report,
         std::chrono::steady_clock::time_point started);

  /// Completes when every launched item has finished.
  boost::asio::awaitable<void> run();

  /// Stops launching items; in-flight items run to completion. Safe from a signal handler
  /// coroutine on the same executor.
  void request_stop(stop_reason reason);
  stop_reason stopped_because() const { return stop_reason_; }
  /// The failure that made the run stop as unavailable (safe to print: no secrets).
  const std::string& stop_detail() const { return stop_detail_; }

  /// Called with each finished item (for the console), after the report has it.
  std::function<void(const report::item_outcome&)> on_item;

 private:
  boost::asio::awaitable<void> worker();
  boost::asio::awaitable<report::item_outcome> run_item(std::uint64_t index);
  boost::asio::awaitable<report::step_outcome> run_step(const job::step& step, std::string& user_id);

  const job::job& job_;
  identity::identity_client& client_;
  report::report_builder& report_;
  std::chrono::steady_clock::time_point started_;
  std::uint64_t next_index_ = 0;
  stop_reason stop_reason_ = stop_reason::none;
  std::string stop_detail_;
};

}  // namespace acsbatch::engine
