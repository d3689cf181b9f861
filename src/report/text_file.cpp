#include "acsbatch/report/text_file.hpp"

#include <cerrno>
#include <fstream>
#include <system_error>

namespace acsbatch::report {

void write_text_file(const std::filesystem::path& path, std::string_view text) {
  const auto last_error = [] { return std::error_code(errno != 0 ? errno : EIO, std::generic_category()); };
  if (const auto parent = path.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::system_error(ec, "cannot create the directory " + parent.string());
  }
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  errno = 0;
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) throw std::system_error(last_error(), "cannot write " + temporary.string());
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  errno = 0;
  out.close();
  std::error_code ignored;
  if (!out) {
    const auto error = last_error();
    std::filesystem::remove(temporary, ignored);
    throw std::system_error(error, "cannot write " + temporary.string());
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ignored);
    throw std::system_error(ec, "cannot write " + path.string());
  }
}

}  // namespace acsbatch::report
