#pragma once
/// Items as the runner consumes them, one at a time, from any source: a counter, an id file, an
/// earlier report, another job's journal, or this job's own journal on --resume.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acsbatch/report/report_builder.hpp"

namespace acsbatch::engine {

struct item_seed {
  std::uint64_t index = 0;
  std::string user_id;  ///< empty when the item creates its user

  // What an earlier run of the same job did (--resume); all empty for a fresh item.
  /// Every step succeeded earlier: the item is reported with these outcomes and nothing runs.
  bool finished = false;
  /// Steps [0, first_step) succeeded earlier; their outcomes, in order.
  std::size_t first_step = 0;
  std::vector<report::step_outcome> done_steps;
  /// The step an earlier run had sent when it was killed, without learning the answer.
  std::optional<std::size_t> in_flight_step;
  /// The idempotency key that run journalled for its create (customId or repeatability id).
  std::string create_key;
  /// Cleanup of a create cut off in flight: the identity is found by creating again with this
  /// customId (the service returns the identity already bound to it) before the steps run.
  std::string adopt_custom_id;
};

/// Thread-safe: next() may be called from several workers.
class item_stream {
 public:
  virtual ~item_stream() = default;
  /// The next item, or nullopt when there are no more. Throws config_error for a malformed
  /// source (a bad line in an id file), state_error for an unreadable journal.
  virtual std::optional<item_seed> next() = 0;
  /// Total when known up front (create: N), else nullopt.
  virtual std::optional<std::uint64_t> total() const = 0;
  /// The items are new users numbered 0 … total-1 (users.create): their index is their key.
  virtual bool numbers_new_users() const { return false; }
  /// From now on hands out only items whose index is `index` or more (a resumed run took the
  /// ones before from its journal). Indexes only grow, so this skips a prefix.
  virtual void skip_to(std::uint64_t index) = 0;
  /// Counts what remains without handing it out (for the report's `skipped` after a stop):
  /// by default by reading it all; sources that know their count say it faster.
  virtual std::uint64_t count_remaining() {
    std::uint64_t remaining = 0;
    while (next()) ++remaining;
    return remaining;
  }
};

}  // namespace acsbatch::engine
