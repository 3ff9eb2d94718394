#pragma once
// Counters an operator reads from GET /metrics (SPEC.md §8). Lock-free on the hot paths:
// net/ and the actors bump atomics; the renderer reads them.

#include "actors/ports.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace coord::metrics {

/// A monotonically increasing count.
class counter {
public:
  void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

/// A value that goes up and down.
class gauge {
public:
  void add(std::int64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) noexcept { v_.fetch_sub(n, std::memory_order_relaxed); }
  void set(std::int64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> v_{0};
};

/// A latency histogram in seconds with fixed buckets from 50 µs to 10 s.
class histogram {
public:
  static constexpr std::array<double, 16> bounds{0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                 0.0025,  0.005,  0.01,    0.025,  0.05,
                                                 0.1,     0.25,   0.5,     1.0,    2.5,
                                                 10.0};
  void observe(double seconds) noexcept;
  /// Per-bucket counts (not cumulative); the last slot is +Inf.
  std::array<std::uint64_t, bounds.size() + 1> buckets() const noexcept;
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept;

private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

/// Index of a dialect in the per-dialect arrays: 0 companion, 1 gateway, 2 voice.
constexpr std::size_t dialects = ports::dialect_count;
extern const std::array<const char*, dialects> dialect_names;

/// Outcomes of EXECUTE_COMMAND routing.
/// rerouted: taken back from a worker that did not resume in time and routed again (§4.9).
enum class command_outcome : std::size_t {
  routed, buffered, dropped_overflow, dropped_expired, rerouted
};
constexpr std::size_t command_outcomes = 5;
/// The label values of command_outcome, in its order.
extern const std::array<const char*, command_outcomes> command_outcome_names;

/// Cache entity types of SPEC.md §4.7, in this order.
constexpr std::size_t cache_types = 6;
extern const std::array<const char*, cache_types> cache_type_names;

/// Reasons a valid cache record is not cached (proto::gateway::ignore_reason), in this order.
constexpr std::size_t cache_ignore_reasons = 1;
extern const std::array<const char*, cache_ignore_reasons> cache_ignore_reason_names;

/// Every metric of the process. One instance, owned by app/, passed by reference.
class registry {
public:
  std::array<gauge, dialects> sessions;
  std::array<counter, dialects> messages_in;
  std::array<counter, dialects> messages_out;
  std::array<counter, dialects> heartbeat_timeouts;
  std::array<counter, dialects> rate_limited;
  std::array<counter, command_outcomes> commands;
  counter resumes_resumed;  ///< gateway RESUMEs served (§4.9)
  counter resumes_invalid;  ///< gateway RESUMEs answered INVALID_SESSION
  counter replayed_events;  ///< op 2 frames sent again by resumes
  std::array<gauge, cache_types> cache_entities;
  std::array<counter, cache_ignore_reasons> cache_ignored;
  histogram broadcast_seconds;
  gauge voice_clients;
  counter store_commits;
  counter store_commit_failures;
  counter broadcasts;
  counter http_requests;
  // Cluster mode (SPEC §9); rendered only when `clustered` is set.
  std::atomic<bool> clustered{false};
  gauge cluster_active;          ///< 1 while this node is the active one
  counter cluster_failovers;     ///< times this node became active
  std::array<counter, 3> etcd_requests; ///< ok, error, timeout

  /// Counts one session close with `code` on dialect `d`.
  void count_close(std::size_t d, std::uint16_t code);

  /// Replaces the per-shard music gauges (coordinator_music_playing{shard}).
  void set_music_playing(std::map<std::int64_t, std::int64_t> per_shard);

  /// Closes counted so far, by (dialect, code).
  std::map<std::pair<std::size_t, std::uint16_t>, std::uint64_t> closes() const;

  /// The whole registry in Prometheus text exposition format 0.0.4.
  std::string render() const;

private:
  mutable std::mutex mtx_; // guards the two maps below; neither is on a hot path
  std::map<std::pair<std::size_t, std::uint16_t>, std::uint64_t> closes_;
  std::map<std::int64_t, std::int64_t> music_playing_;
};

} // namespace coord::metrics
