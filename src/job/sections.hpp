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
/// `users: {create: N | from_file: PATH | from_report: PATH}`, exactly one; relative paths are
/// resolved against `job_directory` (empty: left relative). from_state and custom_id are
/// recognised and refused as not supported yet.
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

/// Top-level sections DESIGN.md describes that this version reads but does not act on.
inline constexpr std::string_view not_yet_supported_sections[] = {"state", "outputs", "load"};
/// Warns that a section is ignored; refuses `outputs.tokens` (tokens would go nowhere).
void read_not_yet_supported(reader& r, const entry& section);

}  // namespace acsbatch::job::detail
