#pragma once
/// Writing a whole output file (HTML, JUnit) so that a reader never sees half of it.

#include <filesystem>
#include <string_view>

namespace acsbatch::report {

/// Writes `text` to `<path>.tmp` and renames it over `path`, creating missing parent
/// directories. Throws std::system_error naming the path (the temporary file removed).
void write_text_file(const std::filesystem::path& path, std::string_view text);

}  // namespace acsbatch::report
