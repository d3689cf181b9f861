#pragma once
/// Building the emulator's responses (private to src/emulator). Error bodies are always the
/// service's CommunicationErrorResponse: {"error":{"code","message"[,"target"]}}.

#include <boost/json/value.hpp>
#include <string_view>

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

}  // namespace acsbatch::emulator::replies
