// The only translation unit of the emulator that sees Beast: the HTTP/1.1 shell around
// request_handler, after Beast's example/http/server/awaitable.

#include "acsbatch/emulator/server.hpp"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/identity_store.hpp"
#include "acsbatch/emulator/request_handler.hpp"
#include "acsbatch/emulator/seeded_random.hpp"
#include "acsbatch/emulator/state_file.hpp"
#include "replies.hpp"
#include "state_saver.hpp"

namespace acsbatch::emulator {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
/// The SDK's requests carry well under 1 KiB of headers.
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::chrono::seconds write_timeout{30};
/// After an error reply the rest of the request is read and dropped for at most this long, so
/// the client sees the reply instead of a reset (a lingering close, as nginx does).
constexpr std::chrono::seconds linger_timeout{2};
constexpr std::size_t linger_max_bytes = 16 * 1024 * 1024;

net::ip::address parse_listen_address(std::string_view text) {
  if (text == "localhost") return net::ip::make_address_v4("127.0.0.1");
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  error_code ec;
  auto address = net::ip::make_address(std::string(text), ec);
  if (ec)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "invalid listen address '" + std::string(text) +
                                "' (expected an IPv4 or IPv6 address)");
  return address;
}

/// The host clients should dial: an unspecified address is reachable as loopback.
std::string client_host(const net::ip::address& address) {
  if (address.is_v4()) return address.is_unspecified() ? "127.0.0.1" : address.to_string();
  return "[" + (address.is_unspecified() ? std::string("::1") : address.to_string()) + "]";
}

bool is_loopback(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
  return address.is_loopback();
}

http::request to_plain(bhttp::request<bhttp::string_body>&& in) {
  http::request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) out.headers.add(std::string(field.name_string()), std::string(field.value()));
  out.has_body = in.has_content_length() || in.chunked();
  out.body = std::move(in.body());
  return out;
}

bhttp::response<bhttp::string_body> to_beast(http::response&& in, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  if (!in.reason.empty()) out.reason(in.reason);
  for (const auto& field : in.headers) out.insert(field.name, field.value);
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  // 204 and 304 carry neither a body nor Content-Length (RFC 9110 §8.6), like the service.
  if (in.status != 204 && in.status != 304) out.prepare_payload();
  return out;
}

/// One client connection: its stream and the timer of injected latency, both used only on the
/// connection's strand. stop() reaches both, so a pending delay does not hold up a stop.
struct connection {
  explicit connection(tcp::socket socket) : stream(std::move(socket)), delay(stream.get_executor()) {}
  beast::tcp_stream stream;
  net::steady_timer delay;
};

/// The reply to a request that never reached the handler; 0: just close the connection.
unsigned status_for_read_error(const error_code& ec) {
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return 0;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) return 400;
  return 0;  // timeouts, resets, aborts: nobody is listening for an answer
}

}  // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
  /// The options with their defaults filled in, and what the state file held.
  struct startup {
    server_options options;
    std::optional<store_state> restored;
    bool from_file = false;  ///< `restored` came from options.state_file
  };

  impl(net::any_io_executor executor, server_options options)
      : impl(std::move(executor), prepare(std::move(options))) {}

  impl(net::any_io_executor executor, startup prepared)
      : executor_(std::move(executor)),
        options_(std::move(prepared.options)),
        handler_(handler_options_of(options_), std::move(prepared.restored)),
        acceptor_strand_(net::make_strand(executor_)),
        acceptor_(acceptor_strand_) {
    if (!options_.state_file.empty())
      saver_.emplace(handler_.store(), options_.state_file, prepared.from_file, options_.on_state_error);
  }

  static startup prepare(server_options options) {
    startup out;
    if (!options.state_file.empty()) out.restored = load_store_state(options.state_file);
    if (out.restored) {
      out.from_file = true;
      if (!options.resource_id.empty() && options.resource_id != out.restored->resource_id)
        throw config_error("the emulator state file " + options.state_file.string() + " holds the identities of "
                           "resource " + out.restored->resource_id + ", not of " + options.resource_id);
      options.resource_id = out.restored->resource_id;
    }
    out.options = with_defaults(std::move(options));
    return out;
  }

  static server_options with_defaults(server_options options) {
    if (options.access_key.empty()) options.access_key = auth::random_bytes(64);
    if (options.resource_id.empty()) options.resource_id = random_guid();
    if (!options.seed) options.seed = random_seed();
    return options;
  }

  static handler_options handler_options_of(const server_options& o) {
    return {o.access_key, o.resource_id, o.max_clock_skew, o.limits,
            o.faults,     o.latency,     *o.seed,          std::chrono::steady_clock::now()};
  }

  void start();
  void stop();
  net::awaitable<void> accept_loop();
  void start_session(tcp::socket socket);
  net::awaitable<void> run_session(std::shared_ptr<connection> conn, std::uint64_t id, bool loopback);
  net::awaitable<void> hold_unanswered(beast::tcp_stream& stream);
  net::awaitable<void> reply_and_close(beast::tcp_stream& stream, unsigned status, const error_code& why);

  net::any_io_executor executor_;
  const server_options options_;
  request_handler handler_;
  net::strand<net::any_io_executor> acceptor_strand_;
  tcp::acceptor acceptor_;
  std::atomic<std::uint16_t> port_{0};
  std::string client_host_ = "127.0.0.1";

  std::mutex sessions_mutex_;
  bool stopping_ = false;
  std::uint64_t next_session_id_ = 0;
  /// Weak: a session's coroutine owns its connection; stop() only needs to reach the open ones.
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> sessions_;

  /// With options.state_file only; declared last, so it goes before the store it reads.
  std::optional<state_saver> saver_;
};

