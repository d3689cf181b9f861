// The emulator's HTTP shell end to end: a real embedded_emulator on loopback, driven by a small
// Beast client whose every step is bounded by io_context::run_for.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <atomic>
#include <chrono>
#include <optional>
#include <regex>
#include <thread>
#include <vector>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/emulator/server.hpp"

namespace acsbatch::emulator {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto step_limit = 5s;

/// One client connection. Each call runs the io_context for at most step_limit.
class test_client {
 public:
  explicit test_client(std::uint16_t port, const char* address = "127.0.0.1")
      : stream_(io_), host_(std::string(address).find(':') != std::string::npos
                                ? "[" + std::string(address) + "]:" + std::to_string(port)
                                : std::string(address) + ":" + std::to_string(port)) {
    stream_.connect(tcp::endpoint{net::ip::make_address(address), port});
  }

  const std::string& host() const { return host_; }

  /// Writes `req` and reads one response; nullopt when either fails (closed, timed out).
  std::optional<bhttp::response<bhttp::string_body>> exchange(bhttp::request<bhttp::string_body> req) {
    req.prepare_payload();
    std::optional<bhttp::response<bhttp::string_body>> out;
    bhttp::async_write(stream_, req, [&](beast::error_code ec, std::size_t) {
      if (ec) return;
      read_into(out);
    });
    run();
    return out;
  }

  /// Writes raw bytes and, concurrently, reads one response (the server may answer before it
  /// has read everything).
  std::optional<bhttp::response<bhttp::string_body>> exchange_raw(const std::string& bytes) {
    std::optional<bhttp::response<bhttp::string_body>> out;
    net::async_write(stream_, net::buffer(bytes), [](beast::error_code, std::size_t) {});
    read_into(out);
    run();
    return out;
  }

  /// True when the server closes the connection (EOF or reset) within step_limit.
  bool closed_by_server() {
    std::optional<beast::error_code> result;
    static char byte;
    stream_.async_read_some(net::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) { result = ec; });
    run();
    return result && *result && *result != net::error::operation_aborted;
  }

  bhttp::request<bhttp::string_body> signed_request(bhttp::verb verb, const std::string& target,
                                                    const std::string& body, const std::string& key) {
    const std::string method{bhttp::to_string(verb)};
    const auto signed_headers =
        auth::hmac_signer{key}.sign(method, target, host_, std::chrono::system_clock::now(), body);
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, host_);
    req.set(bhttp::field::content_type, "application/json");
    req.set("x-ms-date", signed_headers.date);
    req.set("x-ms-content-sha256", signed_headers.content_sha256);
    req.set(bhttp::field::authorization, signed_headers.authorization);
    req.keep_alive(true);
    req.body() = body;
    return req;
  }

 private:
  void read_into(std::optional<bhttp::response<bhttp::string_body>>& out) {
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    bhttp::async_read(stream_, buffer_, *response, [&out, response](beast::error_code ec, std::size_t) {
      if (!ec) out = std::move(*response);
    });
  }

  void run() {
    io_.restart();
    io_.run_for(step_limit);
    if (!io_.stopped()) {  // something hung: cancel it so the next step starts clean
      stream_.cancel();
      io_.restart();
      io_.run_for(1s);
    }
  }

  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string host_;
};

std::string key_of(const embedded_emulator& emulator) {
  return auth::parse_connection_string(emulator.connection_string()).access_key;
}

TEST(EmulatorServer, ConnectionStringNamesTheLoopbackEndpointAndA64ByteKey) {
  embedded_emulator emulator;
  ASSERT_NE(emulator.port(), 0);
  EXPECT_TRUE(std::regex_match(emulator.connection_string(),
                               std::regex{"^endpoint=http://127\\.0\\.0\\.1:" + std::to_string(emulator.port()) +
                                          "/;accesskey=[A-Za-z0-9+/]{86}==$"}));
  EXPECT_EQ(key_of(emulator).size(), 64u);
  EXPECT_EQ(emulator.url(), "http://127.0.0.1:" + std::to_string(emulator.port()) + "/");
}

