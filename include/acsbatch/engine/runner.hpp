#pragma once
/// Runs a job's items — one per user, each its steps in order — with at most `concurrency`
/// items in flight. Items come lazily from an item_source and their outcomes go to the report
/// as they finish, so memory does not grow with the user count. Every attempt takes its slot
/// from the rate limiter; failures are retried as the retry policy decides.
///
/// With job.load the same steps run as a load test: the open-model executors start iteration k
/// at its scheduled time (arrival_schedule) unless max_in_flight iterations run, in which case
/// it waits for a slot (first in, first out, counted as delayed) for at most max_start_delay and
/// is dropped (counted) if none came; constant-concurrency runs `concurrency` loops until
/// the duration ends. Each step's corrected latency (from the iteration's intended start) goes
/// to the report beside its service time, and identities the scenario does not delete are
/// deleted once the load is over (not measured, not reported), before `done` is called.
///
/// Workers run on strands of the executor passed to start(), so the io_context may be run by
/// several threads (--threads N); shared state is behind a mutex or atomic. An io_context run by
/// one thread (the default) says so with run_on_one_thread(): its workers then use the executor
/// itself, as a strand would only add a mutex and a heap-held executor to every completion.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "acsbatch/engine/item_stream.hpp"
#include "acsbatch/engine/rate_limiter.hpp"
#include "acsbatch/engine/retry_policy.hpp"
#include "acsbatch/engine/run_journal.hpp"
#include "acsbatch/engine/send_rate_meter.hpp"
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
  /// SIGINT/SIGTERM: in-flight items finish (within the grace period), no new ones start.
  interrupted,
  /// timeouts.job passed.
  job_timeout,
  /// The item source failed (a malformed line in an id file, an unreadable journal).
  source_failed,
  /// The journal cannot be written (disk full, I/O error): nothing more is sent, since what is
  /// sent must be journalled first.
  journal_failed,
  /// A threshold with abort_on_fail failed on what the run had measured so far.
  threshold_failed,
};

/// Counts the console and tests read while a run goes on.
struct run_progress {
  std::uint64_t items_done = 0;
  std::uint64_t items_failed = 0;
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;
  std::uint64_t dropped = 0;  ///< load mode, open model: iterations not started on time
};

class runner {
 public:
  /// Everything passed in must outlive the run (until `done` has been called). `journal` may be
  /// null (no state.path): then nothing is recorded and a killed run cannot be resumed.
  runner(const job::job& job, identity::identity_client& client, report::report_builder& report,
         item_stream& source, rate_limiter& limiter, std::chrono::steady_clock::time_point started,
         run_journal* journal = nullptr);
  ~runner();

  /// Starts min(concurrency, items) workers on strands of `executor`; `done` is called once,
  /// after the last worker finished, with the first unexpected exception (a bug) if any.
  void start(boost::asio::any_io_executor executor, std::function<void(std::exception_ptr)> done);

  /// The io_context is run by one thread only: workers need no strands. Call before start().
  void run_on_one_thread() { one_thread_ = true; }

  /// Stops launching items; in-flight items go on. Thread-safe; the first reason wins.
  void request_stop(stop_reason reason, std::string detail = {});
  /// An earlier run found that the service honours repeatability ids (journal meta).
  void assume_repeatability_honoured() { repeatability_honoured_ = true; }
  /// Cancels in-flight requests and waits now (after the grace period). Thread-safe.
  void cancel_in_flight();

  stop_reason stopped_because() const { return stop_reason_.load(); }
  /// What made the run stop (safe to print: no secrets).
  std::string stop_detail() const;
  run_progress progress() const;
  /// Load mode, once the run is done: the identities it created and did not delete (its
  /// cleanup failed for them, or was cut short). Empty when it left the resource as it was.
  std::vector<std::string> identities_left() const;
  /// `t` judged on the operations reported so far, rates over the time since `started`.
  /// Thread-safe.
  report::threshold_result judge_now(const report::threshold& t) const;

  /// Called with each item that issued a token, with the token, before the item is reported
  /// (outputs.tokens); serialized. The token goes nowhere else.
  std::function<void(const std::string& user_id, const std::string& token,
                     std::chrono::system_clock::time_point expires_on)>
      on_token;
  /// Called with each finished item (for the console), after the report has it; serialized.
  std::function<void(const report::item_outcome&)> on_item;

 private:
  struct worker_state;
  struct attempt_result;
  /// A send slot that is not free yet: reserved for `until`, or refused by the operation's
  /// window until `until` (then reserved anew after it).
  struct send_slot_wait {
    std::chrono::steady_clock::time_point until;
    bool window_full = false;
  };

