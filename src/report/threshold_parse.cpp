// The threshold grammar: `p99(issue_token) < 300ms`, its metric names and its error messages.
// Evaluating a parsed threshold against a run is threshold.cpp's.

#include "acsbatch/report/threshold.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "acsbatch/core/message_text.hpp"

namespace acsbatch::report {
namespace {

/// Far beyond any real limit, and far from overflowing anything it is compared with.
constexpr double max_value = 1e12;
constexpr std::size_t max_integer_digits = 13;
constexpr std::size_t max_fraction_digits = 9;

struct metric_name {
  std::string_view name;
  threshold_metric metric;
};
constexpr metric_name metric_names[] = {
    {"p50", threshold_metric::p50},   {"p90", threshold_metric::p90},
    {"p95", threshold_metric::p95},   {"p99", threshold_metric::p99},
    {"p999", threshold_metric::p999}, {"max", threshold_metric::max},
    {"mean", threshold_metric::mean}, {"avg", threshold_metric::mean},
    {"error_rate", threshold_metric::error_rate}, {"rate", threshold_metric::rate},
    {"count", threshold_metric::count}, {"failed", threshold_metric::failed},
    {"throttled", threshold_metric::throttled}};

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// For messages: at most 32 characters, anything but printable ASCII as '?'.
std::string quoted(std::string_view text) { return quote_excerpt(text, 32); }

class threshold_parser {
 public:
  threshold_parser(std::string_view text, std::span<const std::string_view> operations, const suggestion& suggest)
      : text_(text), operations_(operations), suggest_(suggest) {}

