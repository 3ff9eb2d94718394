#pragma once
// Messages of cluster mode (SPEC.md §9) between the cluster actor, the etcd store, the shard
// planner and the voice registry. Kept apart from messages.hpp: a single node never sends
// them.

#include "actors/ports.hpp"
#include "actors/voice/voice_inspect.hpp"
#include "proto/voice_client.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace coord::actors {

class cluster_view;

/// etcd client -> the actor that called: the answer to call number `id`
/// (std::uint64_t id, ports::etcd_reply).
using cl_etcd_atom = caf::atom_constant<caf::atom("cd_cletcd")>;
/// etcd watch -> etcd store: events (std::uint64_t watch generation, std::string result).
using cl_watch_atom = caf::atom_constant<caf::atom("cd_clwatch")>;
/// etcd watch -> etcd store: etcd compacted past the watch (std::uint64_t generation,
/// std::int64_t compact revision).
using cl_compact_atom = caf::atom_constant<caf::atom("cd_clcomp")>;
/// cluster -> etcd store: this node won the election; load the state and broadcast from the
/// watch; writes compare the leader key's create revision (std::string leader key,
/// std::int64_t revision) -> std::int64_t the revision loaded.
using cl_activate_atom = caf::atom_constant<caf::atom("cd_clact")>;
/// cluster -> etcd store, planner, voice registry: this node is no longer active.
using cl_deactivate_atom = caf::atom_constant<caf::atom("cd_cldeact")>;
/// cluster -> cluster: lease keepalive, fencing check, leader poll.
using cl_tick_atom = caf::atom_constant<caf::atom("cd_cltick")>;
/// cluster -> cluster: campaign again (std::uint64_t lease generation).
using cl_campaign_atom = caf::atom_constant<caf::atom("cd_clcamp")>;
/// planner -> cluster: shards whose recorded owner changed (std::vector<shard_record>;
/// session 0: free, delete its record).
using cl_shards_atom = caf::atom_constant<caf::atom("cd_clshard")>;
/// cluster -> planner: a new active's recorded shards, held as if their sharders' sessions
/// just ended, and no identify grant for `pause` (std::vector<shard_record>, caf::timespan).
using cl_recover_atom = caf::atom_constant<caf::atom("cd_clrecov")>;
/// voice registry -> cluster: a voice session's clients changed (voice_record; no clients
/// and `gone`: delete it).
using cl_voice_atom = caf::atom_constant<caf::atom("cd_clvoice")>;
/// cluster -> voice registry: a new active's voice sessions, retained
/// (std::vector<voice_record>).
using cl_voice_load_atom = caf::atom_constant<caf::atom("cd_clvload")>;
/// etcd store -> etcd store: is the watch keeping up? (std::uint64_t activation).
using cl_check_atom = caf::atom_constant<caf::atom("cd_clcheck")>;
/// console -> cluster: -> cluster_info.
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

// The view every thread of this process reads: a pointer, meaningful in this process only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<coord::actors::cluster_view>)
