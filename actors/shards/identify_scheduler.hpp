#pragma once
// Identify scheduling without actors (SPEC.md §4.5): IDENTIFY_REQUESTs wait in one FIFO per
// bucket (`shard % max_concurrency`); a bucket grants at most once per interval (5 s), across
// all sharders. Time is passed in, so the shard planner drives it with its actor clock.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace coord::actors {

class identify_scheduler {
public:
  using clock = std::chrono::steady_clock;
  using shard_id = std::uint32_t;
  using session_id = std::uint64_t;

  /// A waiting request, or a grant.
  struct entry {
    session_id session = 0;
    shard_id shard = 0;
  };

  struct bucket {
    std::deque<entry> queue;                 ///< request order
    std::optional<clock::time_point> last;   ///< the bucket's latest grant
  };

  /// `max_concurrency` 0 counts as 1.
  explicit identify_scheduler(std::uint32_t max_concurrency = 1,
                              clock::duration interval = std::chrono::seconds(5));

  std::uint32_t max_concurrency() const noexcept {
    return static_cast<std::uint32_t>(buckets_.size());
  }
  clock::duration interval() const noexcept { return interval_; }
  std::uint32_t bucket_of(shard_id shard) const noexcept { return shard % max_concurrency(); }

  /// Queues a request; false (and nothing queued) when the same session already waits for
  /// the same shard.
  bool enqueue(session_id session, shard_id shard);

  /// Drops the session's waiting requests; returns how many.
  std::size_t drop(session_id session);

  /// Grants the head of every bucket that may grant at `now`, in bucket order.
  std::vector<entry> poll(clock::time_point now);

  /// When the next waiting request may be granted; nullopt when none waits.
  std::optional<clock::time_point> next_due() const;

  /// When `b` may grant again; nullopt: it never granted (at once).
  std::optional<clock::time_point> free_at(const bucket& b) const;

  const std::vector<bucket>& buckets() const noexcept { return buckets_; }

private:
  std::vector<bucket> buckets_;
  clock::duration interval_;
};

} // namespace coord::actors