  // A worker's coroutines hold its state (they are spawned with its cancellation slot) by the
  // shared_ptr parameter, even those that do not read it.
  boost::asio::awaitable<void> worker(std::shared_ptr<worker_state> state);
  struct item_context;
  boost::asio::awaitable<report::item_outcome> run_item(item_seed seed);
  /// `number`: the step's place in the job, for the journal.
  boost::asio::awaitable<report::step_outcome> run_step(item_context& item, const job::step& step,
                                                        std::size_t number);
  /// `create_key`: the create's journalled key, sent as its repeatability id when no customId.
  boost::asio::awaitable<attempt_result> attempt(const job::step& step, const std::string& user_id,
                                                 const std::string& custom_id, const std::string& create_key);
  /// Hands out the next item and journals its start, in index order.
  std::optional<item_seed> next_seed();
  /// The limiter's slot for one attempt of `op`, or nullopt when it is not free yet (then the
  /// slot is reserved: wait_for_send_slot() takes it). The usual case costs no coroutine frame.
  std::optional<send_slot_wait> try_send_slot(job::operation op);
  /// Waits for the slot try_send_slot() could not give; false when cancelled.
  boost::asio::awaitable<bool> wait_for_send_slot(job::operation op, send_slot_wait wait);
  /// Waits until `when` unless the run is cancelled first; false when cancelled.
  boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point when);
  void finish_worker(std::exception_ptr e);
  /// Reports a finished item and counts it (serialized).
  void record(const report::item_outcome& item);

  // Load mode (job.load).
  void start_load(boost::asio::any_io_executor executor);
  /// A new worker's executor: a strand of `executor`, or `executor` itself on one thread.
  boost::asio::any_io_executor worker_executor(const boost::asio::any_io_executor& executor) const;
  boost::asio::awaitable<void> arrival_scheduler(std::shared_ptr<worker_state> state);
  /// Spawns the iteration if fewer than max_in_flight run (then `seed` is moved from); each that
  /// ends cancels `slot_freed` on its strand.
  bool try_start_iteration(item_seed& seed,
                           std::chrono::steady_clock::time_point intended,
                           const std::shared_ptr<boost::asio::steady_timer>& slot_freed);
  boost::asio::awaitable<void> concurrency_loop(std::shared_ptr<worker_state> state,
                                                std::chrono::steady_clock::time_point end);
  boost::asio::awaitable<void> iteration(std::shared_ptr<worker_state> state, item_seed seed,
                                         std::chrono::steady_clock::time_point intended);
  /// Runs one iteration's scenario, stamps corrected latencies, keeps a leftover identity.
  boost::asio::awaitable<void> run_iteration(item_seed seed,
                                             std::chrono::steady_clock::time_point intended);
  /// After the load: deletes the identities a scenario without delete_user left.
  boost::asio::awaitable<void> delete_leftovers(std::shared_ptr<worker_state> state);

  const job::job& job_;
  identity::identity_client& client_;
  report::report_builder& report_;
  item_stream& source_;
  rate_limiter& limiter_;
  // What the limiter let out, per operation (by job::operation): the report's peak_sends_per_s.
  std::array<send_rate_meter, job::all_operations.size()> sends_;
  run_journal* journal_;
  retry_policy retry_;
  std::chrono::steady_clock::time_point started_;

  std::atomic<stop_reason> stop_reason_{stop_reason::none};
  std::atomic<bool> cancelled_{false};
  /// A create's answer said `Repeatability-Result: accepted`: the service de-duplicates repeated
  /// creates, so retrying one that may have reached it is safe.
  std::atomic<bool> repeatability_honoured_{false};
  std::mutex seed_mutex_;     // one item handed out and journalled at a time
  mutable std::mutex mutex_;  // guards everything below
  std::string stop_detail_;
  run_progress progress_;
  std::vector<std::shared_ptr<worker_state>> workers_;
  std::size_t active_workers_ = 0;
  std::size_t in_flight_ = 0;  // load mode, open model: iterations running
  boost::asio::any_io_executor executor_;
  bool one_thread_ = false;  // see run_on_one_thread()
  struct leftover {
    std::uint64_t index;  ///< the iteration's item (its journal entry)
    std::string user_id;
  };
  std::vector<leftover> leftovers_;  // load mode: identities to delete after the load
  bool cleaning_up_ = false;
  std::vector<std::string> left_behind_;  // load mode: leftovers whose delete failed
  std::exception_ptr first_exception_;
  std::function<void(std::exception_ptr)> done_;
};

/// A short machine-readable code for a failure: the service's own code when it sent one.
std::string error_code_name(const identity::error& e);

}  // namespace acsbatch::engine
