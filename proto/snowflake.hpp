#pragma once
// Discord ids ("snowflakes", SPEC.md §2): accepted as JSON numbers or decimal strings.

#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace coord::proto {

/// A Discord id from a JSON number (non-negative integer up to 2^64-1, exact) or a decimal
/// string; doubles (1.0, 1e3), negatives, bools, null and anything else: nullopt.
std::optional<std::uint64_t> parse_snowflake(const boost::json::value& v) noexcept;

/// A Discord id from its decimal text: 1 to 20 ASCII digits, no sign or space, at most
/// 18446744073709551615 (leading zeros are accepted); anything else: nullopt.
std::optional<std::uint64_t> parse_snowflake(std::string_view text) noexcept;

/// The decimal-text form for a C string (without it, a literal would be ambiguous).
inline std::optional<std::uint64_t> parse_snowflake(const char* text) noexcept {
  return parse_snowflake(std::string_view{text});
}

/// The decimal-text form for a Boost.JSON string (without it, the call would be ambiguous).
inline std::optional<std::uint64_t> parse_snowflake(const boost::json::string& text) noexcept {
  return parse_snowflake(std::string_view{text.data(), text.size()});
}

} // namespace coord::proto
