#include "proto/timestamp.hpp"

namespace coord::proto {

namespace {

constexpr std::int64_t ms_per_day = 86'400'000;

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, day 0 = 1970-01-01).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

void append_padded(std::string& out, unsigned n, int width) {
  char buf[4];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

} // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view s) noexcept {
  auto number = [&s](std::size_t pos, std::size_t width, unsigned& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
      if (s[i] < '0' || s[i] > '9')
        return false;
      out = out * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
  };
  // YYYY-MM-DDTHH:MM:SS is 19 bytes; a zone designator follows.
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !number(0, 4, y) || s[4] != '-' || !number(5, 2, mo) || s[7] != '-' ||
      !number(8, 2, d) || (s[10] != 'T' && s[10] != 't') || !number(11, 2, h) ||
      s[13] != ':' || !number(14, 2, mi) || s[16] != ':' || !number(17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
    return std::nullopt;
  std::size_t pos = 19;
  std::int64_t ms = 0;
  if (s[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - first < 3)
        ms = ms * 10 + (s[pos] - '0');
      ++pos;
    }
    const std::size_t digits = pos - first;
    if (digits == 0 || digits > 9)
      return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i)
      ms *= 10;
  }
  std::int64_t offset_min = 0;
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    // UTC
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    unsigned oh = 0, om = 0;
    if (!number(pos + 1, 2, oh) || !number(pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = static_cast<std::int64_t>(oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(y, mo, d);
  const std::int64_t secs = ((days * 24 + h) * 60 + mi) * 60 + sec - offset_min * 60;
  const std::int64_t unix_ms = secs * 1000 + ms;
  // An offset can push the edge years out of the range append_timestamp writes.
  if (unix_ms < min_timestamp_ms || unix_ms > max_timestamp_ms)
    return std::nullopt;
  return unix_ms;
}

void append_timestamp(std::string& out, std::int64_t unix_ms) {
  if (unix_ms < min_timestamp_ms)
    unix_ms = min_timestamp_ms;
  if (unix_ms > max_timestamp_ms)
    unix_ms = max_timestamp_ms;
  std::int64_t days = unix_ms / ms_per_day;
  std::int64_t rest = unix_ms % ms_per_day;
  if (rest < 0) {
    rest += ms_per_day;
    --days;
  }
  const auto date = civil_from_days(days);
  const auto ms_of_day = static_cast<unsigned>(rest);
  out.push_back('"');
  append_padded(out, static_cast<unsigned>(date.year), 4);
  out.push_back('-');
  append_padded(out, date.month, 2);
  out.push_back('-');
  append_padded(out, date.day, 2);
  out.push_back('T');
  append_padded(out, ms_of_day / 3'600'000, 2);
  out.push_back(':');
  append_padded(out, ms_of_day / 60'000 % 60, 2);
  out.push_back(':');
  append_padded(out, ms_of_day / 1000 % 60, 2);
  out.push_back('.');
  append_padded(out, ms_of_day % 1000, 3);
  out.append("Z\"");
}

} // namespace coord::proto
