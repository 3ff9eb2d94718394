#pragma once
// The shard planner (SPEC.md §4.5): which sharder owns which shard, the release delay after a
// sharder's session ends, and identify scheduling per bucket. Ownership lives in the pure
// shard_table, identify buckets in the pure identify_scheduler; this actor adds the timers,
// the actor clock and the messages to the gateway session actors.

#include "actors/shards/identify_scheduler.hpp"
#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/cluster_view.hpp"
#include "actors/messages.hpp"
#include "actors/shards/shard_table.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cstdint>
#include <map>
#include <set>

namespace coord::actors {

struct shard_planner_state {
  static inline const char* name = "shard_planner";

  shard_table table;
  identify_scheduler identify;
  caf::timespan release_delay{};
  std::map<std::uint64_t, gateway_session_actor> targets; ///< by session: where its messages go
  std::map<shard_table::hold_id, caf::actor_clock::time_point> holds; ///< release times
  std::set<caf::actor_clock::time_point> ticks; ///< identify ticks on the way
  /// Cluster mode: where shard owner changes go (the cluster actor, while active), what
  /// was last sent (owner per shard, 0: free), and no grant before `paused_until`.
  cluster_node_actor recorder;
  std::shared_ptr<cluster_view> view; ///< cluster mode: no grant while this node may not serve
  std::vector<std::uint64_t> recorded;
  caf::actor_clock::time_point paused_until{};
  std::uint64_t grants = 0;
  std::uint64_t ignored_requests = 0;

  shard_plan snapshot(caf::actor_clock::time_point now) const;
};

/// Spawn with `sys.spawn(shard_planner, shard_count, sharders, release_delay,
/// max_concurrency)` (gateway.shard_count, gateway.sharders, gateway.shard_release_s,
/// gateway.max_concurrency; sharders and max_concurrency 0 count as 1).
shard_planner_actor::behavior_type
shard_planner(shard_planner_actor::stateful_pointer<shard_planner_state> self,
              std::uint32_t shard_count, std::uint32_t sharders, caf::timespan release_delay,
              std::uint32_t max_concurrency);

} // namespace coord::actors
