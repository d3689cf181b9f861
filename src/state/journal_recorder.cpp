#include "acsbatch/state/journal_recorder.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "acsbatch/state/journal.hpp"

namespace acsbatch::state {
namespace {

/// A finished step names its operation as the report does (step_outcome::op).
bool creates(std::string_view op) {
  const auto parsed = job::operation_from_string(op);
  return parsed && job::creates_identity(*parsed);
}

}  // namespace

void journal_recorder::item_started(const engine::item_seed& seed) {
  journal_record r;
  r.what = journal_record::kind::item_started;
  r.index = seed.index;
  r.user_id = seed.user_id;
  writer_.append(std::move(r));
}

boost::asio::awaitable<std::error_code> journal_recorder::step_starting(std::uint64_t index, std::size_t step,
                                                                        job::operation op, const std::string& user_id,
                                                                        const std::string& idempotency_key) {
  journal_record r;
  r.what = journal_record::kind::step_starting;
  r.index = index;
  r.step = static_cast<std::uint32_t>(step);
  r.outcome.op = std::string(job::to_string(op));
  r.creates = job::creates_identity(op);
  r.user_id = user_id;
  r.key = idempotency_key;
  writer_.append(std::move(r));
  co_return co_await writer_.async_flush(boost::asio::use_awaitable);
}

void journal_recorder::step_finished(std::uint64_t index, std::size_t step, const report::step_outcome& outcome,
                                     const std::string& user_id) {
  journal_record r;
  r.what = journal_record::kind::step_finished;
  r.index = index;
  r.step = static_cast<std::uint32_t>(step);
  r.outcome = outcome;
  r.creates = creates(outcome.op);
  r.deletes = outcome.op == "delete_user";
  r.user_id = user_id;
  writer_.append(std::move(r));
}

void journal_recorder::item_finished(const report::item_outcome& item, bool settled) {
  journal_record r;
  r.what = journal_record::kind::item_finished;
  r.index = item.index;
  r.status = static_cast<int>(!settled ? item_status::running : item.ok() ? item_status::ok : item_status::failed);
  r.uncertain = item.uncertain;
  r.create_confirmed = item.create_confirmed;
  writer_.append(std::move(r));
}

void journal_recorder::service_honours_repeatability() {
  journal_record r;
  r.what = journal_record::kind::meta;
  r.key = "repeatability_honoured";
  r.user_id = "1";
  writer_.append(std::move(r));
}

boost::asio::awaitable<std::error_code> deletion_recorder::step_starting(std::uint64_t, std::size_t, job::operation,
                                                                         const std::string&, const std::string&) {
  co_return std::error_code{};  // a repeated delete is harmless: nothing to make durable first
}

void deletion_recorder::step_finished(std::uint64_t index, std::size_t, const report::step_outcome& outcome,
                                      const std::string& user_id) {
  // 404: the identity is not there (deleted by hand, or by an earlier attempt): gone either way.
  if (outcome.op != "delete_user" || !(outcome.ok || outcome.http_status == 404)) return;
  journal_record r;
  r.what = journal_record::kind::identity_deleted;
  r.index = index;
  r.user_id = user_id;  // for an identity found again by its customId, the id it turned out to have
  writer_.append(std::move(r));
}

}  // namespace acsbatch::state
