#include "acsbatch/auth/entra_credential.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

namespace acsbatch::auth {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::system_clock;

/// An old token still serves when a refresh fails, as long as it lives this much longer.
constexpr auto still_usable_for = std::chrono::seconds{30};

http::client_options with_plain_http_for_imds(http::client_options options, entra_source source) {
  // IMDS is plain http on a link-local address by design (only the VM itself reaches it).
  if (source == entra_source::imds_identity) options.allow_insecure_http = true;
  return options;
}

}  // namespace

struct entra_credential::impl {
  impl(asio::any_io_executor executor, entra_settings s, http::client_options options, std::chrono::milliseconds t)
      : settings(std::move(s)), http(std::move(executor), with_plain_http_for_imds(std::move(options), settings.source)),
        timeout(t) {}

  entra_settings settings;
  http::client http;
  std::chrono::milliseconds timeout;
  mutable std::mutex mutex;
  std::optional<bearer_token> cached;
  clock::time_point refresh_at{};
  bool in_flight = false;
  std::size_t fetches = 0;
};

entra_credential::entra_credential(asio::any_io_executor executor, entra_settings settings,
                                   http::client_options http, std::chrono::milliseconds timeout)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(settings), std::move(http), timeout)) {}

entra_credential::~entra_credential() = default;

std::size_t entra_credential::fetches() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->fetches;
}

const entra_settings& entra_credential::settings() const { return impl_->settings; }

asio::awaitable<boost::system::result<std::string, token_failure>> entra_credential::token() {
  auto& s = *impl_;
  // Wait for a fetch in flight rather than start a second one (a run starts many items at once).
  for (;;) {
    const auto now = clock::now();
    {
      std::lock_guard lock(s.mutex);
      if (s.cached && now < s.refresh_at) co_return s.cached->value;
      if (!s.in_flight) {
        s.in_flight = true;
        ++s.fetches;
        break;
      }
      if (s.cached && now + still_usable_for < s.cached->expires_on) co_return s.cached->value;
    }
    asio::steady_timer pause{co_await asio::this_coro::executor, std::chrono::milliseconds{5}};
    co_await pause.async_wait(asio::use_awaitable);
  }

  struct clear_in_flight {
    impl& s;
    ~clear_in_flight() {
      std::lock_guard lock(s.mutex);
      s.in_flight = false;
    }
  } guard{s};

  const auto sent_at = clock::now();
  auto response = co_await s.http.send(s.settings.token_host, make_token_request(s.settings), s.timeout);
  boost::system::result<bearer_token, token_failure> fresh = token_failure{};
  if (!response) {
    token_failure f;
    f.code = response.error();
    fresh = f;
  } else {
    fresh = read_token_response(*response, sent_at);
  }

  std::lock_guard lock(s.mutex);
  if (fresh) {
    s.refresh_at = refresh_time(*fresh, sent_at);
    s.cached = std::move(*fresh);
    co_return s.cached->value;
  }
  if (s.cached && clock::now() + still_usable_for < s.cached->expires_on) co_return s.cached->value;
  co_return fresh.error();
}

}  // namespace acsbatch::auth
