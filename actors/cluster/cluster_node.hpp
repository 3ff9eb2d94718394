#pragma once
// This node's part in a cluster (SPEC.md §9): its etcd lease, the election, the role, and
// the facts a new active node needs from the last one (shard owners, voice sessions).
//
// Standby -> active: the election campaign (tied to the lease) returns; the store loads the
// state and starts its watch; the planner gets the recorded shard owners as holds and pauses
// identify grants for 5 s; the voice registry gets the recorded voice sessions as retained;
// then the view lets sessions and requests in.
// Active -> standby (fencing): no keepalive confirmed for lease_ttl_s / 2, the lease gone, or
// another node leading: the view shuts the door first, every session is closed with 1001,
// the store, planner and registry drop what they held, and the node campaigns again on a
// new lease.
//
// The code, by responsibility: cluster_node.cpp (the handlers, the tick), cluster_lease.cpp
// (the lease, its keepalive, fencing), cluster_election.cpp (the campaign, the leader poll,
// activation), cluster_records.cpp (the records a new active recovers, and the shard and
// voice record writes); cluster_node_parts.hpp declares what they share.

#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/cluster_view.hpp"
#include "actors/cluster/etcd_api.hpp"
#include "actors/cluster/etcd_calls.hpp"
#include "actors/messages.hpp"
#include "metrics/registry.hpp"
#include "store/etcd_layout.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <map>
#include <memory>

namespace coord::actors {

struct cluster_deps {
  std::weak_ptr<ports::etcd_port> client;
  store::etcd::layout keys;
  std::string node_id;
  std::string advertise_url;
  std::chrono::seconds lease_ttl{5};
  std::chrono::seconds voice_ttl{300}; ///< voice.vc_timeout_s
  std::shared_ptr<cluster_view> view;
  metrics::registry* metrics = nullptr;
  etcd_store_actor store;
  shard_planner_actor planner;
  voice_registry_actor voice_registry;
  broker_actor broker; ///< closes every session when this node stands down
};

struct cluster_state {
  static inline const char* name = "cluster";
  using time_point = caf::actor_clock::time_point;
  enum class phase : std::uint8_t { standby, activating, active };

  cluster_deps deps;
  etcd_calls calls;
  phase role = phase::standby;
  // The node's lease: granted, kept alive, and the time it is surely alive until.
  std::int64_t lease = 0;
  std::uint64_t lease_generation = 0; ///< a new lease starts a new campaign
  bool granting = false;
  bool keepalive_in_flight = false;
  time_point keepalive_sent{};
  time_point lease_confirmed{}; ///< send time of the last keepalive etcd confirmed
  // The election: this node's candidate key (on its lease) and its create revision.
  std::string candidate_key;
  std::int64_t candidate_revision = 0;
  std::uint64_t candidate_generation = 0; ///< the lease generation it was claimed with
  std::string leader_key;
  std::int64_t leader_revision = 0;
  std::string active_node; ///< the leader's node id, as last read
  std::string active_url;
  time_point last_poll{};
  bool polling = false;
  std::vector<store::etcd::node_info> nodes;
  std::int64_t revision = 0; ///< the newest etcd revision seen in an answer
  std::uint64_t failovers = 0;
  // Records for the next active node, written in order, one transaction at a time.
  std::int64_t voice_lease = 0;
  time_point voice_renewed{};
  bool voice_granting = false;
  std::deque<std::vector<etcd::op>> writes;
  bool writing = false;
  time_point write_retry_at{}; ///< a failed write is tried again from then
  std::uint64_t writes_failed = 0;

  caf::timespan ttl() const { return deps.lease_ttl; }
};

/// Spawn with `sys.spawn(cluster_node, deps)`; it starts by asking etcd for a lease.
cluster_node_actor::behavior_type
cluster_node(cluster_node_actor::stateful_pointer<cluster_state> self, cluster_deps deps);

} // namespace coord::actors
