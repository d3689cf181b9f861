#include <array>
#include <utility>

#include "acsbatch/job/job.hpp"

namespace acsbatch::job {
namespace {

constexpr std::array<std::pair<operation, std::string_view>, 6> names{{
    {operation::create_user, "create_user"},
    {operation::create_user_and_token, "create_user_and_token"},
    {operation::issue_token, "issue_token"},
    {operation::revoke_tokens, "revoke_tokens"},
    {operation::delete_user, "delete_user"},
    {operation::get_user, "get_user"},
}};

}  // namespace

std::string_view to_string(operation op) {
  for (const auto& [value, name] : names)
    if (value == op) return name;
  return "unknown";
}

bool creates_identity(operation op) {
  return op == operation::create_user || op == operation::create_user_and_token;
}

std::optional<operation> operation_from_string(std::string_view name) {
  for (const auto& [value, text] : names)
    if (text == name) return value;
  return std::nullopt;
}

}  // namespace acsbatch::job
