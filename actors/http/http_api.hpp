#pragma once
// Plain HTTP requests: /healthz, /metrics, the admin API of SPEC.md §6 and the dashboard's
// page and data (§10). It never blocks: each request that needs another actor is a CAF
// request whose answer is written back through the responder (net/ posts it onto the
// connection's strand).

#include "actors/cluster/cluster_view.hpp"
#include "actors/messages.hpp"
#include "actors/cache/read_api.hpp"
#include "metrics/registry.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace coord::actors {

/// What the HTTP API needs of the rest of the node.
struct http_api_deps {
  std::string admin_token; ///< admin.token; empty disables the admin API (403)
  broker_actor broker; ///< the session list and kicks
  settings_store_actor store;
  shard_stats_actor stats;
  metrics::registry* metrics = nullptr;
  shard_planner_actor planner; ///< GET /api/v1/shards
  read_api_deps read;   ///< the cache read API (/discord, /services)
  /// Cluster mode: a standby answers /healthz, the admin and the read API with 503 and
  /// where the active node is (SPEC §9). Null: a single node.
  std::shared_ptr<cluster_view> view;
};

struct http_api_state {
  static inline const char* name = "http_api";
  http_api_deps deps;
  dashboard_actor dashboard; ///< GET /api/v1/dashboard (spawned linked to this actor)
};

/// Spawn with `sys.spawn(http_api, deps)`; send it requests (http_api_actor).
http_api_actor::behavior_type
http_api(http_api_actor::stateful_pointer<http_api_state> self, http_api_deps deps);

} // namespace coord::actors
