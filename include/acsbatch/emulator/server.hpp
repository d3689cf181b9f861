#pragma once
/// The embedded ACS Identity emulator: a Beast HTTP/1.1 server that implements the REST
/// contract, verifies HMAC signatures, enforces the service limits, injects faults and latency
/// on demand, and reports what happened at GET /emulator/stats.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "acsbatch/emulator/fault_spec.hpp"
#include "acsbatch/emulator/latency_model.hpp"
#include "acsbatch/emulator/service_limits.hpp"

namespace acsbatch::emulator {

struct server_options {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: an ephemeral port
  /// Decoded access key; empty: 64 random bytes.
  std::string access_key;
  /// The resource GUID in issued ids (8:acs:<resource>_<guid>); empty: random.
  std::string resource_id;
  /// Accepted |x-ms-date − now| (retried requests re-send their original date).
  std::chrono::seconds max_clock_skew{15 * 60};
  /// A keep-alive connection with no complete request for this long is closed.
  std::chrono::seconds idle_timeout{60};
  /// Larger request bodies are answered 413 and the connection closed.
  std::size_t body_limit = 1024 * 1024;
  /// `--limits`: per-operation "N requests per W" (parse_service_limits); empty: none.
  service_limits limits{};
  /// `--faults` (parse_fault_spec); empty: none. Never applied to /emulator/*.
  fault_spec faults{};
  /// `--latency` (parse_latency_spec): an asynchronous wait before each answer; never for
  /// /emulator/*.
  latency_spec latency{};
  /// `--seed`: replays the same faults and latencies for the same request order; nullopt: a
  /// random seed, which server::seed() reports so a failing run can be replayed.
  std::optional<std::uint64_t> seed{};
  /// A `timeout` fault holds its connection at most this long (or until the client closes it
  /// or the server stops), so a client without a timeout cannot pin it forever.
  std::chrono::seconds stall_limit{60};
};

/// A server bound to an executor. Serves until stop() or until its io_context stops.
/// Every connection runs on its own strand, so the executor may be run by several threads.
/// All member functions may be called from any thread.
class server {
 public:
  server(boost::asio::any_io_executor executor, server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting. Throws std::system_error when the address cannot be bound.
  void start();
  /// Stops accepting and closes every connection.
  void stop();

  std::uint16_t port() const;
  /// The seed of the fault and latency streams: options.seed, or the random one drawn.
  std::uint64_t seed() const;
  /// `endpoint=http://127.0.0.1:PORT/;accesskey=BASE64` — printed as the first stdout line.
  /// Contains the key: for the emulator's own throwaway key only.
  std::string connection_string() const;
  /// `http://127.0.0.1:PORT/` (an unspecified listen address is given as loopback, IPv6 in
  /// brackets): where clients reach the server; no secret in it.
  std::string url() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// An emulator on its own thread and io_context, for `connection: embedded` and for tests.
/// Started by the constructor, stopped and joined by the destructor.
class embedded_emulator {
 public:
  explicit embedded_emulator(server_options options = {});
  ~embedded_emulator();
  embedded_emulator(const embedded_emulator&) = delete;
  embedded_emulator& operator=(const embedded_emulator&) = delete;

  std::uint16_t port() const;
  std::uint64_t seed() const;
  std::string connection_string() const;
  std::string url() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace acsbatch::emulator
