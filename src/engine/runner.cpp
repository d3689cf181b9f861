#include "acsbatch/engine/runner.hpp"

#include "worker_state.hpp"

#include <algorithm>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/engine/load_schedule.hpp"

namespace acsbatch::engine {
namespace {

using clock = std::chrono::steady_clock;
namespace asio = boost::asio;

/// A load test reports throttling as results: its 429/503 count as attempts.
retry_settings to_settings(const job::retry_spec& spec, bool load_test) {
  retry_settings out;
  out.max_attempts = spec.max_attempts;
  out.initial_backoff = spec.initial_backoff;
  out.max_backoff = spec.max_backoff;
  out.on.throttled = spec.on_429;
  out.on.server_errors = spec.on_500 || spec.on_502 || spec.on_503 || spec.on_504;
  out.on.timeouts = spec.on_timeout;
  out.on.connection = spec.on_connection;
  if (load_test) out.throttled_for.reset();
  else out.throttled_for = spec.throttled_for;
  return out;
}

/// Deleting a load test's leftovers is not part of what it measures: those deletes are retried
/// at least this much, whatever the scenario's retry (often max_attempts: 1) says, and a 429/503
/// spends retry.throttled_for as in a batch run, not attempts.
constexpr unsigned cleanup_min_attempts = 6;

retry_settings cleanup_settings(const job::retry_spec& spec) {
  retry_settings out = to_settings(spec, /*load_test=*/false);
  out.max_attempts = std::max(out.max_attempts, cleanup_min_attempts);
  out.on = retry_on{};  // everything a delete can be retried on
  return out;
}

}  // namespace

std::string error_code_name(const identity::error& e) {
  if (!e.service_code.empty()) return e.service_code;
  if (e.http_status != 0) return "HTTP" + std::to_string(e.http_status);
  if (e.code.category() == acsbatch_category()) {
    switch (static_cast<errc>(e.code.value())) {
      case errc::timeout: return "timeout";
      case errc::connection_failed: return "connection_failed";
      case errc::connection_closed: return "connection_closed";
      case errc::tls_failed: return "tls_failed";
      case errc::protocol_error: return "protocol_error";
      case errc::response_too_large: return "response_too_large";
      case errc::insecure_endpoint: return "insecure_endpoint";
      case errc::http_status: return "http_status";
      case errc::invalid_response: return "invalid_response";
      case errc::cancelled: return "cancelled";
    }
  }
  return e.code.message();
}



runner::runner(const job::job& job, identity::identity_client& client, report::report_builder& report,
               item_stream& source, rate_limiter& limiter, clock::time_point started, run_journal* journal)
    : job_(job),
      client_(client),
      report_(report),
      source_(source),
      limiter_(limiter),
      journal_(journal),
      retry_(to_settings(job.retry, job.load.has_value())),
      started_(started) {}

runner::~runner() = default;

void runner::start(asio::any_io_executor executor, std::function<void(std::exception_ptr)> done) {
  if (job_.load) {
    {
      std::lock_guard lock{mutex_};
      done_ = std::move(done);
    }
    start_load(std::move(executor));
    return;
  }
  std::uint64_t count = job_.concurrency;
  if (auto total = source_.total()) count = std::min<std::uint64_t>(count, std::max<std::uint64_t>(*total, 1));
  std::lock_guard lock{mutex_};
  done_ = std::move(done);
  active_workers_ = count;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto state = std::make_shared<worker_state>(worker_executor(executor));
    workers_.push_back(state);
    asio::co_spawn(state->executor, worker(state),
                   asio::bind_cancellation_slot(state->cancel.slot(),
                                                [this](std::exception_ptr e) { finish_worker(e); }));
  }
}

asio::any_io_executor runner::worker_executor(const asio::any_io_executor& executor) const {
  if (one_thread_) return executor;
  return asio::make_strand(executor);
}

void runner::finish_worker(std::exception_ptr e) {
  std::function<void(std::exception_ptr)> done;
  std::exception_ptr first;
  std::vector<std::shared_ptr<worker_state>> cleaners;
  {
    std::lock_guard lock{mutex_};
    if (e && !first_exception_) first_exception_ = e;
    if (--active_workers_ != 0) return;
    // Rates are measured over the load; deleting its leftovers comes after.
    if (job_.load && !cleaning_up_) report_.load_ended(std::chrono::system_clock::now());
    if (job_.load && !leftovers_.empty() && !cleaning_up_ && !first_exception_ && !cancelled_) {
      // The load is over: now its leftover identities go, as fast as the load ran them.
      cleaning_up_ = true;
      retry_ = retry_policy{cleanup_settings(job_.retry)};  // no load worker is left to read it
      const std::size_t width = job_.load->open_model() ? job_.load->max_in_flight : job_.load->concurrency;
      const std::size_t count = std::min<std::size_t>(leftovers_.size(), std::max<std::size_t>(width, 1));
      active_workers_ = count;
      for (std::size_t i = 0; i < count; ++i) {
        cleaners.push_back(std::make_shared<worker_state>(worker_executor(executor_)));
        workers_.push_back(cleaners.back());
      }
    } else {
      for (const auto op : job::all_operations)
        if (const auto peak = sends_[static_cast<std::size_t>(op)].peak()) {
          const std::string name{job::to_string(op)};
          report_.sent_at_most(name, peak);
          if (const auto t = limiter_.throttling(op); t.answers > 0 && !job_.load)
            report_.throttling_of(name, to_string(t.regime), t.learned_per_second);
        }
      done = std::move(done_);
      first = first_exception_;
    }
  }
  for (auto& state : cleaners)
    asio::co_spawn(state->executor, delete_leftovers(state),
                   asio::bind_cancellation_slot(state->cancel.slot(),
                                                [this](std::exception_ptr e) { finish_worker(e); }));
  if (done) done(first);
}

