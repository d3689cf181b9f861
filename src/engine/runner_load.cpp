// The runner's load mode: iterations started on an arrival schedule (open model) or by a fixed
// number of looping workers (closed model), each a scenario run through the same steps, retries
// and limits as a bulk item; identities a scenario leaves are deleted at the end.

#include "acsbatch/engine/runner.hpp"

#include "worker_state.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/engine/load_schedule.hpp"

namespace acsbatch::engine {
namespace {

using clock = std::chrono::steady_clock;
namespace asio = boost::asio;

}  // namespace

void runner::start_load(asio::any_io_executor executor) {
  const auto& load = *job_.load;
  const std::size_t count = load.open_model() ? 1 : load.concurrency;
  const auto end = clock::now() + load.duration;
  std::lock_guard lock{mutex_};
  executor_ = executor;
  active_workers_ = count;
  for (std::size_t i = 0; i < count; ++i) {
    auto state = std::make_shared<worker_state>(worker_executor(executor));
    workers_.push_back(state);
    auto work = load.open_model() ? arrival_scheduler(state) : concurrency_loop(state, end);
    asio::co_spawn(state->executor, std::move(work),
                   asio::bind_cancellation_slot(state->cancel.slot(),
                                                [this](std::exception_ptr e) { finish_worker(e); }));
  }
}

asio::awaitable<void> runner::arrival_scheduler(std::shared_ptr<worker_state> state) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const auto& load = *job_.load;
  const arrival_schedule schedule{load};
  const auto begin = clock::now();
  // Every iteration that ends cancels this timer, so the one waiting for a slot starts then.
  const auto slot_freed = std::make_shared<asio::steady_timer>(state->executor);
  std::uint64_t dropped = 0, delayed = 0;
  // Until then the scheduler waited for a slot: iterations due before it queued behind.
  auto queue_ended = clock::time_point::min();
  for (std::uint64_t k = 0; stop_reason_ == stop_reason::none; ++k) {
    const auto offset = schedule.offset_of(k);
    if (!offset) break;
    const auto intended = begin + std::chrono::duration_cast<clock::duration>(*offset);
    if (!co_await wait_until(intended) || stop_reason_ != stop_reason::none) break;
    std::optional<item_seed> seed;
    try {
      seed = next_seed();
    } catch (const std::exception& e) {
      request_stop(stop_reason::source_failed, e.what());
      break;
    }
    if (!seed) break;
    // Open model: an iteration due while max_in_flight run waits, first in first out, for at
    // most max_start_delay, and is dropped (counted) if it has not started by then. The wait is
    // part of its latency (measured from `intended`), so queueing shows in the percentiles.
    const auto give_up_at = intended + std::chrono::duration_cast<clock::duration>(load.max_start_delay);
    bool waited = intended < queue_ended, started = false;
    for (;;) {
      if (try_start_iteration(*seed, intended, slot_freed)) {
        started = true;
        break;
      }
      if (clock::now() >= give_up_at || stop_reason_ != stop_reason::none || cancelled_) break;
      waited = true;
      slot_freed->expires_at(give_up_at);
      co_await slot_freed->async_wait(asio::as_tuple(asio::use_awaitable));
      queue_ended = clock::now();
    }
    if (started && waited) ++delayed;
    if (!started) {
      ++dropped;
      std::lock_guard lock{mutex_};
      ++progress_.dropped;
    }
  }
  std::lock_guard lock{mutex_};
  report_.add_dropped(dropped, delayed);
}

bool runner::try_start_iteration(item_seed& seed,
                                 clock::time_point intended, const std::shared_ptr<asio::steady_timer>& slot_freed) {
  std::lock_guard lock{mutex_};
  if (in_flight_ >= job_.load->max_in_flight) return false;
  ++in_flight_;
  ++active_workers_;
  auto it = std::make_shared<worker_state>(worker_executor(executor_));
  workers_.push_back(it);
  asio::co_spawn(it->executor, iteration(it, std::move(seed), intended),
                 asio::bind_cancellation_slot(it->cancel.slot(), [this, it, slot_freed](std::exception_ptr e) {
                   {
                     std::lock_guard done_lock{mutex_};
                     --in_flight_;
                     std::erase(workers_, it);
                   }
                   // On the timer's strand: the scheduler either sees the free slot before it
                   // waits or is woken from the wait, never neither.
                   asio::post(slot_freed->get_executor(), [slot_freed] { slot_freed->cancel(); });
                   finish_worker(e);
                 }));
  return true;
}

