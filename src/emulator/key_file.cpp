#include "acsbatch/emulator/key_file.hpp"

#include <cerrno>
#include <cstdio>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acsbatch/auth/crypto.hpp"
#include "acsbatch/core/error.hpp"

namespace acsbatch::emulator {
namespace {

constexpr std::size_t new_key_bytes = 64;
/// A base64 key of any sensible size is far below this.
constexpr std::size_t max_file_size = 4096;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& why) {
  throw config_error("--key-file " + file.string() + ": " + why);
}

std::string errno_text(int error) { return std::generic_category().message(error); }

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

key_file_contents create(const std::filesystem::path& file) {
  if (const auto parent = file.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) fail(file, "cannot create its directory: " + ec.message());
  }
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(file, "cannot create it: " + errno_text(errno));
  key_file_contents out{auth::random_bytes(new_key_bytes), true};
  const std::string text = auth::base64_encode(out.access_key) + "\n";
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!written) {
    // A half-written key file would be refused on the next start: leave none.
    ::unlink(file.c_str());
    fail(file, "cannot write it: " + errno_text(error));
  }
  return out;
}

}  // namespace

key_file_contents load_or_create_key_file(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    if (errno == ENOENT) return create(file);
    fail(file, "cannot read it: " + errno_text(errno));
  }
  if (!S_ISREG(info.st_mode)) fail(file, "is not a regular file");
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    fail(file, std::string("group or others may access it (mode ") + mode +
                   "); the access key must be private to its owner: chmod 600 " + file.string());
  }
  if (static_cast<std::size_t>(info.st_size) > max_file_size)
    fail(file, "is larger than " + std::to_string(max_file_size) + " bytes; it should hold one base64 key");

  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(file, "cannot read it: " + errno_text(errno));
  std::string text(max_file_size + 1, '\0');
  std::size_t size = 0;
  for (;;) {
    const auto n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      fail(file, "cannot read it: " + errno_text(error));
    }
    if (n == 0 || (size += static_cast<std::size_t>(n)) == text.size()) break;
  }
  ::close(fd);
  text.resize(size);
  const auto key = auth::base64_decode(trimmed(std::move(text)));
  if (!key || key->size() < min_key_file_bytes)
    fail(file, "does not hold a base64 access key of at least " + std::to_string(min_key_file_bytes) +
                   " bytes (delete it to have a new one made)");
  return {*key, false};
}

}  // namespace acsbatch::emulator
