#pragma once
/// `acsbatch report junit`: a report as JUnit XML for CI dashboards. Two test suites: one test
/// case per threshold (failed when the threshold failed) and one per operation (failed when
/// any of its steps failed), under `acsbatch.<job>.thresholds` and `acsbatch.<job>.operations`.

#include <string>

#include "acsbatch/report/report_document.hpp"

namespace acsbatch::report {

std::string render_junit(const report_document& report);

/// Text for XML attributes and content: & < > " ' escaped; characters XML 1.0 cannot hold
/// (controls other than tab and newlines) become spaces.
std::string xml_escape(std::string_view text);

}  // namespace acsbatch::report