asio::awaitable<void> runner::concurrency_loop(std::shared_ptr<worker_state> /*state*/, clock::time_point end) {
  co_await asio::this_coro::throw_if_cancelled(false);
  while (stop_reason_ == stop_reason::none && !cancelled_ && clock::now() < end) {
    std::optional<item_seed> seed;
    try {
      seed = next_seed();
    } catch (const std::exception& e) {
      request_stop(stop_reason::source_failed, e.what());
      break;
    }
    if (!seed) break;
    // Closed model: the next iteration is due when the previous one ends.
    co_await run_iteration(std::move(*seed), clock::now());
  }
}

asio::awaitable<void> runner::iteration(std::shared_ptr<worker_state> /*state*/, item_seed seed,
                                        clock::time_point intended) {
  co_await asio::this_coro::throw_if_cancelled(false);
  co_await run_iteration(std::move(seed), intended);
}

asio::awaitable<void> runner::run_iteration(item_seed seed, clock::time_point intended) {
  co_await asio::this_coro::throw_if_cancelled(false);
  // How late the iteration started (the scheduler's own delay): added to every step's latency,
  // so the report measures from when the iteration should have started.
  const auto lateness = std::max(std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - intended),
                                 std::chrono::microseconds{0});
  auto item = co_await run_item(std::move(seed));
  for (auto& step : item.steps) step.corrected_latency = step.latency + lateness;
  const bool deleted = std::any_of(item.steps.begin(), item.steps.end(), [](const report::step_outcome& s) {
    return s.ok && s.op == job::to_string(job::operation::delete_user);
  });
  if (!deleted && !item.user_id.empty()) {
    // A load test leaves the resource as it found it: an identity its scenario did not delete
    // (no delete_user, or a step failed before or at it) goes after the load, so its deletion
    // neither holds an in-flight slot nor adds unscheduled requests to what is measured.
    std::lock_guard lock{mutex_};
    leftovers_.push_back({item.index, item.user_id});
  }
  record(item);
}

asio::awaitable<void> runner::delete_leftovers(std::shared_ptr<worker_state> /*state*/) {
  co_await asio::this_coro::throw_if_cancelled(false);
  const job::step remove{job::operation::delete_user, {}, std::nullopt};
  for (;;) {
    item_context leftover;
    {
      std::lock_guard lock{mutex_};
      if (leftovers_.empty() || cancelled_) break;
      leftover.outcome.index = leftovers_.back().index;
      leftover.outcome.user_id = std::move(leftovers_.back().user_id);
      leftovers_.pop_back();
    }
    // A 404 here means gone (the scenario's delete may have lost its answer): the goal is met.
    leftover.in_flight_step = job_.steps.size();
    // Journalled as one step past the scenario, so `acsbatch cleanup --state` after a kill
    // deletes only what this cleanup had not reached.
    const auto outcome = co_await run_step(leftover, remove, job_.steps.size());
    if (journal_) journal_->step_finished(leftover.outcome.index, job_.steps.size(), outcome, leftover.outcome.user_id);
    if (!outcome.ok) {
      std::lock_guard lock{mutex_};
      left_behind_.push_back(std::move(leftover.outcome.user_id));
    }
  }
}

std::vector<std::string> runner::identities_left() const {
  std::lock_guard lock{mutex_};
  std::vector<std::string> out = left_behind_;
  for (const auto& item : leftovers_) out.push_back(item.user_id);  // not reached: the run was cut short
  return out;
}

}  // namespace acsbatch::engine
