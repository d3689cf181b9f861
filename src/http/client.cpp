#include "acsbatch/http/client.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <openssl/ssl.h>

#include "acsbatch/core/error.hpp"
#include "acsbatch/http/detail/idle_pool.hpp"
#include "acsbatch/http/detail/reasoned_error.hpp"
#include "acsbatch/http/detail/transport_error.hpp"
#include "connection.hpp"

namespace acsbatch::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using detail::connection;

/// The TLS context, without the system CA store (client::impl::tls_context adds it).
ssl::context make_tls_context(const client_options& options) {
  ssl::context tls(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (!options.ca_file.empty()) {
    tls.load_verify_file(options.ca_file, ec);
    if (ec) throw config_error("cannot load CA file '" + options.ca_file + "': " + ec.message());
  }
  tls.set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none);
  return tls;
}

/// Connections are shared only between requests to the same scheme, host and port.
std::string pool_key(const acsbatch::endpoint& target) {
  return target.scheme + "://" + target.host + ":" + std::to_string(target.port);
}

/// CR, LF or NUL in the request line or a header would let a configured value (a User-Agent,
/// say) smuggle extra headers: such a request is refused, not sanitized.
bool is_well_formed(const request& req) {
  // find(char) is memchr, which tests many characters at a time; a per-character predicate or
  // find_first_of (memchr per character) cost more than the rest of building the request.
  const auto clean = [](std::string_view text) {
    return text.find('\n') == std::string_view::npos && text.find('\r') == std::string_view::npos &&
           text.find('\0') == std::string_view::npos;
  };
  const auto token = [&](std::string_view text) {
    return !text.empty() && clean(text) && text.find(':') == std::string_view::npos &&
           text.find(' ') == std::string_view::npos && text.find('\t') == std::string_view::npos;
  };
  if (!token(req.method) || !clean(req.target) || req.target.find(' ') != std::string::npos ||
      req.target.empty())
    return false;
  for (const auto& field : req.headers)
    if (!token(field.name) || !clean(field.value)) return false;
  return true;
}

boost::system::error_code classify(const detail::transport_failure& failure) {
  // A rejected certificate already is errc::tls_failed, with the reason in its message.
  if (failure.ec.category() == acsbatch_category()) return failure.ec;
  const errc code = detail::classify_transport_error(failure.phase, failure.ec);
  // Which of "the name does not resolve", "refused", "unreachable" it was is what the user
  // needs to know to fix it.
  if (code == errc::connection_failed)
    return detail::with_reason(code, failure.phase == detail::exchange_phase::resolve
                                         ? "the host name does not resolve (" + failure.ec.message() + ")"
                                         : failure.ec.message());
  return make_error_code(code);
}

}  // namespace

