// Wires the command line to the library; nothing else lives here.

#include <CLI/CLI.hpp>
#include <iostream>

#include "acsbatch/emulator/spec_checks.hpp"
#include "acsbatch/job/job.hpp"
#include "commands.hpp"
#include "report_command.hpp"

int main(int argc, char** argv) {
  // The job loader checks `connection.emulator` specs with the emulator's own grammar.
  acsbatch::job::register_emulator_spec_checks({acsbatch::emulator::limits_spec_problem,
                                                acsbatch::emulator::faults_spec_problem,
                                                acsbatch::emulator::latency_spec_problem});
  using acsbatch::exit_code;
  CLI::App app{"acsbatch — provision, rotate and load-test Azure Communication Services identities"};
  app.set_version_flag("--version", std::string("acsbatch ") + ACSBATCH_VERSION);
  app.require_subcommand(1);

  acsbatch::cli::run_options run;
  auto* run_cmd = app.add_subcommand("run", "Run a job file");
  run_cmd->add_option("job", run.job_file, "Job file (YAML)")->required();
  run_cmd->add_option("--report", run.report_path,
                      "Write the JSON report here (overrides report.path); report.html and report.junit, when the "
                      "job sets them, go beside it as FILE with .html and .xml in place of its extension");
  auto* quiet_flag = run_cmd->add_flag("--quiet,-q", run.quiet, "Print only errors");
  run_cmd->add_flag("--progress", run.progress, "Redraw the progress line even when stderr is not a terminal")
      ->excludes(quiet_flag);
  run_cmd->add_option("--log-format", run.log_format, "text | json (one JSON object per stderr line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  run_cmd->add_option("--set", run.overrides, "Override a job value: --set rate_limit.per_second=50 (repeatable)");
  run_cmd->add_flag("--dry-run", run.dry_run, "Print the plan (items, steps, limits, expected duration); send nothing");
  run_cmd->add_flag("--resume", run.resume,
                    "Finish the run journalled in the job's state.path: finished steps are not repeated, the report "
                    "covers every run. A finished job that creates users sends nothing; a finished one that does "
                    "not (a rotation) starts its next run — what cron runs");
  run_cmd->add_flag("--force", run.force, "With --resume: resume even though the job file changed");
  run_cmd->add_option("--shard", run.shard,
                      "Run shard I of N (0 <= I < N): the items whose key falls to it, at 1/N of the limits, "
                      "with its own journal and report (NAME.shard-I.json)");
  run_cmd->add_option("--shards", run.shards,
                      "The shard count N when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed "
                      "Job); default $ACSBATCH_SHARDS")
      ->check(CLI::Range(1u, 10000u));
  run_cmd->add_option("--threads", run.threads, "Threads running the I/O (default 1)")
      ->check(CLI::Range(1u, 64u));

  acsbatch::cli::cleanup_options cleanup;
  auto* cleanup_cmd = app.add_subcommand(
      "cleanup", "Delete every identity a journal (state.path) says a run created and did not delete");
  cleanup_cmd->add_option("--state", cleanup.state_file, "The journal (a job's state.path)")->required();
  cleanup_cmd->add_option("--job", cleanup.job_file,
                          "Job file for the connection, limits and retries (default: the file the journal names)");
  cleanup_cmd->add_option("--report", cleanup.report_path, "Write the JSON report here (default reports/NAME.cleanup.json)");
  cleanup_cmd->add_option("--set", cleanup.overrides, "Override a job value, as for run");
  auto* cleanup_quiet = cleanup_cmd->add_flag("--quiet,-q", cleanup.quiet, "Print only errors");
  cleanup_cmd->add_flag("--progress", cleanup.progress, "Redraw the progress line even off a terminal")
      ->excludes(cleanup_quiet);
  cleanup_cmd->add_option("--log-format", cleanup.log_format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cleanup_cmd->add_option("--threads", cleanup.threads, "Threads running the I/O (default 1)")
      ->check(CLI::Range(1u, 64u));

  std::string validate_file;
  std::vector<std::string> validate_overrides;
  auto* validate_cmd = app.add_subcommand("validate", "Check a job file; prints FILE:LINE:COL: message per problem");
  validate_cmd->add_option("job", validate_file, "Job file (YAML)")->required();
  validate_cmd->add_option("--set", validate_overrides, "Override a job value, as for run");

  acsbatch::cli::emulator_options emulator;
  auto* emulator_cmd = app.add_subcommand(
      "emulator", "Serve the ACS Identity emulator; the first stdout line is its connection string");
  emulator_cmd->add_option("--listen", emulator.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  emulator_cmd->add_option("--limits", emulator.limits, "real | off | OP=N/WINDOW,... (e.g. create_user=100/1s)")
      ->capture_default_str();
  emulator_cmd->add_option("--faults", emulator.faults, "KIND[@RETRY_AFTER]:PROBABILITY,... (e.g. 429:0.3,503:0.05,reset:0.01)");
  emulator_cmd->add_option("--latency", emulator.latency, "fixed:20ms | uniform:min=5ms,max=50ms | lognormal:median=20ms,p99=250ms");
  emulator_cmd->add_option("--seed", emulator.seed, "Seed for faults and latency (default: random, printed on stderr)");
  emulator_cmd->add_option("--state", emulator.state_file,
                           "Keep the identities in FILE across restarts (JSON lines, mode 0600; loaded at start, "
                           "saved every 2 s when changed and at stop)");
  emulator_cmd->add_option("--key-file", emulator.key_file,
                           "Read the access key (base64) from FILE, mode 0600; created with a random key if missing");
  emulator_cmd->add_option("--capture", emulator.capture_file,
                           "Write every request (method, path, query, headers, body; signatures and secrets "
                           "redacted) to FILE as JSON lines");
  emulator_cmd->add_option("--tls-cert", emulator.tls_cert,
                           "Serve HTTPS with this PEM certificate chain (needs --tls-key)");
  emulator_cmd->add_option("--tls-key", emulator.tls_key, "The PEM private key of --tls-cert");
  emulator_cmd->add_flag("--entra", emulator.entra,
                         "Also serve Entra ID token endpoints (client secret, managed identity) and accept their "
                         "bearer tokens; the second stdout line holds the test credentials as AZURE_* variables");

  acsbatch::cli::report_options report_args;
  auto* report_cmd = app.add_subcommand("report", "Work on finished reports: merge, html, junit");
  report_cmd->require_subcommand(1);
  auto* merge_cmd = report_cmd->add_subcommand("merge", "Add reports of one job (shards, repeated runs) into one");
  merge_cmd->add_option("reports", report_args.inputs, "Two or more reports")->required();
  merge_cmd->add_flag("--force", report_args.force, "Merge reports of different jobs (job sha256) too");
  auto* html_cmd = report_cmd->add_subcommand("html", "Render a report as one self-contained HTML page");
  auto* junit_cmd = report_cmd->add_subcommand("junit", "A report as JUnit XML: a test case per threshold and operation");
  for (auto* cmd : {html_cmd, junit_cmd}) cmd->add_option("report", report_args.inputs, "The JSON report")->required()->expected(1);
  for (auto* cmd : {merge_cmd, html_cmd, junit_cmd})
    cmd->add_option("-o,--output", report_args.output, "Where to write it")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(exit_code::usage);
  }

  exit_code result = exit_code::software;
  if (*run_cmd) result = acsbatch::cli::run_command(run);
  else if (*cleanup_cmd) result = acsbatch::cli::cleanup_command(cleanup);
  else if (*validate_cmd) result = acsbatch::cli::validate_command(validate_file, validate_overrides);
  else if (*emulator_cmd) result = acsbatch::cli::emulator_command(emulator);
  else if (*merge_cmd) result = acsbatch::cli::report_merge_command(report_args);
  else if (*html_cmd) result = acsbatch::cli::report_html_command(report_args);
  else if (*junit_cmd) result = acsbatch::cli::report_junit_command(report_args);
  return static_cast<int>(result);
}
