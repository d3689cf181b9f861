#include <charconv>
#include <iostream>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/entra.hpp"
#include "acsbatch/emulator/key_file.hpp"
#include "acsbatch/emulator/serve.hpp"
#include "commands.hpp"

namespace acsbatch::cli {
namespace {

/// "127.0.0.1:0", "[::1]:8089", "localhost:0" → address and port; false when malformed.
bool split_listen(std::string_view text, std::string& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  }
  const auto port_text = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value > 65535) return false;
  address = host == "localhost" ? "127.0.0.1" : std::string(host);
  port = static_cast<std::uint16_t>(value);
  return !address.empty();
}

}  // namespace

exit_code emulator_command(const emulator_options& options) {
  emulator::server_options server;
  if (!split_listen(options.listen, server.listen_address, server.port)) {
    std::cerr << "acsbatch emulator: --listen '" << options.listen
              << "' is not HOST:PORT (e.g. 127.0.0.1:0 or [::1]:8089)\n";
    return exit_code::usage;
  }
  try {
    server.limits = emulator::parse_service_limits(options.limits);
    server.faults = emulator::parse_fault_spec(options.faults);
    server.latency = emulator::parse_latency_spec(options.latency);
  } catch (const config_error& e) {
    std::cerr << "acsbatch emulator: " << e.what() << '\n';
    return exit_code::usage;
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::cerr << "acsbatch emulator: --tls-cert and --tls-key go together (a PEM certificate chain and its key)\n";
    return exit_code::usage;
  }
  server.seed = options.seed;
  server.state_file = options.state_file;
  server.capture_file = options.capture_file;
  server.tls_certificate_file = options.tls_cert;
  server.tls_key_file = options.tls_key;
  if (options.entra) server.entra = emulator::test_entra_app();
  if (!options.key_file.empty()) {
    try {
      const auto key = emulator::load_or_create_key_file(options.key_file);
      server.access_key = key.access_key;
      if (key.created) std::cerr << "acsbatch emulator: wrote a new random access key to " << options.key_file << '\n';
    } catch (const config_error& e) {
      std::cerr << "acsbatch emulator: " << e.what() << '\n';
      return exit_code::usage;
    }
  } else if (!options.state_file.empty()) {
    std::cerr << "acsbatch emulator: the access key is new with every start; add --key-file FILE to keep it "
                 "(and the connection string) across restarts\n";
  }
  try {
    return static_cast<exit_code>(emulator::serve_until_signal(server, std::cout));
  } catch (const std::exception& e) {
    std::cerr << "acsbatch emulator: " << e.what() << '\n';
    return exit_code::unavailable;
  }
}

}  // namespace acsbatch::cli
