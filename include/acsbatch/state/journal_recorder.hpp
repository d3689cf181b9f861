#pragma once
/// The engine's run_journal over a journal_writer: what the runner reports becomes journal
/// records, and step_starting waits for the commit (intent before action).

#include "acsbatch/engine/run_journal.hpp"
#include "acsbatch/state/journal_writer.hpp"

namespace acsbatch::state {

class journal_recorder final : public engine::run_journal {
 public:
  explicit journal_recorder(journal_writer& writer) : writer_(writer) {}

  void item_started(const engine::item_seed& seed) override;
  boost::asio::awaitable<std::error_code> step_starting(std::uint64_t index, std::size_t step, job::operation op,
                                                        const std::string& user_id,
                                                        const std::string& idempotency_key) override;
  void step_finished(std::uint64_t index, std::size_t step, const report::step_outcome& outcome,
                     const std::string& user_id) override;
  void item_finished(const report::item_outcome& item, bool settled) override;
  void service_honours_repeatability() override;

 private:
  journal_writer& writer_;
};

/// For `cleanup`: only what a delete changes — the identity of item `index` of the journal is
/// gone — so the journal the cleanup reads is the one it updates.
class deletion_recorder final : public engine::run_journal {
 public:
  explicit deletion_recorder(journal_writer& writer) : writer_(writer) {}

  void item_started(const engine::item_seed&) override {}
  boost::asio::awaitable<std::error_code> step_starting(std::uint64_t, std::size_t, job::operation,
                                                        const std::string&, const std::string&) override;
  void step_finished(std::uint64_t index, std::size_t step, const report::step_outcome& outcome,
                     const std::string& user_id) override;
  void item_finished(const report::item_outcome&, bool) override {}

 private:
  journal_writer& writer_;
};

}  // namespace acsbatch::state
