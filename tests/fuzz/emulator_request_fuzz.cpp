// Bytes → http::request(s) → emulator::request_handler::respond, each request twice: as written
// (its own auth headers, usually refused) and signed with the handler's key (the handler has no
// switch to turn HMAC verification off), so that routing, auth and the body paths are all reached.
//
// Input, text framed like HTTP without the version:
//   [!LIMITS|FAULTS|LATENCY]     optional first line: the emulator's --limits/--faults/--latency
//   METHOD TARGET
//   Name: value                  headers, up to an empty line
//
//   body                         up to a line `====` (then the next request) or the end
// In the target and the body, `{id}` becomes an identity the harness created first (encoded in
// the target, raw in the body) and `{token}` a token issued to it. The signed copy keeps (and
// signs) an x-ms-date the request has. A header `x-fuzz-peer: remote` makes the peer
// non-loopback. The clock is fixed at the docs/rest-contract.md vector date (so seeds signed then verify);
// the steady clock advances 7 ms per request.
//
// Properties: respond never throws; no exception reaches its last-resort 500; an answer has a
// status in 100..599 and JSON that parses when it says JSON; only an injected fault resets,
// stalls or closes; an identity operation answered 2xx was authentic; /emulator/* refuses
// remote peers.

#include <boost/json/parse.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "acsbatch/auth/hmac_signer.hpp"
#include "acsbatch/core/error.hpp"
#include "acsbatch/core/http_date.hpp"
#include "acsbatch/emulator/request_auth.hpp"
#include "acsbatch/emulator/request_handler.hpp"
#include "acsbatch/emulator/routes.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace acsbatch;
using namespace std::chrono_literals;
using emulator::steady_time;

constexpr std::string_view host = "127.0.0.1:8089";
constexpr std::string_view resource = "4a1c9b2e-0000-4000-8000-00000000abcd";
// "Wed, 25 Nov 2026 11:58:14 GMT".
const std::chrono::system_clock::time_point now =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 11h + 58min + 14s;

std::string test_key() {
  std::string key;
  for (int i = 0; i < 64; ++i) key += static_cast<char>(i);
  return key;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  for (;;) {
    const auto at = text.find(from);
    out += text.substr(0, at);
    if (at == std::string_view::npos) return out;
    out += to;
    text.remove_prefix(at + from.size());
  }
}

std::string encode_segment(std::string_view raw) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_' ||
        u == '.' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

/// The options line: any part the emulator's own parser refuses is left at its default.
emulator::handler_options options_from(std::string_view line) {
  emulator::handler_options options;
  options.access_key = test_key();
  options.resource_id = std::string(resource);
  options.seed = 42;
  options.started_at = steady_time{now.time_since_epoch()};
  const auto parts = fuzz::split(line, "|");
  try {
    options.limits = emulator::parse_service_limits(parts[0]);
  } catch (const config_error&) {
  }
  if (parts.size() > 1) {
    try {
      options.faults = emulator::parse_fault_spec(parts[1]);
    } catch (const config_error&) {
    }
  }
  if (parts.size() > 2) {
    try {
      options.latency = emulator::parse_latency_spec(parts[2]);
    } catch (const config_error&) {
    }
  }
  return options;
}

struct fixture {
  std::string id = "8:acs:4a1c9b2e-0000-4000-8000-00000000abcd_00000000-0000-0000-0000-000000000000";
  std::string token = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln";
};

http::request parse_request(std::string_view text, const fixture& known) {
  http::request req;
  auto [request_line, rest] = fuzz::first_line(text);
  const auto space = request_line.find(' ');
  req.method = std::string(request_line.substr(0, space));
  if (space != std::string_view::npos)
    req.target = replace_all(request_line.substr(space + 1), "{id}", encode_segment(known.id));
  while (!rest.empty()) {
    auto [line, after] = fuzz::first_line(rest);
    rest = after;
    if (line.empty() || line == "\r") break;
    const auto colon = line.find(':');
    const auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    req.headers.add(std::string(line.substr(0, colon)),
                    std::string(value.substr(std::min(value.find_first_not_of(' '), value.size()))));
  }
  req.body = replace_all(replace_all(rest, "{id}", known.id), "{token}", known.token);
  req.has_body = !req.body.empty() || req.method == "POST";
  return req;
}

