// `acsbatch run`: job file → connection (embedded emulator or a real resource) → engine →
// report, and the exit code cron and CI read.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/engine/runner.hpp"
#include "acsbatch/report/summary_text.hpp"
#include "commands.hpp"

namespace acsbatch::cli {
namespace {

namespace asio = boost::asio;

/// Up to this many items, each one is shown as it finishes (the quickstart shows its user).
constexpr std::uint64_t max_items_shown = 10;

void print_item(const report::item_outcome& item) {
  std::cout << "item " << item.index << (item.user_id.empty() ? "" : " " + item.user_id) << '\n';
  for (const auto& step : item.steps) {
    std::cout << "  " << step.op << ": " << (step.ok ? "ok" : "FAILED");
    if (step.http_status) std::cout << " (HTTP " << step.http_status << ")";
    std::cout << ", " << static_cast<double>(step.latency.count()) / 1000.0 << " ms";
    if (step.token_expires_on) std::cout << ", token expires " << format_rfc3339(*step.token_expires_on);
    if (!step.ok) std::cout << " — " << step.error_message;
    std::cout << '\n';
  }
}

struct connection {
  std::optional<emulator::embedded_emulator> emulator;  // only for `embedded`
  auth::connection_string settings;
};

/// Throws config_error (bad connection string) or std::system_error (emulator cannot bind).
void open_connection(const job::job& job, connection& out) {
  if (job.connection.embedded) {
    out.emulator.emplace();
    out.settings = auth::parse_connection_string(out.emulator->connection_string());
  } else {
    out.settings = auth::parse_connection_string(job.connection.connection_string);
  }
}

exit_code outcome_code(const engine::runner& runner, const report::report_builder& report) {
  switch (runner.stopped_because()) {
    case engine::stop_reason::unavailable: return exit_code::unavailable;
    case engine::stop_reason::interrupted: return exit_code::interrupted;
    case engine::stop_reason::none: break;
  }
  return report.items().failed > 0 ? exit_code::items_failed : exit_code::ok;
}

}  // namespace

exit_code run_command(const run_options& options) {
  job::job job;
  try {
    job = job::load_job(options.job_file, job::process_environment());
  } catch (const job::job_error& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << '\n';
    return exit_code::invalid_job;
  }
  for (const auto& warning : job.warnings) std::cerr << job.file << ": warning: " << warning << '\n';
  if (options.report_path) job.report.path = *options.report_path;

  connection conn;
  try {
    open_connection(job, conn);
  } catch (const config_error& e) {
    std::cerr << job.file << ": connection: " << e.what() << '\n';
    return exit_code::invalid_job;
  } catch (const std::exception& e) {
    std::cerr << "acsbatch: cannot start the embedded emulator: " << e.what() << '\n';
    return exit_code::unavailable;
  }
  const auto& endpoint = conn.settings.endpoint;

  asio::io_context io;
  http::client http{io.get_executor()};
  const auth::hmac_signer signer{conn.settings.access_key};
  identity::identity_client client{
      http, endpoint, signer,
      identity::client_options{job.connection.api_version, job.request_timeout,
                               std::string("acsbatch/") + ACSBATCH_VERSION}};

  report::run_info info;
  info.job_name = job.name;
  info.job_file = job.file;
  info.job_sha256 = job.sha256;
  info.endpoint_host = endpoint.host;
  info.embedded = job.connection.embedded;
  info.api_version = job.connection.api_version;
  info.concurrency = job.concurrency;
  info.started_at = std::chrono::system_clock::now();

  std::optional<report::report_builder> report;
  try {
    report.emplace(info, job.report.path, job.report.items);
  } catch (const std::exception& e) {
    std::cerr << "acsbatch: cannot write the report: " << e.what() << '\n';
    return exit_code::cannot_write;
  }

  if (!options.quiet)
    std::cout << "job " << job.name << ": " << job.users.create << " user(s) × " << job.steps.size()
              << " step(s), concurrency " << job.concurrency << ", against "
              << (job.connection.embedded ? "the embedded emulator at " : "") << endpoint.url()
              << " (api-version " << job.connection.api_version << ")\n";

  engine::runner runner{job, client, *report, std::chrono::steady_clock::now()};
  if (!options.quiet && job.users.create <= max_items_shown) runner.on_item = print_item;

  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int) {
    if (ec) return;
    if (runner.stopped_because() == engine::stop_reason::interrupted) {
      std::cerr << "acsbatch: second signal, aborting now\n";
      std::_Exit(static_cast<int>(exit_code::interrupted));
    }
    std::cerr << "acsbatch: stopping — in-flight items finish, no new ones start (signal again to abort)\n";
    runner.request_stop(engine::stop_reason::interrupted);
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  std::exception_ptr failure;
  asio::co_spawn(io, runner.run(), [&](std::exception_ptr e) {
    failure = e;
    signals.cancel();
    http.close_idle();
  });
  io.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::cerr << "acsbatch: internal error: " << e.what() << '\n';
    }
    return exit_code::software;
  }

  try {
    report->write(std::chrono::system_clock::now());
  } catch (const std::exception& e) {
    std::cerr << "acsbatch: cannot write the report: " << e.what() << '\n';
    return exit_code::cannot_write;
  }

  const exit_code code = outcome_code(runner, *report);
  if (code == exit_code::unavailable)
    std::cerr << "acsbatch: " << endpoint.host << " rejected the request or could not be reached: "
              << runner.stop_detail() << " — check the connection string (endpoint and access key)\n";
  if (!options.quiet) std::cout << report::format_summary(*report);
  else if (code == exit_code::items_failed)
    std::cerr << "acsbatch: " << report->items().failed << " of " << report->items().total << " item(s) failed\n";
  if (!options.quiet) std::cout << "report: " << report->path().string() << '\n';
  return code;
}

}  // namespace acsbatch::cli
