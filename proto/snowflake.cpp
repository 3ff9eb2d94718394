#include "proto/snowflake.hpp"

#include <charconv>

namespace coord::proto {

std::optional<std::uint64_t> parse_snowflake(const boost::json::value& v) noexcept {
  // Boost.JSON stores integers above INT64_MAX as uint64 and anything past UINT64_MAX (or
  // with a fraction or exponent) as double; only the two integer kinds are exact.
  if (const auto* u = v.if_uint64())
    return *u;
  if (const auto* i = v.if_int64()) {
    if (*i < 0)
      return std::nullopt;
    return static_cast<std::uint64_t>(*i);
  }
  if (const auto* s = v.if_string())
    return parse_snowflake(std::string_view{s->data(), s->size()});
  return std::nullopt;
}

std::optional<std::uint64_t> parse_snowflake(std::string_view text) noexcept {
  constexpr std::size_t max_digits = 20; // digits of 2^64-1
  if (text.empty() || text.size() > max_digits)
    return std::nullopt;
  // from_chars for an unsigned type takes no sign and no space, and reports overflow.
  std::uint64_t out = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [ptr, ec] = std::from_chars(first, last, out, 10);
  if (ec != std::errc{} || ptr != last)
    return std::nullopt;
  return out;
}

} // namespace coord::proto
