#pragma once
/// What the runner tells a journal as a run goes on, so that a killed run can be resumed and its
/// identities found again. The state layer implements it over SQLite; the engine does not know
/// how records are stored.

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "acsbatch/engine/item_stream.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::engine {

class run_journal {
 public:
  virtual ~run_journal() = default;

  /// An item is about to run. Called in index order, never concurrently.
  virtual void item_started(const item_seed& seed) = 0;
  /// Step `step` of item `index` is about to send its first request: completes once this record
  /// and every record before it are on disk (intent before action). `idempotency_key` is the
  /// create's customId or repeatability id (empty otherwise). An error means the journal cannot
  /// be written: the step must not be sent.
  virtual boost::asio::awaitable<std::error_code> step_starting(std::uint64_t index, std::size_t step,
                                                                job::operation op, const std::string& user_id,
                                                                const std::string& idempotency_key) = 0;
  /// The step ended (ok or not); `user_id` is the item's identity after it (set by a create).
  virtual void step_finished(std::uint64_t index, std::size_t step, const report::step_outcome& outcome,
                             const std::string& user_id) = 0;
  /// The item ended. `settled`: all its steps ran, or it failed for good; otherwise a stop cut it
  /// short and a resumed run redoes what is missing.
  virtual void item_finished(const report::item_outcome& item, bool settled) = 0;
  /// The service answered a create with `Repeatability-Result: accepted`: later runs may retry
  /// creates whose answer was lost (the journal remembers it across kills).
  virtual void service_honours_repeatability() {}
};

}  // namespace acsbatch::engine