  threshold parse() {
    threshold out;
    skip_spaces();
    if (at_end()) fail("a threshold must not be empty; e.g. p99(issue_token) < 300ms");
    read_metric(out);
    skip_spaces();
    if (peek() == '(') read_operation(out);
    skip_spaces();
    read_comparison(out);
    skip_spaces();
    read_value(out);
    skip_spaces();
    if (!at_end()) fail("unexpected " + quoted(text_.substr(pos_)) + " after the threshold");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw threshold_error(pos_, message); }
  [[noreturn]] void fail_at(std::size_t at, const std::string& message) const { throw threshold_error(at, message); }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_spaces() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  std::string_view word() {
    const std::size_t start = pos_;
    while (!at_end() && is_word_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  std::string hint(std::string_view word, std::span<const std::string_view> candidates) const {
    return suggest_ ? suggest_(word, candidates) : std::string();
  }

  void read_metric(threshold& out) {
    const std::size_t start = pos_;
    const auto name = word();
    if (name.empty())
      fail("expected a metric such as p99(issue_token), error_rate or rate(create_user), not " +
           quoted(text_.substr(pos_)));
    const auto it = std::find_if(std::begin(metric_names), std::end(metric_names),
                                 [&](const metric_name& m) { return m.name == name; });
    if (it == std::end(metric_names))
      fail_at(start, "unknown metric " + quoted(name) + hint(name, threshold_metric_names) + " (metrics: " +
                         join_words(threshold_metric_names) + ")");
    out.metric = it->metric;
  }

  void read_operation(threshold& out) {
    ++pos_;  // '('
    skip_spaces();
    const std::size_t start = pos_;
    const auto name = word();
    if (name.empty()) fail("expected an operation name after '(', e.g. p99(issue_token)");
    if (std::find(operations_.begin(), operations_.end(), name) == operations_.end()) {
      if (operations_.empty()) fail_at(start, "unknown operation " + quoted(name) + ": the job has no operations");
      fail_at(start, "unknown operation " + quoted(name) + hint(name, operations_) + " (operations: " +
                         join_words(operations_) + ")");
    }
    out.operation = std::string(name);
    skip_spaces();
    if (peek() != ')') fail("expected ')' after the operation " + quoted(name));
    ++pos_;
  }

  void read_comparison(threshold& out) {
    const char c = peek();
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (c == '<' || c == '>') {
      const bool inclusive = next == '=';
      if (c == '<') out.comparison = inclusive ? threshold_comparison::less_equal : threshold_comparison::less;
      else out.comparison = inclusive ? threshold_comparison::greater_equal : threshold_comparison::greater;
      pos_ += inclusive ? 2 : 1;
    } else if (c == '=' && next == '=') {
      out.comparison = threshold_comparison::equal;
      pos_ += 2;
    } else if (c == '=') {
      fail("use == to compare for equality");
    } else if (at_end()) {
      fail("expected a comparison (<, <=, >, >= or ==) and a value, e.g. p99(issue_token) < 300ms");
    } else {
      fail("expected a comparison (<, <=, >, >= or ==), not " + quoted(text_.substr(pos_)));
    }
  }

  double read_number() {
    const std::size_t start = pos_;
    std::size_t integer_digits = 0, fraction_digits = 0;
    while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_, ++integer_digits;
    if (integer_digits > 0 && peek() == '.') {
      ++pos_;
      while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_, ++fraction_digits;
      if (fraction_digits == 0) fail_at(start, "expected digits after the decimal point");
    }
    if (integer_digits == 0) {
      if (peek() == '-') fail("a threshold's value cannot be negative");
      fail(at_end() ? "expected a value after the comparison, e.g. 300ms"
                    : "expected a number such as 300 or 0.5, not " + quoted(text_.substr(pos_)));
    }
    if (integer_digits > max_integer_digits || fraction_digits > max_fraction_digits)
      fail_at(start, "the number " + quoted(text_.substr(start, pos_ - start)) + " has too many digits");
    double value = 0;
    std::from_chars(text_.data() + start, text_.data() + pos_, value);
    if (value > max_value) fail_at(start, "a threshold's value must be at most 1000000000000");
    return value;
  }

  threshold_unit read_unit() {
    const std::size_t start = pos_;
    if (text_.substr(pos_, 2) == "ms") pos_ += 2;
    else if (text_.substr(pos_, 2) == "us") pos_ += 2;
    else if (text_.substr(pos_, 2) == "/s") pos_ += 2;
    else if (peek() == 's') pos_ += 1;
    else if (peek() == '%') pos_ += 1;
    else if (at_end() || peek() == ' ' || peek() == '\t') return threshold_unit::none;
    else {
      while (!at_end() && text_[pos_] != ' ' && text_[pos_] != '\t') ++pos_;
      fail_at(start, "unknown unit " + quoted(text_.substr(start, pos_ - start)) + " (units: us, ms, s, %, /s)");
    }
    if (!at_end() && is_word_char(text_[pos_])) {
      while (!at_end() && text_[pos_] != ' ' && text_[pos_] != '\t') ++pos_;
      fail_at(start, "unknown unit " + quoted(text_.substr(start, pos_ - start)) + " (units: us, ms, s, %, /s)");
    }
    const std::string_view unit = text_.substr(start, pos_ - start);
    if (unit == "ms") return threshold_unit::ms;
    if (unit == "us") return threshold_unit::us;
    if (unit == "s") return threshold_unit::s;
    if (unit == "%") return threshold_unit::percent;
    return threshold_unit::per_second;
  }

  void read_value(threshold& out) {
    const std::size_t start = pos_;
    out.written_value = read_number();
    skip_spaces();
    const std::size_t unit_at = pos_;
    out.written_unit = read_unit();
    if (out.written_unit == threshold_unit::none) pos_ = unit_at;  // spaces belong to what follows
    const std::string metric(to_string(out.metric));
    const auto wrong_unit = [&](const std::string& takes) {
      fail_at(unit_at, metric + " takes " + takes + ", not " + quoted(text_.substr(unit_at, pos_ - unit_at)));
    };

    const double v = out.written_value;
    if (base_unit(out.metric) == "ms") {  // a latency
      switch (out.written_unit) {
        case threshold_unit::us: out.limit = v / 1000.0; break;
        case threshold_unit::ms: out.limit = v; break;
        case threshold_unit::s: out.limit = v * 1000.0; break;
        case threshold_unit::none:
          fail_at(unit_at, "a latency needs a unit: us, ms or s (e.g. 300ms)");
        default: wrong_unit("a latency in us, ms or s");
      }
    } else if (out.metric == threshold_metric::error_rate) {
      if (out.written_unit == threshold_unit::percent) {
        if (v > 100) fail_at(start, "error_rate cannot exceed 100%");
        out.limit = v / 100.0;
      } else if (out.written_unit == threshold_unit::none) {
        if (v > 1)
          fail_at(start, "error_rate is a fraction from 0 to 1 or a percentage (0.1%), not " +
                             quoted(text_.substr(start, unit_at - start)));
        out.limit = v;
      } else {
        wrong_unit("a fraction (0.001) or a percentage (0.1%)");
      }
    } else if (out.metric == threshold_metric::rate) {
      if (out.written_unit != threshold_unit::none && out.written_unit != threshold_unit::per_second)
        wrong_unit("operations per second (900/s or 900)");
      out.limit = v;
    } else {
      if (out.written_unit != threshold_unit::none) wrong_unit("a number of operations");
      if (v != std::floor(v))
        fail_at(start, metric + " is a whole number, not " + quoted(text_.substr(start, unit_at - start)));
      out.limit = v;
    }
  }

  std::string_view text_;
  std::span<const std::string_view> operations_;
  const suggestion& suggest_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view to_string(threshold_metric metric) {
  for (const auto& m : metric_names)
    if (m.metric == metric) return m.name;
  return "?";
}

threshold parse_threshold(std::string_view text, std::span<const std::string_view> operations,
                          const suggestion& suggest) {
  return threshold_parser(text, operations, suggest).parse();
}

}  // namespace acsbatch::report
