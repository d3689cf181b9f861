#pragma once
/// Builds the JSON report (schema acsbatch.report/v1) while a run goes on. Per-item records are
/// streamed to a side file as they arrive, so memory stays flat in the number of users; write()
/// assembles the final file atomically (temporary file + rename).
///
/// Times (`started_at`, `finished_at`, a step's `expires_on`) are written with
/// acsbatch::format_rfc3339: UTC, 7 fractional digits and `+00:00`, the form the service itself
/// uses for `expiresOn`. Milliseconds and seconds have three decimals, counts are integers.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acsbatch/report/latency_histogram.hpp"
#include "acsbatch/report/latency_timeline.hpp"
#include "acsbatch/report/operation_totals.hpp"
#include "acsbatch/report/error_group.hpp"
#include "acsbatch/report/threshold.hpp"

namespace acsbatch::report {

struct run_info {
  std::string job_name;
  std::string job_file;
  std::string job_sha256;
  std::string job_effective_sha256;  ///< the file plus its --set overrides
  std::string shard;                 ///< "I/N" for a shard's run, else empty
  std::string run_id;                ///< a random UUID per run (report merge tells runs apart)
  std::string endpoint_host;  ///< host only: never a key or a full connection string
  bool embedded = false;
  std::string api_version;
  std::uint32_t concurrency = 0;
  std::optional<double> target_rate;  ///< operations per second, when limited
  std::chrono::system_clock::time_point started_at;
  /// Evaluated by write() on the final counters; their results go into the report.
  std::vector<threshold> thresholds;
  /// The job's settings as (name, value) text pairs, in order, for the report's `parameters`
  /// (what the HTML report shows). Never a secret.
  std::vector<std::pair<std::string, std::string>> parameters;
  /// The operations in the order the job's steps run them: the end summary's rows (others,
  /// e.g. a load test's cleanup deletes, follow by name).
  std::vector<std::string> operation_order;
};

struct step_outcome {
  std::string op;
  bool ok = false;
  unsigned http_status = 0;  ///< 0 when no response arrived
  unsigned attempts = 1;
  unsigned throttled = 0;  ///< attempts answered 429 (each was retried or ended the step)
  /// Time spent waiting to retry after 429/503 answers (their Retry-After, or the backoff).
  std::chrono::milliseconds throttle_wait{0};
  std::chrono::microseconds latency{0};
  /// Load mode: the latency measured from the iteration's intended start (latency plus how
  /// late the iteration started), free of coordinated omission. When set it is what the
  /// operation's latency_ms, the thresholds and the timeline use; `latency` goes to
  /// service_latency_ms.
  std::optional<std::chrono::microseconds> corrected_latency;
  std::string error_code;     ///< service code (e.g. IdentityNotFound) or transport code (timeout)
  std::string error_message;  ///< never contains a key or a token
  std::optional<std::chrono::system_clock::time_point> token_expires_on;
  /// Offset of the step's start from the run's start, for the per-second timeline.
  std::chrono::microseconds started_at{0};
  /// Done by an earlier run of the job (--resume): started_at is on that run's clock.
  bool from_earlier_run = false;
  /// delete_user answered 404 where that reaches the goal (an earlier attempt or run may have
  /// deleted it): ok, but counted and shown as "already gone", not as a deletion.
  bool already_gone = false;
};

struct item_outcome {
  std::uint64_t index = 0;
  std::string user_id;
  bool skipped = false;
  /// A create whose answer was lost (the run was killed, or a retry was unsafe) may have made an
  /// identity that no record names: the report lists such items.
  bool uncertain = false;
  /// The item's create is known to have made exactly the identity it has (a customId, or a
  /// repeatability id the service said it honoured): any doubt from earlier runs is cleared.
  bool create_confirmed = false;
  /// Done by an earlier run of the same job (--resume): counted, but not in this run's timeline.
  bool from_earlier_run = false;
  std::vector<step_outcome> steps;
  /// Not skipped and every step succeeded.
  bool ok() const;
};

/// The report names at most this many left-behind identities (the count has them all).
inline constexpr std::size_t max_left_behind_ids = 1000;

struct item_totals {
  std::uint64_t total = 0, succeeded = 0, failed = 0, skipped = 0;
  std::uint64_t uncertain = 0;          ///< items whose create may have left an unrecorded identity
  /// Identities the run created and did not delete (a load test's failed cleanup): with up
  /// to max_left_behind_ids of their ids in `left_behind_ids`.
  std::uint64_t left_behind = 0;
  std::vector<std::string> left_behind_ids;
  std::uint64_t from_earlier_runs = 0;  ///< finished by an earlier run of the job (--resume)
  /// Load mode (open model): iterations due while max_in_flight ran, not started. Unset (and
  /// not in the report) outside load mode.
  std::optional<std::uint64_t> dropped;
  /// Load mode (open model): iterations that waited for a slot (at most max_start_delay) and
  /// then started; in total. Set together with `dropped`.
  std::optional<std::uint64_t> delayed;
};

class report_builder {
 public:
  /// With `include_items`, `<report_path>.items.jsonl.tmp` receives one JSON line per item while
  /// the run goes on (write() copies and removes it; the destructor removes it if write() was
  /// never called). Creates the report's parent directories. Throws std::system_error (naming
  /// the path) when the side file cannot be created.
  report_builder(run_info info, std::filesystem::path report_path, bool include_items);
  /// Removes the side file and any temporary report left behind.
  ~report_builder();
  report_builder(const report_builder&) = delete;
  report_builder& operator=(const report_builder&) = delete;

