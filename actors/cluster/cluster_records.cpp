// The records a new active node needs from the last one: reading them when this node is
// elected (shard owners to the planner, voice sessions to the voice registry), and writing
// them while it is active, in order, each transaction comparing the leader key.

#include "actors/cluster/cluster_node_parts.hpp"
#include "net/etcd_client.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace coord::actors::cluster_parts {

namespace {

/// A new active node grants no identify this long (SPEC §9: no bucket gets two grants
/// within 5 s across a failover).
constexpr auto identify_pause = std::chrono::seconds(5);
/// Operations per etcd transaction (etcd's default --max-txn-ops is 128).
constexpr std::size_t ops_per_txn = 100;

void queue_ops(self_ptr self, std::vector<etcd::op> ops) {
  auto& st = self->state;
  for (std::size_t i = 0; i < ops.size(); i += ops_per_txn) {
    auto end = std::min(ops.size(), i + ops_per_txn);
    st.writes.emplace_back(std::make_move_iterator(ops.begin() + i),
                           std::make_move_iterator(ops.begin() + end));
  }
  pump_writes(self);
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

} // namespace

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

void renew_voice_lease(self_ptr self, caf::actor_clock::time_point t) {
  auto& st = self->state;
  if (st.role != phase::active || st.voice_lease == 0
      || t - st.voice_renewed < std::chrono::duration_cast<caf::timespan>(st.deps.voice_ttl / 3))
    return;
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

void record_shards(self_ptr self, const std::vector<shard_record>& changes) {
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
}

void record_voice(self_ptr self, const voice_record& rec) {
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
}

} // namespace coord::actors::cluster_parts
