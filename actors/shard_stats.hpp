#pragma once
// The shard-stats aggregator: the latest companion op 5 per shard, until it goes stale or
// the session that reported it closes (SPEC.md §3 "Music stats").

#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

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
    std::uint64_t seq = 0; ///< which report; an expiry for an older one is ignored
  };

  std::map<std::int64_t, entry> shards;
  std::uint64_t next_seq = 0;
  caf::timespan stale_after{};
  metrics::registry* metrics = nullptr;

  music_snapshot snapshot() const;
  void publish() const; ///< pushes the per-shard gauges to the metrics registry
};

/// Spawn with `sys.spawn(shard_stats, stale_after, &metrics)`.
caf::behavior shard_stats(caf::stateful_actor<shard_stats_state>* self,
                          caf::timespan stale_after, metrics::registry* metrics);

} // namespace coord::actors
