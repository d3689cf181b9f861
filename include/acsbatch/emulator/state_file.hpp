#pragma once
/// The emulator's state file (`--state`, `connection.emulator.state`): an identity store's
/// snapshot as JSON lines, so identities outlive the process as they do on the real service.
///
/// Line 1, the header:
///   {"schema":"acsbatch.emulator-state/v1","resourceId":"…","tokenSecret":"<base64>",
///    "nextSerial":N,"created":N,"deleted":N,"tokensIssued":N,"identities":COUNT,"revision":N}
/// then COUNT lines, one per identity:
///   {"id":"8:acs:…","customId":"…","createdAt":"RFC 3339","lastTokenIssuedAt":"RFC 3339",
///    "revokedBefore":N}                   (customId and lastTokenIssuedAt only when set)
///   {"id":"8:acs:…","deleted":true}       (a deleted identity: stays 404, never reissued)
/// `tokenSecret` signs the emulator's tokens (so tokens issued before a restart still
/// validate); the access key is never written. The file is mode 0600.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/identity_store.hpp"

namespace acsbatch::emulator {

/// Another emulator (another run) holds the state file's lock: a lock conflict, exit 75.
class state_file_locked : public config_error {
 public:
  using config_error::config_error;
};

/// The header's `schema`.
inline constexpr std::string_view state_file_schema = "acsbatch.emulator-state/v1";

/// Writes `state` in the format above.
void write_store_state(const store_state& state, std::ostream& out);

/// Reads the format above from `in`. Throws config_error naming `name`, the line and, for
/// text that is not JSON, the column: `FILE:LINE:COL: …` — for anything malformed or
/// inconsistent (duplicate ids, a customId bound twice, fewer or more identities than the
/// header says, an id not of this resource). Never crashes on any input.
store_state read_store_state(std::istream& in, const std::string& name);

/// The change log beside a state file, `FILE.log`: one JSON line per change set, written
/// before the emulator answers the request that made it, so what a client was told survives a
/// kill -9 of the emulator (the page cache outlives the process; a machine crash may lose its
/// tail, as it may the journal's unsynced pages):
///   {"revision":N,"nextSerial":N,"created":N,"deleted":N,"tokensIssued":N,
///    "identities":[<identity objects as above>]}
/// Each snapshot (the state file, whose header carries the "revision" it holds) starts a new log
/// with only the changes after it.
std::filesystem::path change_log_path(const std::filesystem::path& file);

/// One change-log line (with its '\n') for a change set (identity_store::take_changes()).
std::string change_record(const store_state& changes);

/// Applies the records of a change log newer than `state.revision` to `state` (the newest
/// record of an identity wins) and returns how many. A last line cut short ends the log; any
/// other damage throws config_error naming `name` and the line.
std::size_t replay_change_log(store_state& state, std::istream& in, const std::string& name);

/// The state in `file` and its change log; nullopt when the file does not exist. Throws config_error as
/// read_store_state does, and when the file exists but cannot be read.
std::optional<store_state> load_store_state(const std::filesystem::path& file);

/// Replaces `file` atomically: writes `FILE.tmp` (mode 0600), fsyncs it, renames it over
/// `file` and fsyncs the directory, so a crash leaves the old file or the new one, never half
/// of one. Creates missing parent directories. Throws std::system_error naming the file.
void save_store_state(const store_state& state, const std::filesystem::path& file);

}  // namespace acsbatch::emulator
