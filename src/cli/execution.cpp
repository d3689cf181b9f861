// Running a job's items against its connection: the part `run` and `cleanup` share — the
// connection (embedded emulator or a real resource), the engine, signals, timeouts, progress,
// the report, and the exit code cron and CI read.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "acsbatch/auth/connection_string.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/core/random_id.hpp"
#include "acsbatch/emulator/server.hpp"
#include "acsbatch/emulator/state_file.hpp"
#include "acsbatch/engine/runner.hpp"
#include "acsbatch/report/console.hpp"
#include "acsbatch/report/summary_text.hpp"
#include "credentials.hpp"
#include "execution.hpp"
#include "load_execution.hpp"
#include "report_outputs.hpp"
#include "run_messages.hpp"

namespace acsbatch::cli {
namespace {

namespace asio = boost::asio;

/// Up to this many items, each one is shown as it finishes (the quickstart shows its user).
constexpr std::uint64_t max_items_shown = 10;

std::string item_text(const report::item_outcome& item) {
  std::ostringstream out;
  out << "item " << item.index << (item.user_id.empty() ? "" : " " + item.user_id) << '\n';
  for (const auto& step : item.steps) {
    out << "  " << step.op << ": " << (!step.ok ? "FAILED" : step.already_gone ? "already gone" : "ok");
    if (step.http_status) out << " (HTTP " << step.http_status << ")";
    out << ", " << static_cast<double>(step.latency.count()) / 1000.0 << " ms";
    if (step.attempts > 1) out << ", " << step.attempts << " attempts";
    if (step.token_expires_on) out << ", token expires " << format_rfc3339(*step.token_expires_on);
    if (!step.ok) out << " — " << step.error_message;
    out << '\n';
  }
  return out.str();
}

/// The engine's counters, copied for the report layer (which does not depend on the engine).
report::progress_snapshot snapshot_of(const engine::run_progress& p) {
  return {p.items_done, p.items_failed, p.requests, p.retries, p.throttled};
}

struct connection {
  std::optional<emulator::embedded_emulator> emulator;  // only for `embedded`
  auth::connection_string settings;
  std::optional<auth::entra_settings> entra;  // auth: entra
};

/// Throws config_error (bad connection string, unreadable emulator state file) or
/// std::system_error (emulator cannot bind).
void open_connection(const job::job& job, connection& out) {
  if (job.connection.embedded) {
    // The loader checked these specs with the emulator's grammar, so these parsers accept them.
    const auto& spec = job.connection.emulator;
    emulator::server_options options;
    options.state_file = spec.state;
    options.limits = emulator::parse_service_limits(spec.limits);
    options.faults = emulator::parse_fault_spec(spec.faults);
    options.latency = emulator::parse_latency_spec(spec.latency);
    options.seed = spec.seed;
    if (job.connection.auth == job::auth_mode::entra) options.entra = emulator::test_entra_app();
    const auto app = options.entra;
    out.emulator.emplace(std::move(options));
    out.settings = auth::parse_connection_string(out.emulator->connection_string());
    if (app) out.entra = embedded_entra_settings(*app, out.emulator->url());
  } else if (job.connection.auth == job::auth_mode::entra) {
    out.settings.endpoint = endpoint::parse(job.connection.endpoint);
    out.entra = auth::entra_settings_from_environment();
  } else {
    out.settings = auth::parse_connection_string(job.connection.connection_string);
  }
}


}  // namespace

exit_code execute_job(const job::job& job, engine::item_stream& source, report::console& console,
                      const execution_options& options, execution_hooks& hooks) {
  constexpr auto error = report::log_level::error;
  constexpr auto warning = report::log_level::warning;

  connection conn;
  try {
    open_connection(job, conn);
  } catch (const emulator::state_file_locked& e) {
    console.log(error, "locked", job.file + ": connection.emulator.state: " + e.what() +
                                     ": another run uses it; this run did nothing (wait for that run; shards or jobs side "
                                     "by side share one `acsbatch emulator --state FILE` through "
                                     "COMMUNICATION_SERVICES_CONNECTION_STRING instead: README, recovery)");
    return exit_code::locked;
  } catch (const config_error& e) {
    console.log(error, "invalid_job", job.file + ": connection: " + e.what());
    return exit_code::invalid_job;
  } catch (const std::exception& e) {
    console.log(error, "unavailable", std::string("cannot start the embedded emulator: ") + e.what());
    return exit_code::unavailable;
  }
  const auto& endpoint = conn.settings.endpoint;

  asio::io_context io{static_cast<int>(options.threads)};
  if (!job.connection.tls_verify)
    console.log(warning, "tls_verify_off",
                "connection.tls_verify is false: the server's TLS certificate and host name are NOT checked, so "
                "anyone on the way to " + endpoint.host + " can pose as the service");
  std::optional<http::client> http_client;
  try {
    http_client.emplace(io.get_executor(), http::client_options{.verify_tls = job.connection.tls_verify,
                                                                .ca_file = job.connection.ca_file});
  } catch (const config_error& e) {
    console.log(error, "invalid_job", job.file + ": connection.ca_file: " + e.what());
    return exit_code::invalid_job;
  }
  http::client& http = *http_client;
  const auth::hmac_signer signer{conn.settings.access_key};
  const identity::client_options client_options{job.connection.api_version, job.request_timeout,
                                                std::string("acsbatch/") + ACSBATCH_VERSION};
  std::optional<auth::entra_credential> credential;  // auth: entra; its first token is fetched here
  if (conn.entra) {
    credential.emplace(io.get_executor(), std::move(*conn.entra),
                       http::client_options{.verify_tls = job.connection.tls_verify, .ca_file = job.connection.ca_file});
    if (const auto failure = fetch_first_token(io, *credential)) {
      console.log(error, "unavailable", *failure);
      return exit_code::unavailable;
    }
  }
  identity::identity_client client = credential ? identity::identity_client{http, endpoint, *credential, client_options}
                                                : identity::identity_client{http, endpoint, signer, client_options};
  engine::rate_limiter limiter{job.rate_limit};

  report::run_info info;
  info.job_name = job.name;
  info.job_file = job.file;
  info.job_sha256 = job.sha256;
  info.job_effective_sha256 = job.effective_sha256.empty() ? job.sha256 : job.effective_sha256;
  info.shard = options.shard;
  info.run_id = random_uuid();
  info.endpoint_host = endpoint.host;
  info.embedded = job.connection.embedded;
  info.api_version = job.connection.api_version;
  info.concurrency = job.concurrency;
  info.target_rate = limiter.job_limit_per_second();
  info.started_at = std::chrono::system_clock::now();
  describe_job(job, info);  // thresholds and parameters, for the report

  std::optional<report::report_builder> report;
  try {
    report.emplace(info, job.report.path, job.report.items);
  } catch (const std::exception& e) {
    console.log(error, "cannot_write", std::string("cannot write the report: ") + e.what());
    return exit_code::cannot_write;
  }

  {
    std::ostringstream header;
    header << hooks.header << ' ' << job.name << ": ";
    if (job.load) header << load_plan(job);
    else if (auto total = source.total()) header << *total << " user(s)";
    else header << "users from " << job.users.existing_users_path();
    if (!job.load) header << " × " << job.steps.size() << " step(s), concurrency " << job.concurrency;
    header << ", against "
           << (job.connection.embedded ? "the embedded emulator at " : "") << endpoint.url()
           << " (api-version " << job.connection.api_version
           << (job.connection.auth == job::auth_mode::entra ? ", Entra ID" : "") << ")\n";
    report::log_fields start;
    start.add_string("job", job.name).add_string("file", job.file);
    if (auto total = source.total()) start.add_unsigned("users", *total);
    else start.add_null("users");
    start.add_unsigned("steps", job.steps.size()).add_unsigned("concurrency", job.concurrency)
        .add_string("endpoint", endpoint.url()).add_bool("embedded", job.connection.embedded)
        .add_string("api_version", job.connection.api_version);
    console.announce(header.str(), "start", start);
  }

  engine::runner runner{job, client, *report, source, limiter, std::chrono::steady_clock::now(), hooks.journal};
  runner.on_token = hooks.on_token;
  if (options.threads == 1) runner.run_on_one_thread();
  if (hooks.repeatability_honoured) runner.assume_repeatability_honoured();
  if (!options.quiet && source.total() && *source.total() <= max_items_shown)
    runner.on_item = [&console](const report::item_outcome& item) { console.print(item_text(item)); };

  // Stopping: the first signal (or the job timeout) stops new items; in-flight ones get the
  // grace period, then are cancelled; a second signal exits at once.
  asio::steady_timer grace_timer{io};
  asio::steady_timer job_timer{io};
  auto begin_stop = [&](engine::stop_reason reason, std::string detail = {}) {
    runner.request_stop(reason, std::move(detail));
    grace_timer.expires_after(job.grace);
    grace_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) runner.cancel_in_flight();
    });
  };
  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int) {
    if (ec) return;
    if (runner.stopped_because() == engine::stop_reason::interrupted) {
      console.log(warning, "aborting", "second signal, aborting now");
      std::_Exit(static_cast<int>(exit_code::interrupted));
    }
    console.log(warning, "stopping", "stopping — in-flight items finish (grace " + std::to_string(job.grace.count()) +
                                         " ms), no new ones start (signal again to abort)");
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

  // Progress: a timer on its own strand samples the runner's counters (thread-safe) and the done
  // callback ends it on that strand, so nothing is drawn after the final redraw.
  report::progress_meter meter{source.total(), std::chrono::steady_clock::now()};
  const auto progress_strand = asio::make_strand(io);
  asio::steady_timer progress_timer{progress_strand};
  bool progress_ended = false;  // touched on progress_strand only
  std::function<void()> schedule_progress = [&] {
    if (progress_ended) return;
    progress_timer.expires_after(console.progress_period());
    progress_timer.async_wait([&](boost::system::error_code ec) {
      if (ec || progress_ended) return;
      meter.update(snapshot_of(runner.progress()), std::chrono::steady_clock::now());
      if (console.show_progress(meter)) schedule_progress();
    });
  };

  // abort_on_fail: every second the thresholds that may stop the run are judged on what it has
  // measured so far; the first that fails stops it as a signal would (in-flight items finish).
  asio::steady_timer abort_timer{progress_strand};
  const auto run_started = std::chrono::steady_clock::now();
  std::function<void()> schedule_abort_check = [&] {
    if (progress_ended) return;
    abort_timer.expires_after(std::chrono::seconds{1});
    abort_timer.async_wait([&](boost::system::error_code ec) {
      if (ec || progress_ended || runner.stopped_because() != engine::stop_reason::none) return;
      const auto elapsed = std::chrono::steady_clock::now() - run_started;
      for (const auto& rule : job.threshold_aborts) {
        if (elapsed < rule.not_before) continue;
        const auto& threshold = job.thresholds[rule.threshold];
        const auto result = runner.judge_now(threshold);
        if (!result.value || result.ok) continue;  // nothing measured yet is no reason to stop
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
        const auto detail = "threshold " + result.expr + " failed during the run (" +
                            report::format_value(threshold, result.value) + " after " + std::to_string(seconds) + " s)";
        console.log(warning, "threshold_abort", detail + ": stopping — in-flight items finish, no new ones start");
        begin_stop(engine::stop_reason::threshold_failed, detail);
        return;
      }
      schedule_abort_check();
    });
  };

  std::exception_ptr failure;
  runner.start(io.get_executor(), [&](std::exception_ptr e) {
    asio::post(progress_strand, [&] {
      progress_ended = true;
      progress_timer.cancel();
      abort_timer.cancel();
      meter.update(snapshot_of(runner.progress()), std::chrono::steady_clock::now());
      console.end_progress(meter);
    });
    // Called on a worker's strand: hand the shutdown to the io_context's own queue.
    asio::post(io, [&, e] {
      failure = e;
      signals.cancel();
      grace_timer.cancel();
      job_timer.cancel();
      http.close_idle();
    });
  });
  if (console.progress() != report::progress_mode::off) asio::post(progress_strand, schedule_progress);
  if (!job.threshold_aborts.empty()) asio::post(progress_strand, schedule_abort_check);
  std::vector<std::jthread> extra_threads;
  for (unsigned i = 1; i < options.threads; ++i) extra_threads.emplace_back([&io] { io.run(); });
  io.run();
  extra_threads.clear();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      console.log(error, "internal_error", std::string("internal error: ") + e.what());
    }
    return exit_code::software;
  }

  // A load test deletes what it made; whatever it could not is named, counted and not silent.
  const auto left_behind = job.load ? runner.identities_left() : std::vector<std::string>{};
  report->add_left_behind(left_behind);
  if (runner.stopped_because() != engine::stop_reason::none) {
    try {
      report->add_skipped(source.count_remaining());
    } catch (const std::exception& e) {
      console.log(warning, "skipped_unknown", std::string("cannot count the items not started: ") + e.what());
    }
  }
  // A run that did nothing because it could not (service unreachable, refused credentials, bad
  // users) does not replace the report of a run that did: it goes beside it, FILE.failed.json.
  job::report_spec outputs = job.report;
  const auto stop = runner.stopped_because();
  const bool failed_run = stop == engine::stop_reason::unavailable || stop == engine::stop_reason::source_failed ||
                          stop == engine::stop_reason::journal_failed;
  if (std::error_code ec; failed_run && report->items().succeeded == 0 && std::filesystem::is_regular_file(report->path(), ec)) {
    const auto failed = beside(report->path().string(), ".failed.json");
    report->redirect(failed);
    if (!outputs.html.empty()) outputs.html = beside(failed, ".html");
    if (!outputs.junit.empty()) outputs.junit = beside(failed, ".xml");
    console.log(warning, "report_kept", "this run did nothing: " + job.report.path + " (an earlier run's) is kept; this run's report is " + failed);
  }
  try {
    report->write(std::chrono::system_clock::now());
  } catch (const std::exception& e) {
    console.log(error, "cannot_write", std::string("cannot write the report: ") + e.what());
    return exit_code::cannot_write;
  }

  const bool outputs_written = write_report_outputs(outputs, *report, console);  // report.html, report.junit
  exit_code code = judge_thresholds(outcome_code(runner, *report), *report, outputs_written);
  if (hooks.after_report) code = hooks.after_report(*report, runner.stopped_because(), code);
  if (!left_behind.empty()) {
    warn_left_behind(job, left_behind, console);
    if (code == exit_code::ok) code = exit_code::items_failed;
  }
  if (const auto why = describe_stop(runner, endpoint.host, refusal_hint(job), resume_hint(job)); !why.empty()) {
    const auto reason = runner.stopped_because();
    const bool clean = reason == engine::stop_reason::interrupted || reason == engine::stop_reason::job_timeout;
    console.log(clean ? warning : error, "stopped", why);
  }
  auto summary = report::summary_fields(*report);
  summary.add_unsigned("exit_code", static_cast<std::uint64_t>(code));
  console.announce(report::format_summary(*report) + "report: " + report->path().string() + "\n", "summary", summary);
  if (options.quiet && code == exit_code::items_failed)
    console.log(error, "items_failed", std::to_string(report->items().failed) + " of " +
                                           std::to_string(report->items().total) + " item(s) failed");
  return code;
}


}  // namespace acsbatch::cli
