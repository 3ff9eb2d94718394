#pragma once
// Discord ids ("snowflakes", SPEC.md §2): accepted as JSON numbers or decimal strings.

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

} // namespace coord::proto
