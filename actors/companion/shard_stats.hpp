#pragma once
// The shard-stats aggregator: the latest companion op 5 per shard, until it goes stale or
// the session that reported it closes (SPEC.md §3 "Music stats").

#include "actors/messages.hpp"
#include "actors/wall_clock.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <map>

namespace coord::actors {

struct shard_stats_state {
  static inline const char* name = "shard_stats";

  /// The latest report of one shard.
  struct entry {
    std::int64_t playing = 0;
    std::int64_t updated_at_ms = 0;
    std::uint64_t session = 0;
    caf::actor_clock::time_point stale_at; ///< actor clock: the report stops counting then
  };

  std::map<std::int64_t, entry> shards;
  caf::timespan stale_after{};
  metrics::registry* metrics = nullptr;
  wall_clock wall; ///< stamps `updated_at_ms`; empty: the system clock
  /// One sweep timer at a time, for the earliest `stale_at` (not one timer per report).
  bool sweep_scheduled = false;

  music_snapshot snapshot() const;
  void publish() const; ///< pushes the per-shard gauges to the metrics registry

  /// Drops the reports stale at `now`; true when one was dropped.
  bool sweep(caf::actor_clock::time_point now);

  /// The earliest `stale_at`; only when `shards` is not empty.
  caf::actor_clock::time_point earliest() const;
};

/// Spawn with `sys.spawn(shard_stats, stale_after, &metrics, wall)`; an empty `wall` means
/// the system clock.
shard_stats_actor::behavior_type
shard_stats(shard_stats_actor::stateful_pointer<shard_stats_state> self,
            caf::timespan stale_after, metrics::registry* metrics, wall_clock wall);

} // namespace coord::actors
