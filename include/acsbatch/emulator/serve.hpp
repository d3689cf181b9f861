#pragma once
/// `acsbatch emulator`: run the emulator in the foreground until SIGINT or SIGTERM.

#include <iosfwd>

#include "acsbatch/emulator/server.hpp"

namespace acsbatch::emulator {

/// Starts a server with `options`, writes its connection string as the first line of `out`
/// (flushed, so a parent process can read it at once), human lines to `err` (the limits, faults,
/// latency and the seed in use, so a run can be replayed with --seed), then serves until
/// SIGINT or SIGTERM, stops (closing every connection, saving options.state_file) and returns
/// 0. When the address cannot be bound, says why on `err` and returns exit_code::unavailable
/// (69) without writing to `out`; when options.state_file cannot be loaded, exit_code::invalid_job
/// (65: the input data is bad).
int serve_until_signal(const server_options& options, std::ostream& out, std::ostream& err);

/// Same, with std::cerr for the human lines.
int serve_until_signal(const server_options& options, std::ostream& out);

}  // namespace acsbatch::emulator
