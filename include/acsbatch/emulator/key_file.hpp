#pragma once
/// `acsbatch emulator --key-file FILE`: the emulator's access key kept in a private file, so a
/// persisted emulator (--state) answers to the same connection string after a restart.

#include <filesystem>
#include <string>

namespace acsbatch::emulator {

struct key_file_contents {
  std::string access_key;  ///< decoded bytes; a secret
  bool created = false;    ///< the file did not exist and now holds a new random key
};

/// At least this many decoded bytes (256 bits); new keys have 64, as the service's do.
inline constexpr std::size_t min_key_file_bytes = 32;

/// Reads the base64 key in `file` (surrounding whitespace ignored). A missing file is created
/// (exclusively, mode 0600, missing parent directories too) holding 64 random bytes in base64.
/// Throws config_error for a file that group or others may access ("chmod 600 FILE"), that is
/// not a regular file, cannot be read or created, or does not hold the base64 of at least
/// min_key_file_bytes bytes. No message ever contains the key or any part of the file.
key_file_contents load_or_create_key_file(const std::filesystem::path& file);

}  // namespace acsbatch::emulator
