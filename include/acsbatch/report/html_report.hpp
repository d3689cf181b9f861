#pragma once
/// `acsbatch report html`: a report as one self-contained HTML page — no script, no external
/// font, style sheet or image; charts are inline SVG drawn here. Sections, each with an id a
/// test or a reader can find: the outcome, `thresholds` (table), `chart-throughput` (ok,
/// failed and throttled per second), `chart-latency-<op>` (p50/p90/p99 over time, one per
/// operation), `chart-distribution` (share of each operation's steps per latency band, log
/// axis), `operations` (table), `errors` (table and `chart-errors`), `parameters` (the job's
/// settings). Every text from the report is escaped: a job name cannot inject markup.

#include <string>

#include "acsbatch/report/report_document.hpp"

namespace acsbatch::report {

std::string render_html(const report_document& report);

}  // namespace acsbatch::report
