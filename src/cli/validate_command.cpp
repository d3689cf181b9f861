#include <iostream>

#include "acsbatch/job/job.hpp"
#include "commands.hpp"

namespace acsbatch::cli {

exit_code validate_command(const std::string& job_file) {
  try {
    const auto job = job::load_job(job_file, job::process_environment());
    for (const auto& warning : job.warnings) std::cerr << job_file << ": warning: " << warning << '\n';
    std::cout << job_file << ": ok — job '" << job.name << "', " << job.users.create << " user(s), "
              << job.steps.size() << " step(s) each, concurrency " << job.concurrency << '\n';
    return exit_code::ok;
  } catch (const job::job_error& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.to_string() << '\n';
    return exit_code::invalid_job;
  }
}

}  // namespace acsbatch::cli
