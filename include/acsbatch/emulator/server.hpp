#pragma once
/// The embedded ACS Identity emulator: a Beast HTTP/1.1 server that implements the REST
/// contract, verifies HMAC signatures, enforces the service limits, injects faults and latency
/// on demand, and reports what happened at GET /emulator/stats.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "acsbatch/emulator/entra.hpp"
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
  /// `--state`: identities persist in this file (state_file.hpp), as they do on the real
  /// service. The constructor loads it when it exists (its resource id then applies); the store
  /// is saved to it every state_save_interval when something changed (off the request path),
  /// by stop() and by the destructor, so a killed process loses at most the last interval.
  /// `FILE.lock` keeps a second emulator off the same file while this one lives.
  /// Empty: in memory only.
  std::filesystem::path state_file{};
  std::chrono::milliseconds state_save_interval{2000};
  /// `--tls-cert` / `--tls-key`: serve HTTPS (TLS 1.2+) with this PEM certificate chain (the
  /// server's certificate first) and its PEM private key; both or neither. Empty: plain HTTP.
  /// The certificate is served as it is — an expired or misnamed one too, for client tests.
  std::filesystem::path tls_certificate_file{};
  std::filesystem::path tls_key_file{};
  /// `--capture`: record every request (secrets redacted) as JSON lines here
  /// (request_capture.hpp); the constructor creates or truncates it. Empty: no capture.
  std::filesystem::path capture_file{};
  /// `--entra`: the app registration whose client credentials (and managed identity) get bearer
  /// tokens from the emulator's Entra ID endpoints (entra.hpp); nullopt: HMAC only.
  std::optional<entra_app> entra{};
  /// Told (on a background thread) when a periodic or final save fails; empty: a line on
  /// std::cerr. The message names the file and never holds a secret.
  std::function<void(const std::string&)> on_state_error{};
};

/// A server bound to an executor. Serves until stop() or until its io_context stops.
/// Every connection runs on its own strand, so the executor may be run by several threads.
/// All member functions may be called from any thread.
class server {
 public:
  /// Throws config_error when options.state_file exists but is not a state file of ours (the
  /// message names the file and the line), holds another resource than a non-empty
  /// options.resource_id, or is in use by another emulator; and when the TLS certificate or
  /// key cannot be read, do not match, or only one of them is given.
  server(boost::asio::any_io_executor executor, server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting. Throws std::system_error when the address cannot be bound.
  void start();
  /// Stops accepting and closes every connection; saves the state file (a failure goes to
  /// options.on_state_error).
  void stop();
  /// Saves the state file now when the store changed since the last save; nothing without
  /// options.state_file. Throws std::system_error naming the file.
  void save_state();

  std::uint16_t port() const;
  /// The seed of the fault and latency streams: options.seed, or the random one drawn.
  std::uint64_t seed() const;
  /// `endpoint=http://127.0.0.1:PORT/;accesskey=BASE64` (`https://` with a TLS certificate) —
  /// printed as the first stdout line.
  /// Contains the key: for the emulator's own throwaway key only.
  std::string connection_string() const;
  /// `http://127.0.0.1:PORT/` or `https://…` (an unspecified listen address is given as
  /// loopback, IPv6 in brackets): where clients reach the server; no secret in it.
  std::string url() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// An emulator on its own thread and io_context, for `connection: embedded` and for tests.
/// Started by the constructor, stopped and joined by the destructor (which saves the state
/// file, if any, after the last request was answered).
class embedded_emulator {
 public:
  /// Throws as server's constructor and server::start() do.
  explicit embedded_emulator(server_options options = {});
  ~embedded_emulator();
  embedded_emulator(const embedded_emulator&) = delete;
  embedded_emulator& operator=(const embedded_emulator&) = delete;

  std::uint16_t port() const;
  std::uint64_t seed() const;
  std::string connection_string() const;
  std::string url() const;
  /// server::save_state().
  void save_state();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace acsbatch::emulator
