#pragma once
// JSON bodies of the admin API that are built from actor replies (SPEC.md §6).

#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <string>
#include <vector>

namespace coord::actors {

/// GET /api/v1/stats: {music:{playing,shards:[{shardId,playingMusic,updatedAt}]},
/// services:[...], sessions:{companion,gateway,voice}}.
std::string encode_stats(const music_snapshot& music, const metrics::registry& metrics,
                         const std::string& services_json = "[]");

/// GET /api/v1/shards: {shardCount,share,maxConcurrency,shards:[{shard,state,session,
/// releaseInMs}],buckets:[{bucket,waiting:[{session,shard}],nextGrantInMs}],grants}.
std::string encode_shards(const shard_plan& plan);

/// GET /api/v1/sessions: {sessions:[{id,dialect,remote,queuedBytes,receiving}]}.
std::string encode_sessions(const std::vector<session_info>& sessions);

} // namespace coord::actors
