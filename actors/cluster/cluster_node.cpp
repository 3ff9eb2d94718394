#include "actors/cluster/cluster_node.hpp"
#include "net/etcd_client.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace coord::actors {

namespace {

using self_ptr = caf::stateful_actor<cluster_state>*;
using phase = cluster_state::phase;
using std::chrono::milliseconds;

/// A new active node grants no identify this long (SPEC §9: no bucket gets two grants
/// within 5 s across a failover).
constexpr auto identify_pause = std::chrono::seconds(5);
/// Operations per etcd transaction (etcd's default --max-txn-ops is 128).
constexpr std::size_t ops_per_txn = 100;
constexpr auto poll_every = std::chrono::milliseconds(1000);
/// A standby reads who leads this often (failover: the lease TTL plus at most this).
constexpr auto campaign_poll = std::chrono::milliseconds(200);
constexpr auto retry_pause = std::chrono::milliseconds(500);
constexpr auto activation_timeout = std::chrono::seconds(10);

caf::timespan tick_period(const cluster_state& st) {
  auto t = std::chrono::duration_cast<caf::timespan>(st.ttl() / 10);
  return std::clamp<caf::timespan>(t, milliseconds(50), milliseconds(250));
}

caf::actor_clock::time_point now(self_ptr self) {
  return self->clock().now();
}

/// How long the lease is surely alive: keepalives are confirmed by send time, and this node
/// serves only until half the TTL after the last confirmed one.
caf::actor_clock::time_point serve_until(const cluster_state& st) {
  return st.lease_confirmed + std::chrono::duration_cast<caf::timespan>(st.ttl() / 2);
}

void note_revision(self_ptr self, const std::string& body) {
  // Every answer's header carries the store revision; the range parser reads it.
  if (auto r = etcd::parse_range(body))
    self->state.revision = std::max(self->state.revision, r->revision);
}

void set_metrics_role(self_ptr self, bool active) {
  self->state.deps.metrics->cluster_active.set(active ? 1 : 0);
}

void fence(self_ptr self, const std::string& why);
void campaign(self_ptr self, std::uint64_t generation);

/// Writes queued records, one transaction at a time, each comparing the leader key.
void pump_writes(self_ptr self) {
  auto& st = self->state;
  if (st.writing || st.writes.empty() || now(self) < st.write_retry_at)
    return;
  if (st.role != phase::active) {
    st.writes.clear();
    return;
  }
  auto ops = std::move(st.writes.front());
  st.writes.pop_front();
  st.writing = true;
  std::vector<etcd::compare> cmp{{etcd::compare::create, st.leader_key, st.leader_revision}};
  st.calls.call(self, "/v3/kv/txn", etcd::txn_request(cmp, ops, {st.leader_key}),
                [=](ports::etcd_reply& r) mutable {
                  auto& st = self->state;
                  st.writing = false;
                  auto t = r.ok ? etcd::parse_txn(r.body) : std::nullopt;
                  if (!t) {
                    ++st.writes_failed;
                    spdlog::warn("cluster: recording shards/voice failed, retrying error=\"{}\"",
                                 r.ok ? "not JSON" : r.error);
                    // The planner and the registry sent each change once: keep it, in order.
                    if (st.role == phase::active) {
                      st.writes.push_front(ops);
                      st.write_retry_at = now(self) + retry_pause;
                    }
                    return;
                  } else if (!t->succeeded) {
                    ++st.writes_failed;
                    return fence(self, "the leader key is no longer this node's");
                  } else {
                    st.revision = std::max(st.revision, t->revision);
                  }
                  pump_writes(self);
                });
}

void queue_ops(self_ptr self, std::vector<etcd::op> ops) {
  auto& st = self->state;
  for (std::size_t i = 0; i < ops.size(); i += ops_per_txn) {
    auto end = std::min(ops.size(), i + ops_per_txn);
    st.writes.emplace_back(std::make_move_iterator(ops.begin() + i),
                           std::make_move_iterator(ops.begin() + end));
  }
  pump_writes(self);
}

void grant_voice_lease(self_ptr self) {
  if (self->state.voice_granting)
    return;
  self->state.voice_granting = true;
  auto ttl = self->state.deps.voice_ttl.count();
  self->state.calls.call(self, "/v3/lease/grant", etcd::lease_grant_request(ttl),
                         [=](ports::etcd_reply& r) {
                           self->state.voice_granting = false;
                           auto l = r.ok ? etcd::parse_lease(r.body) : std::nullopt;
                           if (l && l->ttl > 0 && self->state.role != phase::standby) {
                             self->state.voice_lease = l->id;
                             self->state.voice_renewed = now(self);
                           }
                         });
}

void become_active(self_ptr self) {
  auto& st = self->state;
  if (st.role != phase::activating)
    return;
  if (now(self) >= serve_until(st))
    return fence(self, "the lease expired while activating");
  st.role = phase::active;
  ++st.failovers;
  st.deps.metrics->cluster_failovers.inc();
  set_metrics_role(self, true);
  st.active_node = st.deps.node_id;
  st.active_url = st.deps.advertise_url;
  st.deps.view->set_active_url(st.deps.advertise_url);
  st.deps.view->set_active(serve_until(st));
  spdlog::info("cluster: active node_id=\"{}\" lease={:x} revision={}", st.deps.node_id,
               st.lease, st.revision);
}

/// Reads every key under `prefix` while activating; `k` gets them, a failure fences.
template <class F>
void read_records(self_ptr self, const std::string& prefix, const char* what, F k) {
  self->state.calls.call(
    self, "/v3/kv/range", etcd::range_request(prefix, net::prefix_range_end(prefix)),
    [=](ports::etcd_reply& r) {
      if (self->state.role != phase::activating)
        return;
      auto range = r.ok ? etcd::parse_range(r.body) : std::nullopt;
      if (!range)
        return fence(self, std::string{"reading the "} + what + " records failed: " + r.error);
      k(range->kvs);
    });
}

/// Reads what the last active recorded (shard owners, voice sessions) and hands it over.
void recover(self_ptr self) {
  read_records(self, self->state.deps.keys.shards(), "shard", [=](const std::vector<etcd::kv>& kvs) {
    auto& st = self->state;
    std::vector<shard_record> records;
    for (const auto& k : kvs) {
      auto shard = store::etcd::parse_shard_key(st.deps.keys, k.key);
      auto owner = store::etcd::decode_shard_owner(k.value);
      if (shard && owner)
        records.push_back({*shard, *owner});
    }
    self->send(st.deps.planner, cl_recover_atom::value, std::move(records),
               caf::timespan{identify_pause}, st.deps.view);
    read_records(self, st.deps.keys.voice(), "voice", [=](const std::vector<etcd::kv>& kvs) {
      auto& st = self->state;
      std::vector<voice_record> sessions;
      for (const auto& k : kvs) {
        auto key = store::etcd::parse_voice_key(st.deps.keys, k.key);
        auto clients = store::etcd::decode_voice(k.value);
        if (key && clients)
          sessions.push_back(voice_record{*key, std::move(*clients), false});
      }
      self->send(st.deps.voice_registry, cl_voice_load_atom::value, std::move(sessions));
      become_active(self);
    });
  });
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
  if (st.role == phase::active && st.voice_lease != 0
      && t - st.voice_renewed >= std::chrono::duration_cast<caf::timespan>(st.deps.voice_ttl / 3)) {
    st.voice_renewed = t;
    auto lease = st.voice_lease;
    st.calls.call(self, "/v3/lease/keepalive", etcd::lease_id_request(lease),
                  [=](ports::etcd_reply& r) {
                    auto l = r.ok ? etcd::parse_lease(r.body) : std::nullopt;
                    // Expired meanwhile (etcd was away longer than vc_timeout_s): records
                    // go on a new voice lease from now on.
                    if (l && l->ttl <= 0 && self->state.voice_lease == lease
                        && self->state.role == phase::active) {
                      self->state.voice_lease = 0;
                      grant_voice_lease(self);
                    }
                  });
  }
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

} // namespace

caf::behavior cluster_node(caf::stateful_actor<cluster_state>* self, cluster_deps deps) {
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
    [=](cl_shards_atom, std::vector<shard_record>& changes) {
      auto& st = self->state;
      if (st.role != phase::active)
        return;
      std::vector<etcd::op> ops;
      for (const auto& c : changes) {
        auto key = st.deps.keys.shard_key(c.shard);
        if (c.session == 0)
          ops.push_back({etcd::op::del, key, {}, 0});
        else
          ops.push_back({etcd::op::put, key, store::etcd::encode_shard_owner(c.session), 0});
      }
      queue_ops(self, std::move(ops));
    },
    [=](cl_voice_atom, voice_record& rec) {
      auto& st = self->state;
      if (st.role != phase::active)
        return;
      auto key = st.deps.keys.voice_key(rec.key);
      if (rec.gone) {
        queue_ops(self, {{etcd::op::del, key, {}, 0}});
        return;
      }
      if (st.voice_lease == 0) {
        // Without its lease a record could outlive the session: none is written.
        spdlog::warn("cluster: no voice lease yet, voice session not recorded");
        return;
      }
      queue_ops(self, {{etcd::op::put, key, store::etcd::encode_voice(rec.clients),
                        st.voice_lease}});
    },
    [=](cl_info_atom) {
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
        out.lease_left_ms = std::max<std::int64_t>(
          0, std::chrono::duration_cast<milliseconds>(left).count());
      }
      out.lease_id = st.lease;
      out.revision = st.revision;
      out.failovers = st.failovers;
      for (const auto& n : st.nodes)
        out.nodes.emplace_back(n.node_id, n.advertise_url);
      return out;
    },
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
