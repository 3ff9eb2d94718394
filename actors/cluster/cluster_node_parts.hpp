#pragma once
// What the cluster node's source files share (cluster_node.hpp says which file does what).
// Internal to actors/cluster/: nothing outside includes it.

#include "actors/cluster/cluster_node.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace coord::actors::cluster_parts {

using self_ptr = cluster_node_actor::stateful_pointer<cluster_state>;
using phase = cluster_state::phase;

/// An etcd call that failed is tried again after this long.
inline constexpr auto retry_pause = std::chrono::milliseconds(500);

inline caf::actor_clock::time_point now(self_ptr self) {
  return self->clock().now();
}

/// How long the lease is surely alive: keepalives are confirmed by send time, and this node
/// serves only until half the TTL after the last confirmed one.
inline caf::actor_clock::time_point serve_until(const cluster_state& st) {
  return st.lease_confirmed + std::chrono::duration_cast<caf::timespan>(st.ttl() / 2);
}

inline void set_metrics_role(self_ptr self, bool active) {
  self->state.deps.metrics->cluster_active.set(active ? 1 : 0);
}

// cluster_lease.cpp
/// Asks etcd for a new lease (unless asked already); with it, registers the node and
/// campaigns.
void grant(self_ptr self);
/// Renews the lease; an expired lease, or one not renewed for half its TTL, fences.
void keepalive(self_ptr self);
/// Active or activating -> standby: the door shuts, sessions close, the holders forget, the
/// lease goes and a new one will campaign.
void fence(self_ptr self, const std::string& why);

// cluster_election.cpp
/// One step of the campaign on the lease of `generation`: claim the candidate key, or see
/// who leads now; winning activates.
void campaign(self_ptr self, std::uint64_t generation);
/// Reads who leads (fencing this node when another does) and which nodes are registered.
void poll_leader(self_ptr self);

// cluster_records.cpp
/// Activating: reads the last active's records, hands them to the planner and the voice
/// registry, and becomes active.
void recover(self_ptr self);
/// Asks etcd for the lease voice records are written on (unless asked already).
void grant_voice_lease(self_ptr self);
/// Active: keeps the voice lease alive (a third of its TTL after the last renewal).
void renew_voice_lease(self_ptr self, caf::actor_clock::time_point t);
/// Writes queued records, one transaction at a time, each comparing the leader key.
void pump_writes(self_ptr self);
/// Active: queues the planner's shard owner changes.
void record_shards(self_ptr self, const std::vector<shard_record>& changes);
/// Active: queues a voice session's record (on the voice lease) or its deletion.
void record_voice(self_ptr self, const voice_record& rec);

} // namespace coord::actors::cluster_parts
