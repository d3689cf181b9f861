// The console: which progress display a run gets, the redrawn line and its final newline, log
// records in text and as one valid JSON object per line, and --quiet.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <sstream>

#include "acsbatch/report/console.hpp"

namespace acsbatch::report {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::chrono::system_clock::time_point noon =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 12h;
const progress_meter::clock::time_point t0{std::chrono::hours{1000}};

/// A meter that has seen 40 of 100 items done in 4 s.
progress_meter meter_at_40() {
  progress_meter meter{100, t0};
  meter.update({40, 1, 90, 3, 2}, t0 + 4s);
  return meter;
}

struct captured {
  std::ostringstream out, err;
  console make(console_options options) {
    return console{out, err, options, [] { return noon; }};
  }
};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(ProgressMode, QuietWinsJsonLogsProgressForcesRedrawingATerminalRedraws) {
  EXPECT_EQ(choose_progress_mode(true, true, true, log_format::text), progress_mode::off);
  EXPECT_EQ(choose_progress_mode(false, false, true, log_format::text), progress_mode::redraw);
  EXPECT_EQ(choose_progress_mode(false, false, false, log_format::text), progress_mode::log_lines);
  EXPECT_EQ(choose_progress_mode(false, true, false, log_format::text), progress_mode::redraw);
  EXPECT_EQ(choose_progress_mode(false, true, true, log_format::json), progress_mode::log_lines);
  EXPECT_EQ(choose_progress_mode(false, false, true, log_format::json), progress_mode::log_lines);
}

TEST(Console, RedrawsInPlaceAndEndsWithANewline) {
  captured c;
  auto console = c.make({log_format::text, false, progress_mode::redraw});
  EXPECT_EQ(console.progress_period(), 250ms);
  const auto meter = meter_at_40();
  EXPECT_TRUE(console.show_progress(meter));
  EXPECT_TRUE(console.show_progress(meter));
  const std::string line = "\r" + meter.text() + "\x1b[K";
  EXPECT_EQ(c.err.str(), line + line);
  console.end_progress(meter);
  EXPECT_EQ(c.err.str(), line + line + line + "\n");
  EXPECT_FALSE(console.show_progress(meter));  // the timer loop stops here
  console.end_progress(meter);                 // idempotent
  EXPECT_EQ(c.err.str(), line + line + line + "\n");
  EXPECT_EQ(c.out.str(), "");
}

TEST(Console, AnythingPrintedErasesTheProgressLineFirst) {
  captured c;
  auto console = c.make({log_format::text, false, progress_mode::redraw});
  const auto meter = meter_at_40();
  console.show_progress(meter);
  console.print("item 0 8:acs:x\n");
  console.log(log_level::warning, "stopping", "stopping — in-flight items finish");
  console.log(log_level::warning, "stopping", "again");  // no progress line: nothing to erase
  EXPECT_EQ(c.err.str(), "\r" + meter.text() + "\x1b[K" + "\r\x1b[K" +
                             "acsbatch: stopping — in-flight items finish\nacsbatch: again\n");
  EXPECT_EQ(c.out.str(), "item 0 8:acs:x\n");
}

TEST(Console, TextLogLinesOffATerminal) {
  captured c;
  auto console = c.make({log_format::text, false, progress_mode::log_lines});
  EXPECT_EQ(console.progress_period(), 5s);
  const auto meter = meter_at_40();
  console.show_progress(meter);
  console.end_progress(meter);  // no redraw to finish: nothing more
  EXPECT_EQ(c.err.str(), "acsbatch: progress " + meter.text() + "\n");
  EXPECT_THAT(c.err.str(), HasSubstr("40/100 (40%) · 22.5 ops/s · errors 1 · throttled 2 · retries 3 · ETA 6s"));
}

TEST(Console, JsonFormatWritesOneValidObjectPerStderrLineAndNothingOnStdout) {
  captured c;
  auto console = c.make({log_format::json, false, progress_mode::log_lines});
  const auto meter = meter_at_40();
  console.announce("job quickstart: 1 user(s)\n", "start", log_fields{}.add_string("job", "quickstart"));
  console.print("item 0\n");
  console.show_progress(meter);
  console.log(log_level::warning, "stopping", "a \"quoted\"\nmessage");
  console.end_progress(meter);
  console.announce("table\n", "summary", log_fields{}.add_string("report", "r.json"));
  EXPECT_EQ(c.out.str(), "");

  const auto records = lines(c.err.str());
  ASSERT_EQ(records.size(), 4u);
  for (const auto& line : records) EXPECT_NO_THROW(json::parse(line)) << line;
  EXPECT_EQ(json::parse(records[0]),
            json::parse(R"({"ts":"2026-11-25T12:00:00.0000000+00:00","level":"info","event":"start","job":"quickstart"})"));
  EXPECT_EQ(json::parse(records[1]), json::parse(R"({"ts":"2026-11-25T12:00:00.0000000+00:00","level":"info",
      "event":"progress","done":40,"total":100,"ops_per_s":22.5,"errors":1,"throttled":2,"retries":3,"eta_s":6})"));
  EXPECT_EQ(json::parse(records[2]).at("level"), "warning");
  EXPECT_EQ(json::parse(records[2]).at("message"), "a \"quoted\"\nmessage");
  EXPECT_EQ(json::parse(records[3]).at("event"), "summary");
  EXPECT_EQ(json::parse(records[3]).at("report"), "r.json");
}

TEST(Console, QuietKeepsOnlyWarningsAndErrors) {
  for (const auto format : {log_format::text, log_format::json}) {
    captured c;
    auto console = c.make({format, true, progress_mode::off});
    const auto meter = meter_at_40();
    EXPECT_FALSE(console.show_progress(meter));
    console.end_progress(meter);
    console.print("item\n");
    console.announce("table\n", "summary", {});
    console.log(log_level::info, "note", "info");
    console.log(log_level::error, "report", "cannot write the report");
    EXPECT_EQ(c.out.str(), "");
    EXPECT_THAT(c.err.str(), HasSubstr("cannot write the report"));
    EXPECT_EQ(lines(c.err.str()).size(), 1u);
  }
}

TEST(Console, TextAnnouncementsGoToStdout) {
  captured c;
  auto console = c.make({log_format::text, false, progress_mode::off});
  console.announce("job quickstart: 1 user(s)\n", "start", log_fields{}.add_string("job", "quickstart"));
  EXPECT_EQ(c.out.str(), "job quickstart: 1 user(s)\n");
  EXPECT_EQ(c.err.str(), "");
}

TEST(LogLine, EscapesAndOrdersMembers) {
  log_fields fields;
  fields.add_string("s", "bad\xff").add_unsigned("u", 7).add_number("d", 1.5).add_bool("b", true).add_null("n")
      .add_raw("o", R"({"x":1})");
  const std::string line = json_log_line(noon, log_level::error, "e", "m", fields);
  EXPECT_EQ(line, "{\"ts\":\"2026-11-25T12:00:00.0000000+00:00\",\"level\":\"error\",\"event\":\"e\",\"message\":\"m\","
                  "\"s\":\"bad\xef\xbf\xbd\",\"u\":7,\"d\":1.500,\"b\":true,\"n\":null,\"o\":{\"x\":1}}");
  EXPECT_NO_THROW(json::parse(line));
  EXPECT_EQ(json_log_line(noon, log_level::info, "e"),
            R"({"ts":"2026-11-25T12:00:00.0000000+00:00","level":"info","event":"e"})");
}

}  // namespace
}  // namespace acsbatch::report
