#pragma once
/// How a low-level failure (Asio, Beast, OpenSSL) becomes an acsbatch::errc. Kept apart from the
/// socket code so that the mapping is a pure function with its own unit test.

#include <boost/system/error_code.hpp>

#include "acsbatch/core/error.hpp"

namespace acsbatch::http::detail {

/// Where in one exchange a failure happened; the same error means different things in each.
enum class exchange_phase { resolve, connect, handshake, write, read };

/// Maps a failure in `phase` to the code send() reports. `operation_aborted` maps to
/// errc::cancelled; the caller turns that into errc::timeout when its deadline caused it.
acsbatch::errc classify_transport_error(exchange_phase phase, const boost::system::error_code& ec);

/// True when `ec` means the peer closed or reset the connection (EOF, RST, EPIPE, TLS stream
/// truncated): the signature of an idle keep-alive connection the server already dropped.
bool is_peer_close(const boost::system::error_code& ec);

}  // namespace acsbatch::http::detail
