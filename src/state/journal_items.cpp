#include "acsbatch/state/journal_items.hpp"

#include "acsbatch/core/error.hpp"

namespace acsbatch::state {
namespace {

/// Items read from a journal at a time: a few hundred KB at most, whatever its size.
constexpr std::size_t chunk = 512;

}  // namespace

resume_stream::resume_stream(const std::string& journal_path, const job::job& job,
                             std::unique_ptr<engine::item_stream> rest)
    : journal_(journal_path, false), steps_(job.steps), rest_(std::move(rest)) {
  journalled_ = journal_.counts().items;
  end_index_ = journal_.end_index();
}

engine::item_seed resume_stream::seed_of(journal_item item) const {
  engine::item_seed seed;
  seed.index = item.index;
  seed.user_id = item.deleted ? std::string() : std::move(item.user_id);
  seed.create_key = std::move(item.create_key);
  const std::size_t count = steps_.size();
  std::vector<const journal_step*> by_number(count, nullptr);
  for (const auto& step : item.steps)
    if (step.step < count) by_number[step.step] = &step;
  std::size_t first = 0;
  while (first < count && by_number[first] && by_number[first]->status == step_status::ok) ++first;
  for (std::size_t i = 0; i < count; ++i)
    if (by_number[i] && by_number[i]->status == step_status::in_flight) {
      seed.in_flight_step = i;
      break;
    }
  // The identity is gone (a failed item's clean-up deleted it) but steps remain: start over,
  // with a new identity, when the job makes its own.
  const bool job_creates = !steps_.empty() && job::creates_identity(steps_.front().op);
  if (item.deleted && first < count && job_creates) {
    first = 0;
    seed.in_flight_step.reset();
    seed.create_key.clear();
  }
  seed.first_step = first;
  for (std::size_t i = 0; i < first; ++i) seed.done_steps.push_back(by_number[i]->outcome);
  seed.finished = first == count && item.status == item_status::ok;
  return seed;
}

std::optional<engine::item_seed> resume_stream::next() {
  std::lock_guard lock{mutex_};
  if (read_ < journalled_) {
    if (buffer_.empty()) {
      auto items = journal_.items_from(next_index_, chunk, true);
      for (auto& item : items) buffer_.push_back(std::move(item));
      if (!buffer_.empty()) next_index_ = buffer_.back().index + 1;
    }
    if (!buffer_.empty()) {
      auto item = std::move(buffer_.front());
      buffer_.pop_front();
      ++read_;
      return seed_of(std::move(item));
    }
    read_ = journalled_;  // the journal held fewer than counted: go on with the source
  }
  if (!rest_positioned_) {
    rest_positioned_ = true;
    rest_->skip_to(end_index_);
  }
  return rest_->next();
}

std::uint64_t resume_stream::count_remaining() {
  std::uint64_t from_journal = 0;
  {
    std::lock_guard lock{mutex_};
    from_journal = journalled_ - read_;
    if (!rest_positioned_) {
      rest_positioned_ = true;
      rest_->skip_to(end_index_);
    }
  }
  return from_journal + rest_->count_remaining();
}

journal_identities::journal_identities(const std::string& journal_path, bool for_cleanup)
    : journal_(journal_path, false), for_cleanup_(for_cleanup) {
  const auto meta = journal_.meta();
  if (!meta) throw config_error(journal_path + " holds no run (users.from_state needs the journal of a job that ran)");
  const auto counts = journal_.counts();
  with_creates_in_doubt_ = for_cleanup && !meta->custom_id.empty();
  total_ = counts.live_identities + (with_creates_in_doubt_ ? counts.creates_in_doubt : 0);
}

std::optional<engine::item_seed> journal_identities::next() {
  std::lock_guard lock{mutex_};
  if (buffer_.empty()) {
    auto items = journal_.live_identities_from(next_index_, chunk, with_creates_in_doubt_);
    for (auto& item : items) buffer_.push_back(std::move(item));
    if (!buffer_.empty()) next_index_ = buffer_.back().index + 1;
  }
  if (buffer_.empty()) return std::nullopt;
  engine::item_seed seed;
  seed.index = buffer_.front().index;
  seed.user_id = std::move(buffer_.front().user_id);
  // The runner accepts a 404 to a step it may have done before: here, the only step, delete.
  if (for_cleanup_) seed.in_flight_step = 0;
  if (seed.user_id.empty()) seed.adopt_custom_id = std::move(buffer_.front().create_key);
  buffer_.pop_front();
  ++handed_out_;
  return seed;
}

void journal_identities::skip_to(std::uint64_t index) {
  std::lock_guard lock{mutex_};
  while (!buffer_.empty() && buffer_.front().index < index) buffer_.pop_front();
  if (buffer_.empty()) next_index_ = std::max(next_index_, index);
}

std::unique_ptr<engine::item_stream> open_users(const job::job& job) {
  if (!job.users.from_state.empty()) return std::make_unique<journal_identities>(job.users.from_state);
  return std::make_unique<engine::item_source>(job.users);
}

}  // namespace acsbatch::state
