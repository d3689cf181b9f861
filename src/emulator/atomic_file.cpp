#include "atomic_file.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace acsbatch::emulator {
namespace {

constexpr std::size_t block_size = 1024 * 1024;

}  // namespace

atomic_file::atomic_file(std::filesystem::path file) : file_(std::move(file)) {
  temporary_ = file_;
  temporary_ += ".tmp";
  if (const auto parent = file_.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::system_error(ec, "cannot create the directory " + parent.string());
  }
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("create", temporary_);
  // A FILE.tmp left behind with a wider mode keeps that mode through O_TRUNC.
  if (::fchmod(fd_, 0600) != 0) fail("set the mode of", temporary_);
  buffer_.reserve(block_size);
}

atomic_file::~atomic_file() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
}

void atomic_file::fail(std::string_view what, const std::filesystem::path& path) const {
  throw std::system_error(errno, std::generic_category(), "cannot " + std::string(what) + " " + path.string());
}

void atomic_file::append(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() >= block_size) flush();
}

void atomic_file::flush() {
  std::string_view rest = buffer_;
  while (!rest.empty()) {
    const auto written = ::write(fd_, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("write", temporary_);
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  buffer_.clear();
}

void atomic_file::commit() {
  flush();
  if (::fsync(fd_) != 0) fail("flush", temporary_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    ::unlink(temporary_.c_str());
    fail("close", temporary_);
  }
  if (::rename(temporary_.c_str(), file_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    errno = error;
    fail("replace", file_);
  }
  // The rename itself is durable only once the directory is on disk too.
  const auto parent = file_.parent_path().empty() ? std::filesystem::path(".") : file_.parent_path();
  const int directory = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory >= 0) {
    ::fsync(directory);
    ::close(directory);
  }
}

}  // namespace acsbatch::emulator
