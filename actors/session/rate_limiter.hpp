#pragma once
// Counts a session's messages per minute (SPEC.md §2 "Rate").

#include <chrono>
#include <cstdint>

namespace coord::actors {

/// A fixed one-minute window: the window starts at the first message after the previous
/// window ended; more than `limit` messages inside one window is a violation.
class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `limit` 0 turns the limiter off.
  explicit rate_limiter(std::uint32_t limit = 0) : limit_(limit) {}

  /// Counts one message at `now`; false when it is one too many.
  bool allow(clock::time_point now) noexcept {
    if (limit_ == 0)
      return true;
    if (count_ == 0 || now - window_start_ >= std::chrono::minutes(1)) {
      window_start_ = now;
      count_ = 0;
    }
    return ++count_ <= limit_;
  }

private:
  std::uint32_t limit_;
  std::uint32_t count_ = 0;
  clock::time_point window_start_{};
};

} // namespace coord::actors
