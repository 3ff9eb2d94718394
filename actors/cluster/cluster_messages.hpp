#pragma once
// Messages of cluster mode (SPEC.md §9) between the cluster actor, the etcd store, the shard
// planner and the voice registry, and the cluster actor's typed handle (cluster_node_actor).
// Kept apart from messages.hpp: a single node never sends them.

#include "actors/console/messages.hpp"
#include "actors/ports.hpp"
#include "actors/voice/voice_inspect.hpp"
#include "proto/voice_client.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace coord::actors {

class cluster_view;

// The argument types are in the interfaces that accept each message (cluster_node_actor
// below, etcd_store_actor, shard_planner_actor, voice_registry_actor).

/// etcd client -> the actor that called (through etcd_calls): the answer to a call.
using cl_etcd_atom = caf::atom_constant<caf::atom("cd_cletcd")>;
/// etcd watch -> etcd store: events.
using cl_watch_atom = caf::atom_constant<caf::atom("cd_clwatch")>;
/// etcd watch -> etcd store: etcd compacted past the watch.
using cl_compact_atom = caf::atom_constant<caf::atom("cd_clcomp")>;
/// cluster -> etcd store: this node won the election; load the state and broadcast from the
/// watch; writes compare the leader key's create revision.
using cl_activate_atom = caf::atom_constant<caf::atom("cd_clact")>;
/// cluster -> etcd store, planner, voice registry: this node is no longer active.
using cl_deactivate_atom = caf::atom_constant<caf::atom("cd_cldeact")>;
/// cluster -> cluster: lease keepalive, fencing check, leader poll (etcd store -> etcd
/// store: an acknowledgement's wait is over).
using cl_tick_atom = caf::atom_constant<caf::atom("cd_cltick")>;
/// cluster -> cluster: campaign again on a lease generation.
using cl_campaign_atom = caf::atom_constant<caf::atom("cd_clcamp")>;
/// planner -> cluster: shards whose recorded owner changed.
using cl_shards_atom = caf::atom_constant<caf::atom("cd_clshard")>;
/// cluster -> planner: a new active's recorded shards, to hold, and a pause of grants.
using cl_recover_atom = caf::atom_constant<caf::atom("cd_clrecov")>;
/// voice registry -> cluster: a voice session's clients changed.
using cl_voice_atom = caf::atom_constant<caf::atom("cd_clvoice")>;
/// cluster -> voice registry: a new active's voice sessions, retained.
using cl_voice_load_atom = caf::atom_constant<caf::atom("cd_clvload")>;
/// etcd store -> etcd store: is the watch keeping up?
using cl_check_atom = caf::atom_constant<caf::atom("cd_clcheck")>;
/// console, node shutdown -> cluster: what this node knows of the cluster.
using cl_info_atom = caf::atom_constant<caf::atom("cd_clinfo")>;

/// Who holds one shard, as recorded in etcd.
struct shard_record {
  std::uint32_t shard = 0;
  std::uint64_t session = 0; ///< 0: free
  friend bool operator==(const shard_record& a, const shard_record& b) {
    return a.shard == b.shard && a.session == b.session;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_record& x) {
  return f(caf::meta::type_name("shard_record"), x.shard, x.session);
}

/// One voice session's voice clients, as kept in etcd.
struct voice_record {
  std::string key;
  std::vector<proto::voice::voice_client> clients;
  bool gone = false; ///< destroyed: delete the record
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, voice_record& x) {
  return f(caf::meta::type_name("voice_record"), x.key, x.clients, x.gone);
}

/// What the console's `cluster` command shows.
struct cluster_info {
  std::string node_id;
  std::string role; ///< active, standby
  std::string active_node;
  std::string active_url;
  std::int64_t lease_left_ms = -1;
  std::int64_t lease_id = 0;
  std::int64_t revision = 0;
  std::uint64_t failovers = 0;
  std::vector<std::pair<std::string, std::string>> nodes; ///< node id, advertise url
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_info& x) {
  return f(caf::meta::type_name("cluster_info"), x.node_id, x.role, x.active_node,
           x.active_url, x.lease_left_ms, x.lease_id, x.revision, x.failovers, x.nodes);
}

} // namespace coord::actors

namespace coord::ports {

/// etcd_reply is plain data in ports.hpp (which does not see CAF); inspected here.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, etcd_reply& x) {
  return f(caf::meta::type_name("etcd_reply"), x.ok, x.status, x.body, x.error, x.endpoint);
}

} // namespace coord::ports

namespace coord::actors {

/// This node's part in a cluster (actors/cluster/cluster_node.hpp): its lease, the election,
/// its role, and the records a new active node recovers.
using cluster_node_actor = caf::typed_actor<
  /// the etcd client (through etcd_calls): the answer to call `id`.
  caf::reacts_to<cl_etcd_atom, std::uint64_t, ports::etcd_reply>,
  /// itself, every tick: lease keepalive, fencing check, leader poll, queued record writes.
  caf::reacts_to<cl_tick_atom>,
  /// itself: campaign again on the lease of this generation (an older one is ignored).
  caf::reacts_to<cl_campaign_atom, std::uint64_t>,
  /// shard planner, while this node is active: shards whose recorded owner changed; they
  /// are written to etcd in order (session 0: the shard is free, its record deleted).
  caf::reacts_to<cl_shards_atom, std::vector<shard_record>>,
  /// voice registry, while this node is active: a voice session's clients changed; written
  /// on the voice lease (gone: the record is deleted).
  caf::reacts_to<cl_voice_atom, voice_record>,
  /// console `cluster`, node shutdown (for the lease to revoke): what this node knows of
  /// the cluster.
  caf::replies_to<cl_info_atom>::with<cluster_info>,
  /// console: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>>;

} // namespace coord::actors

// The view every thread of this process reads: a pointer, meaningful in this process only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<coord::actors::cluster_view>)