TEST(EmulatorServer, ServesSeveralRequestsOnOneKeepAliveConnection) {
  embedded_emulator emulator;
  const auto key = key_of(emulator);
  test_client client{emulator.port()};

  std::string id;
  for (int i = 0; i < 3; ++i) {
    const auto res = client.exchange(
        client.signed_request(bhttp::verb::post, "/identities?api-version=2023-10-01", "", key));
    ASSERT_TRUE(res) << "request " << i << " got no answer";
    ASSERT_EQ(res->result_int(), 201u) << res->body();
    EXPECT_TRUE(res->keep_alive());
    id = boost::json::parse(res->body()).at("identity").at("id").as_string().c_str();
  }
  const std::string path = "/identities/" + std::regex_replace(id, std::regex{":"}, "%3A");
  const auto token = client.exchange(client.signed_request(
      bhttp::verb::post, path + "/:issueAccessToken?api-version=2023-10-01", R"({"scopes":["voip"]})", key));
  ASSERT_TRUE(token);
  EXPECT_EQ(token->result_int(), 200u) << token->body();

  // 204 carries neither body nor Content-Length, and the connection stays usable.
  const auto deleted = client.exchange(
      client.signed_request(bhttp::verb::delete_, path + "?api-version=2023-10-01", "", key));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->result_int(), 204u);
  EXPECT_EQ(deleted->find(bhttp::field::content_length), deleted->end());
  EXPECT_TRUE(deleted->body().empty());

  // The stats endpoint, on the same connection, saw all of it.
  bhttp::request<bhttp::string_body> stats{bhttp::verb::get, "/emulator/stats", 11};
  stats.set(bhttp::field::host, client.host());
  const auto res = client.exchange(stats);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->result_int(), 200u);
  const auto json = boost::json::parse(res->body());
  EXPECT_EQ(json.at("identities").at("created").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(json.at("identities").at("deleted").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(json.at("tokens").at("issued").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(json.at("requests").at("create_user").at("201").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(json.at("requests").at("delete_user").at("204").to_number<std::uint64_t>(), 1u);
}

TEST(EmulatorServer, WrongKeyIsDeniedOverTheWire) {
  embedded_emulator emulator;
  test_client client{emulator.port()};
  const auto res = client.exchange(client.signed_request(
      bhttp::verb::post, "/identities?api-version=2023-10-01", "", std::string(64, 'w')));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 401u);
  EXPECT_EQ(res->at(bhttp::field::content_type), "application/json; charset=utf-8");
  EXPECT_TRUE(res->keep_alive());  // an error answer does not cost the connection
}

TEST(EmulatorServer, GarbageIsAnswered400AndTheConnectionClosed) {
  embedded_emulator emulator;
  test_client client{emulator.port()};
  const auto res = client.exchange_raw("GARBAGE \x01\x02 NOT HTTP\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_NE(res->body().find("\"code\":\"BadRequest\""), std::string::npos) << res->body();
  EXPECT_TRUE(client.closed_by_server());
}

TEST(EmulatorServer, OversizeBodyIsAnswered413AndTheConnectionClosed) {
  server_options options;
  options.body_limit = 64 * 1024;
  embedded_emulator emulator{options};
  test_client client{emulator.port()};
  const std::string body(256 * 1024, 'x');
  const std::string request = "POST /identities?api-version=2023-10-01 HTTP/1.1\r\nHost: " + client.host() +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  const auto res = client.exchange_raw(request);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.closed_by_server());
}

TEST(EmulatorServer, IdleConnectionIsClosedAfterTheIdleTimeout) {
  server_options options;
  options.idle_timeout = 1s;
  embedded_emulator emulator{options};
  test_client client{emulator.port()};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST(EmulatorServer, StopsPromptlyWithAnOpenIdleConnection) {
  auto emulator = std::make_unique<embedded_emulator>();
  test_client client{emulator->port()};
  bhttp::request<bhttp::string_body> stats{bhttp::verb::get, "/emulator/stats", 11};
  stats.set(bhttp::field::host, client.host());
  ASSERT_TRUE(client.exchange(stats));  // the session is established and now idles

  const auto start = std::chrono::steady_clock::now();
  emulator.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(client.closed_by_server());
}

TEST(EmulatorServer, ServesConcurrentClientsFromSeveralThreads) {
  // What `--threads` will do: one server, an io_context run by two threads.
  net::io_context io{2};
  server srv{io.get_executor(), {}};
  srv.start();
  const auto key = auth::parse_connection_string(srv.connection_string()).access_key;
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i) runners.emplace_back([&io] { io.run(); });

  constexpr int clients = 4;
  constexpr int per_client = 25;
  std::atomic<int> created{0};
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c)
    workers.emplace_back([&] {
      test_client client{srv.port()};
      for (int i = 0; i < per_client; ++i) {
        const auto res = client.exchange(client.signed_request(
            bhttp::verb::post, "/identities?api-version=2023-10-01", R"({"createTokenWithScopes":["chat"]})", key));
        if (res && res->result_int() == 201) ++created;
      }
    });
  for (auto& w : workers) w.join();
  EXPECT_EQ(created.load(), clients * per_client);

  // An idle connection is open while stop() is called from this (foreign) thread.
  test_client idle{srv.port()};
  srv.stop();
  for (auto& r : runners) r.join();
  EXPECT_TRUE(idle.closed_by_server());
}

TEST(EmulatorServer, ListensOnIpv6Loopback) {
  server_options options;
  options.listen_address = "::1";
  std::unique_ptr<embedded_emulator> emulator;
  try {
    emulator = std::make_unique<embedded_emulator>(options);
  } catch (const std::system_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  EXPECT_TRUE(std::regex_match(emulator->connection_string(),
                               std::regex{"^endpoint=http://\\[::1\\]:[0-9]+/;accesskey=.+$"}));
  const auto parsed = auth::parse_connection_string(emulator->connection_string());
  EXPECT_EQ(parsed.endpoint.host, "::1");
  test_client client{emulator->port(), "::1"};
  const auto res = client.exchange(client.signed_request(
      bhttp::verb::post, "/identities?api-version=2023-10-01", "", parsed.access_key));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 201u) << res->body();
}

TEST(EmulatorServer, RefusesAnAddressItCannotBind) {
  embedded_emulator first;
  server_options options;
  options.port = first.port();
  EXPECT_THROW(embedded_emulator{options}, std::system_error);
  options.listen_address = "not-an-address";
  options.port = 0;
  EXPECT_THROW(embedded_emulator{options}, std::system_error);
}

}  // namespace
}  // namespace acsbatch::emulator