/// The same request with Host, x-ms-date, x-ms-content-sha256 and Authorization as the SDK signs.
/// An x-ms-date the input gave is kept (and signed), so that the date checks see fuzzed dates.
http::request signed_copy(http::request req, const auth::hmac_signer& signer) {
  const std::string date = req.headers.get("x-ms-date") ? std::string(*req.headers.get("x-ms-date"))
                                                        : format_http_date(now);
  for (const auto* name : {"Host", "x-ms-date", "x-ms-content-sha256", "Authorization"})
    while (req.headers.erase(name)) {
    }
  const auto headers = signer.sign(req.method, req.target, host, date, req.body);
  req.headers.add("Host", std::string(host));
  req.headers.add("x-ms-date", headers.date);
  req.headers.add("x-ms-content-sha256", headers.content_sha256);
  req.headers.add("Authorization", headers.authorization);
  return req;
}

std::string describe(const http::request& req, const emulator::reply_plan& plan) {
  std::string out = req.method + " " + req.target + "\n";
  for (const auto& h : req.headers) out.append(h.name).append(": ").append(h.value).append("\n");
  out += "\n" + req.body + "\n=> " + std::to_string(plan.response.status) + " " + plan.response.body;
  return out;
}

bool is_identity_operation(emulator::operation op) {
  return op != emulator::operation::other && op != emulator::operation::emulator_stats &&
         op != emulator::operation::emulator_validate_token;
}

void check_plan(const http::request& req, const emulator::reply_plan& plan, bool loopback, bool faults_on,
                const auth::hmac_signer& signer) {
  const auto& res = plan.response;
  if (plan.action != emulator::reply_action::send) {
    fuzz::check(faults_on, "a reset, stall or close without --faults", describe(req, plan));
    return;
  }
  fuzz::check(res.status >= 100 && res.status <= 599, "an answer with an impossible status", describe(req, plan));
  // The handler's catch-all answers 500 "Emulator failure: …" (an injected 500 says otherwise).
  fuzz::check(res.status != 500 || res.body.find(R"("message":"Emulator failure: )") == std::string::npos,
              "the handler threw (its last-resort 500)", describe(req, plan));
  if (res.headers.get("Content-Type").value_or("").starts_with("application/json")) {
    boost::json::parse_options options;
    options.allow_invalid_utf8 = true;  // ids are echoed as decoded; the structure is what matters
    boost::system::error_code ec;
    (void)boost::json::parse(res.body, ec, {}, options);
    fuzz::check(!ec, "a JSON answer that does not parse", describe(req, plan));
  }
  const auto route = emulator::match_route(req.method, emulator::split_request_target(req.target).path);
  const bool success = res.status >= 200 && res.status < 300;
  if (success && is_identity_operation(route.op))
    fuzz::check(!emulator::verify_request(req, signer, now, 15min), "an unauthentic request succeeded",
                describe(req, plan));
  if (!loopback && (route.op == emulator::operation::emulator_stats ||
                    route.op == emulator::operation::emulator_validate_token))
    fuzz::check(!success, "/emulator/* answered a remote peer", describe(req, plan));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::text_of(data, size);
  std::string_view options_line;
  if (input.starts_with("!")) {
    const auto [line, rest] = fuzz::first_line(input.substr(1));
    options_line = line;
    input = rest;
  }
  const auto options = options_from(options_line);
  const bool faults_on = !options.faults.empty();
  const auth::hmac_signer signer(options.access_key);
  emulator::request_handler handler(options);
  steady_time steady{now.time_since_epoch()};
  const auto respond = [&](const http::request& req, bool loopback) {
    auto plan = handler.respond(req, loopback, now, steady);
    steady += 7ms;
    check_plan(req, plan, loopback, faults_on, signer);
    return plan;
  };

  // An identity with a token, for {id} and {token} (faults may refuse it: then made-up ones).
  fixture known;
  {
    http::request create;
    create.method = "POST";
    create.target = "/identities?api-version=2025-03-02-preview";
    create.body = R"({"createTokenWithScopes":["chat"],"customId":"fuzz"})";
    create.has_body = true;
    const auto plan = respond(signed_copy(create, signer), true);
    boost::system::error_code ec;
    const auto body = boost::json::parse(plan.response.body, ec);
    if (!ec && plan.response.status == 201) {
      known.id = std::string(body.at("identity").at("id").as_string());
      known.token = std::string(body.at("accessToken").at("token").as_string());
    }
  }

  int count = 0;
  for (const auto text : fuzz::split(input, "\n====\n")) {
    if (++count > 16) break;  // long inputs only slow the fuzzer down
    const auto req = parse_request(text, known);
    bool loopback = true;
    if (const auto peer = req.headers.get("x-fuzz-peer")) loopback = *peer != "remote";
    respond(req, loopback);
    respond(signed_copy(req, signer), loopback);
  }
  return 0;
}
