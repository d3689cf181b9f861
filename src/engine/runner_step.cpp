// One step of one item: its send slot from the rate limiter, its attempts against the service,
// the retry decisions between them, and what the journal and the report learn of each.

#include "acsbatch/engine/runner.hpp"

#include "worker_state.hpp"

#include <cstdio>
#include <stdexcept>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/core/random_id.hpp"

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

/// "12.5 s": for messages about time spent.
std::string seconds_text(std::chrono::milliseconds d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buffer;
}

/// Awaits one identity operation: its value goes to `take` (a void result's `take` gets none),
/// its error to the attempt with the error's status.
template <class Attempt, class Result, class Take>
asio::awaitable<Attempt> attempt_with(asio::awaitable<Result> operation, Take take) {
  co_await asio::this_coro::throw_if_cancelled(false);
  Attempt out;
  auto answer = co_await std::move(operation);
  if (!answer) {
    out.error = answer.error();
    out.http_status = answer.error().http_status;
  } else if constexpr (std::is_void_v<typename Result::value_type>) {
    take(out);
  } else {
    take(out, *answer);
  }
  co_return out;
}

}  // namespace

struct runner::attempt_result {
  std::optional<identity::error> error;
  unsigned http_status = 0;
  std::string user_id;
  std::string token;  ///< secret: only for on_token
  bool repeatability_accepted = false;  ///< the service honoured the create's Repeatability-Request-ID
  std::optional<std::chrono::system_clock::time_point> expires_on;
};

asio::awaitable<bool> runner::wait_until(clock::time_point when) {
  co_await asio::this_coro::throw_if_cancelled(false);
  if (when <= clock::now()) co_return !cancelled_;
  asio::steady_timer timer{co_await asio::this_coro::executor, when};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !cancelled_;
}

std::optional<runner::send_slot_wait> runner::try_send_slot(job::operation op) {
  const auto now = clock::now();
  const auto reserved_at = limiter_.reserve(op, now);
  if (reserved_at > now) return send_slot_wait{reserved_at};
  if (const auto retry_at = limiter_.admit(op, now)) return send_slot_wait{*retry_at, true};
  sends_[static_cast<std::size_t>(op)].record(now);
  return std::nullopt;
}

asio::awaitable<bool> runner::wait_for_send_slot(job::operation op, send_slot_wait wait) {
  co_await asio::this_coro::throw_if_cancelled(false);
  for (;;) {
    if (!co_await wait_until(wait.until)) co_return false;
    if (wait.window_full) {
      wait = {limiter_.reserve(op, clock::now())};
      continue;
    }
    const auto now = clock::now();
    const auto retry_at = limiter_.admit(op, now);
    if (!retry_at) {
      sends_[static_cast<std::size_t>(op)].record(now);
      co_return true;
    }
    wait = {*retry_at, true};
  }
}

asio::awaitable<runner::attempt_result> runner::attempt(const job::step& step, const std::string& user_id,
                                                        const std::string& custom_id, const std::string& create_key) {
  // Not a coroutine: each operation's own awaits in a frame holding its result type only. One
  // coroutine awaiting all six made a 2.6 KiB frame, past the 1 020 bytes Asio recycles per
  // thread, so every attempt went to malloc.
  using identity::user;
  switch (step.op) {
    case job::operation::create_user:
      return attempt_with<attempt_result>(client_.create_user(create_options_for(custom_id, create_key)),
                                          [](attempt_result& out, user& created) {
                                            out.user_id = std::move(created.id);
                                            out.repeatability_accepted = created.repeatability_accepted;
                                            out.http_status = 201;
                                          });
    case job::operation::create_user_and_token:
      return attempt_with<attempt_result>(
          client_.create_user_and_token(step.scopes, step.expires_in, create_options_for(custom_id, create_key)),
          [](attempt_result& out, identity::user_and_token& created) {
            out.user_id = std::move(created.user.id);
            out.token = std::move(created.token.token);
            out.expires_on = created.token.expires_on;
            out.repeatability_accepted = created.user.repeatability_accepted;
            out.http_status = 201;
          });
    case job::operation::issue_token:
      return attempt_with<attempt_result>(client_.issue_token(user_id, step.scopes, step.expires_in),
                                          [](attempt_result& out, identity::access_token& issued) {
                                            out.token = std::move(issued.token);
                                            out.expires_on = issued.expires_on;
                                            out.http_status = 200;
                                          });
    case job::operation::revoke_tokens:
      return attempt_with<attempt_result>(client_.revoke_tokens(user_id),
                                          [](attempt_result& out) { out.http_status = 204; });
    case job::operation::delete_user:
      return attempt_with<attempt_result>(client_.delete_user(user_id),
                                          [](attempt_result& out) { out.http_status = 204; });
    case job::operation::get_user:
      return attempt_with<attempt_result>(client_.get_user(user_id),
                                          [](attempt_result& out, user&) { out.http_status = 200; });
  }
  throw std::logic_error("attempt: unknown operation");
}

