#include "acsbatch/engine/runner.hpp"

#include <algorithm>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>

#include "acsbatch/core/error.hpp"

namespace acsbatch::engine {
namespace {

using clock = std::chrono::steady_clock;
namespace asio = boost::asio;

/// A short machine-readable code for the report: the service's own code when it sent one.
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

/// Failures that every later request would meet too.
bool is_unavailable(const identity::error& e) {
  if (e.http_status == 401 || e.http_status == 403) return true;
  return e.code == errc::connection_failed || e.code == errc::tls_failed ||
         e.code == errc::insecure_endpoint;
}

template <class T>
void record_failure(report::step_outcome& step, const identity::result<T>& r) {
  const auto& e = r.error();
  step.ok = false;
  step.http_status = e.http_status;
  step.throttled = e.http_status == 429;
  step.error_code = error_code_name(e);
  step.error_message = e.describe();
}

}  // namespace

runner::runner(const job::job& job, identity::identity_client& client, report::report_builder& report,
               clock::time_point started)
    : job_(job), client_(client), report_(report), started_(started) {}

void runner::request_stop(stop_reason reason) {
  if (stop_reason_ == stop_reason::none) stop_reason_ = reason;
}

asio::awaitable<void> runner::run() {
  const auto workers = static_cast<std::size_t>(
      std::min<std::uint64_t>(job_.concurrency, std::max<std::uint64_t>(job_.users.create, 1)));
  auto executor = co_await asio::this_coro::executor;
  std::vector<decltype(asio::co_spawn(executor, worker(), asio::deferred))> group;
  group.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) group.push_back(asio::co_spawn(executor, worker(), asio::deferred));
  // Each worker reports its own failures through the report; none throws by design, but an
  // exception (a bug) must not be swallowed: rethrow the first.
  auto [order, exceptions] =
      co_await asio::experimental::make_parallel_group(std::move(group)).async_wait(
          asio::experimental::wait_for_all(), asio::deferred);
  for (const auto& e : exceptions)
    if (e) std::rethrow_exception(e);
}

asio::awaitable<void> runner::worker() {
  while (stop_reason_ == stop_reason::none && next_index_ < job_.users.create) {
    const std::uint64_t index = next_index_++;
    auto item = co_await run_item(index);
    report_.add(item);
    if (on_item) on_item(item);
  }
}

asio::awaitable<report::item_outcome> runner::run_item(std::uint64_t index) {
  report::item_outcome item;
  item.index = index;
  bool failed = false;
  for (const auto& step : job_.steps) {
    // After a failure only delete_user still runs, so a half-done item leaves no orphan.
    if (failed && (step.op != job::operation::delete_user || item.user_id.empty())) continue;
    auto outcome = co_await run_step(step, item.user_id);
    failed = failed || !outcome.ok;
    item.steps.push_back(std::move(outcome));
  }
  co_return item;
}

asio::awaitable<report::step_outcome> runner::run_step(const job::step& step, std::string& user_id) {
  report::step_outcome out;
  out.op = std::string(job::to_string(step.op));
  const auto start = clock::now();
  out.started_at = std::chrono::duration_cast<std::chrono::microseconds>(start - started_);

  auto finish = [&](const auto& r) {
    out.latency = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
    if (r.has_value()) {
      out.ok = true;
      return true;
    }
    record_failure(out, r);
    if (is_unavailable(r.error()) && stop_reason_ == stop_reason::none) {
      request_stop(stop_reason::unavailable);
      stop_detail_ = r.error().describe();
    }
    return false;
  };

  switch (step.op) {
    case job::operation::create_user: {
      auto r = co_await client_.create_user();
      if (finish(r)) {
        out.http_status = 201;
        user_id = r->id;
      }
      break;
    }
    case job::operation::create_user_and_token: {
      auto r = co_await client_.create_user_and_token(step.scopes, step.expires_in);
      if (finish(r)) {
        out.http_status = 201;
        user_id = r->user.id;
        out.token_expires_on = r->token.expires_on;
      }
      break;
    }
    case job::operation::issue_token: {
      auto r = co_await client_.issue_token(user_id, step.scopes, step.expires_in);
      if (finish(r)) {
        out.http_status = 200;
        out.token_expires_on = r->expires_on;
      }
      break;
    }
    case job::operation::revoke_tokens: {
      auto r = co_await client_.revoke_tokens(user_id);
      if (finish(r)) out.http_status = 204;
      break;
    }
    case job::operation::delete_user: {
      auto r = co_await client_.delete_user(user_id);
      if (finish(r)) out.http_status = 204;
      break;
    }
    case job::operation::get_user: {
      auto r = co_await client_.get_user(user_id);
      if (finish(r)) out.http_status = 200;
      break;
    }
  }
  co_return out;
}

}  // namespace acsbatch::engine
