#include "acsbatch/engine/item_source.hpp"

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <boost/json/stream_parser.hpp>

#include "acsbatch/core/error.hpp"

namespace acsbatch::engine {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

bool looks_like_user_id(std::string_view id) {
  constexpr std::string_view prefixes[] = {"8:acs:", "8:spool:", "8:dod-acs:", "8:gcch-acs:"};
  bool known = false;
  for (auto prefix : prefixes) known = known || id.starts_with(prefix);
  if (!known || id.size() > 512) return false;
  for (unsigned char c : id)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

item_source::item_source(const job::users_spec& users) {
  if (users.creates_users()) {
    kind_ = kind::counter;
    total_ = users.create;
    return;
  }
  kind_ = users.from_file.empty() ? kind::report : kind::id_file;
  path_ = kind_ == kind::id_file ? users.from_file : users.from_report;
  errno = 0;
  in_.open(path_);
  if (!in_) {
    // Why, so that a missing file, a permission and a directory read differently (issue 20).
    const int error = errno;
    std::error_code ec;
    std::string why = error != 0 ? std::generic_category().message(error) : "cannot open it";
    if (std::filesystem::is_directory(path_, ec)) why = "it is a directory";
    throw config_error("cannot read the users file '" + path_.string() + "': " + why);
  }
}

std::optional<std::string> item_source::next_id_from_file() {
  std::string line;
  while (std::getline(in_, line)) {
    ++line_;
    const auto id = trim(line);
    if (id.empty() || id.front() == '#') continue;
    if (!looks_like_user_id(id))
      throw config_error(path_.string() + ":" + std::to_string(line_) +
                         ": not an ACS user id (expected 8:acs:…)");
    return std::string(id);
  }
  return std::nullopt;
}

std::optional<std::string> item_source::next_id_from_report() {
  // acsbatch writes one item per line inside "items": [...]; other lines are the summary.
  std::string line;
  while (std::getline(in_, line)) {
    ++line_;
    if (!line.starts_with("{\"index\":")) continue;
    // The line holds one item object followed by "," or by the closing "]}" of the report:
    // parse exactly one JSON value and ignore what follows it.
    boost::json::stream_parser parser;
    boost::system::error_code ec;
    parser.write_some(line.data(), line.size(), ec);
    if (!ec && !parser.done()) ec = boost::json::make_error_code(boost::json::error::incomplete);
    if (ec) throw config_error(path_.string() + ":" + std::to_string(line_) + ": not an acsbatch report item");
    const auto item = parser.release();
    if (!item.is_object()) continue;
    const auto& object = item.as_object();
    const auto* status = object.if_contains("status");
    const auto* user = object.if_contains("user_id");
    if (!status || !user || !user->is_string() || *status != "ok") continue;
    // An identity the earlier job deleted is not there any more.
    bool deleted = false;
    if (const auto* steps = object.if_contains("steps"); steps && steps->is_array())
      for (const auto& step : steps->as_array())
        deleted = deleted || (step.is_object() && step.as_object().if_contains("op") &&
                              step.as_object().at("op") == "delete_user");
    if (!deleted && looks_like_user_id(user->as_string())) return std::string(user->as_string());
  }
  return std::nullopt;
}

std::optional<item_seed> item_source::next() {
  std::lock_guard lock{mutex_};
  item_seed seed;
  seed.index = produced_;
  switch (kind_) {
    case kind::counter:
      if (produced_ >= *total_) return std::nullopt;
      break;
    case kind::id_file: {
      auto id = next_id_from_file();
      if (!id) return std::nullopt;
      seed.user_id = std::move(*id);
      break;
    }
    case kind::report: {
      auto id = next_id_from_report();
      if (!id) return std::nullopt;
      seed.user_id = std::move(*id);
      break;
    }
  }
  ++produced_;
  return seed;
}

void item_source::skip_to(std::uint64_t index) {
  if (kind_ == kind::counter) {
    std::lock_guard lock{mutex_};
    produced_ = std::max(produced_, std::min(*total_, index));
    return;
  }
  while (produced() < index && next()) {
  }
}

std::uint64_t item_source::produced() const {
  std::lock_guard lock{mutex_};
  return produced_;
}

std::uint64_t item_source::count_remaining() {
  std::uint64_t remaining = 0;
  if (kind_ == kind::counter) {
    std::lock_guard lock{mutex_};
    return *total_ - produced_;
  }
  try {
    while (next()) ++remaining;
  } catch (const config_error&) {
    // A malformed line after a stop is reported on the next run that reaches it.
  }
  return remaining;
}

}  // namespace acsbatch::engine