void server::impl::start() {
  const auto address = parse_listen_address(options_.listen_address);
  const tcp::endpoint endpoint{address, options_.port};
  const std::string where = client_host(address) + ":" + std::to_string(options_.port);
  error_code ec;
  const auto fail = [&](const char* what) {
    throw std::system_error(std::error_code(ec), std::string("cannot ") + what + " " + where);
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) fail("open a socket for");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) fail("configure");
  if (acceptor_.bind(endpoint, ec); ec) fail("listen on");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) fail("listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  client_host_ = client_host(address);
  net::co_spawn(acceptor_strand_, [self = shared_from_this()] { return self->accept_loop(); },
                [](std::exception_ptr) {});
  if (saver_) saver_->start(executor_, options_.state_save_interval, weak_from_this());
}

void server::impl::stop() {
  std::vector<std::shared_ptr<connection>> open;
  {
    std::lock_guard lock(sessions_mutex_);
    if (stopping_) return;  // ~server() stops again; nothing new to do
    stopping_ = true;
    for (auto& [id, weak] : sessions_)
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
  }
  // Sockets are touched only on their own strand; closing cancels whatever is pending there.
  // Weak: should the io_context never run again, this queued handler must not keep the
  // acceptor alive past ~server().
  net::dispatch(acceptor_strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      error_code ignored;
      self->acceptor_.close(ignored);
    }
  });
  for (auto& conn : open) {
    net::dispatch(conn->stream.get_executor(), [conn] {
      error_code ignored;
      conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      conn->stream.socket().close(ignored);
      conn->delay.cancel();
    });
  }
  if (saver_) {
    saver_->stop();  // its timer would keep the io_context running
    saver_->save_reporting_failure();
  }
}

net::awaitable<void> server::impl::accept_loop() {
  auto self = shared_from_this();
  net::steady_timer backoff{acceptor_strand_};
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::make_strand(executor_), use_tuple);
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: keep serving open connections, retry shortly.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    start_session(std::move(socket));
  }
}

void server::impl::start_session(tcp::socket socket) {
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  auto conn = std::make_shared<connection>(std::move(socket));
  std::uint64_t id = 0;
  {
    std::lock_guard lock(sessions_mutex_);
    if (stopping_) return;  // the socket closes as it goes out of scope
    id = next_session_id_++;
    sessions_.emplace(id, conn);
  }
  const bool loopback = is_loopback(peer.address());
  auto executor = conn->stream.get_executor();
  net::co_spawn(
      executor,
      [self = shared_from_this(), conn = std::move(conn), id, loopback]() mutable {
        return self->run_session(std::move(conn), id, loopback);
      },
      // A failure inside one connection (resource exhaustion) must not end the server.
      [](std::exception_ptr) {});
}

