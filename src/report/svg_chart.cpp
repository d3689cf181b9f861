#include "svg_chart.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace acsbatch::report::detail {
namespace {

constexpr double margin_left = 64, margin_right = 20, margin_top = 34, margin_bottom = 46;
/// Up to this many points a series also gets a dot per point (a one-second run is one point).
constexpr std::size_t max_marked_points = 40;

std::string fixed(double value, int decimals) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (ec != std::errc{}) return "0";
  std::string out(buffer, end);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string coordinate(double value) { return fixed(value, 1); }

/// 1, 2 or 5 × 10^k just above range / target_ticks.
double nice_step(double range, int target_ticks) {
  const double raw = range / target_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double residual = raw / magnitude;
  const double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

/// Maps data values to pixels along one axis, and lists the ticks to draw.
class scale {
 public:
  scale(const chart_axis& axis, double data_min, double data_max, double pixel_from, double pixel_to)
      : log_(axis.log), from_(pixel_from), to_(pixel_to) {
    if (log_) {
      data_min = std::max(data_min, 1e-6);
      data_max = std::max(data_max, data_min * 1.0001);
      lo_ = std::pow(10.0, std::floor(std::log10(data_min)));
      hi_ = std::pow(10.0, std::ceil(std::log10(data_max)));
      if (hi_ <= lo_) hi_ = lo_ * 10;
      for (double decade = lo_; decade <= hi_ * 1.0001; decade *= 10)
        for (const double m : {1.0, 2.0, 5.0})
          if (decade * m <= hi_ * 1.0001) ticks_.push_back(decade * m);
    } else {
      lo_ = std::min(axis.min, data_min);
      double hi = std::max(data_max, lo_);
      if (hi - lo_ < 1e-9) hi = lo_ + 1;
      const double step = nice_step(hi - lo_, 5);
      hi_ = lo_ + std::ceil((hi - lo_) / step - 1e-9) * step;
      for (double t = lo_; t <= hi_ + step * 1e-6; t += step) ticks_.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
    }
  }

  double operator()(double value) const {
    double f;
    if (log_) f = (std::log10(std::max(value, lo_)) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_));
    else f = (value - lo_) / (hi_ - lo_);
    return from_ + std::clamp(f, 0.0, 1.0) * (to_ - from_);
  }
  const std::vector<double>& ticks() const { return ticks_; }

 private:
  bool log_;
  double from_, to_;
  double lo_ = 0, hi_ = 1;
  std::vector<double> ticks_;
};

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters have no business in a page; NUL would end some parsers' strings.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string tick_label(double value) {
  const double a = std::abs(value);
  if (a >= 1e6) return fixed(value / 1e6, a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e4) return fixed(value / 1e3, a >= 1e5 ? 0 : 1) + "k";
  if (a >= 10 || a == 0) return fixed(value, 0);
  if (a >= 1) return fixed(value, 1);
  if (a >= 0.01) return fixed(value, 2);
  return fixed(value, 4);
}

