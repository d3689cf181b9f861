#pragma once
/// `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>` — the form the
/// Azure portal shows and the official SDKs read from COMMUNICATION_SERVICES_CONNECTION_STRING.

#include <string>
#include <string_view>

#include "acsbatch/core/endpoint.hpp"

namespace acsbatch::auth {

struct connection_string {
  acsbatch::endpoint endpoint;
  /// The decoded HMAC key bytes. Secret: never printed, logged or written anywhere.
  std::string access_key;
};

/// Field names are case-insensitive and in any order, whitespace around fields, names and
/// values is ignored, a trailing `;` and a trailing `/` on the endpoint are fine.
/// Throws config_error naming the problem; the message never contains the key or any part of it.
connection_string parse_connection_string(std::string_view text);

}  // namespace acsbatch::auth
