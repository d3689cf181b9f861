// Wires the command line to the library; nothing else lives here.

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  using acsbatch::exit_code;
  CLI::App app{"acsbatch — provision, rotate and load-test Azure Communication Services identities"};
  app.set_version_flag("--version", std::string("acsbatch ") + ACSBATCH_VERSION);
  app.require_subcommand(1);

  acsbatch::cli::run_options run;
  auto* run_cmd = app.add_subcommand("run", "Run a job file");
  run_cmd->add_option("job", run.job_file, "Job file (YAML)")->required();
  run_cmd->add_option("--report", run.report_path, "Write the JSON report here (overrides report.path)");
  run_cmd->add_flag("--quiet,-q", run.quiet, "Print only errors");

  std::string validate_file;
  auto* validate_cmd = app.add_subcommand("validate", "Check a job file; prints FILE:LINE:COL: message per problem");
  validate_cmd->add_option("job", validate_file, "Job file (YAML)")->required();

  acsbatch::cli::emulator_options emulator;
  auto* emulator_cmd = app.add_subcommand(
      "emulator", "Serve the ACS Identity emulator; the first stdout line is its connection string");
  emulator_cmd->add_option("--listen", emulator.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(exit_code::usage);
  }

  exit_code result = exit_code::software;
  if (*run_cmd) result = acsbatch::cli::run_command(run);
  else if (*validate_cmd) result = acsbatch::cli::validate_command(validate_file);
  else if (*emulator_cmd) result = acsbatch::cli::emulator_command(emulator);
  return static_cast<int>(result);
}