void runner::request_stop(stop_reason reason, std::string detail) {
  auto expected = stop_reason::none;
  if (stop_reason_.compare_exchange_strong(expected, reason)) {
    std::lock_guard lock{mutex_};
    stop_detail_ = std::move(detail);
  }
}

void runner::cancel_in_flight() {
  cancelled_ = true;
  std::lock_guard lock{mutex_};
  for (auto& state : workers_)
    asio::post(state->executor, [state] { state->cancel.emit(asio::cancellation_type::terminal); });
}

std::string runner::stop_detail() const {
  std::lock_guard lock{mutex_};
  return stop_detail_;
}

report::threshold_result runner::judge_now(const report::threshold& t) const {
  const double elapsed = std::chrono::duration<double>(clock::now() - started_).count();
  std::lock_guard lock{mutex_};
  return report::evaluate(t, report_.operations(), elapsed);
}

run_progress runner::progress() const {
  std::lock_guard lock{mutex_};
  return progress_;
}

std::optional<item_seed> runner::next_seed() {
  std::lock_guard lock{seed_mutex_};
  auto seed = source_.next();
  // Under the same lock, so items are journalled in the order they are handed out: a killed
  // run's journal then holds a prefix of the items, and --resume goes on after it.
  if (seed && journal_ && !seed->finished) journal_->item_started(*seed);
  return seed;
}

asio::awaitable<void> runner::worker(std::shared_ptr<worker_state> /*state*/) {
  co_await asio::this_coro::throw_if_cancelled(false);
  while (stop_reason_ == stop_reason::none) {
    std::optional<item_seed> seed;
    try {
      seed = next_seed();
    } catch (const std::exception& e) {  // a malformed id file line, an unreadable journal
      request_stop(stop_reason::source_failed, e.what());
      break;
    }
    if (!seed) break;
    report::item_outcome item;
    if (seed->finished) {
      // Done by an earlier run: reported as it was, nothing is sent.
      item.index = seed->index;
      item.user_id = std::move(seed->user_id);
      item.steps = std::move(seed->done_steps);
      item.from_earlier_run = true;
    } else {
      item = co_await run_item(std::move(*seed));
    }
    record(item);
  }
}

void runner::record(const report::item_outcome& item) {
  std::lock_guard lock{mutex_};
  report_.add(item);
  ++progress_.items_done;
  if (!item.ok()) ++progress_.items_failed;
  if (on_item) on_item(item);
}

namespace {

/// The step number journalled for the create that finds a cleanup item's identity again.
constexpr std::size_t adopt_step = static_cast<std::size_t>(-1);

/// Settled: every step ran, or one failed for good. Otherwise a stop cut the item short (a step
/// cancelled, or steps not reached) and --resume redoes the rest.
bool settled(const report::item_outcome& item, std::size_t step_count) {
  for (const auto& step : item.steps)
    if (!step.ok && step.error_code == "cancelled") return false;
  return !item.ok() || item.steps.size() >= step_count;
}

}  // namespace

asio::awaitable<report::item_outcome> runner::run_item(item_seed seed) {
  co_await asio::this_coro::throw_if_cancelled(false);
  item_context item;
  item.outcome.index = seed.index;
  item.outcome.user_id = std::move(seed.user_id);
  item.outcome.steps = std::move(seed.done_steps);
  for (auto& step : item.outcome.steps) step.from_earlier_run = true;
  item.custom_id = job_.users.custom_id_for(seed.index);
  item.create_key = !item.custom_id.empty() ? item.custom_id : std::move(seed.create_key);
  item.in_flight_step = seed.in_flight_step;
  bool failed = false;
  if (item.outcome.user_id.empty() && !seed.adopt_custom_id.empty()) {
    // Find the identity again: a create with its customId returns the one already bound to it.
    item.custom_id = seed.adopt_custom_id;
    item.create_key = seed.adopt_custom_id;
    const job::step find{job::operation::create_user, {}, std::nullopt};
    auto outcome = co_await run_step(item, find, adopt_step);
    failed = !outcome.ok;
    item.outcome.steps.push_back(std::move(outcome));
  }
  for (std::size_t number = seed.first_step; number < job_.steps.size(); ++number) {
    const auto& step = job_.steps[number];
    // After a failure only delete_user still runs, so a half-done item leaves no orphan.
    if (failed && (step.op != job::operation::delete_user || item.outcome.user_id.empty())) continue;
    if (cancelled_ || stop_reason_ == stop_reason::journal_failed) break;
    auto outcome = co_await run_step(item, step, number);
    failed = failed || !outcome.ok;
    if (journal_) journal_->step_finished(seed.index, number, outcome, item.outcome.user_id);
    item.outcome.steps.push_back(std::move(outcome));
  }
  if (journal_) journal_->item_finished(item.outcome, settled(item.outcome, job_.steps.size()));
  co_return std::move(item.outcome);
}

}  // namespace acsbatch::engine
