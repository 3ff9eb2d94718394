#pragma once
// The entity cache (SPEC.md §4.7): op 5 records in partitions, one actor per partition, so
// more shards add actors instead of contention on one mailbox (DESIGN.md).
//
// Routing: a guild-scoped record (guild, role, channel, member, voiceState) lives in partition
// `(guild_id >> 22) % partitions`, the shard formula, so one sharder's guilds spread the way
// its shards do; a user lives in `(user_id >> 22) % partitions` (users are not guild-scoped and
// are shared by the members of many guilds). A member change travels to the guild's partition,
// which forwards the member's user, with +1/-1 member references, to the user's partition
// (cache_users_atom); data and reference of one member therefore stay in order. A role or
// channel removal without guildID goes to every partition.
//
// Each partition adds its own deltas to metrics->cache_entities, so the gauges are the sums
// over partitions.

#include "actors/cache/cache_index.hpp"
#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_addr.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cstdint>
#include <vector>

namespace coord::actors {

/// The partition of a guild (or of a user, by its id): (id >> 22) % partitions; 0 when
/// partitions is 0.
constexpr std::size_t partition_of(std::uint64_t id, std::size_t partitions) noexcept {
  return partitions == 0 ? 0 : static_cast<std::size_t>((id >> 22) % partitions);
}

/// Sends one decoded op 5 record to the partition(s) it belongs to (cache_put_atom). Called by
/// the gateway session; records of one caller reach each partition in call order.
void cache_ingest(const std::vector<entity_cache_actor>& partitions,
                  proto::gateway::cache_update&& update);

struct entity_cache_state {
  static inline const char* name = "entity_cache";

  cache_index index;
  std::uint32_t partition = 0;
  /// Every partition by index, weak (a partition holding itself would never end); empty:
  /// users stay here.
  std::vector<caf::actor_addr> peers;
  metrics::registry* metrics = nullptr;
  cache_index::counts_type published{}; ///< what this partition added to the gauges

  /// Adds the change of the index's counts since the last call to the gauges.
  void publish();
  /// Applies user deltas: here when the user lives here, else sent to its partition.
  void route(entity_cache_actor::stateful_pointer<entity_cache_state> self,
             std::vector<cache_user_delta> deltas);
  cache_counts snapshot() const;
};

/// One partition. Prefer spawn_entity_cache, which also tells each partition its peers.
entity_cache_actor::behavior_type
entity_cache(entity_cache_actor::stateful_pointer<entity_cache_state> self,
             std::uint32_t partition, metrics::registry* metrics);

/// Spawns `partitions` partitions (at least one) and sends each the list of all of them
/// (cache_peers_atom) before anybody else can send them anything.
std::vector<entity_cache_actor> spawn_entity_cache(caf::actor_system& sys,
                                                   std::uint32_t partitions,
                                                   metrics::registry* metrics);

} // namespace coord::actors
