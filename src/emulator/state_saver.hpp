#pragma once
/// Keeps a state file up to date with an identity store (private to src/emulator): a timer on
/// the server's io_context notices changes, takes a snapshot (a copy under the store's lock)
/// and hands it to a writer thread of its own, so a save — seconds for a million identities —
/// never holds up a request.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "acsbatch/emulator/identity_store.hpp"

namespace acsbatch::emulator {

class state_saver {
 public:
  using error_sink = std::function<void(const std::string&)>;

  /// `store` must outlive the saver. `restored`: the file already holds revision 0 of the store
  /// (it was loaded from there); otherwise the first save happens even with no change, so the
  /// file exists once the server has stopped. `on_error` hears of a failed periodic save (once
  /// until a save succeeds again; on the writer thread) and of save_reporting_failure()'s
  /// failures; empty: a line on std::cerr.
  state_saver(const identity_store& store, std::filesystem::path file, bool restored, error_sink on_error);
  /// Lets a queued write finish, then joins the writer thread.
  ~state_saver();
  state_saver(const state_saver&) = delete;
  state_saver& operator=(const state_saver&) = delete;

  /// Checks for changes every `interval` on `executor`. `owner` is the object holding the saver
  /// and the store: a check finding it gone does nothing (the timer may outlive both briefly).
  void start(boost::asio::any_io_executor executor, std::chrono::milliseconds interval,
             std::weak_ptr<const void> owner);
  /// Cancels the periodic check, so the io_context can run out of work. A write in progress
  /// finishes. Safe from any thread, and more than once.
  void stop();
  /// Writes the store now, on the calling thread, when it changed since the last save (after
  /// a write in progress). Throws std::system_error naming the file.
  void save_now();
  /// save_now(), a failure told to `on_error` instead of thrown: for stop and destruction.
  void save_reporting_failure() noexcept;

 private:
  void arm(std::weak_ptr<const void> owner);
  void check();
  void run_writer();
  /// Writes `state` unless something newer is on disk already; the caller holds write_mutex_.
  void write(const store_state& state);

  const identity_store& store_;
  const std::filesystem::path file_;
  const error_sink on_error_;

  std::mutex mutex_;  ///< guards the members below it up to write_mutex_
  std::condition_variable wake_;
  std::optional<store_state> pending_;
  bool quitting_ = false;
  bool error_reported_ = false;
  /// The store's revision the file holds; nullopt: the file does not reflect the store yet.
  std::optional<std::uint64_t> saved_revision_;

  std::mutex write_mutex_;  ///< one write at a time: the writer thread's or save_now's

  std::optional<boost::asio::strand<boost::asio::any_io_executor>> strand_;
  std::optional<boost::asio::steady_timer> timer_;  ///< used on strand_ only
  std::chrono::milliseconds interval_{2000};
  std::weak_ptr<const void> owner_;
  bool stopped_ = false;  ///< on strand_ only
  std::thread writer_;
};

}  // namespace acsbatch::emulator
