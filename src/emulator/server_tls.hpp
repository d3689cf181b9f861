#pragma once
/// The emulator's TLS context for `--tls-cert F --tls-key F` (private to src/emulator).

#include <filesystem>
#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace acsbatch::emulator::detail {

/// A server context (TLS 1.2 and up) holding the PEM certificate chain `certificate_file` (the
/// server's certificate first, then its intermediates) and the PEM private key `key_file`.
/// Throws config_error naming the file when one cannot be read or parsed, or when the key is
/// not the certificate's.
std::unique_ptr<boost::asio::ssl::context> load_server_tls(const std::filesystem::path& certificate_file,
                                                            const std::filesystem::path& key_file);

}  // namespace acsbatch::emulator::detail