net::awaitable<void> server::impl::run_session(std::shared_ptr<connection> conn, std::uint64_t id,
                                               bool loopback) {
  auto self = shared_from_this();
  auto& stream = conn->stream;
  beast::flat_buffer buffer;
  bool abortive = false;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(options_.body_limit);
    stream.expires_after(options_.idle_timeout);
    auto [read_ec, read_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    if (read_ec) {
      if (const unsigned status = status_for_read_error(read_ec); status != 0)
        co_await reply_and_close(stream, status, read_ec);
      break;
    }
    const unsigned version = parser.get().version();
    const bool keep_alive = parser.get().keep_alive();
    reply_plan plan = handler_.respond(to_plain(parser.release()), loopback, std::chrono::system_clock::now(),
                                       std::chrono::steady_clock::now());
    if (plan.delay.count() > 0) {
      // stop() closes the socket and cancels the timer on this strand: a closed socket here
      // means stop() already ran, and a wait in progress is cut short by it.
      if (!stream.socket().is_open()) break;
      conn->delay.expires_after(plan.delay);
      auto [wait_ec] = co_await conn->delay.async_wait(use_tuple);
      if (wait_ec || !stream.socket().is_open()) break;
    }
    if (plan.action == reply_action::reset) {
      abortive = true;
      break;
    }
    if (plan.action == reply_action::close) break;
    if (plan.action == reply_action::stall) {
      co_await hold_unanswered(stream);
      break;
    }
    auto message = to_beast(std::move(plan.response), version, keep_alive);
    stream.expires_after(write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, message, use_tuple);
    if (write_ec || !message.keep_alive()) break;
  }
  error_code ignored;
  if (abortive) {
    // SO_LINGER 0: close() sends RST instead of FIN, as a crashed or overloaded front end does.
    stream.socket().set_option(net::socket_base::linger(true, 0), ignored);
  } else {
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
  stream.socket().close(ignored);
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(id);
}

net::awaitable<void> server::impl::hold_unanswered(beast::tcp_stream& stream) {
  // Read and drop whatever else arrives, until the client gives up (EOF, reset), the bound
  // passes, or stop() closes the socket: the connection stays open and silent meanwhile.
  std::array<char, 4096> sink;
  stream.expires_after(options_.stall_limit);
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
    if (ec) co_return;
  }
}

net::awaitable<void> server::impl::reply_and_close(beast::tcp_stream& stream, unsigned status,
                                                   const error_code& why) {
  const std::string detail = why.message();
  http::response answer =
      status == 413   ? replies::error(413, "PayloadTooLarge",
                                       "The request body exceeds the emulator's limit of " +
                                           std::to_string(options_.body_limit) + " bytes.")
      : status == 431 ? replies::error(431, "RequestHeaderFieldsTooLarge",
                                       "The request headers exceed the emulator's limit.")
                      : replies::error(400, "BadRequest", "The request is not valid HTTP/1.1 (" + detail + ").");
  auto message = to_beast(std::move(answer), 11, false);
  stream.expires_after(write_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, message, use_tuple);
  if (write_ec) co_return;
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // Drain what the client is still sending, so closing does not reset the connection and
  // discard our reply from its receive buffer.
  std::array<char, 16 * 1024> sink;
  std::size_t drained = 0;
  stream.expires_after(linger_timeout);
  while (drained < linger_max_bytes) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
    if (ec) break;
    drained += n;
  }
}

server::server(boost::asio::any_io_executor executor, server_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

server::~server() {
  impl_->stop();
  // Requests answered between stop() and now (on other threads) are saved too.
  if (impl_->saver_) impl_->saver_->save_reporting_failure();
}

void server::start() { impl_->start(); }
void server::stop() { impl_->stop(); }

void server::save_state() {
  if (impl_->saver_) impl_->saver_->save_now();
}
std::uint16_t server::port() const { return impl_->port_; }
std::uint64_t server::seed() const { return *impl_->options_.seed; }

std::string server::url() const {
  return "http://" + impl_->client_host_ + ":" + std::to_string(impl_->port_.load()) + "/";
}

std::string server::connection_string() const {
  return "endpoint=" + url() + ";accesskey=" + auth::base64_encode(impl_->options_.access_key);
}

}  // namespace acsbatch::emulator
