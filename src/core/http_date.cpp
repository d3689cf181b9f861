#include "acsbatch/core/http_date.hpp"

#include <array>
#include <charconv>
#include <cstdio>

namespace acsbatch {
namespace {

constexpr std::array<std::string_view, 7> weekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

/// system_clock counts nanoseconds in 64 bits: from 1677 to 2262. A date in another year has no
/// time_point (converting it overflows), so it is refused like any other unreadable date.
constexpr int min_year = 1678;
constexpr int max_year = 2261;

std::optional<std::chrono::sys_days> make_date(int y, int m, int d) {
  if (y < min_year || y > max_year) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

}  // namespace

std::string format_http_date(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto day = floor<days>(when);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(when - day)};
  const weekday wd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // never for a clock reading; kept exact anyway
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  weekdays[wd.c_encoding()].data(), static_cast<unsigned>(ymd.day()),
                  months[static_cast<unsigned>(ymd.month()) - 1].data(), year,
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buffer;
  }
  // Every signed request carries one: digits written in place, not through snprintf's parser.
  std::string out = "Ddd, 00 Mmm 0000 00:00:00 GMT";
  const auto two = [&out](std::size_t at, unsigned value) {
    out[at] = static_cast<char>('0' + value / 10);
    out[at + 1] = static_cast<char>('0' + value % 10);
  };
  weekdays[wd.c_encoding()].copy(out.data(), 3);  // same length: no replace() bookkeeping
  two(5, static_cast<unsigned>(ymd.day()));
  months[static_cast<unsigned>(ymd.month()) - 1].copy(out.data() + 8, 3);
  two(12, static_cast<unsigned>(year / 100));
  two(14, static_cast<unsigned>(year % 100));
  two(17, static_cast<unsigned>(hms.hours().count()));
  two(20, static_cast<unsigned>(hms.minutes().count()));
  two(23, static_cast<unsigned>(hms.seconds().count()));
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // "Wed, 25 Nov 2026 11:58:14 GMT" is exactly 29 characters.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT")
    return std::nullopt;
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int month = 0;
  for (std::size_t i = 0; i < months.size(); ++i)
    if (months[i] == text.substr(8, 3)) month = static_cast<int>(i) + 1;
  if (month == 0 || !parse_int(text.substr(5, 2), day) || !parse_int(text.substr(12, 4), year) ||
      !parse_int(text.substr(17, 2), hour) || !parse_int(text.substr(20, 2), minute) ||
      !parse_int(text.substr(23, 2), second) || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  auto date = make_date(year, month, day);
  if (!date) return std::nullopt;
  if (weekdays[std::chrono::weekday{*date}.c_encoding()] != text.substr(0, 3)) return std::nullopt;
  return std::chrono::system_clock::time_point{*date} + std::chrono::hours{hour} +
         std::chrono::minutes{minute} + std::chrono::seconds{second};
}

std::string format_rfc3339(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto ticks = floor<duration<std::int64_t, std::ratio<1, 10'000'000>>>(when);
  const auto day = floor<days>(ticks);
  const year_month_day ymd{day};
  const auto since_midnight = ticks - day;
  const hh_mm_ss hms{floor<seconds>(since_midnight)};
  const auto fraction = (since_midnight - floor<seconds>(since_midnight)).count();
  char buffer[80];  // room for any int the compiler cannot rule out (-Wformat-truncation)
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%07lld+00:00",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<long long>(fraction));
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':')
    return std::nullopt;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!parse_int(text.substr(0, 4), year) || !parse_int(text.substr(5, 2), month) ||
      !parse_int(text.substr(8, 2), day) || !parse_int(text.substr(11, 2), hour) ||
      !parse_int(text.substr(14, 2), minute) || !parse_int(text.substr(17, 2), second) ||
      hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  auto date = make_date(year, month, day);
  if (!date) return std::nullopt;
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += std::chrono::nanoseconds{(text[pos] - '0') * scale};
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::chrono::minutes offset{0};
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0, om = 0;
    if (!parse_int(zone.substr(1, 2), oh) || !parse_int(zone.substr(4, 2), om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = std::chrono::hours{oh} + std::chrono::minutes{om};
    if (zone[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      std::chrono::system_clock::time_point{*date} + std::chrono::hours{hour} +
      std::chrono::minutes{minute} + std::chrono::seconds{second} + fraction - offset);
}

}  // namespace acsbatch
