#pragma once
/// A job file, loaded and validated: what to do to which users, against which resource.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/identity/api_versions.hpp"
#include "acsbatch/report/threshold.hpp"

namespace acsbatch::job {

enum class operation { create_user, create_user_and_token, issue_token, revoke_tokens, delete_user, get_user };
inline constexpr std::array all_operations{operation::create_user, operation::create_user_and_token,
                                           operation::issue_token,  operation::revoke_tokens,
                                           operation::delete_user,  operation::get_user};

/// "create_user", "issue_token", … as written in job files and reports.
std::string_view to_string(operation op);
/// create_user and create_user_and_token: the operations that make an identity.
bool creates_identity(operation op);
/// The operation a job file names; nullopt for anything else (exact, case-sensitive).
std::optional<operation> operation_from_string(std::string_view name);

/// api-versions, their operations and scopes: identity::api_versions() (api_versions.hpp), the
/// one table the client, this validator and the emulator read.

struct step {
  operation op = operation::create_user;
  std::vector<std::string> scopes;                 ///< issue_token, create_user_and_token
  std::optional<std::chrono::minutes> expires_in;  ///< token lifetime, 60..1440 min
};

/// `connection.emulator`: how the embedded emulator runs. The specs are kept as written, for
/// the CLI to hand to the emulator's parsers; the loader checks them with the checks registered
/// by register_emulator_spec_checks.
struct emulator_spec {
  /// `state`: identities persist in this file across runs (`--state`). Resolved like
  /// users.from_file (relative to the job file's directory; as typed with --set). Empty: none.
  std::string state;
  std::string limits = "off";  ///< `limits`: real | off | OP=N/WINDOW,… (`--limits`)
  std::string faults;          ///< `faults`: KIND[@RETRY_AFTER]:P,… (`--faults`); empty: none
  std::string latency;         ///< `latency`: fixed:20ms | uniform:… | lognormal:… (`--latency`)
  std::optional<std::uint64_t> seed;  ///< `seed` (`--seed`); nullopt: random
};

/// `connection.auth`: how requests to the resource are authenticated.
enum class auth_mode {
  key,    ///< HMAC-SHA256 with the access key of the connection string (the default)
  entra,  ///< Microsoft Entra ID bearer tokens; the credential comes from the environment
};

struct connection_spec {
  /// `embedded`: start the in-process emulator; otherwise a connection string (secret), or with
  /// auth: entra the `endpoint`.
  bool embedded = true;
  std::string connection_string;
  /// `auth: key | entra`. With entra and `embedded`, the emulator also serves the Entra ID token
  /// endpoint and the run authenticates with the tokens it issues, so the job runs offline.
  auth_mode auth = auth_mode::key;
  /// `endpoint` (auth: entra only): the resource's URL, https (plain http for loopback hosts
  /// only), as checked by acsbatch::endpoint::parse. Empty when embedded.
  std::string endpoint;
  std::string api_version{identity::default_api_version};
  /// Applies to `embedded` only. `emulator:` beside a connection string written in the file
  /// is an error; beside one that came from the environment (or --set) it is ignored, so a
  /// shipped job runs offline with its emulator settings and against a real resource without.
  emulator_spec emulator;
  /// `ca_file`: PEM certificates of CAs trusted besides the system store (a private CA, the
  /// test CA of an emulator run with --tls-cert). Resolved like users.from_file. Empty: none.
  std::string ca_file;
  /// `tls_verify: false` turns off the checks of the server's certificate and host name (the
  /// run warns about it every time). For test set-ups only.
  bool tls_verify = true;
};

/// Where the users come from: exactly one of create, from_file, from_state, from_report is set.
/// The loader only checks that a path is given; the engine opens the file when the run starts.
struct users_spec {
  std::uint64_t create = 0;  ///< how many new users the job makes
  /// One raw identity id (8:acs:…) per line; blank lines and `#` comments skipped. Read lazily.
  /// A relative path in the job file is resolved against the job file's directory (so files
  /// shipped next to a job are found from any working directory); one given with --set is
  /// relative to the working directory, as typed. This holds the resolved path.
  std::string from_file;
  /// The `items[].user_id` of an acsbatch report whose item succeeded (and was not deleted).
  /// Resolved like from_file.
  std::string from_report;
  /// The identities another job's journal (its state.path) says exist: created, not deleted.
  /// Relative to the working directory, like state.path.
  std::string from_state;
  /// With create: a customId template containing `{index}` (e.g. `launch-{index}`). Creating
  /// with a customId is idempotent (same customId → same identity), so a create that may have
  /// reached the service can be retried safely. Needs an api_version whose spec has customId
  /// (identity::api_version_info::custom_id: 2025-03-02-preview).
  std::string custom_id;
  bool creates_users() const { return create > 0; }
  /// The file existing users come from (from_file, from_state or from_report); empty with create.
  const std::string& existing_users_path() const {
    return !from_file.empty() ? from_file : !from_state.empty() ? from_state : from_report;
  }
  /// The customId of item `index` (empty when no template is set).
  std::string custom_id_for(std::uint64_t index) const;
};

/// "N per W": a limit the way the service states it (1000 requests per 30 s). Written `N/W` in
/// job files: `33/s`, `1000/30s`, `50/1m`, `0.5/s` (N a decimal number, W a duration or a bare
/// unit meaning one of it).
struct rate {
  double count = 0;
  std::chrono::milliseconds window{1000};
  double per_second() const { return count * 1000.0 / static_cast<double>(window.count()); }
};

struct rate_limit_spec {
  std::optional<double> per_second;  ///< whole job, all operations; nullopt: no job-wide limit
  double burst = 1;                  ///< sends allowed at once after an idle period (≥ 1)
  bool adaptive = false;             ///< AIMD on 429: halve, then recover 5 %/s of the rate
  /// Per-operation limits. `service-defaults` (the default) applies the published ACS limits;
  /// `none` turns them off; a map overrides individual operations (others keep the defaults).
  enum class per_operation_mode { service_defaults, none, custom } per_operation = per_operation_mode::service_defaults;
  std::vector<std::pair<operation, rate>> per_operation_overrides;
  /// `scope`: whose limits these are when the job runs as N shards (--shard I/N). `job` (the
  /// default): the whole job's — each shard takes 1/N of every limit, so N shards together keep
  /// them; `shard`: each shard's own (the shards together may send N times as much).
  enum class limit_scope { job, shard } scope = limit_scope::job;
  /// The fraction of every limit this process uses: 1/N for a shard of a job-scoped limit.
  double share = 1.0;
};

/// The published ACS Identity limits (requests per 30 s), the defaults of per_operation.
rate service_default_limit(operation op);

/// "33/s", "1000/30s", "50/1m" → a rate; nullopt when malformed (a window of 0 included).
/// The count may be 0 or negative here: the loader says why such a rate is refused.
std::optional<rate> parse_rate(std::string_view text);

struct retry_spec {
  unsigned max_attempts = 6;  ///< including the first, 1..100; 1 disables retries
  std::chrono::milliseconds initial_backoff{200};  ///< 0..1h, never more than max_backoff
  std::chrono::milliseconds max_backoff{30'000};   ///< 0..1h
  /// 429 and 503 (the service did nothing) are retried for this long per step instead of
  /// spending max_attempts; (0, 24h]. A load test counts them as attempts (they are results).
  std::chrono::milliseconds throttled_for{std::chrono::minutes{15}};
  /// What is retried (`retry.on`); all by default, none when the job lists `on: []`.
  bool on_429 = true, on_500 = true, on_502 = true, on_503 = true, on_504 = true;
  bool on_timeout = true, on_connection = true;
};

struct report_spec {
  std::string path;  ///< relative paths are relative to the working directory
  bool items = true;
  std::string html;   ///< `html`: the report as an HTML page, written after the JSON; empty: none
  std::string junit;  ///< `junit`: the report as JUnit XML (thresholds and operations); empty: none
};

/// `state`: the journal that makes a run resumable (`--resume`) and its identities cleanable.
struct state_spec {
  std::string path;  ///< SQLite file; relative to the working directory; empty: no journal
};

/// `outputs`: files a run writes besides its report.
struct outputs_spec {
  /// Tokens as JSON lines {user_id, token, expires_on}, mode 0600, renamed into place at the end
  /// of the run (appended to across --resume). Empty: tokens are written nowhere.
  std::string tokens;
  /// A Prometheus textfile-collector file (e.g. /var/lib/node_exporter/acsbatch_nightly.prom),
  /// replaced atomically at the end of every run. Empty: none.
  std::string prometheus;
};

/// `load:` — a load test instead of a batch. Each iteration runs the scenario (held in
/// job::steps, so thresholds and the engine see it as a job's steps) for a new user.
struct load_stage {
  double target = 0;  ///< iterations per second reached at the stage's end (linear ramp)
  std::chrono::milliseconds duration{0};
};

struct load_spec {
  enum class executor_kind {
    constant_arrival_rate,  ///< open model: `rate` iterations per second for `duration`
    ramping_arrival_rate,   ///< open model: from `start_rate` through `stages`
    constant_concurrency,   ///< closed model: `concurrency` loops for `duration`
  } executor = executor_kind::constant_arrival_rate;
  double rate = 0;  ///< iterations per second
  std::chrono::milliseconds duration{0};
  double start_rate = 0;
  std::vector<load_stage> stages;
  std::uint32_t concurrency = 0;
  /// Open model: iterations in flight at most. One due while this many run waits (first in,
  /// first out) for a slot, counted as delayed, for at most `max_start_delay`; one that has not
  /// started by then is dropped (counted). Its latency counts from when it was due.
  std::uint32_t max_in_flight = 1000;
  std::chrono::milliseconds max_start_delay{1000};  ///< 0: drop at once when no slot is free
  bool open_model() const { return executor != executor_kind::constant_concurrency; }
  /// How long the schedule lasts (the stages' sum for ramping-arrival-rate).
  std::chrono::milliseconds total_duration() const;
};

/// "constant-arrival-rate", … as written in job files.
std::string_view to_string(load_spec::executor_kind kind);

struct job {
  int version = 1;
  std::string name;
  std::string file;    ///< the path it was loaded from
  std::string sha256;  ///< hex SHA-256 of the file's bytes (before interpolation)
  /// The job as run: the file's hash and the --set overrides in order (= sha256 without any).
  /// Reports and journals record it, so merge and --resume see a changed --set.
  std::string effective_sha256;
  connection_spec connection;
  std::uint32_t concurrency = 16;
  users_spec users;
  std::vector<step> steps;  ///< with `load`: the scenario
  /// `load`: set for a load test (then users and steps are not written; the scenario creates users).
  std::optional<load_spec> load;
  std::chrono::milliseconds request_timeout{10'000};  ///< timeouts.request, 1ms..1h
  /// timeouts.job (1ms..30d). Whole-run limit: when it passes no new item starts (the rest are reported as skipped).
  std::optional<std::chrono::milliseconds> job_timeout;
  /// timeouts.grace (0..10m). After a stop (signal or job timeout), how long in-flight requests
  /// may take to finish.
  std::chrono::milliseconds grace{30'000};
  rate_limit_spec rate_limit;
  retry_spec retry;
  report_spec report;
  /// `thresholds`: pass/fail criteria evaluated against the report at the end of the run (exit 2
  /// when one fails); each names only operations among the steps.
  std::vector<report::threshold> thresholds;
  /// Thresholds written `{threshold: …, abort_on_fail: true[, delay_abort_eval: 10s]}`: judged
  /// during the run too (every second, once `not_before` has passed since the start), and the
  /// run stops (exit 2) when one fails on what was measured so far.
  struct threshold_abort {
    std::size_t threshold = 0;  ///< index in `thresholds`
    std::chrono::milliseconds not_before{0};
    friend bool operator==(const threshold_abort&, const threshold_abort&) = default;
  };
  std::vector<threshold_abort> threshold_aborts;
  state_spec state;
  outputs_spec outputs;
  /// Keys the file has that this version reads but does not act on yet, as
  /// `FILE:LINE:COL: message` lines in file order (the CLI shows them as warnings).
  std::vector<std::string> warnings;
};

/// The grammars of the emulator's --limits, --faults and --latency belong to the emulator, which
/// the job layer does not link: the program registers its checks once at start-up (the CLI
/// does) so that `connection.emulator` is checked at load time, with FILE:LINE:COL. Each check
/// returns the problem, naming the bad item, or nullopt. Without them the specs are checked only
/// when the run starts the emulator.
struct emulator_spec_checks {
  std::optional<std::string> (*limits)(std::string_view) = nullptr;
  std::optional<std::string> (*faults)(std::string_view) = nullptr;
  std::optional<std::string> (*latency)(std::string_view) = nullptr;
};
void register_emulator_spec_checks(emulator_spec_checks checks);

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

/// `--set KEY.PATH=VALUE`: a single value replaced or created in the job before it is checked.
struct override_value {
  std::string path;   ///< dotted keys: "rate_limit.per_second"
  std::string value;  ///< taken as written: no ${VAR} interpolation (the shell already did it)
};

/// "rate_limit.per_second=50" → {path, value}; the value is everything after the first '=' (it
/// may hold '=' itself). Throws job_error (one diagnostic, file "--set") for a text without '='
/// or a path that is not names of A-Z a-z 0-9 _ - separated by single dots.
override_value parse_override(std::string_view text);

/// Parses `text` (the contents of `file_name`). `${VAR}` and `${VAR:-default}` in scalar values
/// are replaced from `env` after YAML parsing and before conversion (so a value cannot change
/// the document's structure); `:-` also applies to a set but empty VAR, `$$` is a literal `$`.
/// An unset `${VAR}` without default is an error. Values that came from the environment, and the
/// connection string however it was written, never appear in a message.
/// Throws job_error holding every problem found, in file order.
job parse_job(std::string_view text, std::string file_name, const env_lookup& env);
/// As above, with `overrides` applied in order to the parsed document before anything is checked.
/// An override replaces a single value, an empty one or a mapping, or creates the key (and the
/// mappings on its way); a path into a list or through a single value is an error. Problems with
/// an overridden value are reported as `--set PATH: message` (diagnostic::file "--set PATH", no
/// line). `sha256` stays the hash of the file: overrides are not part of it.
job parse_job(std::string_view text, std::string file_name, const env_lookup& env,
              const std::vector<override_value>& overrides);
/// Reads and parses a file. Throws job_error (unreadable file included).
job load_job(const std::string& path, const env_lookup& env);
/// Reads and parses a file, then applies `overrides` as parse_job does.
job load_job(const std::string& path, const env_lookup& env, const std::vector<override_value>& overrides);

/// "250ms", "30s", "5m", "24h", "1d" → milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace acsbatch::job
