#include "state_saver.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <cerrno>
#include <iostream>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/state_file.hpp"
#include "atomic_file.hpp"

namespace acsbatch::emulator {

namespace net = boost::asio;

namespace {

constexpr std::chrono::milliseconds min_interval{10};

void print_error(const std::string& message) { std::cerr << "acsbatch emulator: " << message << '\n'; }

std::size_t hash_of(const std::string& id) { return std::hash<std::string>{}(id); }

/// The descriptor holding an exclusive flock on FILE.lock (created 0600, with its directory).
int lock_beside(const std::filesystem::path& file) {
  std::filesystem::path lock_file = file;
  lock_file += ".lock";
  std::error_code ec;
  if (const auto parent = lock_file.parent_path(); !parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw config_error("cannot lock the emulator state file " + file.string() + ": cannot open " +
                       lock_file.string() + ": " + std::generic_category().message(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK)
      throw state_file_locked("the emulator state file " + file.string() + " is in use by another emulator (it holds " +
                              lock_file.string() + ")");
    throw config_error("cannot lock " + lock_file.string() + ": " + std::generic_category().message(error));
  }
  return fd;
}

int open_log(const std::filesystem::path& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "cannot open the emulator change log " + log.string());
  return fd;
}

}  // namespace

state_saver::state_saver(identity_store& store, std::filesystem::path file, bool restored, error_sink on_error)
    : store_(store),
      file_(std::move(file)),
      on_error_(on_error ? std::move(on_error) : print_error),
      log_file_(change_log_path(file_)) {
  lock_fd_ = lock_beside(file_);
  copy_ = store.track_changes();
  index_.reserve(copy_.identities.size());
  for (std::size_t i = 0; i < copy_.identities.size(); ++i) index_.emplace(hash_of(copy_.identities[i].id), i);
  taken_revision_ = copy_.revision;
  try {
    if (restored) {
      // The snapshot and its log hold the store; new changes continue that log.
      saved_revision_ = copy_.revision;
      log_fd_ = open_log(log_file_);
    } else {
      save_store_state(copy_, file_);
      saved_revision_ = copy_.revision;
      std::lock_guard lock(mutex_);
      restart_log();
    }
  } catch (const std::system_error& e) {
    if (log_fd_ >= 0) ::close(log_fd_);
    ::close(lock_fd_);
    throw config_error(std::string("the emulator state file: ") + e.what());
  }
  writer_ = std::thread([this] { run_writer(); });
}

state_saver::~state_saver() {
  {
    std::lock_guard lock(mutex_);
    quitting_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (log_fd_ >= 0) ::close(log_fd_);
  ::close(lock_fd_);  // releases the lock
}

void state_saver::start(net::any_io_executor executor, std::chrono::milliseconds interval,
                        std::weak_ptr<const void> owner) {
  strand_.emplace(net::make_strand(std::move(executor)));
  timer_.emplace(*strand_);
  interval_ = std::max(interval, min_interval);
  owner_ = owner;
  net::dispatch(*strand_, [this, owner] {
    if (const auto alive = owner.lock()) arm(owner);
  });
}

void state_saver::stop() {
  if (!strand_) return;
  net::dispatch(*strand_, [this, owner = owner_] {
    const auto alive = owner.lock();
    if (!alive) return;
    stopped_ = true;
    timer_->cancel();
  });
}

void state_saver::arm(std::weak_ptr<const void> owner) {
  if (stopped_) return;
  timer_->expires_after(interval_);
  timer_->async_wait([this, owner](const boost::system::error_code& ec) {
    // The owner keeps `this` and the store alive for the length of the check.
    const auto alive = owner.lock();
    if (ec || !alive || stopped_) return;
    check();
    arm(owner);
  });
}

void state_saver::take_changes() {
  if (store_.revision() == taken_revision_) return;
  // The store's lock is held for the changed identities only.
  pending_.push_back(store_.take_changes());
  taken_revision_ = pending_.back().revision;
  append_to_log(change_record(pending_.back()));
}

void state_saver::append_to_log(const std::string& record) {
  std::string_view rest = record;
  while (!rest.empty() && log_fd_ >= 0) {
    const auto written = ::write(log_fd_, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (!log_error_reported_)
        on_error_("cannot append to the emulator change log " + log_file_.string() + ": " +
                  std::generic_category().message(errno) + " (the snapshot still follows within its interval)");
      log_error_reported_ = true;
      return;
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  log_error_reported_ = false;
}

void state_saver::restart_log() {
  atomic_file next(log_file_);
  for (const auto& change_set : pending_) next.append(change_record(change_set));
  next.commit();
  const int fd = open_log(log_file_);
  if (log_fd_ >= 0) ::close(log_fd_);
  log_fd_ = fd;
}

void state_saver::record_changes() {
  std::lock_guard lock(mutex_);
  take_changes();
}

void state_saver::check() {
  {
    std::lock_guard lock(mutex_);
    take_changes();
    // Nothing new and nothing unwritten (a failed write is retried here).
    if (saved_revision_ == taken_revision_) return;
    write_wanted_ = true;
  }
  wake_.notify_one();
}

void state_saver::run_writer() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return write_wanted_ || quitting_; });
      if (!write_wanted_) return;
      write_wanted_ = false;
    }
    try {
      std::lock_guard write_lock(write_mutex_);
      write_changes();
      std::lock_guard lock(mutex_);
      error_reported_ = false;
    } catch (const std::exception& e) {
      bool report = false;
      {
        std::lock_guard lock(mutex_);
        report = !error_reported_;
        error_reported_ = true;
      }
      // The next check tries again; one line per failure spell, not one per attempt.
      if (report) on_error_(std::string(e.what()) + " (will retry)");
    }
  }
}

void state_saver::apply(store_state&& changes) {
  copy_.next_serial = changes.next_serial;
  copy_.counters = changes.counters;
  copy_.revision = changes.revision;
  for (auto& identity : changes.identities) {
    const std::size_t hash = hash_of(identity.id);
    const auto [begin, end] = index_.equal_range(hash);
    const auto known = std::find_if(begin, end, [&](const auto& i) { return copy_.identities[i.second].id == identity.id; });
    if (known != end) {
      copy_.identities[known->second] = std::move(identity);
    } else {
      index_.emplace(hash, copy_.identities.size());
      copy_.identities.push_back(std::move(identity));
    }
  }
}

void state_saver::write_changes() {
  std::vector<store_state> changes;
  std::optional<std::uint64_t> saved;
  {
    std::lock_guard lock(mutex_);
    changes.swap(pending_);
    saved = saved_revision_;
  }
  for (auto& change_set : changes) apply(std::move(change_set));
  if (saved == copy_.revision) return;
  save_store_state(copy_, file_);
  std::lock_guard lock(mutex_);
  saved_revision_ = copy_.revision;
  // What the snapshot holds leaves the log; what came after it (still queued) stays.
  restart_log();
}

void state_saver::save_now() {
  std::lock_guard write_lock(write_mutex_);
  {
    std::lock_guard lock(mutex_);
    take_changes();
  }
  write_changes();
}

void state_saver::save_reporting_failure() noexcept {
  std::string failure;
  try {
    save_now();
    return;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "cannot save " + file_.string();
  }
  try {
    on_error_(failure);
  } catch (...) {
    // Nowhere left to say it; the next save tries again.
  }
}

}  // namespace acsbatch::emulator
