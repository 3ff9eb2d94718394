#pragma once
// The console's answers other than `info` (SPEC.md §8), built by pure functions from what
// the inspector gathered. Lists are Redis CLIENT LIST style (`key=value` words, one item a
// line, after a `name:count` line); single objects are `key:value` lines.

#include "actors/cluster/cluster_messages.hpp"
#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <optional>
#include <string>
#include <vector>

namespace coord::actors {

/// `help`: one line per command.
std::string render_help();

/// `sessions [dialect]`: "sessions:N", then one line per session ascending by id.
std::string render_sessions(std::vector<session_info> sessions,
                            std::optional<ports::dialect> only);

/// `session <id>`: the broker's view, then the session actor's own summary (nullopt: the
/// actor did not answer).
std::string render_session(const session_info& info, const std::optional<actor_summary>& actor);

/// `actors`: "actors:N", then one line per actor in the given order.
std::string render_actors(const std::vector<actor_summary>& actors);

/// `guild <id>`: the settings as key:value lines.
std::string render_guild(const proto::guild_settings& settings);

/// `supporters`: "supporters:N", then one id a line, ascending.
std::string render_supporters(std::vector<std::uint64_t> ids);

/// `stats`: what GET /api/v1/stats shows, as key:value lines.
std::string render_stats(const music_snapshot& music, const metrics::registry& metrics);

/// `cluster`: key:value lines, then `node:<id> <url>` for every live node.
std::string render_cluster(const cluster_info& c);
/// `cluster` on a single node.
std::string render_not_clustered();

/// `shards`: shard ownership; "no gateway sessions" until the gateway dialect is served.
std::string render_shards(const shard_plan& plan);

} // namespace coord::actors
