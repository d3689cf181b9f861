#include "acsbatch/emulator/serve.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <optional>
#include <system_error>

#include "acsbatch/core/error.hpp"
#include "acsbatch/core/exit_code.hpp"
#include "acsbatch/emulator/state_file.hpp"

namespace acsbatch::emulator {

int serve_until_signal(const server_options& options, std::ostream& out, std::ostream& err) {
  boost::asio::io_context io{1};
  // Installed before the server starts, so a signal arriving at any point is caught.
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::optional<server> instance;
  try {
    instance.emplace(io.get_executor(), options);
    instance->start();
  } catch (const state_file_locked& e) {
    err << "acsbatch emulator: " << e.what() << '\n';
    return static_cast<int>(exit_code::locked);
  } catch (const config_error& e) {
    err << "acsbatch emulator: " << e.what() << '\n';
    return static_cast<int>(exit_code::invalid_job);
  } catch (const std::system_error& e) {
    err << "acsbatch emulator: " << e.what() << '\n';
    return static_cast<int>(exit_code::unavailable);
  }
  server& srv = *instance;
  out << srv.connection_string() << std::endl;
  if (options.entra) out << entra_environment(*options.entra, srv.url()) << std::endl;
  err << "acsbatch emulator: serving the ACS Identity API at " << srv.url()
      << " (HMAC key in the connection string above; stats at GET " << srv.url()
      << "emulator/stats); Ctrl-C to stop" << std::endl;
  // The seed is printed even without faults: it costs a line and makes any run replayable.
  err << "acsbatch emulator: limits " << to_string(options.limits) << ", faults " << to_string(options.faults)
      << ", latency " << to_string(options.latency) << ", seed " << srv.seed() << " (--seed "
      << srv.seed() << " replays the same faults and latencies)" << std::endl;
  if (options.entra)
    err << "acsbatch emulator: Entra ID token endpoint at " << srv.url() << options.entra->tenant_id
        << "/oauth2/v2.0/token, managed identity at " << srv.url() << "msi/token and " << srv.url()
        << "metadata/identity/oauth2/token; bearer tokens it issued are accepted besides HMAC (the second line "
           "above holds the test credentials as environment variables)"
        << std::endl;
  if (!options.state_file.empty())
    err << "acsbatch emulator: identities persist in " << options.state_file.string() << " (saved within "
        << options.state_save_interval.count() << " ms of a change, and at stop)" << std::endl;

  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    err << "acsbatch emulator: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
        << " received, stopping" << std::endl;
    // Closing every connection leaves the io_context without work, so run() returns.
    srv.stop();
  });
  io.run();
  return 0;
}

int serve_until_signal(const server_options& options, std::ostream& out) {
  return serve_until_signal(options, out, std::cerr);
}

}  // namespace acsbatch::emulator