asio::awaitable<report::step_outcome> runner::run_step(item_context& item,
                                                       const job::step& step, std::size_t number) {
  co_await asio::this_coro::throw_if_cancelled(false);
  std::string& user_id = item.outcome.user_id;
  report::step_outcome out;
  out.op = std::string(job::to_string(step.op));
  out.attempts = 0;
  out.started_at = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started_);
  const bool resent = item.in_flight_step == number;  // a killed run sent this step already
  if (job::creates_identity(step.op) && item.create_key.empty())
    item.create_key = random_uuid() + "|" + format_http_date(std::chrono::system_clock::now());
  // A create a killed run sent without a customId may have made an identity that no record
  // names, unless the service honours the repeatability id sent again now. Said, not hidden.
  const bool in_doubt = resent && job::creates_identity(step.op) && item.custom_id.empty();
  if (in_doubt) item.outcome.uncertain = true;
  if (journal_) {
    // Intent before action: the step (and a create's key) is on disk before the request leaves.
    // A named key, not a conditional temporary: GCC 12 mishandles temporaries in co_await operands.
    static const std::string no_key;  // static: not one more string in every step's frame
    const std::string& key = job::creates_identity(step.op) ? item.create_key : no_key;
    const auto ec = co_await journal_->step_starting(item.outcome.index, number, step.op, user_id, key);
    if (ec) {
      request_stop(stop_reason::journal_failed, "the journal cannot be written");
      out.error_code = "journal_failed";
      out.error_message = "not sent: the journal cannot be written";
      co_return out;
    }
  }
  unsigned throttled_attempts = 0;
  std::optional<clock::time_point> first_throttled;
  for (;;) {
    ++out.attempts;
    bool slot_taken = !cancelled_;
    if (auto wait = try_send_slot(step.op); slot_taken && wait) slot_taken = co_await wait_for_send_slot(step.op, *wait);
    if (!slot_taken) {
      out.error_code = "cancelled";
      out.error_message = "cancelled before it was sent (stop grace period over)";
      co_return out;
    }
    const auto sent = clock::now();
    auto result = co_await attempt(step, user_id, item.custom_id, item.create_key);
    const auto answered = clock::now();
    out.latency = std::chrono::duration_cast<std::chrono::microseconds>(answered - sent);
    out.http_status = result.http_status;
    // Every answer teaches the operation's controller; a transport failure is no answer.
    if (!result.error) limiter_.on_answer(step.op, answered, false, {});
    else if (result.error->http_status != 0)
      limiter_.on_answer(step.op, answered, retry_policy::is_throttling(*result.error),
                         result.error->retry_after.value_or(std::chrono::milliseconds{0}));
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
      out.already_gone = true;
      co_return out;
    }
    out.error_code = error_code_name(failure);
    out.error_message = failure.describe();
    if (retry_policy::is_throttling(failure)) {
      if (!first_throttled) first_throttled = answered;
      ++throttled_attempts;
    }
    if (failure.http_status == 429) {
      ++out.throttled;
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
    if (!cleaning_up_ && !status_enabled(job_.retry, failure.http_status)) co_return out;
    const attempt_history history{
        .attempts = out.attempts,
        .throttled = throttled_attempts,
        .throttled_time = first_throttled ? std::chrono::duration_cast<std::chrono::milliseconds>(answered - *first_throttled)
                                          : std::chrono::milliseconds{0}};
    const auto decision = retry_.decide(
        failure, history, is_idempotent(step.op, !item.custom_id.empty() || repeatability_honoured_), thread_random());
    if (decision.verdict == retry_verdict::give_up_throttled) {
      out.error_message += " — throttled for " + seconds_text(history.throttled_time) + " (" +
                           std::to_string(throttled_attempts) + " answers 429/503), the retry.throttled_for budget (" +
                           seconds_text(*retry_.settings().throttled_for) + ")";
      co_return out;
    }
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
    if (retry_policy::is_throttling(failure)) out.throttle_wait += decision.delay;
    if (!co_await wait_until(clock::now() + decision.delay)) {
      out.error_code = "cancelled";
      co_return out;
    }
  }
}

}  // namespace acsbatch::engine
