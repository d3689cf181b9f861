#include "acsbatch/state/job_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "acsbatch/state/sqlite.hpp"

namespace acsbatch::state {

std::optional<job_lock> job_lock::try_acquire(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw state_error("cannot create the lock file " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) return std::nullopt;
    throw state_error("cannot lock " + lock_path + ": " + std::strerror(error));
  }
  // The holder's pid, for the message a second run prints (informational only).
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return job_lock(fd);
}

job_lock::~job_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

job_lock::job_lock(job_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

job_lock& job_lock::operator=(job_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

std::optional<long> lock_holder(const std::string& lock_path) {
  std::ifstream in(lock_path);
  long pid = 0;
  if (in >> pid && pid > 0) return pid;
  return std::nullopt;
}

}  // namespace acsbatch::state
