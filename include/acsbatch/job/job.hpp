#pragma once
/// A job file, loaded and validated: what to do to which users, against which resource.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace acsbatch::job {

enum class operation { create_user, create_user_and_token, issue_token, revoke_tokens, delete_user, get_user };

/// "create_user", "issue_token", … as written in job files and reports.
std::string_view to_string(operation op);
/// The operation a job file names; nullopt for anything else (exact, case-sensitive).
std::optional<operation> operation_from_string(std::string_view name);

/// api-versions a job may name; the first is the default. The job layer does not link the
/// identity layer, so this mirrors identity::supported_api_versions (a unit test keeps them equal).
inline constexpr std::string_view supported_api_versions[] = {"2023-10-01", "2025-06-30",
                                                              "2025-03-02-preview"};
/// Token scopes a step may ask for; mirrors identity::known_scopes (kept equal by a unit test).
inline constexpr std::string_view known_scopes[] = {"chat", "voip", "chat.join", "chat.join.limited",
                                                    "voip.join"};

struct step {
  operation op = operation::create_user;
  std::vector<std::string> scopes;                 ///< issue_token, create_user_and_token
  std::optional<std::chrono::minutes> expires_in;  ///< token lifetime, 60..1440 min
};

struct connection_spec {
  /// `embedded`: start the in-process emulator; otherwise a connection string (secret).
  bool embedded = true;
  std::string connection_string;
  std::string api_version = "2023-10-01";
};

struct users_spec {
  std::uint64_t create = 0;  ///< how many new users the job makes
};

struct report_spec {
  std::string path;  ///< relative paths are relative to the working directory
  bool items = true;
};

struct job {
  int version = 1;
  std::string name;
  std::string file;    ///< the path it was loaded from
  std::string sha256;  ///< hex SHA-256 of the file's bytes (before interpolation)
  connection_spec connection;
  std::uint32_t concurrency = 16;
  users_spec users;
  std::vector<step> steps;
  std::chrono::milliseconds request_timeout{10'000};
  report_spec report;
  /// Keys the file has that this version reads but does not act on yet, as
  /// `FILE:LINE:COL: message` lines in file order (the CLI shows them as warnings).
  std::vector<std::string> warnings;
};

/// One problem in a job file: FILE:LINE:COL: message (line and column 1-based, 0 if unknown).
struct diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string to_string() const;
};

/// Thrown by the loader with every problem found (not just the first).
class job_error : public std::runtime_error {
 public:
  explicit job_error(std::vector<diagnostic> diagnostics);
  const std::vector<diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<diagnostic> diagnostics_;
};

/// Looks up an environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(std::string_view)>;
/// The process environment.
env_lookup process_environment();

/// Parses `text` (the contents of `file_name`). `${VAR}` and `${VAR:-default}` in scalar values
/// are replaced from `env` after YAML parsing and before conversion (so a value cannot change
/// the document's structure); `:-` also applies to a set but empty VAR, `$$` is a literal `$`.
/// An unset `${VAR}` without default is an error. Values that came from the environment, and the
/// connection string however it was written, never appear in a message.
/// Throws job_error holding every problem found, in file order.
job parse_job(std::string_view text, std::string file_name, const env_lookup& env);
/// Reads and parses a file. Throws job_error (unreadable file included).
job load_job(const std::string& path, const env_lookup& env);

/// "250ms", "30s", "5m", "24h", "1d" → milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace acsbatch::job
