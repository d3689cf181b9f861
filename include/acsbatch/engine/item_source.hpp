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

#include "acsbatch/engine/item_stream.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::engine {

/// The sources a job file names directly: create (a counter), from_file and from_report.
/// (from_state is read by the state layer.)
class item_source final : public item_stream {
 public:
  /// Opens the file a users spec names (relative paths as the job loader resolved them).
  /// Throws config_error naming the file when it cannot be opened.
  explicit item_source(const job::users_spec& users);

  /// The next item, or nullopt when there are no more. A malformed line of an id file is an
  /// error (config_error with file:line), never silently skipped.
  std::optional<item_seed> next() override;

  /// Throws like next() (the skipped lines of a file are read).
  void skip_to(std::uint64_t index) override;

  /// Items handed out so far.
  std::uint64_t produced() const;
  /// Total when known up front (create: N), else nullopt.
  std::optional<std::uint64_t> total() const override { return total_; }
  bool numbers_new_users() const override { return kind_ == kind::counter; }
  /// Counts what remains without handing it out (for the report's `skipped` after a stop).
  std::uint64_t count_remaining() override;

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
