// Bytes → http::response → every identity read_* function (and read_retry_after). Properties:
// nothing throws; an error's texts (service code, message, target, request id, describe())
// never show a JWT-shaped token found in the body, its JSON strings, a header or the reason;
// a success carries what its type promises (a non-empty id, a non-empty token).
//
// Input, framed like HTTP without the version:
//   STATUS [REASON]
//   Name: value       headers, up to an empty line
//
//   body

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "acsbatch/identity/wire.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace acsbatch;

constexpr std::string_view client_request_id = "6f9619ff-8b86-4011-b42d-00c04fc964ff";
/// Shorter runs are too likely to be something else (and leak nothing worth having).
constexpr std::size_t min_token_size = 12;

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/// Every `eyJ<b64url>*.<b64url>*.<b64url>*` in `text`: the shape of a JWT.
void collect_tokens(std::string_view text, std::vector<std::string>& out) {
  for (auto at = text.find("eyJ"); at != std::string_view::npos; at = text.find("eyJ", at + 1)) {
    std::size_t end = at;
    int dots = 0;
    while (end < text.size() && (is_base64url(text[end]) || (text[end] == '.' && dots < 2))) {
      dots += text[end] == '.';
      ++end;
    }
    if (dots == 2 && end - at >= min_token_size) out.emplace_back(text.substr(at, end - at));
  }
}

void collect_json_tokens(const boost::json::value& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    collect_tokens(value.get_string(), out);
  } else if (value.is_array()) {
    for (const auto& item : value.get_array()) collect_json_tokens(item, out);
  } else if (value.is_object()) {
    for (const auto& field : value.get_object()) {
      collect_tokens(field.key(), out);
      collect_json_tokens(field.value(), out);
    }
  }
}

http::response parse_response(std::string_view text) {
  http::response res;
  auto [status_line, rest] = fuzz::first_line(text);
  const auto space = status_line.find(' ');
  const auto digits = status_line.substr(0, space);
  unsigned status = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), status);
  res.status = status % 1000;
  if (space != std::string_view::npos) res.reason = std::string(status_line.substr(space + 1));
  while (!rest.empty()) {
    auto [line, after] = fuzz::first_line(rest);
    rest = after;
    if (line.empty()) break;
    const auto colon = line.find(':');
    const auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    res.headers.add(std::string(line.substr(0, colon)),
                    std::string(value.substr(std::min(value.find_first_not_of(' '), value.size()))));
  }
  res.body = std::string(rest);
  return res;
}

struct checker {
  std::string_view input;
  std::vector<std::string> tokens;

  void no_token_in(std::string_view what, std::string_view text) const {
    for (const auto& token : tokens)
      if (text.find(token) != std::string_view::npos)
        fuzz::fail("a token from the response shows in the error's " + std::string(what),
                   std::string(text) + "\n--- input:\n" + std::string(input));
  }

  template <class T>
  void operator()(const identity::result<T>& result) const {
    if (result) return;
    const auto& e = result.error();
    fuzz::check(static_cast<bool>(e.code), "an error without a code", input);
    fuzz::check(e.client_request_id == client_request_id, "an error lost the client request id", input);
    no_token_in("service_code", e.service_code);
    no_token_in("message", e.message);
    no_token_in("target", e.target);
    no_token_in("service_request_id", e.service_request_id);
    no_token_in("describe()", e.describe());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text_of(data, size);
  const auto res = parse_response(input);

  checker check{input, {}};
  collect_tokens(res.body, check.tokens);
  collect_tokens(res.reason, check.tokens);
  for (const auto& h : res.headers) collect_tokens(h.value, check.tokens);
  boost::system::error_code ec;
  const auto json = boost::json::parse(res.body, ec);
  if (!ec) collect_json_tokens(json, check.tokens);

  const auto created = identity::read_create_user(res, client_request_id);
  check(created);
  if (created) fuzz::check(!created->id.empty(), "a created user without an id", input);

  const auto with_token = identity::read_create_user_and_token(res, client_request_id);
  check(with_token);
  if (with_token)
    fuzz::check(!with_token->user.id.empty() && !with_token->token.token.empty(),
                "a created user and token without an id or a token", input);

  const auto token = identity::read_issue_token(res, client_request_id);
  check(token);
  if (token) fuzz::check(!token->token.empty(), "an issued token that is empty", input);

  check(identity::read_no_content(res, client_request_id));

  const auto user = identity::read_get_user(res, client_request_id);
  check(user);
  if (user) fuzz::check(!user->id.empty(), "a user without an id", input);

  if (const auto wait = identity::read_retry_after(res.headers, std::chrono::system_clock::now()))
    fuzz::check(wait->count() >= 0, "a negative Retry-After", input);
  return 0;
}
