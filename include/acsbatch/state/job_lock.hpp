#pragma once
/// One run at a time per journal: an exclusive flock(2) on `<journal>.lock`, held for the life
/// of the object. The kernel releases it when the process dies, even by SIGKILL, so a crashed
/// run never leaves a stale lock behind.

#include <optional>
#include <string>

namespace acsbatch::state {

class job_lock {
 public:
  /// Takes the lock without waiting; nullopt when another process holds it. Throws state_error
  /// when the lock file cannot be created.
  static std::optional<job_lock> try_acquire(const std::string& lock_path);
  ~job_lock();
  job_lock(job_lock&& other) noexcept;
  job_lock& operator=(job_lock&& other) noexcept;
  job_lock(const job_lock&) = delete;

 private:
  explicit job_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// The pid written in a lock file by its holder, for the message; nullopt when unknown.
std::optional<long> lock_holder(const std::string& lock_path);

}  // namespace acsbatch::state
