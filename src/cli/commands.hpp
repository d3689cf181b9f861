#pragma once
/// The subcommands, each a function from parsed options to an exit code.

#include <optional>
#include <string>

#include "acsbatch/core/exit_code.hpp"

namespace acsbatch::cli {

struct run_options {
  std::string job_file;
  std::optional<std::string> report_path;
  bool quiet = false;
};

exit_code run_command(const run_options& options);
exit_code validate_command(const std::string& job_file);

struct emulator_options {
  std::string listen = "127.0.0.1:0";
};

exit_code emulator_command(const emulator_options& options);

}  // namespace acsbatch::cli
