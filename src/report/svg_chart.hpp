#pragma once
/// Line charts as inline SVG for the HTML report: linear or logarithmic axes with "nice" ticks,
/// a legend, optional filled areas and point markers. No script, no external resource.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace acsbatch::report::detail {

/// Text for HTML and SVG: & < > " ' escaped, so nothing in a report can become markup.
std::string html_escape(std::string_view text);

struct chart_series {
  std::string name;
  std::string color;  ///< a CSS color written by the program, never from a report
  std::vector<std::pair<double, double>> points;  ///< (x, y), ascending x
  bool area = false;       ///< fill down to the x axis
  bool dashed = false;
};

struct chart_axis {
  std::string label;  ///< with its unit: "latency (ms)"
  bool log = false;   ///< base-10 ticks at 1, 2, 5 × 10^k; values must be > 0
  double min = 0;     ///< for linear axes, the lowest value shown (0 by default)
};

struct line_chart {
  std::string id;     ///< the svg element's id (caller makes it safe: [a-z0-9-])
  std::string title;  ///< accessible title (escaped here)
  chart_axis x, y;
  std::vector<chart_series> series;
  int width = 1080;
  int height = 280;
};

/// The chart as an `<svg>` element; "no data" in its middle when every series is empty.
std::string render_line_chart(const line_chart& chart);

/// "12", "1.5", "0.25", "12k", "1.2M": short labels for ticks.
std::string tick_label(double value);

}  // namespace acsbatch::report::detail
