#pragma once
// The body of GET /api/v1/dashboard (SPEC.md §10): one snapshot of what the metrics registry,
// the shard stats, the broker's service list and the shard planner already keep. Counters are
// cumulative; the page turns two snapshots into rates and latency quantiles.

#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace coord::actors {

/// Everything one dashboard snapshot is made of.
struct dashboard_input {
  std::int64_t now_ms = 0;    ///< unix milliseconds when the snapshot was taken
  std::int64_t uptime_ms = 0; ///< since the node started (steady clock)
  const metrics::registry* metrics = nullptr;
  music_snapshot music;
  std::vector<service_info> services;
  shard_plan shards;
  /// Cluster mode (SPEC.md §9): empty while the node runs alone.
  std::string cluster_role;
};

/// {at, uptimeMs, cluster:{mode,role}, sessions:{companion,gateway,voice},
///  messagesIn:{...}, messagesOut:{...}, broadcasts, broadcastSeconds:{bounds,buckets,count,sum},
///  commands:{routed,buffered,dropped_overflow,dropped_expired}, voiceClients,
///  closes:[{dialect,code,count}], music:{playing,shards}, services:[...as /services],
///  shards:{...as /api/v1/shards}}. broadcastSeconds.buckets are cumulative, one per bound, then
/// +Inf (Prometheus' `le` semantics).
std::string encode_dashboard(const dashboard_input& in);

} // namespace coord::actors
