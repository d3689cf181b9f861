#pragma once
/// Where items come from, one at a time: a counter for `users.create: N`, or the lines of an id
/// file / the items of an earlier report, read as the run goes — never all held in memory.
/// Thread-safe: next() may be called from several workers.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>

#include "acsbatch/job/job.hpp"

namespace acsbatch::engine {

struct item_seed {
  std::uint64_t index = 0;
  std::string user_id;  ///< empty when the item creates its user
};

class item_source {
 public:
  /// Opens the file a users spec names (relative paths as the job loader resolved them).
  /// Throws config_error naming the file when it cannot be opened.
  explicit item_source(const job::users_spec& users);

  /// The next item, or nullopt when there are no more. A malformed line of an id file is an
  /// error (config_error with file:line), never silently skipped.
  std::optional<item_seed> next();

  /// Items handed out so far.
  std::uint64_t produced() const;
  /// Total when known up front (create: N), else nullopt.
  std::optional<std::uint64_t> total() const { return total_; }
  /// Counts what remains without handing it out (for the report's `skipped` after a stop).
  std::uint64_t count_remaining();

 private:
  std::optional<std::string> next_id_from_file();
  std::optional<std::string> next_id_from_report();

  enum class kind { counter, id_file, report } kind_;
  std::optional<std::uint64_t> total_;
  std::filesystem::path path_;
  std::ifstream in_;
  std::uint64_t line_ = 0;
  std::uint64_t produced_ = 0;
  mutable std::mutex mutex_;
};

/// A raw ACS user id as the service issues it: `8:acs:…`, `8:spool:…` and the other ACS-user
/// prefixes, printable ASCII, no spaces.
bool looks_like_user_id(std::string_view id);

}  // namespace acsbatch::engine
