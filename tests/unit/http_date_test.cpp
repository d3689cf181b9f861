#include <gtest/gtest.h>

#include "acsbatch/core/http_date.hpp"

namespace acsbatch {
namespace {

using namespace std::chrono;

TEST(HttpDate, FormatsImfFixdate) {
  const auto t = system_clock::time_point{sys_days{2026y / November / 25}} + 11h + 58min + 14s + 999ms;
  EXPECT_EQ(format_http_date(t), "Wed, 25 Nov 2026 11:58:14 GMT");
  EXPECT_EQ(format_http_date(system_clock::time_point{sys_days{2027y / January / 3}}),
            "Sun, 03 Jan 2027 00:00:00 GMT");
}

TEST(HttpDate, FormatsEveryFieldWidth) {
  // A one-digit day, hour, minute and second, written in place.
  EXPECT_EQ(format_http_date(system_clock::time_point{sys_days{1970y / January / 1}} + 1h + 2min + 3s),
            "Thu, 01 Jan 1970 01:02:03 GMT");
  EXPECT_EQ(format_http_date(system_clock::time_point{sys_days{2099y / December / 31}} + 23h + 59min + 59s),
            "Thu, 31 Dec 2099 23:59:59 GMT");
  EXPECT_EQ(format_http_date(system_clock::time_point{sys_days{1901y / March / 1}}), "Fri, 01 Mar 1901 00:00:00 GMT");
}

TEST(HttpDate, ParsesWhatItFormats) {
  const auto t = floor<seconds>(system_clock::now());
  EXPECT_EQ(parse_http_date(format_http_date(t)), t);
}

TEST(HttpDate, RejectsOtherForms) {
  EXPECT_FALSE(parse_http_date("Thu, 25 Nov 2026 11:58:14 GMT"));  // wrong weekday
  EXPECT_FALSE(parse_http_date("Wednesday, 25-Nov-26 11:58:14 GMT"));
  EXPECT_FALSE(parse_http_date("Wed Nov 25 11:58:14 2026"));
  EXPECT_FALSE(parse_http_date("Wed, 31 Nov 2026 11:58:14 GMT"));
  EXPECT_FALSE(parse_http_date("Wed, 25 Nov 2026 24:58:14 GMT"));
  EXPECT_FALSE(parse_http_date(""));
}

TEST(Rfc3339, FormatsLikeTheService) {
  const auto t = system_clock::time_point{sys_days{2023y / October / 10}} + 21h + 39min + 39s +
                 duration_cast<system_clock::duration>(nanoseconds{324'458'400});
  EXPECT_EQ(format_rfc3339(t), "2023-10-10T21:39:39.3244584+00:00");
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  const auto base = system_clock::time_point{sys_days{2023y / October / 10}} + 21h + 39min + 39s;
  EXPECT_EQ(parse_rfc3339("2023-10-10T21:39:39Z"), base);
  EXPECT_EQ(parse_rfc3339("2023-10-10T21:39:39.5+00:00"), base + 500ms);
  EXPECT_EQ(parse_rfc3339("2023-10-10T23:39:39+02:00"), base);
  EXPECT_EQ(parse_rfc3339("2023-10-10T21:39:39.3244584+00:00"),
            base + duration_cast<system_clock::duration>(nanoseconds{324'458'400}));
  EXPECT_FALSE(parse_rfc3339("2023-10-10 21:39:39Z"));
  EXPECT_FALSE(parse_rfc3339("2023-10-10T21:39:39"));
  EXPECT_FALSE(parse_rfc3339("2023-13-10T21:39:39Z"));
  EXPECT_FALSE(parse_rfc3339("2023-10-10T21:39:39.Z"));
}

// Found by tests/fuzz/response_reader_fuzz: a year outside system_clock's range (1677–2262)
// overflowed converting to a time_point (UBSan: signed integer overflow) instead of being refused.
TEST(Rfc3339, RefusesYearsSystemClockCannotHold) {
  EXPECT_FALSE(parse_rfc3339("9372-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2262-12-31T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("1677-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("-999-01-01T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2261-12-31T23:59:59.9999999-23:59"));
  EXPECT_TRUE(parse_rfc3339("1678-01-01T00:00:00+23:59"));
  EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
  EXPECT_TRUE(parse_http_date("Tue, 31 Dec 2261 23:59:59 GMT"));
}

}  // namespace
}  // namespace acsbatch

#include "acsbatch/core/percent_encoding.hpp"

namespace acsbatch {
namespace {

TEST(PercentDecode, DecodesEscapesAndRefusesBrokenOnes) {
  EXPECT_EQ(percent_decode("8%3Aacs%3Aabc_def"), "8:acs:abc_def");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b%2F", true), "a b/");
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("abc%"));
}

}  // namespace
}  // namespace acsbatch