struct client::impl {
  impl(asio::any_io_executor ex, client_options opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        pool(options.max_idle_per_endpoint) {
    // A CA file named in the job is checked now, where a bad one is a configuration error.
    if (!options.ca_file.empty()) tls.emplace(make_tls_context(options));
  }

  /// A live idle connection for `key` (dead ones are dropped on the way), or null.
  std::unique_ptr<connection> take_live(const std::string& key) {
    while (auto idle = pool.take(key)) {
      if (!idle->still_open()) continue;  // closed by the server while idle: never written to
      ++connections_reused;
      return idle;
    }
    return nullptr;
  }

  /// Opens a new connection, writes, reads.
  ///
  /// The re-dial rule: when a connection taken from the pool fails *before a single response
  /// byte arrived* — the write fails because the server closed it while it sat idle — send()
  /// writes the request once more here, on a newly opened connection. Only the first attempt on
  /// a reused connection qualifies, so at most two writes happen, and a fresh connection that
  /// fails is always reported. Every other failure (timeout, partial response, protocol error)
  /// is reported as is: retrying is the engine's job.
  asio::awaitable<boost::system::result<response>> exchange(const acsbatch::endpoint& target,
                                                            const request& req,
                                                            std::unique_ptr<connection>& conn) {
    co_await asio::this_coro::throw_if_cancelled(false);
    ssl::context* context = nullptr;
    if (target.is_tls()) {
      context = tls_context();
      if (!context) co_return tls_error;
    }
    auto opened = co_await connection::open(executor, target, context, options.verify_tls);
    if (!opened.opened) co_return classify(opened.failure);
    conn = std::move(opened.opened);
    ++connections_opened;
    response out;
    const auto failure = co_await conn->exchange(req, target.authority(), options.max_response_bytes, out);
    count_sent(failure);
    if (!failure.ec) co_return out;
    conn.reset();
    co_return classify(failure);
  }

  void count_sent(const detail::transport_failure& failure) {
    if (failure.phase == detail::exchange_phase::read || !failure.ec) ++requests_sent;
  }

  /// A new connection: resolve, connect and handshake too, so one deadline for all of it —
  /// whichever finishes first cancels the other, and the awaiting coroutine's own cancellation
  /// reaches both through the group. `conn` is empty or a stale one to replace. Its own
  /// coroutine, so that the warm path's frame (send) stays small enough for Asio to recycle.
  asio::awaitable<boost::system::result<response>> send_on_new_connection(
      const acsbatch::endpoint& target, const request& req, const std::string& key,
      std::chrono::steady_clock::time_point deadline_at, std::unique_ptr<connection>& conn) {
    const auto executor = co_await asio::this_coro::executor;
    const auto cancellation = co_await asio::this_coro::cancellation_state;
    asio::steady_timer deadline(executor, deadline_at);
    auto [order, thrown, outcome, deadline_ec] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(executor, exchange(target, req, conn), asio::deferred),
            deadline.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    if (thrown) std::rethrow_exception(thrown);  // a bug (e.g. bad_alloc), not a network failure

    if (outcome) {
      // Over the idle cap, put() hands the connection back and it closes here.
      if (conn && conn->reusable()) pool.put(key, std::move(conn));
      co_return std::move(*outcome);
    }
    if (order[0] == 1 && !deadline_ec) co_return make_error_code(errc::timeout);
    if (cancellation.cancelled() != asio::cancellation_type::none)
      co_return make_error_code(errc::cancelled);
    co_return outcome.error();
  }

  /// The TLS context with the system CA store, made on the first https request; null (and
  /// tls_error says why) when the store cannot be loaded. OpenSSL's TLS tables (~0.5 MiB) and
  /// the store's ~150 certificates (~230 M instructions, ~1.5 MiB) are never paid for by a job
  /// that talks plain http to loopback, the emulator. call_once orders the setup before every
  /// handshake, on any thread.
  ssl::context* tls_context() {
    std::call_once(tls_ready, [this] {
      if (!tls) tls.emplace(make_tls_context(options));
      if (!options.verify_tls) return;
      boost::system::error_code ec;
      tls->set_default_verify_paths(ec);
      if (ec) tls_error = detail::with_reason(errc::tls_failed, "cannot load the system CA store: " + ec.message());
    });
    return tls_error ? nullptr : &*tls;
  }

  asio::any_io_executor executor;
  client_options options;
  std::optional<ssl::context> tls;
  std::once_flag tls_ready;
  boost::system::error_code tls_error;
  detail::idle_pool<connection> pool;
  std::atomic<std::size_t> connections_opened{0};
  std::atomic<std::size_t> requests_sent{0};
  std::atomic<std::size_t> connections_reused{0};
};

client::client(asio::any_io_executor executor, client_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

client::~client() = default;

asio::awaitable<boost::system::result<response>> client::send(acsbatch::endpoint where,
                                                             request req,
                                                             std::chrono::milliseconds timeout) {
  const auto self = impl_;
  if (!where.is_tls() && !where.is_loopback() && !self->options.allow_insecure_http)
    co_return make_error_code(errc::insecure_endpoint);
  if (!is_well_formed(req)) co_return make_error_code(boost::system::errc::invalid_argument);
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  if (cancellation.cancelled() != asio::cancellation_type::none)
    co_return make_error_code(errc::cancelled);

  const auto started = std::chrono::steady_clock::now();
  const auto key = pool_key(where);
  std::unique_ptr<connection> conn = self->take_live(key);
  if (conn) {
    // The common case, a warm connection: one exchange under the connection's own deadline, in
    // this coroutine (no second coroutine, no parallel group: they cost more than the request).
    response out;
    bool timed_out = false;
    const auto failure = co_await conn->exchange_within(req, where.authority(), self->options.max_response_bytes,
                                                        started + timeout, out, timed_out);
    self->count_sent(failure);
    if (!failure.ec) {
      if (conn->reusable()) self->pool.put(key, std::move(conn));
      co_return out;
    }
    conn.reset();
    if (timed_out) co_return make_error_code(errc::timeout);
    if (cancellation.cancelled() != asio::cancellation_type::none) co_return make_error_code(errc::cancelled);
    // Closed by the server while idle, so it never read the request: written again below on a
    // new connection, within what is left of the same deadline.
    const bool stale_idle = failure.phase == detail::exchange_phase::write && detail::is_peer_close(failure.ec);
    if (!stale_idle) co_return classify(failure);
  }

  co_return co_await self->send_on_new_connection(where, req, key, started + timeout, conn);
}

void client::close_idle() { impl_->pool.clear(); }

client_stats client::stats() const {
  return {impl_->connections_opened.load(), impl_->requests_sent.load(),
          impl_->connections_reused.load()};
}

}  // namespace acsbatch::http
