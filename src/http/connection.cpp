#include "connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "acsbatch/http/detail/reasoned_error.hpp"
#include "acsbatch/http/detail/request_writer.hpp"
#include "response_reader.hpp"

namespace acsbatch::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using tls_stream = ssl::stream<tcp::socket>;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// Response headers beyond this are refused even when max_response_bytes is larger.
constexpr std::size_t max_header_bytes = 64 * 1024;

/// tcp::resolver ignores per-operation cancellation in Boost 1.81: forward the awaiting
/// coroutine's cancellation to resolver::cancel(), so that the deadline also bounds DNS.
template <class Token>
auto async_resolve_cancellable(tcp::resolver& resolver, std::string host, std::string service,
                               Token&& token) {
  return asio::async_initiate<Token, void(error_code, tcp::resolver::results_type)>(
      [&resolver](auto handler, std::string host, std::string service) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected())
          slot.assign([&resolver](asio::cancellation_type) { resolver.cancel(); });
        auto executor = asio::get_associated_executor(handler, resolver.get_executor());
        resolver.async_resolve(
            host, service, tcp::resolver::numeric_service,
            asio::bind_executor(executor, [handler = std::move(handler)](
                                              error_code ec, tcp::resolver::results_type results) mutable {
              auto slot = asio::get_associated_cancellation_slot(handler);
              if (slot.is_connected()) slot.clear();
              std::move(handler)(ec, std::move(results));
            }));
      },
      token, std::move(host), std::move(service));
}

/// A cancellation that arrived between two operations (their completion already queued) must
/// still stop the exchange before the next step starts.
bool cancel_requested(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool is_special_invalid(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // the root label
  return host == "invalid" || host.ends_with(".invalid");
}

/// RFC 6761 §6.3: `localhost` and names under it are the loopback addresses, answered without a
/// resolver — so they work where /etc/hosts lacks them (a minimal container or chroot).
bool is_special_localhost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host == "localhost" || host.ends_with(".localhost");
}

/// The certificate must name `host` (an IP literal in an IP SAN; a name in a DNS SAN or the CN,
/// wildcards as X509_check_host allows them), checked by OpenSSL as part of verification.
bool expect_host(SSL* ssl, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (is_ip_literal(host)) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

template <class Stream>
asio::awaitable<transport_failure> exchange_on(Stream& stream, beast::flat_buffer& buffer,
                                               std::string& wire, bool& keep_alive,
                                               const request& req, const std::string& authority,
                                               std::size_t max_bytes, response& out) {
  keep_alive = false;
  write_request(req, authority, wire);
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  if (cancel_requested(cancellation))
    co_return transport_failure{exchange_phase::write, asio::error::operation_aborted, true};
  std::size_t written_now = 0;
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    // A request fits the socket's send buffer: written now by the (non-blocking) socket, and an
    // asynchronous write, with its completion handler, only for what did not fit.
    error_code ec;
    written_now = stream.write_some(asio::buffer(wire), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again)
      co_return transport_failure{exchange_phase::write, ec, true};
  }
  if (written_now < wire.size()) {
    auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(wire) + written_now, use_tuple);
    if (write_ec) co_return transport_failure{exchange_phase::write, write_ec, true};
  }

  response_reader parser(out);
  parser.header_limit(static_cast<std::uint32_t>(std::min(max_bytes, max_header_bytes)));
  parser.body_limit(max_bytes);
  if (req.method == "HEAD") parser.skip(true);
  if (cancel_requested(cancellation))
    co_return transport_failure{exchange_phase::read, asio::error::operation_aborted, false};
  auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
  if (header_ec)
    co_return transport_failure{exchange_phase::read, header_ec,
                                !parser.got_some() && buffer.size() == 0};
  // headers + body together stay within max_bytes: a declared length is refused up front.
  const std::size_t body_budget = max_bytes - std::min(header_bytes, max_bytes);
  if (auto length = parser.content_length(); length && *length > body_budget)
    co_return transport_failure{exchange_phase::read, bhttp::error::body_limit, false};
  parser.body_limit(body_budget);
  // The body nearly always came in the same segment as the header: what is buffered is parsed
  // here, and an asynchronous read is started only for what has not arrived yet.
  parser.eager(true);
  while (!parser.is_done() && buffer.size() > 0) {
    error_code ec;
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more || used == 0) break;  // the rest is for the async read
    if (ec) co_return transport_failure{exchange_phase::read, ec, false};
  }
  if (!parser.is_done()) {
    if (cancel_requested(cancellation))
      co_return transport_failure{exchange_phase::read, asio::error::operation_aborted, false};
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (body_ec) co_return transport_failure{exchange_phase::read, body_ec, false};
  }

  const auto asked_close = req.headers.get("Connection");
  keep_alive = parser.keep_alive() && !parser.need_eof() && buffer.size() == 0 &&
               !(asked_close && iequals(*asked_close, "close"));
  co_return transport_failure{};
}

}  // namespace

