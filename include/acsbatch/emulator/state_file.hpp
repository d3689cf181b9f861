#pragma once
/// The emulator's state file (`--state`, `connection.emulator.state`): an identity store's
/// snapshot as JSON lines, so identities outlive the process as they do on the real service.
///
/// Line 1, the header:
///   {"schema":"acsbatch.emulator-state/v1","resourceId":"…","tokenSecret":"<base64>",
///    "nextSerial":N,"created":N,"deleted":N,"tokensIssued":N,"identities":COUNT}
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

#include "acsbatch/emulator/identity_store.hpp"

namespace acsbatch::emulator {

/// The header's `schema`.
inline constexpr std::string_view state_file_schema = "acsbatch.emulator-state/v1";

/// Writes `state` in the format above.
void write_store_state(const store_state& state, std::ostream& out);

/// Reads the format above from `in`. Throws config_error naming `name`, the line and, for
/// text that is not JSON, the column: `FILE:LINE:COL: …` — for anything malformed or
/// inconsistent (duplicate ids, a customId bound twice, fewer or more identities than the
/// header says, an id not of this resource). Never crashes on any input.
store_state read_store_state(std::istream& in, const std::string& name);

/// The state in `file`; nullopt when the file does not exist. Throws config_error as
/// read_store_state does, and when the file exists but cannot be read.
std::optional<store_state> load_store_state(const std::filesystem::path& file);

/// Replaces `file` atomically: writes `FILE.tmp` (mode 0600), fsyncs it, renames it over
/// `file` and fsyncs the directory, so a crash leaves the old file or the new one, never half
/// of one. Creates missing parent directories. Throws std::system_error naming the file.
void save_store_state(const store_state& state, const std::filesystem::path& file);

}  // namespace acsbatch::emulator
