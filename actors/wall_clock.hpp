#pragma once
// Wall-clock time for values that go on the wire as unix milliseconds (op 5's `updatedAt`,
// a service's `startTime`, the dashboard's `at`). Durations and deadlines inside actors use
// the actor clock (`self->clock().now()`) instead; see docs/decisions.md "One source of time".

#include <chrono>
#include <cstdint>
#include <functional>

namespace coord::actors {

/// Returns unix time in milliseconds. Actors that stamp wire values take one in their deps;
/// an empty function means the system's real-time clock. Tests pass one derived from the
/// deterministic coordinator's clock, so `advance_time` moves it too.
using wall_clock = std::function<std::int64_t()>;

/// The system's real-time clock in unix milliseconds.
inline std::int64_t system_unix_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// What `c` says, or the system clock when `c` is empty.
inline std::int64_t unix_ms(const wall_clock& c) {
  return c ? c() : system_unix_ms();
}

} // namespace coord::actors
