#pragma once
/// Readers for the sections of a job file. Each reports its problems through the reader and
/// fills what it could read; parse_job decides at the end whether the job is usable.

#include "acsbatch/job/job.hpp"
#include "yaml_reader.hpp"

namespace acsbatch::job::detail {

/// For messages listing the operations, in the order of job::operation.
inline constexpr std::string_view operation_names[] = {"create_user",   "create_user_and_token", "issue_token",
                                                       "revoke_tokens", "delete_user",           "get_user"};

/// `connection: {connection_string, api_version, emulator}` or the shorthand
/// `connection: embedded`; any key may be left out (embedded emulator, 2023-10-01). A relative
/// emulator.state is resolved against `job_directory`.
void read_connection(reader& r, const entry& section, std::string_view job_directory, connection_spec& out);
/// `connection.emulator: {state, limits, faults, latency, seed}`, the specs checked with the
/// emulator's own checks (register_emulator_spec_checks).
void read_emulator(reader& r, const entry& section, std::string_view job_directory, emulator_spec& out);
/// `users: {create: N | from_file: PATH | from_state: JOURNAL | from_report: PATH}`, exactly one;
/// relative paths are resolved against `job_directory` (empty: left relative).
void read_users(reader& r, const entry& section, std::string_view job_directory, const connection_spec& connection,
                users_spec& out);
/// `steps: [...]`, checked against the connection's api-version and the users' source.
void read_steps(reader& r, const entry& section, const connection_spec& connection, const users_spec& users,
                std::vector<step>& out);
/// `timeouts: {request, job, grace}`.
void read_timeouts(reader& r, const entry& section, job& out);
/// `report: {path, items}`.
void read_report(reader& r, const entry& section, report_spec& out);
/// `rate_limit: {per_second, burst, adaptive, per_operation}`.
void read_rate_limit(reader& r, const entry& section, rate_limit_spec& out);
/// `retry: {max_attempts, initial_backoff, max_backoff, on}`.
void read_retry(reader& r, const entry& section, retry_spec& out);

/// A path the engine will open (users.from_*, outputs.*): relative ones written in the file are
/// taken from the job's directory, ones given with --set from the working directory.
std::optional<std::string> read_path(reader& r, const entry& e, std::string_view job_directory);
/// `state: {path}`: the run's journal (relative to the working directory, like report.path).
void read_state(reader& r, const entry& section, state_spec& out);
/// `outputs: {tokens, prometheus}`: paths resolved like report.path; null means none.
void read_outputs(reader& r, const entry& section, outputs_spec& out);

/// `load: {executor, rate, duration, start_rate, stages, concurrency, max_in_flight, max_start_delay,
/// scenario}`:
/// the scenario goes to `steps`, checked as steps of a job that creates its users.
void read_load(reader& r, const entry& section, const connection_spec& connection, load_spec& out,
               std::vector<step>& steps);

}  // namespace acsbatch::job::detail
