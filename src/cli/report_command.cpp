#include "report_command.hpp"

#include <iostream>

#include "acsbatch/report/html_report.hpp"
#include "acsbatch/report/junit_report.hpp"
#include "acsbatch/report/report_merge.hpp"
#include "acsbatch/report/text_file.hpp"

namespace acsbatch::cli {
namespace {

exit_code read_failure(const report::report_read_error& e) {
  std::cerr << "acsbatch: " << e.what() << '\n';
  return e.unreadable() ? exit_code::no_input : exit_code::invalid_job;
}

exit_code write_failure(const std::exception& e) {
  std::cerr << "acsbatch: " << e.what() << '\n';
  return exit_code::cannot_write;
}

/// Reads the one input, renders it and writes the output.
template <class Render>
exit_code render_one(const report_options& options, Render render) {
  report::read_report_result input;
  try {
    input = report::read_report(options.inputs.at(0));
  } catch (const report::report_read_error& e) {
    return read_failure(e);
  }
  try {
    report::write_text_file(options.output, render(input.document));
  } catch (const std::exception& e) {
    return write_failure(e);
  }
  return exit_code::ok;
}

}  // namespace

exit_code report_merge_command(const report_options& options) {
  if (options.inputs.size() < 2) {
    std::cerr << "acsbatch: report merge needs at least two reports\n";
    return exit_code::usage;
  }
  std::vector<report::merge_input> inputs;
  bool all_have_items = true;
  try {
    for (const auto& path : options.inputs) {
      auto read = report::read_report(path);
      all_have_items = all_have_items && read.has_items;
      inputs.push_back({path, std::move(read.document), read.has_items});
    }
  } catch (const report::report_read_error& e) {
    return read_failure(e);
  }
  report::report_document merged;
  try {
    merged = report::merge_reports(inputs, options.force);
  } catch (const report::merge_refused& e) {
    std::cerr << "acsbatch: " << e.what() << '\n';
    return exit_code::invalid_job;
  } catch (const report::report_read_error& e) {
    return read_failure(e);
  }
  // Items are concatenated only when every input has them: a partial list would mislead
  // `users.from_report` into skipping users.
  report::item_lines items;
  if (all_have_items) {
    items = [&](const std::function<void(std::string_view)>& write_line) {
      for (const auto& input : inputs) report::copy_report_items(input.path, write_line);
    };
  } else {
    std::cerr << "acsbatch: warning: not every report lists its items: the merged report has none\n";
  }
  try {
    report::write_report(options.output, merged, items);
  } catch (const report::report_read_error& e) {
    return read_failure(e);
  } catch (const std::exception& e) {
    return write_failure(e);
  }
  return exit_code::ok;
}

exit_code report_html_command(const report_options& options) { return render_one(options, report::render_html); }

exit_code report_junit_command(const report_options& options) { return render_one(options, report::render_junit); }

}  // namespace acsbatch::cli
