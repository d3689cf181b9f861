#pragma once
/// Item streams read from journals: this job's own on --resume (what it did, then the rest of
/// its users), and another job's for `users.from_state` and `cleanup`. Both read in chunks, so
/// memory stays flat however many items the journal holds.

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "acsbatch/engine/item_source.hpp"
#include "acsbatch/job/job.hpp"
#include "acsbatch/state/journal.hpp"

namespace acsbatch::state {

/// --resume: first every item the journal holds (finished ones to be reported, the others from
/// the first step not done), then the job's own source from where the journal ends.
class resume_stream final : public engine::item_stream {
 public:
  /// `journal_path`: the job's journal (read on a connection of its own). `rest`: the job's
  /// source, positioned at its start; the items the journal holds are skipped in it.
  resume_stream(const std::string& journal_path, const job::job& job, std::unique_ptr<engine::item_stream> rest);

  std::optional<engine::item_seed> next() override;
  std::optional<std::uint64_t> total() const override { return rest_->total(); }
  bool numbers_new_users() const override { return rest_->numbers_new_users(); }
  std::uint64_t count_remaining() override;
  void skip_to(std::uint64_t) override {}  // a resumed run is not resumed inside itself

  /// Items the journal held when the stream opened.
  std::uint64_t journalled() const { return journalled_; }

 private:
  engine::item_seed seed_of(journal_item item) const;

  journal journal_;
  std::vector<job::step> steps_;
  std::unique_ptr<engine::item_stream> rest_;
  std::uint64_t journalled_ = 0;
  std::uint64_t end_index_ = 0;   // one past the journal's last idx: where the source resumes
  std::uint64_t next_index_ = 0;  // next journal idx to read
  std::uint64_t read_ = 0;        // journal items handed out
  std::deque<journal_item> buffer_;
  bool rest_positioned_ = false;
  std::mutex mutex_;
};

/// users.from_state (and cleanup): the identities a journal says exist — created and not
/// deleted — each as an item keeping its journal index.
class journal_identities final : public engine::item_stream {
 public:
  /// `for_cleanup`: a 404 to a delete means the identity is gone, which is the goal (an earlier
  /// cleanup, or a person, deleted it), so the item succeeds; and when the journal's job used
  /// customIds, items whose create was cut off come too, to be found again by their customId.
  explicit journal_identities(const std::string& journal_path, bool for_cleanup = false);

  std::optional<engine::item_seed> next() override;
  std::optional<std::uint64_t> total() const override { return total_; }
  void skip_to(std::uint64_t index) override;

 private:
  journal journal_;
  std::optional<std::uint64_t> total_;
  bool for_cleanup_;
  bool with_creates_in_doubt_ = false;
  std::uint64_t next_index_ = 0;
  std::uint64_t handed_out_ = 0;
  std::deque<journal_item> buffer_;
  std::mutex mutex_;
};

/// The stream a job's `users` names (create, from_file, from_report, from_state), unopened
/// files reported as config_error / state_error.
std::unique_ptr<engine::item_stream> open_users(const job::job& job);

}  // namespace acsbatch::state
