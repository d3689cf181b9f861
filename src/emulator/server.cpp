// The emulator's listener: binds, accepts, hands each connection to session.cpp (plain HTTP or,
// with --tls-cert/--tls-key, HTTPS) and closes them all on stop(). Beast stays in session.cpp.

#include "acsbatch/emulator/server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/identity_store.hpp"
#include "acsbatch/emulator/request_handler.hpp"
#include "acsbatch/emulator/seeded_random.hpp"
#include "acsbatch/emulator/state_file.hpp"
#include "server_tls.hpp"
#include "session.hpp"
#include "state_saver.hpp"

namespace acsbatch::emulator {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using detail::connection;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

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

}  // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
  /// The options with their defaults filled in, and what the state file held.
  struct startup {
    server_options options;
    std::optional<store_state> restored;
    bool from_file = false;  ///< `restored` came from options.state_file
    std::unique_ptr<net::ssl::context> tls;  ///< with options.tls_certificate_file only
  };

  impl(net::any_io_executor executor, server_options options)
      : impl(std::move(executor), prepare(std::move(options))) {}

  impl(net::any_io_executor executor, startup prepared)
      : executor_(std::move(executor)),
        options_(std::move(prepared.options)),
        handler_(handler_options_of(options_), std::move(prepared.restored)),
        tls_(std::move(prepared.tls)),
        acceptor_strand_(net::make_strand(executor_)),
        acceptor_(acceptor_strand_) {
    if (!options_.state_file.empty()) {
      saver_.emplace(handler_.store(), options_.state_file, prepared.from_file, options_.on_state_error);
      handler_.after_store_change([this] { saver_->record_changes(); });
    }
  }

  static startup prepare(server_options options) {
    startup out;
    if (options.tls_certificate_file.empty() != options.tls_key_file.empty())
      throw config_error("a TLS certificate needs its key and a key its certificate (--tls-cert F --tls-key F)");
    // Before the state file: a bad certificate must not leave the state file's lock behind.
    if (!options.tls_certificate_file.empty())
      out.tls = detail::load_server_tls(options.tls_certificate_file, options.tls_key_file);
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
            o.faults,     o.latency,     *o.seed,          std::chrono::steady_clock::now(),
            o.capture_file.empty() ? nullptr : std::make_shared<request_capture>(o.capture_file),
            o.entra};
  }

  void start();
  void stop();
  net::awaitable<void> accept_loop();
  void start_session(tcp::socket socket);
  net::awaitable<void> run_session(std::shared_ptr<connection> conn, std::uint64_t id, bool loopback);

  net::any_io_executor executor_;
  const server_options options_;
  request_handler handler_;
  /// HTTPS when set; shared by every connection, which it outlives (sessions hold `self`).
  std::unique_ptr<net::ssl::context> tls_;
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
    net::dispatch(detail::connection_executor(*conn), [conn] { detail::close_connection(*conn); });
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
  auto conn = detail::make_connection(std::move(socket), tls_.get());
  std::uint64_t id = 0;
  {
    std::lock_guard lock(sessions_mutex_);
    if (stopping_) return;  // the socket closes as it goes out of scope
    id = next_session_id_++;
    sessions_.emplace(id, conn);
  }
  const bool loopback = is_loopback(peer.address());
  auto executor = detail::connection_executor(*conn);
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
  const detail::session_limits limits{options_.idle_timeout, options_.body_limit, options_.stall_limit};
  co_await detail::serve_connection(std::move(conn), handler_, limits, loopback);
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(id);
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
  return (impl_->tls_ ? "https://" : "http://") + impl_->client_host_ + ":" + std::to_string(impl_->port_.load()) + "/";
}

std::string server::connection_string() const {
  return "endpoint=" + url() + ";accesskey=" + auth::base64_encode(impl_->options_.access_key);
}

}  // namespace acsbatch::emulator
