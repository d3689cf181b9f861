#pragma once
/// Entra ID for runs whose job says `connection.auth: entra`: the credential's settings (the
/// process environment for a resource, the embedded emulator's own app registration offline) and
/// the first token, fetched before anything is sent, so that a refused or unreachable authority
/// stops the run at once with one clear message.

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "acsbatch/auth/entra_credential.hpp"
#include "acsbatch/emulator/entra.hpp"
#include "acsbatch/job/job.hpp"

namespace acsbatch::cli {

/// A client-secret credential for `app` against the emulator reached at `url` (its token
/// endpoint `URL{tenant}/oauth2/v2.0/token`).
auth::entra_settings embedded_entra_settings(const emulator::entra_app& app, const std::string& url);

/// Sends the first token request of `credential` on `io`, which must have no other work yet, and
/// waits for it (the credential's own timeout bounds it). nullopt when a token came: the
/// credential keeps it for the run. Otherwise why not, naming the token endpoint, the source of
/// the credential and what the endpoint answered, with a hint — never a secret or the token.
std::optional<std::string> fetch_first_token(boost::asio::io_context& io, auth::entra_credential& credential);

/// What to check when the resource refuses the run's requests (401/403): the connection string's
/// key, or the Entra ID principal's role assignment.
std::string_view refusal_hint(const job::job& job);

}  // namespace acsbatch::cli
