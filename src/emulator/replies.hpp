#pragma once
/// Building the emulator's responses (private to src/emulator). Error bodies are always the
/// service's CommunicationErrorResponse: {"error":{"code","message"[,"target"]}}.

#include <boost/json/value.hpp>
#include <chrono>
#include <string_view>

#include "acsbatch/emulator/fault_spec.hpp"

#include "acsbatch/http/message.hpp"

namespace acsbatch::emulator::replies {

/// The service answers `application/json; charset=utf-8` (recorded SDK test sessions).
inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";

/// Standard reason phrase; "Unknown" for codes the emulator never sends.
std::string_view reason_phrase(unsigned status);

http::response json(unsigned status, const boost::json::value& body);
http::response error(unsigned status, std::string_view code, std::string_view message,
                     std::string_view target = {});
http::response no_content();

/// Sets `Retry-After` (whole seconds, rounded up, as RFC 9110 wants an integer) and
/// `retry-after-ms` (milliseconds, rounded up), which the SDKs prefer when present (docs/rest-contract.md §5).
void set_retry_after(http::response& res, std::chrono::nanoseconds wait);

/// 429 TooManyRequests with Retry-After and retry-after-ms set to `wait` (docs/rest-contract.md §10).
http::response too_many_requests(std::string_view message, std::chrono::nanoseconds wait);

/// The answer of an injected 429/500/502/503/504 (not of the connection faults): the service's
/// code for that status, Retry-After for 429/503 as the rule says, and `x-emulator-fault: KIND`
/// so a developer can tell an injected failure from a real one (the service sends no such header).
http::response injected_fault(const fault_rule& rule);

}  // namespace acsbatch::emulator::replies
