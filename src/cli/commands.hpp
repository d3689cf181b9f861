#pragma once
/// The subcommands, each a function from parsed options to an exit code.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acsbatch/core/exit_code.hpp"

namespace acsbatch::cli {

struct run_options {
  std::string job_file;
  std::optional<std::string> report_path;
  std::vector<std::string> overrides;  ///< --set key.path=value
  bool quiet = false;
  bool dry_run = false;
  bool resume = false;  ///< --resume: finish the run journalled in state.path
  bool force = false;   ///< --force: resume even though the job file changed
  std::optional<std::string> shard;     ///< --shard I/N
  std::optional<unsigned> shards;       ///< --shards N (with JOB_COMPLETION_INDEX)
  unsigned threads = 1;
  bool progress = false;            ///< --progress: redraw the progress line even off a terminal
  std::string log_format = "text";  ///< --log-format text|json
};

exit_code run_command(const run_options& options);

struct cleanup_options {
  std::string state_file;               ///< --state: the journal whose identities go
  std::optional<std::string> job_file;  ///< --job: the job file (default: the one the journal names)
  std::optional<std::string> report_path;
  std::vector<std::string> overrides;
  bool quiet = false;
  bool progress = false;
  std::string log_format = "text";
  unsigned threads = 1;
};

exit_code cleanup_command(const cleanup_options& options);
exit_code validate_command(const std::string& job_file, const std::vector<std::string>& overrides);

struct emulator_options {
  std::string listen = "127.0.0.1:0";
  std::string limits = "off";  ///< --limits, parsed by emulator::parse_service_limits
  std::string faults;          ///< --faults, parsed by emulator::parse_fault_spec
  std::string latency;         ///< --latency, parsed by emulator::parse_latency_spec
  std::optional<std::uint64_t> seed;
  std::string state_file;  ///< --state: identities persist here (empty: in memory only)
  std::string key_file;    ///< --key-file: the access key, kept private (empty: a random key)
  std::string capture_file;  ///< --capture: every request as a JSON line, secrets redacted
  std::string tls_cert;    ///< --tls-cert: PEM certificate chain; with tls_key, serve HTTPS
  std::string tls_key;     ///< --tls-key: its PEM private key
  /// --entra: also serve the Entra ID token endpoints (test app registration, printed as the
  /// second stdout line) and accept the bearer tokens they issue
  bool entra = false;
};

exit_code emulator_command(const emulator_options& options);

}  // namespace acsbatch::cli
