// The cluster actor's handlers and its tick; the work is done in cluster_lease.cpp,
// cluster_election.cpp and cluster_records.cpp (see cluster_node.hpp).

#include "actors/cluster/cluster_node.hpp"
#include "actors/cluster/cluster_node_parts.hpp"

#include <caf/send.hpp>

#include <algorithm>

namespace coord::actors {

namespace {

using namespace cluster_parts;
using std::chrono::milliseconds;

constexpr auto poll_every = std::chrono::milliseconds(1000);

caf::timespan tick_period(const cluster_state& st) {
  auto t = std::chrono::duration_cast<caf::timespan>(st.ttl() / 10);
  return std::clamp<caf::timespan>(t, milliseconds(50), milliseconds(250));
}

void tick(self_ptr self) {
  auto& st = self->state;
  auto t = now(self);
  if (st.role != phase::standby && t >= serve_until(st))
    fence(self, "the lease was not renewed for half its TTL");
  if (st.lease == 0) {
    grant(self);
  } else if (!st.keepalive_in_flight
             && t - st.keepalive_sent >= std::chrono::duration_cast<caf::timespan>(st.ttl() / 5)) {
    keepalive(self);
  }
  if (!st.polling && t - st.last_poll >= poll_every)
    poll_leader(self);
  if (st.role == phase::active && st.voice_lease == 0)
    grant_voice_lease(self); // the grant at activation failed: voice sessions wait for it
  pump_writes(self);
  renew_voice_lease(self, t);
}

cluster_info info(self_ptr self) {
  auto& st = self->state;
  cluster_info out;
  out.node_id = st.deps.node_id;
  out.role = st.role == phase::active       ? "active"
             : st.role == phase::activating ? "activating"
                                            : "standby";
  out.active_node = st.active_node;
  out.active_url = st.active_url;
  if (st.lease != 0) {
    auto left = st.lease_confirmed + st.ttl() - now(self);
    out.lease_left_ms =
      std::max<std::int64_t>(0, std::chrono::duration_cast<milliseconds>(left).count());
  }
  out.lease_id = st.lease;
  out.revision = st.revision;
  out.failovers = st.failovers;
  for (const auto& n : st.nodes)
    out.nodes.emplace_back(n.node_id, n.advertise_url);
  return out;
}

} // namespace

cluster_node_actor::behavior_type
cluster_node(cluster_node_actor::stateful_pointer<cluster_state> self, cluster_deps deps) {
  auto& st = self->state;
  st.calls = etcd_calls{deps.client, deps.metrics};
  st.deps = std::move(deps);
  set_metrics_role(self, false);
  self->set_default_handler(caf::print_and_drop);
  self->send(self, cl_tick_atom::value);
  return {
    [=](cl_etcd_atom, std::uint64_t id, ports::etcd_reply& r) {
      self->state.calls.complete(id, r);
    },
    [=](cl_tick_atom) {
      tick(self);
      self->delayed_send(self, tick_period(self->state), cl_tick_atom::value);
    },
    [=](cl_campaign_atom, std::uint64_t generation) { campaign(self, generation); },
    [=](cl_shards_atom, const std::vector<shard_record>& changes) {
      record_shards(self, changes);
    },
    [=](cl_voice_atom, const voice_record& rec) { record_voice(self, rec); },
    [=](cl_info_atom) { return info(self); },
    [=](inspect_atom) {
      auto& st = self->state;
      return summarize(self, {{"role", st.role == phase::active ? "active" : "standby"},
                              {"lease", std::to_string(st.lease)},
                              {"failovers", std::to_string(st.failovers)},
                              {"queued_writes", std::to_string(st.writes.size())},
                              {"failed_writes", std::to_string(st.writes_failed)}});
    },
  };
}

} // namespace coord::actors
