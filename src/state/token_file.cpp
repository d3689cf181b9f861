#include "acsbatch/state/token_file.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acsbatch/core/http_date.hpp"

namespace acsbatch::state {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno ? errno : EIO, std::generic_category(), what); }

/// JSON string escaping for ids and tokens (both printable ASCII in practice; escape anyway).
void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

token_file::token_file(std::string path, bool append) : path_(std::move(path)), partial_(path_ + ".partial") {
  const auto parent = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw std::system_error(ec, "cannot create the directory of outputs.tokens " + parent.string());
  // A resumed run whose earlier run already committed: take the committed tokens back.
  if (append && !std::filesystem::exists(partial_) && std::filesystem::exists(path_)) {
    if (std::rename(path_.c_str(), partial_.c_str()) != 0) fail("cannot reopen " + path_);
  }
  errno = 0;
  fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0600);
  if (fd_ < 0) fail("cannot create " + partial_);
  // An existing file keeps its mode on open(): make it private whatever it was.
  if (::fchmod(fd_, 0600) != 0) fail("cannot make " + partial_ + " private");
}

token_file::~token_file() {
  if (fd_ >= 0) {
    try {
      write_buffer();
    } catch (const std::system_error&) {
      // Destructors do not throw; commit()/keep_partial() report errors.
    }
    ::close(fd_);
  }
}

void token_file::add(const std::string& user_id, const std::string& token,
                     std::chrono::system_clock::time_point expires_on) {
  buffer_ += "{\"user_id\":";
  append_json_string(buffer_, user_id);
  buffer_ += ",\"token\":";
  append_json_string(buffer_, token);
  buffer_ += ",\"expires_on\":\"" + format_rfc3339(expires_on) + "\"}\n";
  ++count_;
  // Written at once, not buffered: the journal records the step done right after, and a killed
  // run must not have journalled a token that never reached the file (the kernel keeps what
  // write() took even when the process is killed).
  write_buffer();
}

void token_file::write_buffer() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    errno = 0;
    const auto n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      buffer_.erase(0, done);
      fail("cannot write " + partial_);
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void token_file::keep_partial() { write_buffer(); }

void token_file::commit() {
  write_buffer();
  errno = 0;
  if (::fsync(fd_) != 0) fail("cannot write " + partial_);
  if (std::rename(partial_.c_str(), path_.c_str()) != 0) fail("cannot rename " + partial_ + " to " + path_);
}

}  // namespace acsbatch::state
