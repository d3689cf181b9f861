#include "state_saver.hpp"

#include <boost/asio/dispatch.hpp>
#include <iostream>
#include <system_error>

#include "acsbatch/emulator/state_file.hpp"

namespace acsbatch::emulator {

namespace net = boost::asio;

namespace {

void print_error(const std::string& message) { std::cerr << "acsbatch emulator: " << message << '\n'; }

}  // namespace

state_saver::state_saver(const identity_store& store, std::filesystem::path file, bool restored,
                         error_sink on_error)
    : store_(store), file_(std::move(file)), on_error_(on_error ? std::move(on_error) : print_error) {
  if (restored) saved_revision_ = 0;
  writer_ = std::thread([this] { run_writer(); });
}

state_saver::~state_saver() {
  {
    std::lock_guard lock(mutex_);
    quitting_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void state_saver::start(net::any_io_executor executor, std::chrono::milliseconds interval,
                        std::weak_ptr<const void> owner) {
  strand_.emplace(net::make_strand(std::move(executor)));
  timer_.emplace(*strand_);
  interval_ = interval;
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

void state_saver::check() {
  const std::uint64_t revision = store_.revision();
  {
    std::lock_guard lock(mutex_);
    if (pending_ || revision == saved_revision_) return;
  }
  // The copy is taken here, under the store's lock for its duration; the writing is not.
  auto state = store_.snapshot();
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(state);
  }
  wake_.notify_one();
}

void state_saver::run_writer() {
  for (;;) {
    std::optional<store_state> state;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return pending_.has_value() || quitting_; });
      if (!pending_) return;
      state = std::move(pending_);
      pending_.reset();
    }
    try {
      std::lock_guard write_lock(write_mutex_);
      write(*state);
      std::lock_guard lock(mutex_);
      error_reported_ = false;
    } catch (const std::exception& e) {
      bool report = false;
      {
        std::lock_guard lock(mutex_);
        report = !error_reported_;
        error_reported_ = true;
      }
      // The next change tries again; one line per failure spell, not one per attempt.
      if (report && on_error_) on_error_(std::string(e.what()) + " (will retry)");
    }
  }
}

void state_saver::write(const store_state& state) {
  {
    std::lock_guard lock(mutex_);
    if (saved_revision_ && *saved_revision_ >= state.revision) return;
  }
  save_store_state(state, file_);
  std::lock_guard lock(mutex_);
  saved_revision_ = state.revision;
}

void state_saver::save_now() {
  std::lock_guard write_lock(write_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (saved_revision_ == store_.revision()) return;
  }
  write(store_.snapshot());
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
