#pragma once
// The data behind /dashboard (SPEC.md §10). Every open page polls GET /api/v1/dashboard about
// once a second; this actor builds at most one snapshot per `max_age` and answers every poll
// of that window with the same encoded body, so N dashboards cost one gathering and one encode
// per window, not N. It only reads what the metrics registry, the shard stats, the service
// directory's list and the shard planner already keep: nothing is added on a hot path.

#include "actors/messages.hpp"
#include "actors/wall_clock.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace coord::actors {

/// What the dashboard needs of the rest of the node.
struct dashboard_deps {
  service_directory_actor directory; ///< the gateway services
  shard_stats_actor stats;
  shard_planner_actor planner;
  metrics::registry* metrics = nullptr;
  /// How long one snapshot answers polls.
  std::chrono::milliseconds max_age{500};
  wall_clock wall{}; ///< the snapshot's `at`; empty: the system clock
};

struct dashboard_state {
  static inline const char* name = "dashboard";
  dashboard_deps deps;
  std::shared_ptr<const std::string> body; ///< the latest snapshot, null before the first
  caf::actor_clock::time_point started;  ///< actor clock at spawn: the uptime's origin
  caf::actor_clock::time_point built_at; ///< actor clock when `body` was built
  std::vector<http_responder_ptr> waiting; ///< polls waiting for the snapshot being built
  std::uint64_t snapshots = 0;             ///< snapshots built (console `actors`)
  std::uint64_t polls = 0;                 ///< polls answered or waiting
};

/// Spawn with `sys.spawn(dashboard, deps)`; send it polls (dashboard_actor).
dashboard_actor::behavior_type
dashboard(dashboard_actor::stateful_pointer<dashboard_state> self, dashboard_deps deps);

} // namespace coord::actors