  /// Counts the item and its steps and streams it to the side file. Throws std::system_error
  /// when the side file cannot be written, std::logic_error after write().
  void add(const item_outcome& item);
  /// Counts items that never started (the run stopped first): they appear in
  /// summary.items.skipped and total, not in `items`.
  void add_skipped(std::uint64_t count);
  /// Counts load iterations dropped (summary.items.dropped; not in total) and those that started
  /// after waiting for a slot (summary.items.delayed). Marks the report as a load run's even for 0.
  void add_dropped(std::uint64_t dropped, std::uint64_t delayed);
  /// The identities the run leaves behind (load mode, after its cleanup); ids kept up to the bound.
  void add_left_behind(const std::vector<std::string>& ids);
  /// Load mode: the last iteration ended at `at`; what follows (deleting leftover identities) is
  /// outside the window that rates are measured over.
  void load_ended(std::chrono::system_clock::time_point at) { load_ended_ = at; }

  /// The engine's count of the most attempts of `op` it sent in any one-second window.
  void sent_at_most(const std::string& op, std::uint64_t per_second) {
    operations_[op].peak_sends_per_s = per_second;
  }

  /// The throttle controller's verdict on `op` at the end of the run.
  void throttling_of(const std::string& op, std::string verdict, std::optional<double> learned_per_s) {
    auto& totals = operations_[op];
    totals.throttling = std::move(verdict);
    totals.learned_per_s = learned_per_s;
  }

  const item_totals& items() const { return items_; }
  /// The failed steps by error code, most frequent first (the report's `errors`).
  std::vector<error_group> error_groups() const;
  const std::map<std::string, operation_totals>& operations() const { return operations_; }

  /// Writes the report to `<report>.tmp` and renames it over the report path, so a reader never
  /// sees half a report. Call once; after a failure (std::system_error naming the path, the
  /// temporary file removed) it may be called again.
  void write(std::chrono::system_clock::time_point finished_at);

  const std::filesystem::path& path() const { return report_path_; }
  /// Before write(): the report goes to `path` instead (a failed run beside the good report).
  void redirect(std::filesystem::path path) { report_path_ = std::move(path); }
  const run_info& info() const { return info_; }
  /// One result per run_info::thresholds entry, in order; empty until write() succeeded.
  const std::vector<threshold_result>& threshold_results() const { return threshold_results_; }
  /// The seconds that rates are measured over (the run, or in load mode the load without its
  /// cleanup); 0 before write().
  double rate_window_s() const { return rate_window_s_; }

 private:
  struct error_tally {
    std::uint64_t count = 0;
    unsigned http_status = 0;
    std::string example;
  };
  struct second_bucket {
    std::uint64_t started = 0, ok = 0, failed = 0, throttled = 0;
  };

  run_info info_;
  std::filesystem::path report_path_;
  std::filesystem::path items_path_;
  bool include_items_;
  std::ofstream items_out_;
  item_totals items_;
  std::map<std::string, operation_totals> operations_;
  std::map<std::string, error_tally> errors_;
  std::vector<second_bucket> timeline_;
  latency_timeline latencies_;
  std::vector<threshold_result> threshold_results_;
  std::optional<std::chrono::system_clock::time_point> load_ended_;
  double rate_window_s_ = 0;
  bool written_ = false;
};

}  // namespace acsbatch::report
