// Limits, faults and latency over real loopback connections: an embedded_emulator configured
// per test, driven by acsbatch's own http::client. Every wait is bounded.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/value.hpp>
#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/http/client.hpp"
#include "support.hpp"

namespace acsbatch::emulator {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using send_result = boost::system::result<http::response>;

server_options options_with(std::string_view limits, std::string_view faults = {}, std::string_view latency = {},
                            std::uint64_t seed = 1) {
  server_options options;
  options.limits = parse_service_limits(limits);
  options.faults = parse_fault_spec(faults);
  options.latency = parse_latency_spec(latency);
  options.seed = seed;
  return options;
}

/// An emulator and a client of it on the test's thread.
struct emulator_client {
  explicit emulator_client(server_options options)
      : emulator(std::move(options)), account(auth::parse_connection_string(emulator.connection_string())) {}

  http::request create_request() const {
    const std::string target = "/identities?api-version=2023-10-01";
    const auto headers = auth::hmac_signer{account.access_key}.sign(
        "POST", target, account.endpoint.authority(), std::chrono::system_clock::now(), "");
    http::request req;
    req.method = "POST";
    req.target = target;
    req.headers.add("Content-Type", "application/json");
    req.headers.add("x-ms-date", headers.date);
    req.headers.add("x-ms-content-sha256", headers.content_sha256);
    req.headers.add("Authorization", headers.authorization);
    req.has_body = true;
    return req;
  }

  /// `n` creates, all in flight at once; results in completion order.
  std::vector<send_result> creates(int n, std::chrono::milliseconds timeout = 5s) {
    std::vector<send_result> out;
    for (int i = 0; i < n; ++i)
      net::co_spawn(io, http.send(account.endpoint, create_request(), timeout),
                    [this, &out, n](std::exception_ptr e, send_result r) {
                      if (e) std::rethrow_exception(e);
                      out.push_back(std::move(r));
                      if (out.size() == static_cast<std::size_t>(n)) io.stop();  // pooled connections idle on
                    });
    io.restart();
    io.run_for(15s);
    if (out.size() != static_cast<std::size_t>(n)) throw std::runtime_error("creates did not complete in time");
    return out;
  }
  send_result create(std::chrono::milliseconds timeout = 5s) { return creates(1, timeout).front(); }

  boost::json::value stats() const { return testing::emulator_json(emulator.port(), "GET", "/emulator/stats"); }

  embedded_emulator emulator;
  auth::connection_string account;
  net::io_context io;
  http::client http{io.get_executor()};
};

std::uint64_t at(const boost::json::value& json, std::initializer_list<const char*> path) {
  const boost::json::value* v = &json;
  for (const char* key : path) {
    v = v->as_object().if_contains(key);
    if (v == nullptr) return 0;
  }
  return v->to_number<std::uint64_t>();
}

TEST(EmulatorLimits, ThirtyQuickCreatesAgainstTwentyPerSecondGiveTwentyCreatedAndTenThrottled) {
  emulator_client c{options_with("create_user=20/1s")};
  const auto start = std::chrono::steady_clock::now();
  const auto results = c.creates(30);
  // The exact split needs all 30 inside one window; on loopback they take milliseconds.
  ASSERT_LT(std::chrono::steady_clock::now() - start, 900ms) << "too slow for the 1 s window";
  int created = 0, throttled = 0;
  std::string last_retry_ms;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message();
    if (r->status == 201) ++created;
    if (r->status == 429) {
      ++throttled;
      EXPECT_EQ(r->headers.get("Retry-After").value_or(""), "1");
      last_retry_ms = std::string(r->headers.get("retry-after-ms").value_or(""));
      EXPECT_FALSE(last_retry_ms.empty());
      EXPECT_NE(r->body.find(R"("code":"TooManyRequests")"), std::string::npos) << r->body;
    }
  }
  EXPECT_EQ(created, 20);
  EXPECT_EQ(throttled, 10);

  const auto json = c.stats();
  EXPECT_EQ(at(json, {"requests", "create_user", "201"}), 20u);
  EXPECT_EQ(at(json, {"requests", "create_user", "429"}), 10u);
  EXPECT_EQ(at(json, {"identities", "created"}), 20u);
  EXPECT_EQ(at(json, {"max_per_second", "create_user"}), 30u);  // arrivals, throttled ones included

  // Waiting what the last 429 said is enough for one more.
  std::this_thread::sleep_for(std::chrono::milliseconds{std::stoi(last_retry_ms)});
  const auto again = c.create();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201u) << again->body;
}

TEST(EmulatorFaults, ResetIsSeenByTheClientAsConnectionClosed) {
  emulator_client c{options_with("off", "reset:1")};
  const auto r = c.create();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::connection_closed);
  EXPECT_EQ(at(c.stats(), {"faults", "create_user", "reset"}), 1u);
}

