// `acsbatch run`: job file → journal (state.path: lock, resume) → execution → outputs
// (tokens, Prometheus textfile), and the exit code cron and CI read.

#include <filesystem>
#include <iostream>
#include <optional>

#include <unistd.h>

#include "acsbatch/core/error.hpp"
#include "acsbatch/engine/load_schedule.hpp"
#include "acsbatch/engine/shard.hpp"
#include "acsbatch/report/prometheus_textfile.hpp"
#include "acsbatch/state/job_lock.hpp"
#include "acsbatch/state/journal.hpp"
#include "acsbatch/state/journal_items.hpp"
#include "acsbatch/state/journal_recorder.hpp"
#include "acsbatch/state/token_file.hpp"
#include "commands.hpp"
#include "dry_run.hpp"
#include "execution.hpp"
#include "job_loading.hpp"
#include "report_outputs.hpp"

namespace acsbatch::cli {
namespace {

constexpr auto error = report::log_level::error;
constexpr auto warning = report::log_level::warning;

bool creates_users(const job::job& job) {
  for (const auto& step : job.steps)
    if (job::creates_identity(step.op)) return true;
  return false;
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  auto out = std::filesystem::absolute(path, ec);
  return ec ? path : out.lexically_normal().string();
}

/// The journal of a run, opened and checked: lock held, meta written for this run.
struct journal_session {
  std::optional<state::job_lock> lock;
  std::optional<state::journal> journal;
  state::journal_meta meta;
  bool resuming = false;
  std::optional<state::journal_writer> writer;
  std::optional<state::journal_recorder> recorder;
};

/// Opens the journal for `run`; on a refusal prints why and returns the exit code.
std::optional<exit_code> open_journal(const job::job& job, const run_options& options, report::console& console,
                                      journal_session& out) {
  const std::string& path = job.state.path;
  const std::string lock_path = state::lock_path_for(path);
  try {
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    out.lock = state::job_lock::try_acquire(lock_path);
    if (!out.lock) {
      const auto holder = state::lock_holder(lock_path);
      console.log(error, "locked",
                  "another run of this job holds " + lock_path +
                      (holder ? " (pid " + std::to_string(*holder) + ")" : std::string()) +
                      ": it is still running; this run did nothing");
      return exit_code::locked;
    }
    out.journal.emplace(path, true);
    auto previous = out.journal->meta();
    const std::uint64_t earlier_runs = previous ? previous->runs : 0;
    // What a run learnt about the service outlives the items: kept when the journal starts over.
    out.meta.repeatability_honoured = previous && previous->repeatability_honoured;
    if (previous && !previous->finished && out.journal->counts().items == 0) {
      // The last run failed before its first request (bad users file, unwritable report, a
      // lock): it left nothing to finish or forget, so this run starts afresh, plain or --resume.
      previous.reset();
    }
    if (previous && job.load) {
      // A load run is never resumed: a new one starts over once nothing is left behind.
      const auto counts = out.journal->counts();
      if (counts.live_identities > 0) {
        console.log(error, "journal_in_use",
                    path + " records " + std::to_string(counts.live_identities) + " identities an earlier run of " +
                        previous->job_name + " left (killed before it deleted them): `acsbatch cleanup --state " +
                        path + "` deletes them, then run again");
        return exit_code::usage;
      }
      out.journal->clear_items();
      previous.reset();
    }
    if (previous && options.resume && previous->job_sha256 != job.sha256 && !options.force) {
      console.log(error, "job_changed",
                  job.file + " changed since the run journalled in " + path + " (sha256 " +
                      previous->job_sha256.substr(0, 12) + "… then, " + job.sha256.substr(0, 12) +
                      "… now): resuming could mix two different jobs; restore the file, or pass --force to "
                      "resume with the new one");
      return exit_code::invalid_job;
    }
    // Same file, other --set values: as much another job as an edited file.
    const auto& effective = job.effective_sha256.empty() ? job.sha256 : job.effective_sha256;
    const auto& then = previous && !previous->job_effective_sha256.empty() ? previous->job_effective_sha256
                                                                           : previous ? previous->job_sha256 : effective;
    if (previous && options.resume && !options.force && previous->job_sha256 == job.sha256 && then != effective) {
      console.log(error, "job_changed",
                  job.file + " is run with other --set overrides than the run journalled in " + path +
                      " (effective sha256 " + then.substr(0, 12) + "… then, " + effective.substr(0, 12) +
                      "… now): resuming could mix two different jobs; pass the same --set values, or --force to "
                      "resume with the new ones");
      return exit_code::invalid_job;
    }
    if (previous && previous->finished && options.resume && !creates_users(job)) {
      // A finished rotation has nothing left to finish: --resume (what cron runs every night)
      // starts the next one. A job that creates users is done once finished: nothing is sent.
      out.journal->clear_items();
      previous.reset();
    }
    if (previous && !options.resume) {
      const auto counts = out.journal->counts();
      if (!previous->finished) {
        console.log(error, "unfinished",
                    path + " holds an unfinished run of job " + previous->job_name + " (" + std::to_string(counts.items) +
                        " item(s) started, " + std::to_string(counts.ok) +
                        " done): run again with --resume to finish it (or `acsbatch cleanup --state " + path +
                        "` to delete its identities)");
        return exit_code::usage;
      }
      if (creates_users(job) && counts.live_identities > 0) {
        console.log(error, "journal_in_use",
                    path + " records " + std::to_string(counts.live_identities) +
                        " identities made by an earlier run of this job: starting over would forget them. Use "
                        "another state.path, `acsbatch cleanup --state " + path +
                        "`, or --resume to report that run again");
        return exit_code::usage;
      }
      out.journal->clear_items();  // a finished run of a job that keeps no identities (rotation)
      previous.reset();
    }
    out.resuming = options.resume && previous.has_value();
    out.meta.job_name = job.name;
    out.meta.job_file = absolute(job.file);
    out.meta.job_sha256 = job.sha256;
    out.meta.job_effective_sha256 = job.effective_sha256.empty() ? job.sha256 : job.effective_sha256;
    out.meta.api_version = job.connection.api_version;
    out.meta.custom_id = job.users.custom_id;
    out.meta.steps = job.steps.size();
    out.meta.runs = earlier_runs + 1;
    out.meta.finished = false;
    out.journal->write_meta(out.meta);
    out.writer.emplace(path, out.meta.runs);
    out.recorder.emplace(*out.writer);
  } catch (const state::state_error& e) {
    console.log(error, "cannot_write", e.what());
    return exit_code::cannot_write;
  } catch (const std::filesystem::filesystem_error& e) {
    console.log(error, "cannot_write", std::string("cannot create the journal: ") + e.what());
    return exit_code::cannot_write;
  }
  return std::nullopt;
}

}  // namespace

exit_code run_command(const run_options& options) {
  const auto format = options.log_format == "json" ? report::log_format::json : report::log_format::text;
  report::console console{std::cout, std::cerr,
                          {format, options.quiet,
                           report::choose_progress_mode(options.quiet, options.progress,
                                                        ::isatty(STDERR_FILENO) == 1, format)}};

  auto loaded = load_job_or_report(options.job_file, options.overrides);
  if (!loaded) return exit_code::invalid_job;
  job::job& job = *loaded;
  std::optional<engine::shard> shard;
  try {
    shard = engine::resolve_shard(options.shard, options.shards, job::process_environment());
  } catch (const std::invalid_argument& e) {
    console.log(error, "usage", e.what());
    return exit_code::usage;
  }
  if (shard) {
    engine::apply_shard(job, *shard);  // before --report: a path given by hand is taken as given
    job.report.html = engine::shard_path(job.report.html, *shard);
    job.report.junit = engine::shard_path(job.report.junit, *shard);
  }
  if (options.report_path) {
    // The pages follow the JSON, so one run's HTML never overwrites another's.
    job.report.path = *options.report_path;
    if (!job.report.html.empty()) job.report.html = beside(job.report.path, ".html");
    if (!job.report.junit.empty()) job.report.junit = beside(job.report.path, ".xml");
  }

  if (options.dry_run) {
    try {
      print_plan(job, std::cout);
      return exit_code::ok;
    } catch (const std::exception& e) {
      console.log(error, "invalid_job", job.file + ": " + e.what());
      return exit_code::invalid_job;
    }
  }
  if (options.resume && job.load) {
    console.log(error, "usage", "--resume does not apply to a load test (its schedule is time, not a list of users): "
                                "run it again; `acsbatch cleanup --state " +
                                    (job.state.path.empty() ? std::string("FILE") : job.state.path) +
                                    "` deletes what a killed one left");
    return exit_code::usage;
  }
  if (options.resume && job.state.path.empty()) {
    console.log(error, "usage", "--resume needs a journal: set state.path in " + job.file +
                                    " (e.g. state: {path: state/" + job.name + ".db})");
    return exit_code::usage;
  }

  journal_session session;
  if (!job.state.path.empty())
    if (const auto refused = open_journal(job, options, console, session)) return *refused;

  std::unique_ptr<engine::item_stream> source;
  try {
    source = job.load ? engine::make_load_items(*job.load) : state::open_users(job);
    if (shard) source = std::make_unique<engine::sharded_stream>(std::move(source), *shard);
    if (session.resuming) {
      auto resumed = std::make_unique<state::resume_stream>(job.state.path, job, std::move(source));
      console.log(report::log_level::info, "resuming",  // cron mails what --quiet prints
                  "resuming run " + std::to_string(session.meta.runs - 1) + " of job " + job.name + " from " +
                      job.state.path + ": " + std::to_string(resumed->journalled()) +
                      " item(s) journalled; finished steps are not repeated");
      source = std::move(resumed);
    }
  } catch (const state::state_error& e) {
    console.log(error, "invalid_job", job.file + ": users: " + e.what());
    return exit_code::invalid_job;
  } catch (const config_error& e) {
    console.log(error, "invalid_job", job.file + ": users: " + e.what());
    return exit_code::invalid_job;
  }

  std::optional<state::token_file> tokens;
  std::string token_error;
  if (!job.outputs.tokens.empty()) {
    try {
      tokens.emplace(job.outputs.tokens, session.resuming);
    } catch (const std::system_error& e) {
      console.log(error, "cannot_write", std::string("outputs.tokens: ") + e.what());
      return exit_code::cannot_write;
    }
  }

  execution_hooks hooks;
  if (shard) hooks.header = "shard " + shard->to_string() + " of job";
  if (session.recorder) hooks.journal = &*session.recorder;
  hooks.repeatability_honoured = session.meta.repeatability_honoured;
  if (tokens)
    hooks.on_token = [&](const std::string& user_id, const std::string& token,
                         std::chrono::system_clock::time_point expires_on) {
      if (!token_error.empty()) return;
      try {
        tokens->add(user_id, token, expires_on);
      } catch (const std::system_error& e) {
        token_error = e.what();
      }
    };
  const auto started_at = std::chrono::system_clock::now();
  hooks.after_report = [&](const report::report_builder& report, engine::stop_reason stop, exit_code code) {
    if (session.writer) {
      if (session.writer->flush_now()) {
        console.log(error, "cannot_write", session.writer->error_message() +
                                               " — the journal may lack the last steps; --resume redoes them");
        code = exit_code::cannot_write;
      } else {
        try {
          session.meta.finished = stop == engine::stop_reason::none;
          // The writer may have recorded it during the run.
          if (const auto now = session.journal->meta(); now && now->repeatability_honoured)
            session.meta.repeatability_honoured = true;
          session.journal->write_meta(session.meta);
          const auto counts = session.journal->counts();
          if (counts.uncertain > 0)
            console.log(warning, "uncertain",
                        std::to_string(counts.uncertain) +
                            " item(s) had a create cut off before its answer arrived, on an api-version without "
                            "customId: an identity no record names may exist for each (listed as uncertain in the "
                            "report). users.custom_id (api-version 2025-03-02-preview) makes creates idempotent.");
        } catch (const state::state_error& e) {
          console.log(error, "cannot_write", e.what());
          code = exit_code::cannot_write;
        }
      }
    }
    if (tokens) {
      try {
        if (!token_error.empty()) throw std::system_error(EIO, std::generic_category(), token_error);
        if (stop == engine::stop_reason::none) tokens->commit();
        else tokens->keep_partial();
      } catch (const std::system_error& e) {
        console.log(error, "cannot_write", std::string("outputs.tokens: ") + e.what() +
                                               " — tokens issued by this run may be missing from it");
        code = exit_code::cannot_write;
      }
    }
    if (!job.outputs.prometheus.empty()) {
      try {
        report::write_prometheus_textfile(
            job.outputs.prometheus, report,
            {job.name, started_at, std::chrono::system_clock::now(), static_cast<int>(code)});
      } catch (const std::system_error& e) {
        console.log(error, "cannot_write", std::string("outputs.prometheus: ") + e.what());
        code = exit_code::cannot_write;
      }
    }
    return code;
  };
  return execute_job(job, *source, console, {options.quiet, options.threads, shard ? shard->to_string() : ""}, hooks);
}

}  // namespace acsbatch::cli
