#pragma once
// ISO 8601 timestamps (the gateway cache's joinedAt) to unix milliseconds and back; pure text
// arithmetic, no clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coord::proto {

/// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z, the range both functions handle.
constexpr std::int64_t min_timestamp_ms = -62'167'219'200'000;
constexpr std::int64_t max_timestamp_ms = 253'402'300'799'999;

/// Unix milliseconds from an ISO 8601 / RFC 3339 timestamp
/// (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), years 0000-9999; digits past
/// milliseconds are dropped); nullopt if malformed.
std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept;

/// Appends a timestamp, quoted, as "YYYY-MM-DDTHH:MM:SS.mmmZ" (JavaScript's toISOString form);
/// values outside the range above are clamped to it.
void append_timestamp(std::string& out, std::int64_t unix_ms);

} // namespace coord::proto
