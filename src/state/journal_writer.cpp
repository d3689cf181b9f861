#include "acsbatch/state/journal_writer.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "acsbatch/core/http_date.hpp"
#include "acsbatch/state/journal.hpp"
#include "acsbatch/state/sqlite.hpp"

namespace acsbatch::state {
namespace {

/// At most this many records per transaction, so a huge backlog still commits in steps.
constexpr std::size_t max_batch = 8192;

/// The statements of one writer connection, prepared once.
struct statements {
  explicit statements(database& db)
      : item_started(db.prepare("INSERT INTO items(idx, user_id, status, run) VALUES (?1, ?2, 0, ?3) "
                                "ON CONFLICT(idx) DO UPDATE SET status = 0, run = ?3")),
        step_starting(db.prepare(
            "INSERT OR REPLACE INTO steps(idx, step, op, status, run) VALUES (?1, ?2, ?3, 0, ?4)")),
        create_sent(db.prepare("UPDATE items SET create_key = ?2, create_state = 1 WHERE idx = ?1")),
        step_finished(db.prepare(
            "INSERT OR REPLACE INTO steps(idx, step, op, status, http_status, attempts, throttled, latency_us,"
            " started_us, error_code, error_message, expires_on, run)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")),
        created(db.prepare("UPDATE items SET user_id = ?2, create_state = 2, deleted = 0 WHERE idx = ?1")),
        create_failed(db.prepare("UPDATE items SET create_state = 3 WHERE idx = ?1 AND create_state = 1")),
        deleted(db.prepare("UPDATE items SET deleted = 1 WHERE idx = ?1")),
        meta(db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")),
        identity_deleted(db.prepare("UPDATE items SET user_id = coalesce(user_id, ?2), create_state = 2, deleted = 1 "
                                    "WHERE idx = ?1")),
        // Uncertainty sticks across runs (an earlier send may have left an identity) until a
        // create is confirmed to have made exactly this item's identity.
        item_finished(db.prepare("UPDATE items SET status = ?2, uncertain = CASE WHEN ?4 THEN 0 ELSE "
                                 "max(uncertain, ?3) END WHERE idx = ?1")) {}
  // In the order of the initializers above.
  statement item_started, step_starting, create_sent, step_finished, created, create_failed, deleted, meta,
      identity_deleted, item_finished;
};

std::optional<std::string> non_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

void apply(statements& s, const journal_record& r, std::int64_t run) {
  const auto index = static_cast<std::int64_t>(r.index);
  switch (r.what) {
    case journal_record::kind::item_started:
      s.item_started.bind(1, index).bind_optional(2, non_empty(r.user_id)).bind(3, run).run();
      break;
    case journal_record::kind::step_starting:
      s.step_starting.bind(1, index).bind(2, std::int64_t{r.step}).bind(3, r.outcome.op).bind(4, run).run();
      if (r.creates) s.create_sent.bind(1, index).bind_optional(2, non_empty(r.key)).run();
      break;
    case journal_record::kind::step_finished: {
      const auto& o = r.outcome;
      const int status = static_cast<int>(o.ok ? step_status::ok : step_status::failed);
      s.step_finished.bind(1, index)
          .bind(2, std::int64_t{r.step})
          .bind(3, o.op)
          .bind(4, std::int64_t{status})
          .bind(5, std::int64_t{o.http_status})
          .bind(6, std::int64_t{o.attempts})
          .bind(7, std::int64_t{o.throttled})
          .bind(8, static_cast<std::int64_t>(o.latency.count()))
          .bind(9, static_cast<std::int64_t>(o.started_at.count()))
          .bind_optional(10, non_empty(o.error_code))
          .bind_optional(11, non_empty(o.error_message))
          .bind_optional(12, o.token_expires_on ? std::optional<std::string>(format_rfc3339(*o.token_expires_on))
                                                : std::nullopt)
          .bind(13, run)
          .run();
      if (r.creates && o.ok) s.created.bind(1, index).bind(2, r.user_id).run();
      // A create the service answered with an error made no identity; one cut off in flight
      // (timeout, reset, cancelled) may have: it stays `sent`.
      if (r.creates && !o.ok && o.http_status >= 400 && o.http_status < 500) s.create_failed.bind(1, index).run();
      if (r.deletes && o.ok) s.deleted.bind(1, index).run();
      break;
    }
    case journal_record::kind::item_finished:
      s.item_finished.bind(1, index)
          .bind(2, std::int64_t{r.status})
          .bind(3, std::int64_t{r.uncertain ? 1 : 0})
          .bind(4, std::int64_t{r.create_confirmed ? 1 : 0})
          .run();
      break;
    case journal_record::kind::meta:
      s.meta.bind(1, r.key).bind(2, r.user_id).run();
      break;
    case journal_record::kind::identity_deleted:
      s.identity_deleted.bind(1, index).bind_optional(2, non_empty(r.user_id)).run();
      break;
  }
}

}  // namespace

journal_writer::journal_writer(std::string path, std::uint64_t run) : path_(std::move(path)), run_(run) {
  // Open on this thread so that a journal that cannot be opened fails the constructor.
  auto db = std::make_unique<database>(path_, database::mode::read_write);
  db->exec("PRAGMA synchronous=NORMAL;");
  thread_ = std::thread([this, db = std::move(db)]() mutable {
    statements prepared(*db);
    for (;;) {
      std::vector<journal_record> batch;
      std::vector<waiter> waiters;
      {
        std::unique_lock lock{mutex_};
        wake_.wait(lock, [&] { return stopping_ || !pending_.empty() || !waiters_.empty(); });
        if (pending_.empty() && waiters_.empty() && stopping_) break;
        if (pending_.size() <= max_batch) {
          batch.swap(pending_);
          waiters.swap(waiters_);
        } else {
          // Waiters stay for a later round: they wait for records beyond this batch.
          batch.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.begin() + max_batch));
          pending_.erase(pending_.begin(), pending_.begin() + max_batch);
        }
        busy_ = true;
      }
      std::error_code failed;
      std::string message;
      bool skip = false;
      {
        std::lock_guard lock{mutex_};
        skip = static_cast<bool>(error_);
        failed = error_;
      }
      if (!skip && !batch.empty()) {
        try {
          transaction t(*db);
          for (const auto& record : batch) apply(prepared, record, static_cast<std::int64_t>(run_));
          t.commit();
        } catch (const state_error& e) {
          failed = std::make_error_code(std::errc::io_error);
          message = e.what();
        }
      }
      {
        std::lock_guard lock{mutex_};
        if (failed && !error_) {
          error_ = failed;
          error_message_ = message;
        }
        if (!failed) {
          ++commits_;
          records_ += batch.size();
        }
        busy_ = false;
      }
      idle_.notify_all();
      // From this thread, which runs no handler: execute() queues the completion on the
      // waiter's executor (its strand), never inline.
      for (auto& w : waiters)
        w.executor.execute([done = std::move(w.done), failed]() mutable { std::move(done)(failed); });
    }
  });
}

