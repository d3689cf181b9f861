#pragma once
/// `acsbatch report merge|html|junit`: work on finished reports.

#include <string>
#include <vector>

#include "acsbatch/core/exit_code.hpp"

namespace acsbatch::cli {

struct report_options {
  std::vector<std::string> inputs;  ///< report files (merge: two or more; html, junit: one)
  std::string output;               ///< -o FILE
  bool force = false;               ///< merge: reports of different jobs too
};

/// Exit codes: 0 written; 64 fewer than two reports to merge; 65 an input is not a report, or
/// reports of different jobs without --force; 66 an input cannot be read; 73 the output cannot
/// be written.
exit_code report_merge_command(const report_options& options);
exit_code report_html_command(const report_options& options);
exit_code report_junit_command(const report_options& options);

}  // namespace acsbatch::cli
