// `acsbatch run`: job file → connection (embedded emulator or a real resource) → engine →
// report, and the exit code cron and CI read.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/engine/runner.hpp"
#include "acsbatch/report/summary_text.hpp"
#include "commands.hpp"
#include "dry_run.hpp"
#include "job_loading.hpp"

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
    if (step.attempts > 1) std::cout << ", " << step.attempts << " attempts";
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
    case engine::stop_reason::source_failed: return exit_code::invalid_job;
    case engine::stop_reason::job_timeout: return exit_code::items_failed;
    case engine::stop_reason::none: break;
  }
  return report.items().failed > 0 ? exit_code::items_failed : exit_code::ok;
}

std::string describe_stop(const engine::runner& runner, const std::string& host) {
  switch (runner.stopped_because()) {
    case engine::stop_reason::unavailable:
      return host + " rejected the request or could not be reached: " + runner.stop_detail() +
             " — check the connection string (endpoint and access key)";
    case engine::stop_reason::source_failed: return "cannot read the users: " + runner.stop_detail();
    case engine::stop_reason::job_timeout: return "timeouts.job passed: no new items were started";
    case engine::stop_reason::interrupted: return "interrupted: in-flight items finished, the rest were not started";
    case engine::stop_reason::none: break;
  }
  return {};
}

}  // namespace

exit_code run_command(const run_options& options) {
  auto loaded = load_job_or_report(options.job_file, options.overrides);
  if (!loaded) return exit_code::invalid_job;
  job::job& job = *loaded;
  if (options.report_path) job.report.path = *options.report_path;

  if (options.dry_run) {
    try {
      print_plan(job, std::cout);
      return exit_code::ok;
    } catch (const config_error& e) {
      std::cerr << job.file << ": " << e.what() << '\n';
      return exit_code::invalid_job;
    }
  }

  std::optional<engine::item_source> source;
  try {
    source.emplace(job.users);
  } catch (const config_error& e) {
    std::cerr << job.file << ": users: " << e.what() << '\n';
    return exit_code::invalid_job;
  }

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

  asio::io_context io{static_cast<int>(options.threads)};
  http::client http{io.get_executor()};
  const auth::hmac_signer signer{conn.settings.access_key};
  identity::identity_client client{
      http, endpoint, signer,
      identity::client_options{job.connection.api_version, job.request_timeout,
                               std::string("acsbatch/") + ACSBATCH_VERSION}};
  engine::rate_limiter limiter{job.rate_limit};

  report::run_info info;
  info.job_name = job.name;
  info.job_file = job.file;
  info.job_sha256 = job.sha256;
  info.endpoint_host = endpoint.host;
  info.embedded = job.connection.embedded;
  info.api_version = job.connection.api_version;
  info.concurrency = job.concurrency;
  info.target_rate = limiter.job_limit_per_second();
  info.started_at = std::chrono::system_clock::now();

  std::optional<report::report_builder> report;
  try {
    report.emplace(info, job.report.path, job.report.items);
  } catch (const std::exception& e) {
    std::cerr << "acsbatch: cannot write the report: " << e.what() << '\n';
    return exit_code::cannot_write;
  }

  if (!options.quiet) {
    std::cout << "job " << job.name << ": ";
    if (auto total = source->total()) std::cout << *total << " user(s)";
    else std::cout << "users from a file";
    std::cout << " × " << job.steps.size() << " step(s), concurrency " << job.concurrency << ", against "
              << (job.connection.embedded ? "the embedded emulator at " : "") << endpoint.url()
              << " (api-version " << job.connection.api_version << ")\n";
  }

  engine::runner runner{job, client, *report, *source, limiter, std::chrono::steady_clock::now()};
  if (!options.quiet && source->total() && *source->total() <= max_items_shown) runner.on_item = print_item;

  // Stopping: the first signal (or the job timeout) stops new items; in-flight ones get the
  // grace period, then are cancelled; a second signal exits at once.
  asio::steady_timer grace_timer{io};
  asio::steady_timer job_timer{io};
  auto begin_stop = [&](engine::stop_reason reason) {
    runner.request_stop(reason);
    grace_timer.expires_after(job.grace);
    grace_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) runner.cancel_in_flight();
    });
  };
  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int) {
    if (ec) return;
    if (runner.stopped_because() == engine::stop_reason::interrupted) {
      std::cerr << "acsbatch: second signal, aborting now\n";
      std::_Exit(static_cast<int>(exit_code::interrupted));
    }
    std::cerr << "acsbatch: stopping — in-flight items finish (grace " << job.grace.count()
              << " ms), no new ones start (signal again to abort)\n";
    begin_stop(engine::stop_reason::interrupted);
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  if (job.job_timeout) {
    job_timer.expires_after(*job.job_timeout);
    job_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) begin_stop(engine::stop_reason::job_timeout);
    });
  }

  std::exception_ptr failure;
  runner.start(io.get_executor(), [&](std::exception_ptr e) {
    // Called on a worker's strand: hand the shutdown to the io_context's own queue.
    asio::post(io, [&, e] {
      failure = e;
      signals.cancel();
      grace_timer.cancel();
      job_timer.cancel();
      http.close_idle();
    });
  });
  std::vector<std::jthread> extra_threads;
  for (unsigned i = 1; i < options.threads; ++i) extra_threads.emplace_back([&io] { io.run(); });
  io.run();
  extra_threads.clear();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::cerr << "acsbatch: internal error: " << e.what() << '\n';
    }
    return exit_code::software;
  }

  if (runner.stopped_because() != engine::stop_reason::none) report->add_skipped(source->count_remaining());
  try {
    report->write(std::chrono::system_clock::now());
  } catch (const std::exception& e) {
    std::cerr << "acsbatch: cannot write the report: " << e.what() << '\n';
    return exit_code::cannot_write;
  }

  const exit_code code = outcome_code(runner, *report);
  if (const auto why = describe_stop(runner, endpoint.host); !why.empty()) std::cerr << "acsbatch: " << why << '\n';
  if (!options.quiet) std::cout << report::format_summary(*report);
  else if (code == exit_code::items_failed)
    std::cerr << "acsbatch: " << report->items().failed << " of " << report->items().total << " item(s) failed\n";
  if (!options.quiet) std::cout << "report: " << report->path().string() << '\n';
  return code;
}

}  // namespace acsbatch::cli
