#include "acsbatch/engine/runner.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/core/error.hpp"

namespace acsbatch::engine {
namespace {

using clock = std::chrono::steady_clock;
namespace asio = boost::asio;

/// Failures that every later request would meet too.
bool is_unavailable(const identity::error& e) {
  if (e.http_status == 401 || e.http_status == 403) return true;
  return e.code == errc::connection_failed || e.code == errc::tls_failed || e.code == errc::insecure_endpoint;
}

/// Repeating anything but a create cannot duplicate an effect: a second token, revoke or delete
/// leaves the service as the first did; a create with a customId returns the same identity.
bool is_idempotent(job::operation op, bool has_custom_id) {
  return has_custom_id || (op != job::operation::create_user && op != job::operation::create_user_and_token);
}

identity::create_options create_options_for(const std::string& custom_id) {
  identity::create_options options;
  if (!custom_id.empty()) options.custom_id = custom_id;
  return options;
}

retry_settings to_settings(const job::retry_spec& spec) {
  retry_settings out;
  out.max_attempts = spec.max_attempts;
  out.initial_backoff = spec.initial_backoff;
  out.max_backoff = spec.max_backoff;
  out.on.throttled = spec.on_429;
  out.on.server_errors = spec.on_500 || spec.on_502 || spec.on_503 || spec.on_504;
  out.on.timeouts = spec.on_timeout;
  out.on.connection = spec.on_connection;
  return out;
}

/// The job may retry only some 5xx codes; retry_policy groups them, so filter here.
bool status_enabled(const job::retry_spec& spec, unsigned status) {
  switch (status) {
    case 500: return spec.on_500;
    case 502: return spec.on_502;
    case 503: return spec.on_503;
    case 504: return spec.on_504;
    default: return true;
  }
}

constexpr auto default_throttle_pause = std::chrono::seconds{1};

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

struct runner::worker_state {
  explicit worker_state(asio::any_io_executor ex, std::uint64_t seed) : strand(std::move(ex)), random(seed) {}
  asio::any_io_executor strand;
  asio::cancellation_signal cancel;
  std::mt19937_64 random;
};

struct runner::attempt_result {
  std::optional<identity::error> error;
  unsigned http_status = 0;
  std::string user_id;
  std::optional<std::chrono::system_clock::time_point> expires_on;
};

runner::runner(const job::job& job, identity::identity_client& client, report::report_builder& report,
               item_source& source, rate_limiter& limiter, clock::time_point started)
    : job_(job),
      client_(client),
      report_(report),
      source_(source),
      limiter_(limiter),
      retry_(to_settings(job.retry)),
      started_(started) {}

runner::~runner() = default;

void runner::start(asio::any_io_executor executor, std::function<void(std::exception_ptr)> done) {
  std::uint64_t count = job_.concurrency;
  if (auto total = source_.total()) count = std::min<std::uint64_t>(count, std::max<std::uint64_t>(*total, 1));
  std::random_device entropy;
  std::lock_guard lock{mutex_};
  done_ = std::move(done);
  active_workers_ = count;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto state = std::make_shared<worker_state>(asio::make_strand(executor), (std::uint64_t{entropy()} << 32) ^ i);
    workers_.push_back(state);
    asio::co_spawn(state->strand, worker(state),
                   asio::bind_cancellation_slot(state->cancel.slot(),
                                                [this](std::exception_ptr e) { finish_worker(e); }));
  }
}

void runner::finish_worker(std::exception_ptr e) {
  std::function<void(std::exception_ptr)> done;
  std::exception_ptr first;
  {
    std::lock_guard lock{mutex_};
    if (e && !first_exception_) first_exception_ = e;
    if (--active_workers_ != 0) return;
    done = std::move(done_);
    first = first_exception_;
  }
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
    asio::post(state->strand, [state] { state->cancel.emit(asio::cancellation_type::terminal); });
}

std::string runner::stop_detail() const {
  std::lock_guard lock{mutex_};
  return stop_detail_;
}

run_progress runner::progress() const {
  std::lock_guard lock{mutex_};
  return progress_;
}

asio::awaitable<void> runner::worker(std::shared_ptr<worker_state> state) {
  co_await asio::this_coro::throw_if_cancelled(false);
  while (stop_reason_ == stop_reason::none) {
    std::optional<item_seed> seed;
    try {
      seed = source_.next();
    } catch (const config_error& e) {
      request_stop(stop_reason::source_failed, e.what());
      break;
    }
    if (!seed) break;
    auto item = co_await run_item(*state, std::move(*seed));
    std::lock_guard lock{mutex_};
    report_.add(item);
    ++progress_.items_done;
    if (!item.ok()) ++progress_.items_failed;
    if (on_item) on_item(item);
  }
}

asio::awaitable<report::item_outcome> runner::run_item(worker_state& state, item_seed seed) {
  co_await asio::this_coro::throw_if_cancelled(false);
  report::item_outcome item;
  item.index = seed.index;
  item.user_id = std::move(seed.user_id);
  const std::string custom_id = job_.users.custom_id_for(seed.index);
  bool failed = false;
  for (const auto& step : job_.steps) {
    // After a failure only delete_user still runs, so a half-done item leaves no orphan.
    if (failed && (step.op != job::operation::delete_user || item.user_id.empty())) continue;
    if (cancelled_) break;
    auto outcome = co_await run_step(state, step, item.user_id, custom_id);
    failed = failed || !outcome.ok;
    item.steps.push_back(std::move(outcome));
  }
  co_return item;
}

asio::awaitable<bool> runner::wait_until(clock::time_point when) {
  co_await asio::this_coro::throw_if_cancelled(false);
  if (when <= clock::now()) co_return !cancelled_;
  asio::steady_timer timer{co_await asio::this_coro::executor, when};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !cancelled_;
}

asio::awaitable<bool> runner::acquire_send_slot(job::operation op) {
  co_await asio::this_coro::throw_if_cancelled(false);
  for (;;) {
    if (!co_await wait_until(limiter_.reserve(op, clock::now()))) co_return false;
    const auto retry_at = limiter_.admit(op, clock::now());
    if (!retry_at) co_return true;
    if (!co_await wait_until(*retry_at)) co_return false;
  }
}

asio::awaitable<runner::attempt_result> runner::attempt(const job::step& step, const std::string& user_id,
                                                        const std::string& custom_id) {
  co_await asio::this_coro::throw_if_cancelled(false);
  attempt_result out;
  auto take_error = [&](auto& r) {
    if (!r) out.error = r.error();
    return r.has_value();
  };
  switch (step.op) {
    case job::operation::create_user: {
      auto r = co_await client_.create_user(create_options_for(custom_id));
      if (take_error(r)) out.user_id = r->id, out.http_status = 201;
      break;
    }
    case job::operation::create_user_and_token: {
      auto r = co_await client_.create_user_and_token(step.scopes, step.expires_in, create_options_for(custom_id));
      if (take_error(r)) out.user_id = r->user.id, out.expires_on = r->token.expires_on, out.http_status = 201;
      break;
    }
    case job::operation::issue_token: {
      auto r = co_await client_.issue_token(user_id, step.scopes, step.expires_in);
      if (take_error(r)) out.expires_on = r->expires_on, out.http_status = 200;
      break;
    }
    case job::operation::revoke_tokens: {
      auto r = co_await client_.revoke_tokens(user_id);
      if (take_error(r)) out.http_status = 204;
      break;
    }
    case job::operation::delete_user: {
      auto r = co_await client_.delete_user(user_id);
      if (take_error(r)) out.http_status = 204;
      break;
    }
    case job::operation::get_user: {
      auto r = co_await client_.get_user(user_id);
      if (take_error(r)) out.http_status = 200;
      break;
    }
  }
  if (out.error) out.http_status = out.error->http_status;
  co_return out;
}

asio::awaitable<report::step_outcome> runner::run_step(worker_state& state, const job::step& step,
                                                       std::string& user_id, const std::string& custom_id) {
  co_await asio::this_coro::throw_if_cancelled(false);
  report::step_outcome out;
  out.op = std::string(job::to_string(step.op));
  out.attempts = 0;
  out.started_at = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started_);
  for (;;) {
    ++out.attempts;
    if (!co_await acquire_send_slot(step.op)) {
      out.error_code = "cancelled";
      out.error_message = "cancelled before it was sent (stop grace period over)";
      co_return out;
    }
    const auto sent = clock::now();
    auto result = co_await attempt(step, user_id, custom_id);
    out.latency = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - sent);
    out.http_status = result.http_status;
    {
      std::lock_guard lock{mutex_};
      ++progress_.requests;
    }
    if (!result.error) {
      out.ok = true;
      out.error_code.clear();
      out.error_message.clear();
      if (!result.user_id.empty()) user_id = std::move(result.user_id);
      out.token_expires_on = result.expires_on;
      co_return out;
    }
    const identity::error& failure = *result.error;
    // An earlier attempt whose answer was lost may have deleted the identity already: the goal
    // (the identity is gone) is reached, and the report keeps the 404 to show it.
    if (step.op == job::operation::delete_user && failure.http_status == 404 && out.attempts > 1) {
      out.ok = true;
      co_return out;
    }
    out.error_code = error_code_name(failure);
    out.error_message = failure.describe();
    if (failure.http_status == 429) {
      ++out.throttled;
      const auto now = clock::now();
      limiter_.on_throttled(step.op, now, now + failure.retry_after.value_or(default_throttle_pause));
      std::lock_guard lock{mutex_};
      ++progress_.throttled;
    }
    if (cancelled_) co_return out;
    if (is_unavailable(failure)) {
      request_stop(stop_reason::unavailable, failure.describe());
      co_return out;
    }
    if (!status_enabled(job_.retry, failure.http_status)) co_return out;
    const auto decision = retry_.decide(failure, out.attempts, is_idempotent(step.op, !custom_id.empty()), state.random);
    if (decision.verdict == retry_verdict::give_up_unsafe) {
      out.error_message += " — not retried: the create may have reached the service, and repeating it "
                           "could make a second identity";
      co_return out;
    }
    if (decision.verdict != retry_verdict::retry) co_return out;
    {
      std::lock_guard lock{mutex_};
      ++progress_.retries;
    }
    if (!co_await wait_until(clock::now() + decision.delay)) co_return out;
  }
}

}  // namespace acsbatch::engine
