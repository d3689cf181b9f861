#pragma once
/// JSON text written by hand, so that numbers look the way the report schema promises
/// (Boost.JSON 1.81 prints doubles as `2.5E0`) and items can be streamed line by line.

#include <cstdint>
#include <string>
#include <string_view>

namespace acsbatch::report::detail {

/// Appends `text` as a JSON string literal. Invalid UTF-8 becomes U+FFFD, so the report always
/// parses whatever bytes a service message held.
void append_json_string(std::string& out, std::string_view text);

/// A JSON string literal.
std::string json_string(std::string_view text);

/// Three decimals ("12.345"); `null` for NaN and infinities, which JSON cannot hold.
std::string json_fixed3(double value);

/// The shortest decimal text that reads back as `value`, never in exponent form ("0.001",
/// "912.5"); `null` for NaN and infinities.
std::string json_number(double value);

}  // namespace acsbatch::report::detail
