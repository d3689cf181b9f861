#include <iostream>

#include "commands.hpp"
#include "job_loading.hpp"
#include "load_execution.hpp"

namespace acsbatch::cli {

exit_code validate_command(const std::string& job_file, const std::vector<std::string>& overrides) {
  const auto job = load_job_or_report(job_file, overrides);
  if (!job) return exit_code::invalid_job;
  std::cout << job_file << ": ok — job '" << job->name << "', ";
  if (job->load) {
    std::cout << load_plan(*job) << '\n';
    return exit_code::ok;
  }
  if (job->users.creates_users()) std::cout << job->users.create << " new user(s), ";
  else std::cout << "users from " << job->users.existing_users_path() << ", ";
  std::cout << job->steps.size() << " step(s) each, concurrency " << job->concurrency << '\n';
  return exit_code::ok;
}

}  // namespace acsbatch::cli