journal_writer::~journal_writer() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void journal_writer::append(journal_record record) {
  {
    std::lock_guard lock{mutex_};
    pending_.push_back(std::move(record));
  }
  wake_.notify_one();
}

void journal_writer::add_waiter(handler h) {
  boost::asio::any_completion_executor executor = boost::asio::prefer(boost::asio::get_associated_executor(h),
                                                              boost::asio::execution::outstanding_work.tracked);
  {
    std::lock_guard lock{mutex_};
    waiters_.push_back({std::move(h), std::move(executor)});
  }
  wake_.notify_one();
}

std::error_code journal_writer::flush_now() {
  std::unique_lock lock{mutex_};
  wake_.notify_one();
  idle_.wait(lock, [&] { return pending_.empty() && !busy_; });
  return error_;
}

std::error_code journal_writer::error() const {
  std::lock_guard lock{mutex_};
  return error_;
}

std::string journal_writer::error_message() const {
  std::lock_guard lock{mutex_};
  return error_message_.empty() ? "cannot write the journal " + path_ : error_message_;
}

std::uint64_t journal_writer::commits() const {
  std::lock_guard lock{mutex_};
  return commits_;
}

std::uint64_t journal_writer::records() const {
  std::lock_guard lock{mutex_};
  return records_;
}

}  // namespace acsbatch::state
