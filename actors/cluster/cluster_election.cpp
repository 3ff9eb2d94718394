// The election (etcd's own recipe, done with transactions and reads) and what follows it:
// campaigning on this node's lease, polling who leads, and activating when this node wins.

#include "actors/cluster/cluster_node_parts.hpp"
#include "net/etcd_client.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace coord::actors::cluster_parts {

namespace {

/// A standby reads who leads this often (failover: the lease TTL plus at most this).
constexpr auto campaign_poll = std::chrono::milliseconds(200);
constexpr auto activation_timeout = std::chrono::seconds(10);

void note_revision(self_ptr self, const std::string& body) {
  // Every answer's header carries the store revision; the range parser reads it.
  if (auto r = etcd::parse_range(body))
    self->state.revision = std::max(self->state.revision, r->revision);
}

void activate(self_ptr self, const etcd::leader_result& leader) {
  auto& st = self->state;
  st.role = phase::activating;
  st.leader_key = leader.key;
  st.leader_revision = leader.revision;
  grant_voice_lease(self);
  spdlog::info("cluster: elected node_id=\"{}\", loading the state", st.deps.node_id);
  self->request(st.deps.store, activation_timeout, cl_activate_atom::value, leader.key,
                leader.revision)
    .then(
      [=](std::int64_t revision) {
        self->state.revision = std::max(self->state.revision, revision);
        if (self->state.role == phase::activating)
          recover(self);
      },
      [=](caf::error& err) { fence(self, "loading the state failed: " + caf::to_string(err)); });
}

} // namespace

/// The election, as etcd's own recipe (what `/v3/election/campaign` runs inside etcd and
/// clientv3/concurrency runs in Go clients): every candidate puts `<prefix>election/<lease
/// hex>` on its lease; the key with the lowest create revision leads, until it is deleted
/// (lease expired or revoked). Done here with a transaction and plain reads, never with the
/// server-side campaign call: a campaign call that times out is cancelled inside etcd, and a
/// cancelled campaign *resigns* — deletes the candidate key — which a campaign retried on the
/// same lease may already count on (seen: two nodes elected for 400 ms). A read that times
/// out leaves nothing behind.
void campaign(self_ptr self, std::uint64_t generation) {
  auto& st = self->state;
  if (generation != st.lease_generation || st.lease == 0 || st.role != phase::standby)
    return;
  auto retry = [self, generation](caf::timespan pause) {
    self->delayed_send(self, pause, cl_campaign_atom::value, generation);
  };
  if (st.candidate_generation != generation || st.candidate_revision == 0) {
    // Claim: this lease's candidate key, unless it is there already.
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(st.lease));
    auto key = st.deps.keys.election() + "/" + hex;
    store::etcd::node_info me{st.deps.node_id, st.deps.advertise_url};
    std::vector<etcd::compare> cmp{{etcd::compare::create, key, 0}};
    std::vector<etcd::op> ops{{etcd::op::put, key, store::etcd::encode_node(me), st.lease}};
    st.calls.call(self, "/v3/kv/txn", etcd::txn_request(cmp, ops, {key}),
                  [=](ports::etcd_reply& r) {
                    auto& st = self->state;
                    if (generation != st.lease_generation || st.role != phase::standby)
                      return;
                    auto t = r.ok ? etcd::parse_txn(r.body) : std::nullopt;
                    std::int64_t revision = 0;
                    if (t && t->succeeded)
                      revision = t->revision;
                    else if (t)
                      for (const auto& k : t->failure_kvs)
                        if (k.key == key && k.lease == st.lease)
                          revision = k.create_revision;
                    if (revision == 0)
                      return retry(retry_pause);
                    st.candidate_key = key;
                    st.candidate_revision = revision;
                    st.candidate_generation = generation;
                    campaign(self, generation);
                  });
    return;
  }
  // Wait: who holds the lowest create revision now?
  auto prefix = st.deps.keys.election() + "/";
  st.calls.call(
    self, "/v3/kv/range", etcd::first_created_request(prefix, net::prefix_range_end(prefix)),
    [=](ports::etcd_reply& r) {
      auto& st = self->state;
      if (generation != st.lease_generation || st.role != phase::standby)
        return;
      auto range = r.ok ? etcd::parse_range(r.body) : std::nullopt;
      if (!range)
        return retry(retry_pause);
      st.revision = std::max(st.revision, range->revision);
      if (range->kvs.empty() || range->kvs.front().create_revision > st.candidate_revision) {
        st.candidate_revision = 0; // our key is gone (lease expired?): claim again
        return retry(caf::timespan{0});
      }
      const auto& first = range->kvs.front();
      if (first.key == st.candidate_key && first.create_revision == st.candidate_revision) {
        etcd::leader_result won;
        won.key = first.key;
        won.revision = first.create_revision;
        won.lease = first.lease;
        return activate(self, won);
      }
      if (auto node = store::etcd::decode_node(first.value)) {
        st.active_node = node->node_id;
        st.active_url = node->advertise_url;
        st.deps.view->set_active_url(node->advertise_url);
      }
      retry(campaign_poll);
    });
}

void poll_leader(self_ptr self) {
  auto& st = self->state;
  st.polling = true;
  st.last_poll = now(self);
  // What this answer can say about this node: only a read sent while it was active (so
  // served after its campaign won) can tell that its leader key is gone.
  auto asked_as = st.role == phase::active ? st.leader_key : std::string{};
  st.calls.call(self, "/v3/election/leader", etcd::leader_request(st.deps.keys.election()),
                [=](ports::etcd_reply& r) {
                  auto& st = self->state;
                  st.polling = false;
                  bool still_active = !asked_as.empty() && st.role == phase::active
                                      && st.leader_key == asked_as;
                  if (!r.ok) {
                    // etcd answers HTTP 500 "election: no leader" when no node campaigns
                    // with a live lease: nobody is active (a standby stops naming one).
                    if (r.body.find("election: no leader") == std::string::npos)
                      return; // etcd unreachable or failing: the lease decides
                    if (st.role == phase::standby) {
                      st.active_node.clear();
                      st.active_url.clear();
                      st.deps.view->set_active_url({});
                    }
                    if (still_active)
                      fence(self, "the election has no leader");
                    return;
                  }
                  note_revision(self, r.body);
                  auto leader = etcd::parse_leader(r.body);
                  if (!leader)
                    return;
                  auto node = store::etcd::decode_node(leader->value);
                  st.active_node = node ? node->node_id : std::string{};
                  st.active_url = node ? node->advertise_url : std::string{};
                  if (st.role == phase::standby)
                    st.deps.view->set_active_url(st.active_url);
                  if (still_active && leader->key != st.leader_key)
                    fence(self, "another node leads");
                });
  auto nodes = st.deps.keys.nodes();
  st.calls.call(self, "/v3/kv/range", etcd::range_request(nodes, net::prefix_range_end(nodes)),
                [=](ports::etcd_reply& r) {
                  auto range = r.ok ? etcd::parse_range(r.body) : std::nullopt;
                  if (!range)
                    return;
                  std::vector<store::etcd::node_info> out;
                  for (const auto& k : range->kvs)
                    if (auto n = store::etcd::decode_node(k.value))
                      out.push_back(std::move(*n));
                  self->state.nodes = std::move(out);
                  self->state.revision = std::max(self->state.revision, range->revision);
                });
}

} // namespace coord::actors::cluster_parts
