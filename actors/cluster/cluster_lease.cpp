// This node's etcd lease: granting it (then registering the node and campaigning on it),
// keeping it alive, and fencing — standing down — when it may have run out.

#include "actors/cluster/cluster_node_parts.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace coord::actors::cluster_parts {

using std::chrono::milliseconds;

void grant(self_ptr self) {
  auto& st = self->state;
  if (st.granting)
    return;
  st.granting = true;
  auto sent = now(self);
  st.calls.call(self, "/v3/lease/grant", etcd::lease_grant_request(st.deps.lease_ttl.count()),
                [=](ports::etcd_reply& r) {
                  auto& st = self->state;
                  st.granting = false;
                  auto l = r.ok ? etcd::parse_lease(r.body) : std::nullopt;
                  if (!l || l->ttl <= 0) {
                    spdlog::warn("cluster: lease grant failed error=\"{}\"",
                                 r.ok ? "no lease in the answer" : r.error);
                    return;
                  }
                  st.lease = l->id;
                  st.lease_confirmed = sent;
                  auto generation = ++st.lease_generation;
                  store::etcd::node_info me{st.deps.node_id, st.deps.advertise_url};
                  st.calls.call(self, "/v3/kv/put",
                                etcd::put_request(st.deps.keys.node_key(st.deps.node_id),
                                                  store::etcd::encode_node(me), st.lease),
                                [](ports::etcd_reply&) {});
                  campaign(self, generation);
                });
}

void keepalive(self_ptr self) {
  auto& st = self->state;
  st.keepalive_in_flight = true;
  auto sent = now(self);
  st.keepalive_sent = sent;
  auto lease = st.lease;
  auto timeout = std::chrono::duration_cast<milliseconds>(st.ttl() / 4);
  st.calls.call(
    self, "/v3/lease/keepalive", etcd::lease_id_request(lease),
    [=](ports::etcd_reply& r) {
      auto& st = self->state;
      st.keepalive_in_flight = false;
      if (lease != st.lease)
        return;
      if (!r.ok)
        return; // the fencing check decides when this has lasted too long
      auto l = etcd::parse_lease(r.body);
      if (!l)
        return;
      if (l->ttl <= 0) {
        // The lease expired (a frozen or cut-off node): it can never be renewed.
        spdlog::warn("cluster: lease {:x} expired", lease);
        st.lease = 0;
        ++st.lease_generation;
        if (st.role != phase::standby)
          fence(self, "the lease expired");
        return;
      }
      // Sticky: once the serve deadline passed, sessions may have missed broadcasts (the
      // store drops them while the view says no): stand down even if etcd answers now.
      if (st.role != phase::standby && now(self) >= serve_until(st))
        return fence(self, "the lease was not renewed for half its TTL");
      st.lease_confirmed = std::max(st.lease_confirmed, sent);
      if (st.role == phase::active)
        st.deps.view->extend(serve_until(st));
    },
    std::max(timeout, milliseconds(100)));
}

void fence(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.role == phase::standby)
    return;
  spdlog::warn("cluster: standing down reason=\"{}\"", why);
  // The door first: no upgrade or request is served from here on.
  st.deps.view->set_standby();
  st.deps.view->set_active_url({});
  set_metrics_role(self, false);
  st.role = phase::standby;
  st.writes.clear();
  st.voice_lease = 0;
  self->send(st.deps.broker, close_all_atom::value, std::uint16_t{1001},
             std::string{"this node is no longer the active node"});
  self->send(st.deps.store, cl_deactivate_atom::value);
  self->send(st.deps.planner, cl_deactivate_atom::value);
  self->send(st.deps.voice_registry, cl_deactivate_atom::value);
  // A lease that may still be alive goes (another node may take over at once); a new one
  // starts a new campaign.
  if (st.lease != 0)
    st.calls.call(self, "/v3/lease/revoke", etcd::lease_id_request(st.lease),
                  [](ports::etcd_reply&) {});
  st.lease = 0;
  ++st.lease_generation;
}

} // namespace coord::actors::cluster_parts
