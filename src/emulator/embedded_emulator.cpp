#include <boost/asio/io_context.hpp>
#include <thread>

#include "acsbatch/emulator/server.hpp"

namespace acsbatch::emulator {

struct embedded_emulator::impl {
  explicit impl(server_options options) : server_(io_.get_executor(), std::move(options)) {
    server_.start();  // binds here, so the port is known before the constructor returns
    thread_ = std::thread([this] { run(); });
  }

  ~impl() {
    // stop() closes the acceptor and every connection; run() then returns for lack of work.
    server_.stop();
    thread_.join();
  }

  void run() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (...) {
        // Handlers swallow their own failures; should one escape, keep serving the rest.
      }
    }
  }

  boost::asio::io_context io_{1};
  server server_;
  std::thread thread_;
};

embedded_emulator::embedded_emulator(server_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

embedded_emulator::~embedded_emulator() = default;

std::uint16_t embedded_emulator::port() const { return impl_->server_.port(); }
std::uint64_t embedded_emulator::seed() const { return impl_->server_.seed(); }
std::string embedded_emulator::connection_string() const { return impl_->server_.connection_string(); }
std::string embedded_emulator::url() const { return impl_->server_.url(); }
void embedded_emulator::save_state() { impl_->server_.save_state(); }

}  // namespace acsbatch::emulator
