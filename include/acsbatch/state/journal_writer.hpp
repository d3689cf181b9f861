#pragma once
/// Writes a running job's journal records on a thread of its own, so the io_context never waits
/// for the disk. Records queue up while a transaction commits and go into the next one together
/// (group commit): under load one commit carries hundreds of records. flush() completes — on the
/// caller's executor — once everything appended before it is committed, which is how a step
/// makes its intent durable before its request leaves.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/async_result.hpp>

#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::state {

struct journal_record {
  enum class kind : std::uint8_t {
    item_started,      ///< index, user_id
    step_starting,     ///< index, step, op, user_id, key (the create's idempotency key)
    step_finished,     ///< index, step, outcome, user_id
    item_finished,     ///< index, status, uncertain
    identity_deleted,  ///< index (cleanup)
    meta,              ///< key (in `key`) = value (in `user_id`)
  };
  kind what = kind::item_started;
  std::uint64_t index = 0;
  std::uint32_t step = 0;
  int status = 0;
  bool creates = false;    ///< the step creates the item's identity
  bool deletes = false;    ///< the step deletes it
  bool uncertain = false;
  bool create_confirmed = false;  ///< item_finished: clears an earlier run's uncertainty
  std::string user_id;
  std::string key;
  report::step_outcome outcome;  ///< step_finished (op is used by step_starting too)
};

class journal_writer {
 public:
  /// Opens its own connection to the journal at `path` (which must exist, schema created) and
  /// starts the thread. `run` numbers the rows this run writes.
  journal_writer(std::string path, std::uint64_t run);
  /// Commits what is queued and stops the thread.
  ~journal_writer();
  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;

  /// Queues a record; never blocks on the disk. Thread-safe.
  void append(journal_record record);

  /// Completes with the first write error (or none) once every record appended before this call
  /// is committed. Thread-safe.
  template <typename CompletionToken>
  auto async_flush(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(std::error_code)>(
        [this](auto handler) { add_waiter(std::move(handler)); }, token);
  }

  /// Blocks until everything queued is committed; returns the first write error, if any.
  std::error_code flush_now();
  /// The first write error (disk full, I/O error); once set, nothing more is written.
  std::error_code error() const;
  /// A description of error(), naming the file.
  std::string error_message() const;

  /// Transactions committed and records written so far (for the benchmarks).
  std::uint64_t commits() const;
  std::uint64_t records() const;

 private:
  using handler = boost::asio::any_completion_handler<void(std::error_code)>;
  /// The handler and its executor with outstanding work tracked, so that the io_context does not
  /// run out of work while a coroutine waits for a commit.
  struct waiter {
    handler done;
    boost::asio::any_completion_executor executor;
  };
  void add_waiter(handler h);
  void run();

  std::string path_;
  std::uint64_t run_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<journal_record> pending_;
  std::vector<waiter> waiters_;
  bool busy_ = false;
  bool stopping_ = false;
  std::error_code error_;
  std::string error_message_;
  std::uint64_t commits_ = 0;
  std::uint64_t records_ = 0;
  std::thread thread_;
};

}  // namespace acsbatch::state
