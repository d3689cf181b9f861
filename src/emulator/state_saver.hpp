#pragma once
/// Keeps a state file up to date with an identity store (private to src/emulator). Every
/// change set goes at once into the change log (FILE.log, one write(2) before the request that
/// made it is answered: record_changes()), so an identity a client was told of survives a
/// kill -9. The saver also holds a copy of the store's contents; a timer on the server's
/// io_context hands the queued change sets to a writer thread of its own, which applies them to
/// the copy, rewrites the snapshot and starts a new log with what came after it. So neither the
/// copy nor the snapshot — seconds for a million identities — holds up a request.

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
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "acsbatch/emulator/identity_store.hpp"

namespace acsbatch::emulator {

class state_saver {
 public:
  using error_sink = std::function<void(const std::string&)>;

  /// Takes `FILE.lock` (an advisory lock the system drops when the process ends, however it
  /// ends), so two emulators never overwrite each other's saves: config_error when another
  /// process holds it. Then starts tracking `store`'s changes (which must outlive the saver)
  /// with a full copy. With
  /// `restored`, the file already holds the store as it is (it was loaded from there);
  /// otherwise the file is written at once (config_error when it cannot be), so that a change
  /// log never exists without the snapshot it continues. `on_error` hears of a failed
  /// save on the writer thread (once until a save succeeds again) and of
  /// save_reporting_failure()'s failures; empty: a line on std::cerr.
  state_saver(identity_store& store, std::filesystem::path file, bool restored, error_sink on_error);
  /// Lets queued changes be written, then joins the writer thread.
  ~state_saver();
  state_saver(const state_saver&) = delete;
  state_saver& operator=(const state_saver&) = delete;

  /// Checks for changes every `interval` (at least 10 ms) on `executor`. `owner` is the object
  /// holding the saver and the store: a check finding it gone does nothing (the timer may
  /// outlive both briefly).
  void start(boost::asio::any_io_executor executor, std::chrono::milliseconds interval,
             std::weak_ptr<const void> owner);
  /// Cancels the periodic check, so the io_context can run out of work. A write in progress
  /// finishes. Safe from any thread, and more than once.
  void stop();
  /// Writes the store now, on the calling thread, unless the file already holds it (waits for
  /// a write in progress first). Throws std::system_error naming the file.
  void save_now();
  /// save_now(), a failure told to `on_error` instead of thrown: for stop and destruction.
  void save_reporting_failure() noexcept;
  /// Appends the store's changes since the last look to the change log, now, on the calling
  /// thread: the server calls it after a request changed the store and before answering. A
  /// failed append is told to `on_error` (once until one succeeds); the snapshot still follows.
  void record_changes();

 private:
  void arm(std::weak_ptr<const void> owner);
  void check();
  void run_writer();
  /// Queues the store's changes when there are any and appends them to the log; the caller
  /// holds mutex_.
  void take_changes();
  /// After a snapshot: the log becomes the change sets still queued (those after it), by an
  /// atomic replace; the caller holds mutex_.
  void restart_log();
  void append_to_log(const std::string& record);
  /// Applies the queued changes to the copy and rewrites the file unless it holds the copy
  /// already; the caller holds write_mutex_.
  void write_changes();
  void apply(store_state&& changes);

  identity_store& store_;
  const std::filesystem::path file_;
  const error_sink on_error_;
  int lock_fd_ = -1;  ///< FILE.lock, held for the saver's life
  const std::filesystem::path log_file_;  ///< FILE.log

  std::mutex mutex_;  ///< guards the members below it up to write_mutex_
  std::condition_variable wake_;
  std::vector<store_state> pending_;  ///< change sets not yet applied, oldest first
  std::uint64_t taken_revision_ = 0;  ///< the store's revision the last change set reached
  std::optional<std::uint64_t> saved_revision_;  ///< what the file holds; nullopt: not the store
  bool write_wanted_ = false;
  bool quitting_ = false;
  bool error_reported_ = false;
  int log_fd_ = -1;  ///< FILE.log, O_APPEND
  bool log_error_reported_ = false;

  std::mutex write_mutex_;  ///< one writer of the copy and the file: the thread's or save_now's
  store_state copy_;        ///< the store as of the changes applied so far
  /// Hash of an id → its index in copy_.identities (ids are never removed: deleted ones stay
  /// as such), so the copy holds each id once.
  std::unordered_multimap<std::size_t, std::size_t> index_;

  std::optional<boost::asio::strand<boost::asio::any_io_executor>> strand_;
  std::optional<boost::asio::steady_timer> timer_;  ///< used on strand_ only
  std::chrono::milliseconds interval_{2000};
  std::weak_ptr<const void> owner_;
  bool stopped_ = false;  ///< on strand_ only
  std::thread writer_;
};

}  // namespace acsbatch::emulator
