#pragma once
/// A runner worker's own state and an item's while it runs, shared by the bulk (runner.cpp) and
/// load (runner_load.cpp) halves.

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "acsbatch/engine/runner.hpp"

namespace acsbatch::engine {

struct runner::worker_state {
  explicit worker_state(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}
  boost::asio::any_io_executor executor;  ///< a strand, or the io_context's executor on one thread
  boost::asio::cancellation_signal cancel;
};

/// One item while it runs: its identity, its create's idempotency key, what an earlier run did.
struct runner::item_context {
  report::item_outcome outcome;
  std::string custom_id;        ///< from users.custom_id; empty without
  std::string create_key;       ///< journalled before a create: custom_id, or a random id
  std::optional<std::size_t> in_flight_step;  ///< sent by a killed run, answer unknown
};

}  // namespace acsbatch::engine