std::string render_line_chart(const line_chart& chart) {
  const double w = chart.width, h = chart.height;
  const double left = margin_left, right = w - margin_right, top = margin_top, bottom = h - margin_bottom;

  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min;
  bool any = false;
  for (const auto& s : chart.series)
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      if (chart.x.log && x <= 0) continue;
      if (chart.y.log && y <= 0) continue;
      any = true;
      x_min = std::min(x_min, x), x_max = std::max(x_max, x);
      y_min = std::min(y_min, y), y_max = std::max(y_max, y);
    }
  if (!any) x_min = 0, x_max = 1, y_min = 0, y_max = 1;

  const scale xs(chart.x, x_min, x_max, left, right);
  const scale ys(chart.y, chart.y.log ? y_min : std::min(0.0, y_min), y_max, bottom, top);

  std::string out = "<svg id=\"" + chart.id + "\" class=\"chart\" role=\"img\" viewBox=\"0 0 " + fixed(w, 0) + " " +
                    fixed(h, 0) + "\" xmlns=\"http://www.w3.org/2000/svg\"><title>" + html_escape(chart.title) +
                    "</title>";
  // Grid and y ticks.
  out += "<g class=\"grid\">";
  for (const double t : ys.ticks()) {
    const std::string y = coordinate(ys(t));
    out += "<line x1=\"" + coordinate(left) + "\" x2=\"" + coordinate(right) + "\" y1=\"" + y + "\" y2=\"" + y + "\"/>";
  }
  out += "</g><g class=\"ticks\">";
  for (const double t : ys.ticks())
    out += "<text x=\"" + coordinate(left - 8) + "\" y=\"" + coordinate(ys(t) + 4) + "\" text-anchor=\"end\">" +
           tick_label(t) + "</text>";
  double last_label_x = -1e9;
  for (const double t : xs.ticks()) {
    const double x = xs(t);
    if (x - last_label_x < 36) continue;  // crowded log ticks: keep every label readable
    last_label_x = x;
    out += "<line class=\"tick\" x1=\"" + coordinate(x) + "\" x2=\"" + coordinate(x) + "\" y1=\"" + coordinate(bottom) +
           "\" y2=\"" + coordinate(bottom + 5) + "\"/><text x=\"" + coordinate(x) + "\" y=\"" + coordinate(bottom + 19) +
           "\" text-anchor=\"middle\">" + tick_label(t) + "</text>";
  }
  out += "</g><line class=\"axis\" x1=\"" + coordinate(left) + "\" x2=\"" + coordinate(right) + "\" y1=\"" +
         coordinate(bottom) + "\" y2=\"" + coordinate(bottom) + "\"/>";
  out += "<text class=\"axis-label\" x=\"" + coordinate((left + right) / 2) + "\" y=\"" + coordinate(h - 6) +
         "\" text-anchor=\"middle\">" + html_escape(chart.x.label) + "</text>";
  out += "<text class=\"axis-label\" transform=\"translate(14 " + coordinate((top + bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + html_escape(chart.y.label) + "</text>";

  // Series: areas first so every line stays on top.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& s : chart.series) {
      std::vector<std::pair<double, double>> pixels;
      for (const auto& [x, y] : s.points) {
        if (!std::isfinite(x) || !std::isfinite(y) || (chart.x.log && x <= 0) || (chart.y.log && y <= 0)) continue;
        pixels.emplace_back(xs(x), ys(y));
      }
      if (pixels.empty()) continue;
      std::string path;
      for (std::size_t i = 0; i < pixels.size(); ++i)
        path += (i == 0 ? "M" : " L") + coordinate(pixels[i].first) + " " + coordinate(pixels[i].second);
      if (pass == 0) {
        if (!s.area || pixels.size() < 2) continue;
        out += "<path class=\"area\" d=\"" + path + " L" + coordinate(pixels.back().first) + " " + coordinate(bottom) +
               " L" + coordinate(pixels.front().first) + " " + coordinate(bottom) + " Z\" fill=\"" + s.color + "\"/>";
        continue;
      }
      out += "<path class=\"line\" d=\"" + path + "\" stroke=\"" + s.color + "\"" +
             (s.dashed ? " stroke-dasharray=\"5 4\"" : "") + "/>";
      if (pixels.size() <= max_marked_points)
        for (const auto& [x, y] : pixels)
          out += "<circle cx=\"" + coordinate(x) + "\" cy=\"" + coordinate(y) + "\" r=\"2.5\" fill=\"" + s.color + "\"/>";
    }
  }
  if (!any)
    out += "<text class=\"empty\" x=\"" + coordinate((left + right) / 2) + "\" y=\"" + coordinate((top + bottom) / 2) +
           "\" text-anchor=\"middle\">no data</text>";

  // Legend, top left, one entry per series.
  double legend_x = left;
  out += "<g class=\"legend\">";
  for (const auto& s : chart.series) {
    out += "<line x1=\"" + coordinate(legend_x) + "\" x2=\"" + coordinate(legend_x + 18) + "\" y1=\"14\" y2=\"14\" stroke=\"" +
           s.color + "\"" + (s.dashed ? " stroke-dasharray=\"5 4\"" : "") + "/><text x=\"" +
           coordinate(legend_x + 24) + "\" y=\"18\">" + html_escape(s.name) + "</text>";
    legend_x += 24 + 7.5 * static_cast<double>(std::min<std::size_t>(s.name.size(), 40)) + 22;
  }
  out += "</g></svg>";
  return out;
}

}  // namespace acsbatch::report::detail
