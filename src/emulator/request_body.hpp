#pragma once
/// Reading and validating the identity request bodies (private to src/emulator): the JSON
/// schemas of docs/rest-contract.md §2 with the service's limits.

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator::request_body {

/// A 400 the body earned: CommunicationErrorResponse code, message and target.
struct problem {
  std::string code;
  std::string message;
  std::string target;
};
http::response to_response(const problem& p);


/// An empty (or whitespace-only) body reads as `{}`: the SDK's createUser sends Content-Length 0
/// with Content-Type json, and revoke sends nothing at all.
std::optional<problem> read_object(std::string_view body, boost::json::object& out);

/// `key` absent or null → `out` stays nullopt (a problem only when `required`); otherwise a
/// non-empty array of strings among `known` (the api-version's CommunicationIdentityTokenScope).
/// Duplicates are dropped, order kept.
std::optional<problem> read_scopes(const boost::json::object& body, std::string_view key,
                                   bool required, std::span<const std::string_view> known,
                                   std::optional<std::vector<std::string>>& out);

/// `expiresInMinutes`: absent or null → 1440; otherwise an integer in [60, 1440].
std::optional<problem> read_expires_in(const boost::json::object& body, std::chrono::minutes& out);

/// `customId`: absent or null → nullopt; otherwise a non-empty string.
std::optional<problem> read_custom_id(const boost::json::object& body, std::optional<std::string>& out);

}  // namespace acsbatch::emulator::request_body