TEST(EmulatorFaults, CloseIsSeenByTheClientAsConnectionClosed) {
  emulator_client c{options_with("off", "close:1")};
  const auto r = c.create();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::connection_closed);
}

TEST(EmulatorFaults, TimeoutLeavesTheClientToTimeOutWhileOthersAreServed) {
  emulator_client c{options_with("off", "timeout:1")};
  const auto start = std::chrono::steady_clock::now();
  const auto r = c.create(300ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  // Another connection is served at once (the stalled one blocks nothing).
  const auto json = c.stats();
  EXPECT_EQ(at(json, {"faults", "create_user", "timeout"}), 1u);
  EXPECT_EQ(json.at("requests").at("create_user").as_object().size(), 0u);
}

/// Writes one signed create on a raw socket and leaves the connection open.
net::ip::tcp::socket hold_a_request_open(net::io_context& io, const emulator_client& c) {
  net::ip::tcp::socket socket{io};
  socket.connect({net::ip::make_address("127.0.0.1"), c.emulator.port()});
  const auto req = c.create_request();
  std::string wire = "POST " + req.target + " HTTP/1.1\r\nHost: " + c.account.endpoint.authority() + "\r\n";
  for (const auto& h : req.headers) wire.append(h.name).append(": ").append(h.value).append("\r\n");
  wire += "Content-Length: 0\r\n\r\n";
  net::write(socket, net::buffer(wire));
  std::this_thread::sleep_for(100ms);  // let the emulator read it and start waiting
  return socket;
}

/// The error that ends reading from `socket`, within 3 s (nullopt: nothing ended it).
std::optional<boost::system::error_code> read_until_closed(net::io_context& io, net::ip::tcp::socket& socket) {
  std::optional<boost::system::error_code> out;
  std::array<char, 256> sink;
  std::function<void(boost::system::error_code, std::size_t)> on_read = [&](boost::system::error_code ec, std::size_t) {
    if (ec) out = ec;
    else socket.async_read_some(net::buffer(sink), on_read);
  };
  socket.async_read_some(net::buffer(sink), on_read);
  io.restart();
  io.run_for(3s);
  return out;
}

TEST(EmulatorFaults, ResetSendsRstWhereCloseSendsFin) {
  net::io_context io;
  emulator_client resetting{options_with("off", "reset:1")};
  auto reset_socket = hold_a_request_open(io, resetting);
  EXPECT_EQ(read_until_closed(io, reset_socket), std::optional{boost::system::error_code{net::error::connection_reset}});

  emulator_client closing{options_with("off", "close:1")};
  auto close_socket = hold_a_request_open(io, closing);
  EXPECT_EQ(read_until_closed(io, close_socket), std::optional{boost::system::error_code{net::error::eof}});
}

TEST(EmulatorFaults, StopEndsAStalledConnectionAtOnce) {
  net::io_context io;
  auto c = std::make_unique<emulator_client>(options_with("off", "timeout:1"));
  auto socket = hold_a_request_open(io, *c);
  const auto start = std::chrono::steady_clock::now();
  c.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(EmulatorLatency, StopCutsAPendingDelayShort) {
  net::io_context io;
  auto c = std::make_unique<emulator_client>(options_with("off", {}, "fixed:30s"));
  auto socket = hold_a_request_open(io, *c);
  const auto start = std::chrono::steady_clock::now();
  c.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(EmulatorLatency, FixedDelayIsWaitedBeforeAnswering) {
  emulator_client c{options_with("off", {}, "fixed:50ms")};
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = c.create();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, 201u);
    EXPECT_GE(elapsed, 50ms) << "request " << i;
  }
}

TEST(EmulatorFaults, TheSameSeedReplaysTheSameStatuses) {
  // Sequential requests: the same order, so the same faults.
  const auto statuses = [](std::uint64_t seed) {
    emulator_client c{options_with("off", "500:0.3,503:0.2", {}, seed)};
    std::string out;
    for (int i = 0; i < 20; ++i) {
      const auto r = c.create();
      out += r ? std::to_string(r->status) + " " : "error ";
    }
    return out;
  };
  const auto first = statuses(2024);
  EXPECT_EQ(first, statuses(2024));
  EXPECT_NE(first.find("500"), std::string::npos) << first;
  EXPECT_NE(first.find("201"), std::string::npos) << first;
}

TEST(EmulatorFaults, ARandomSeedIsReportedAndEchoedInStats) {
  emulator_client c{server_options{}};
  EXPECT_EQ(at(c.stats(), {"seed"}), c.emulator.seed());
}

}  // namespace
}  // namespace acsbatch::emulator
