#pragma once
/// The journal of a job (`state.path`): one SQLite database in WAL mode holding, for every item
/// a run started, its identity, the idempotency key of its create, and each step's outcome.
/// It is what makes `--resume` (finish a killed run: no identity created twice, none orphaned),
/// `users.from_state` (work on the identities another job created) and `cleanup` possible.
///
/// Tables: meta (key → value: the job's name, file, sha256, api-version, endpoint host, runs),
/// items (idx, user_id, status, create_key, create_state, deleted, uncertain, run) and
/// steps (idx, step, op, status, http_status, attempts, throttled, latency_us, started_us,
/// error_code, error_message, expires_on, run). No key, no token, no connection string.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acsbatch/report/report_builder.hpp"
#include "acsbatch/state/sqlite.hpp"

namespace acsbatch::state {

inline constexpr std::string_view journal_schema = "acsbatch.journal/1";

enum class item_status : int { running = 0, ok = 1, failed = 2 };
enum class step_status : int { in_flight = 0, ok = 1, failed = 2 };
/// What the journal knows of an item's create request.
enum class create_state : int {
  none = 0,     ///< no create step (or not reached)
  sent = 1,     ///< sent; the run ended before the answer was recorded
  done = 2,     ///< the identity is user_id
  failed = 3,   ///< the service refused it: no identity
};

struct journal_meta {
  std::string job_name;
  std::string job_file;  ///< absolute path, so `cleanup` finds the connection from anywhere
  std::string job_sha256;
  std::string job_effective_sha256;  ///< with the --set overrides; empty in older journals
  std::string api_version;
  std::string endpoint_host;
  std::string custom_id;  ///< the users.custom_id template, if any
  std::uint64_t steps = 0;
  std::uint64_t runs = 0;
  bool finished = false;  ///< the last run ended with every item done (ok or failed), none left
  /// The service answered a create with Repeatability-Result: accepted (a run found out).
  bool repeatability_honoured = false;
};

struct journal_step {
  std::size_t step = 0;
  step_status status = step_status::in_flight;
  report::step_outcome outcome;
};

struct journal_item {
  std::uint64_t index = 0;
  std::string user_id;
  item_status status = item_status::running;
  std::string create_key;
  create_state create = create_state::none;
  bool deleted = false;
  bool uncertain = false;
  std::vector<journal_step> steps;  ///< by step number; only when asked for
};

/// Counts over the whole journal, for messages and the cleanup command.
struct journal_counts {
  std::uint64_t items = 0, ok = 0, failed = 0, running = 0;
  std::uint64_t live_identities = 0;  ///< created (user_id known) and not deleted
  std::uint64_t uncertain = 0;        ///< a create may have made an identity no record names
  std::uint64_t creates_in_doubt = 0; ///< create sent, answer never recorded
};

/// A connection to a journal for set-up, reading and the final bookkeeping (the writes of a
/// running job go through journal_writer, on its own thread and connection).
class journal {
 public:
  /// Opens an existing journal; with `create`, creates it (and its directory) when missing.
  /// Throws state_error naming the file (not a journal, newer schema, unreadable).
  journal(const std::string& path, bool create);

  /// nullopt for a journal that no run has started yet.
  std::optional<journal_meta> meta();
  void write_meta(const journal_meta& meta);
  /// Forgets every item (a new run of a job whose previous run finished).
  void clear_items();

  journal_counts counts();
  /// One past the highest item index (0 when empty).
  std::uint64_t end_index();
  /// Up to `limit` items with idx >= `from`, in idx order, with their steps when asked.
  std::vector<journal_item> items_from(std::uint64_t from, std::size_t limit, bool with_steps);
  /// As items_from, only items with a live identity (created, not deleted); with
  /// `with_creates_in_doubt`, also items whose create was sent and never answered (for cleanup
  /// of a job with customIds: creating again with the key finds the identity).
  std::vector<journal_item> live_identities_from(std::uint64_t from, std::size_t limit,
                                                 bool with_creates_in_doubt = false);
  /// The indexes of items whose create may have made an identity no record names.
  std::vector<std::uint64_t> uncertain_items(std::size_t limit);

  database& db() { return db_; }
  const std::string& path() const { return db_.path(); }

 private:
  database db_;
};

/// The lock file next to a journal: `<journal>.lock`.
std::string lock_path_for(const std::string& journal_path);

}  // namespace acsbatch::state
