#pragma once
// Reads the flags and subcommands out of `acsbatch … --help` (CLI11's layout), for the tests that
// keep the bash completion and the man page in step with the command line.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace acsbatch::testing {

struct cli_help {
  std::set<std::string> flags;             ///< "-q", "--quiet", "--report", … of the Options block
  std::vector<std::string> subcommands;    ///< of the Subcommands block, in order
};

/// Runs `binary words… --help` and parses its output; fails the calling test when it exits non-zero.
cli_help read_cli_help(const std::string& binary, const std::vector<std::string>& words);

/// The absolute path of `program` found on PATH (run_process needs one); empty when absent.
std::filesystem::path find_program(const std::string& program);

}  // namespace acsbatch::testing