struct connection::state {
  template <class... Args>
  explicit state(asio::any_io_executor executor, Args&&... args)
      : stream(std::forward<Args>(args)...), deadline(std::move(executor)) {}

  tcp::socket& lowest() {
    if (auto* tls = std::get_if<tls_stream>(&stream)) return tls->next_layer();
    return std::get<tcp::socket>(stream);
  }

  std::variant<tcp::socket, tls_stream> stream;
  beast::flat_buffer buffer;
  std::string wire;  ///< the request being written; its capacity carries over to the next one
  bool keep_alive = false;
  /// exchange_within()'s deadline, reused by every exchange on this connection.
  asio::steady_timer deadline;
  /// Set when the deadline fired: the connection is then closed, never pooled.
  bool deadline_fired = false;
  /// Watched (weakly) by a deadline handler that may run after the connection is gone.
  std::shared_ptr<const bool> alive = std::make_shared<const bool>(true);
};

connection::connection(private_tag, std::unique_ptr<state> s) : state_(std::move(s)) {}
connection::~connection() = default;

asio::awaitable<open_result> connection::open(asio::any_io_executor executor,
                                              const acsbatch::endpoint& target, ssl::context* tls,
                                              bool verify_tls) {
  auto failed = [](exchange_phase phase, error_code ec) {
    return open_result{nullptr, transport_failure{phase, ec, true}};
  };
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  // RFC 6761 §6.4: names under .invalid never resolve, and resolvers should say so without
  // asking anyone; glibc would send the query to the configured DNS server.
  if (is_special_invalid(target.host)) co_return failed(exchange_phase::resolve, asio::error::host_not_found);
  std::vector<tcp::endpoint> addresses;
  if (is_special_localhost(target.host)) {
    addresses = {{asio::ip::address_v4::loopback(), target.port}, {asio::ip::address_v6::loopback(), target.port}};
  } else {
    tcp::resolver resolver(executor);
    auto [resolve_ec, resolved] = co_await async_resolve_cancellable(
        resolver, target.host, std::to_string(target.port), use_tuple);
    if (resolve_ec) co_return failed(exchange_phase::resolve, resolve_ec);
    for (const auto& entry : resolved) addresses.push_back(entry.endpoint());
  }
  if (cancel_requested(cancellation))
    co_return failed(exchange_phase::connect, asio::error::operation_aborted);

  auto s = target.is_tls() ? std::make_unique<state>(executor, std::in_place_type<tls_stream>, executor, *tls)
                           : std::make_unique<state>(executor, std::in_place_type<tcp::socket>, executor);
  auto [connect_ec, connected_to] = co_await asio::async_connect(s->lowest(), addresses, use_tuple);
  if (connect_ec) co_return failed(exchange_phase::connect, connect_ec);
  error_code ignored;
  s->lowest().set_option(tcp::no_delay(true), ignored);
  // Asio's own operations are non-blocking whatever this says; it makes exchange_on's direct
  // write_some return would_block instead of waiting for room.
  if (!target.is_tls()) s->lowest().non_blocking(true, ignored);

  if (auto* tls_layer = std::get_if<tls_stream>(&s->stream)) {
    // SNI carries host names only (RFC 6066 §3); IP literals are checked against the SAN.
    if (!is_ip_literal(target.host) &&
        SSL_set_tlsext_host_name(tls_layer->native_handle(), target.host.c_str()) != 1)
      co_return failed(exchange_phase::handshake,
                       error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
    // OpenSSL's own host check (what ssl::host_name_verification calls too) records a host
    // mismatch as the verification result, so the error can say which check failed.
    if (verify_tls && !expect_host(tls_layer->native_handle(), target.host))
      co_return failed(exchange_phase::handshake,
                       error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
    if (cancel_requested(cancellation))
      co_return failed(exchange_phase::handshake, asio::error::operation_aborted);
    auto [handshake_ec] = co_await tls_layer->async_handshake(ssl::stream_base::client, use_tuple);
    if (handshake_ec) {
      const long verify_result = SSL_get_verify_result(tls_layer->native_handle());
      if (verify_tls && verify_result != X509_V_OK && handshake_ec != asio::error::operation_aborted)
        co_return failed(exchange_phase::handshake, certificate_error(verify_result));
      co_return failed(exchange_phase::handshake, handshake_ec);
    }
  }
  co_return open_result{std::make_unique<connection>(private_tag{}, std::move(s)), {}};
}

asio::awaitable<transport_failure> connection::exchange(const request& req,
                                                        const std::string& authority,
                                                        std::size_t max_response_bytes,
                                                        response& out) {
  // Not a coroutine itself: the stream's exchange is the one frame (the caller awaits it at once,
  // so every reference outlives it).
  auto& s = *state_;
  if (auto* tls_layer = std::get_if<tls_stream>(&s.stream))
    return exchange_on(*tls_layer, s.buffer, s.wire, s.keep_alive, req, authority, max_response_bytes, out);
  return exchange_on(std::get<tcp::socket>(s.stream), s.buffer, s.wire, s.keep_alive, req, authority,
                     max_response_bytes, out);
}

asio::awaitable<transport_failure> connection::exchange_within(const request& req, const std::string& authority,
                                                               std::size_t max_response_bytes,
                                                               std::chrono::steady_clock::time_point deadline,
                                                               response& out, bool& timed_out) {
  auto& s = *state_;
  // (Not co_await inside the call below: GCC 12 mishandles temporaries around it.)
  const auto executor = co_await asio::this_coro::executor;
  s.deadline.expires_at(deadline);
  // Bound to the awaiting coroutine's executor (its strand), the handler runs between the
  // exchange's steps, never beside them. It may run after this connection is gone (it fired
  // while the exchange was completing): `alive` tells.
  s.deadline.async_wait(asio::bind_executor(
      executor, [state = &s, alive = std::weak_ptr<const bool>(s.alive)](const error_code& ec) {
        if (ec || alive.expired()) return;
        state->deadline_fired = true;
        error_code ignored;
        state->lowest().cancel(ignored);
      }));
  auto failure = co_await exchange(req, authority, max_response_bytes, out);
  // Nothing cancelled: the handler has run or is queued with success. Either way the deadline
  // passed, and the connection must not reach the pool, where a late handler would cancel the
  // next request's socket.
  if (s.deadline.cancel() == 0) s.deadline_fired = true;
  timed_out = s.deadline_fired && failure.ec == asio::error::operation_aborted;
  co_return failure;
}

bool connection::reusable() const {
  return state_->keep_alive && !state_->deadline_fired && state_->lowest().is_open();
}

bool connection::still_open() {
  auto& socket = state_->lowest();
  if (!socket.is_open()) return false;
  if (auto* tls_layer = std::get_if<tls_stream>(&state_->stream);
      tls_layer && SSL_pending(tls_layer->native_handle()) > 0)
    return false;
  // One recv(MSG_PEEK | MSG_DONTWAIT) on the descriptor: toggling Asio's non_blocking mode
  // around a peek costs two more system calls on every reused connection.
  char byte = 0;
  const auto got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // Nothing to read yet is the only healthy answer: 0 bytes is the server's FIN, data is junk.
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace acsbatch::http::detail
