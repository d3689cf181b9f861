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
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/engine/load_schedule.hpp"

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

/// The key journalled for a create without a customId: "<uuid>|<IMF-fixdate of the first send>",
/// both sent again unchanged on every repeat (Repeatability-Request-ID / -First-Sent).
std::optional<identity::repeatability> repeatability_of(const std::string& key) {
  const auto bar = key.find('|');
  if (bar == std::string::npos) return std::nullopt;
  const auto first_sent = parse_http_date(std::string_view(key).substr(bar + 1));
  if (!first_sent) return std::nullopt;
  return identity::repeatability{key.substr(0, bar), *first_sent};
}

identity::create_options create_options_for(const std::string& custom_id, const std::string& key) {
  identity::create_options options;
  if (!custom_id.empty()) options.custom_id = custom_id;
  else options.repeat = repeatability_of(key);
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

struct runner::attempt_result {
  std::optional<identity::error> error;
  unsigned http_status = 0;
  std::string user_id;
  std::string token;  ///< secret: only for on_token
  bool repeatability_accepted = false;  ///< the service honoured the create's Repeatability-Request-ID
  std::optional<std::chrono::system_clock::time_point> expires_on;
};


runner::runner(const job::job& job, identity::identity_client& client, report::report_builder& report,
               item_stream& source, rate_limiter& limiter, clock::time_point started, run_journal* journal)
    : job_(job),
      client_(client),
      report_(report),
      source_(source),
      limiter_(limiter),
      journal_(journal),
      retry_(to_settings(job.retry)),
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
      const std::size_t width = job_.load->open_model() ? job_.load->max_in_flight : job_.load->concurrency;
      const std::size_t count = std::min<std::size_t>(leftovers_.size(), std::max<std::size_t>(width, 1));
      active_workers_ = count;
      std::random_device entropy;
      for (std::size_t i = 0; i < count; ++i) {
        cleaners.push_back(std::make_shared<worker_state>(asio::make_strand(executor_), entropy()));
        workers_.push_back(cleaners.back());
      }
    } else {
      done = std::move(done_);
      first = first_exception_;
    }
  }
  for (auto& state : cleaners)
    asio::co_spawn(state->strand, delete_leftovers(state),
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
    asio::post(state->strand, [state] { state->cancel.emit(asio::cancellation_type::terminal); });
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

asio::awaitable<void> runner::worker(std::shared_ptr<worker_state> state) {
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
      item = co_await run_item(*state, std::move(*seed));
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

/// A random RFC 4122 version-4 UUID: the idempotency key of a create without a customId.
std::string random_uuid(std::mt19937_64& random) {
  const std::uint64_t high = random(), low = random();
  std::array<unsigned char, 16> bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(low >> (56 - 8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0x0f];
  }
  return out;
}

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

asio::awaitable<report::item_outcome> runner::run_item(worker_state& state, item_seed seed) {
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
    auto outcome = co_await run_step(state, item, find, adopt_step);
    failed = !outcome.ok;
    item.outcome.steps.push_back(std::move(outcome));
  }
  for (std::size_t number = seed.first_step; number < job_.steps.size(); ++number) {
    const auto& step = job_.steps[number];
    // After a failure only delete_user still runs, so a half-done item leaves no orphan.
    if (failed && (step.op != job::operation::delete_user || item.outcome.user_id.empty())) continue;
    if (cancelled_ || stop_reason_ == stop_reason::journal_failed) break;
    auto outcome = co_await run_step(state, item, step, number);
    failed = failed || !outcome.ok;
    if (journal_) journal_->step_finished(seed.index, number, outcome, item.outcome.user_id);
    item.outcome.steps.push_back(std::move(outcome));
  }
  if (journal_) journal_->item_finished(item.outcome, settled(item.outcome, job_.steps.size()));
  co_return std::move(item.outcome);
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
                                                        const std::string& custom_id, const std::string& create_key) {
  co_await asio::this_coro::throw_if_cancelled(false);
  attempt_result out;
  auto take_error = [&](auto& r) {
    if (!r) out.error = r.error();
    return r.has_value();
  };
  switch (step.op) {
    case job::operation::create_user: {
      auto r = co_await client_.create_user(create_options_for(custom_id, create_key));
      if (take_error(r)) out.user_id = r->id, out.repeatability_accepted = r->repeatability_accepted, out.http_status = 201;
      break;
    }
    case job::operation::create_user_and_token: {
      auto r = co_await client_.create_user_and_token(step.scopes, step.expires_in,
                                                      create_options_for(custom_id, create_key));
      if (take_error(r))
        out.user_id = r->user.id, out.token = std::move(r->token.token), out.expires_on = r->token.expires_on,
        out.repeatability_accepted = r->user.repeatability_accepted, out.http_status = 201;
      break;
    }
    case job::operation::issue_token: {
      auto r = co_await client_.issue_token(user_id, step.scopes, step.expires_in);
      if (take_error(r)) out.token = std::move(r->token), out.expires_on = r->expires_on, out.http_status = 200;
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

asio::awaitable<report::step_outcome> runner::run_step(worker_state& state, item_context& item,
                                                       const job::step& step, std::size_t number) {
  co_await asio::this_coro::throw_if_cancelled(false);
  std::string& user_id = item.outcome.user_id;
  report::step_outcome out;
  out.op = std::string(job::to_string(step.op));
  out.attempts = 0;
  out.started_at = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started_);
  const bool resent = item.in_flight_step == number;  // a killed run sent this step already
  if (job::creates_identity(step.op) && item.create_key.empty())
    item.create_key = random_uuid(state.random) + "|" + format_http_date(std::chrono::system_clock::now());
  // A create a killed run sent without a customId may have made an identity that no record
  // names, unless the service honours the repeatability id sent again now. Said, not hidden.
  const bool in_doubt = resent && job::creates_identity(step.op) && item.custom_id.empty();
  if (in_doubt) item.outcome.uncertain = true;
  if (journal_) {
    // Intent before action: the step (and a create's key) is on disk before the request leaves.
    // A named key, not a conditional temporary: GCC 12 mishandles temporaries in co_await operands.
    const std::string no_key;
    const std::string& key = job::creates_identity(step.op) ? item.create_key : no_key;
    const auto ec = co_await journal_->step_starting(item.outcome.index, number, step.op, user_id, key);
    if (ec) {
      request_stop(stop_reason::journal_failed, "the journal cannot be written");
      out.error_code = "journal_failed";
      out.error_message = "not sent: the journal cannot be written";
      co_return out;
    }
  }
  for (;;) {
    ++out.attempts;
    if (!co_await acquire_send_slot(step.op)) {
      out.error_code = "cancelled";
      out.error_message = "cancelled before it was sent (stop grace period over)";
      co_return out;
    }
    const auto sent = clock::now();
    auto result = co_await attempt(step, user_id, item.custom_id, item.create_key);
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
      if (result.repeatability_accepted) {
        if (!repeatability_honoured_.exchange(true) && journal_) journal_->service_honours_repeatability();
        // The repeat returned the first send's identity: no other can exist for this key.
        item.outcome.uncertain = false;
        item.outcome.create_confirmed = true;
      }
      if (job::creates_identity(step.op) && !item.custom_id.empty()) item.outcome.create_confirmed = true;
      if (on_token && !result.token.empty() && result.expires_on) {
        std::lock_guard lock{mutex_};
        on_token(user_id, result.token, *result.expires_on);
      }
      co_return out;
    }
    const identity::error& failure = *result.error;
    // An earlier attempt (or a killed run) whose answer was lost may have deleted the identity
    // already: the goal (the identity is gone) is reached, and the report keeps the 404.
    if (step.op == job::operation::delete_user && failure.http_status == 404 && (out.attempts > 1 || resent)) {
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
    if (cancelled_) {
      out.error_code = "cancelled";
      co_return out;
    }
    if (is_unavailable(failure)) {
      request_stop(stop_reason::unavailable, failure.describe());
      co_return out;
    }
    if (!status_enabled(job_.retry, failure.http_status)) co_return out;
    const auto decision =
        retry_.decide(failure, out.attempts, is_idempotent(step.op, !item.custom_id.empty() || repeatability_honoured_),
                      state.random);
    if (decision.verdict == retry_verdict::give_up_unsafe) {
      out.error_message += " — not retried: the create may have reached the service, and repeating it "
                           "could make a second identity";
      item.outcome.uncertain = true;
      co_return out;
    }
    if (decision.verdict != retry_verdict::retry) co_return out;
    {
      std::lock_guard lock{mutex_};
      ++progress_.retries;
    }
    if (!co_await wait_until(clock::now() + decision.delay)) {
      out.error_code = "cancelled";
      co_return out;
    }
  }
}

}  // namespace acsbatch::engine
