#include "actors/shards/shard_planner.hpp"


#include <caf/typed_event_based_actor.hpp>
#include <caf/system_messages.hpp>

#include <algorithm>
#include <chrono>

namespace coord::actors {

namespace {

using self_ptr = shard_planner_actor::stateful_pointer<shard_planner_state>;
using time_point = caf::actor_clock::time_point;

std::int64_t ms_until(time_point t, time_point now) {
  if (t <= now)
    return 0;
  return std::chrono::ceil<std::chrono::milliseconds>(t - now).count();
}

/// Sends SHARDS_ASSIGNED to every sharder of a hand-out.
void send_assignments(self_ptr self, const std::vector<shard_table::assignment>& xs) {
  for (const auto& a : xs)
    if (auto i = self->state.targets.find(a.session); i != self->state.targets.end())
      self->send(i->second, shards_assigned_atom::value, a.shards);
}

/// Cluster mode: tells the cluster actor which shards changed owner since last time (a held
/// shard keeps its ended session as owner: a new active holds it for that sharder).
void record(self_ptr self) {
  auto& st = self->state;
  if (!st.recorder)
    return;
  std::vector<shard_record> changes;
  st.recorded.resize(st.table.shard_count(), 0);
  for (std::uint32_t id = 0; id < st.table.shard_count(); ++id) {
    const auto& sl = st.table.at(id);
    auto owner = sl.st == shard_table::state::free ? 0 : sl.owner;
    if (st.recorded[id] != owner) {
      st.recorded[id] = owner;
      changes.push_back({id, owner});
    }
  }
  if (!changes.empty())
    self->send(st.recorder, cl_shards_atom::value, std::move(changes));
}

/// Grants what the buckets allow now, and makes sure a tick comes when the next may.
void grant_due(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (st.view && !st.view->serving(now))
    return; // standing down: the new active grants; this node's sessions are being closed
  if (now < st.paused_until) {
    // A new active node: no grant yet. One tick at the end of the pause polls again.
    if (st.ticks.insert(st.paused_until).second)
      self->delayed_send(self, st.paused_until - now, identify_tick_atom::value,
                         caf::timespan{st.paused_until.time_since_epoch()});
    return;
  }
  for (const auto& g : st.identify.poll(now)) {
    ++st.grants;
    if (auto i = st.targets.find(g.session); i != st.targets.end())
      self->send(i->second, identify_granted_atom::value, g.shard);
  }
  auto due = st.identify.next_due();
  // One tick at or before the due time is enough: it polls and re-arms. After a poll every
  // waiting bucket granted recently, so `due` lies in the future.
  if (!due || (!st.ticks.empty() && *st.ticks.begin() <= *due))
    return;
  st.ticks.insert(*due);
  self->delayed_send(self, *due - now, identify_tick_atom::value,
                     caf::timespan{due->time_since_epoch()});
}

/// The sharder's session ended: drop its identify requests and hold its shards.
void end_session(self_ptr self, std::uint64_t session) {
  auto& st = self->state;
  st.targets.erase(session);
  st.identify.drop(session);
  auto hold = st.table.end(session);
  if (hold == 0)
    return;
  if (st.release_delay <= caf::timespan::zero()) {
    send_assignments(self, st.table.release(hold));
    return;
  }
  st.holds.emplace(hold, self->clock().now() + st.release_delay);
  // One timer per hold; a re-identify that takes the shards back leaves it nothing to free.
  self->delayed_send(self, st.release_delay, shard_release_atom::value, hold);
}

/// A new active node: start from what the last one recorded, as if every recorded owner's
/// session had just ended (SPEC §9), and grant no identify for `pause`.
void recover(self_ptr self, const std::vector<shard_record>& records, caf::timespan pause) {
  auto& st = self->state;
  st.table = shard_table{st.table.shard_count(), st.table.sharders()};
  st.identify = identify_scheduler{st.identify.max_concurrency()};
  st.holds.clear();
  st.targets.clear();
  st.recorded.assign(st.table.shard_count(), 0);
  std::map<std::uint64_t, std::vector<std::uint32_t>> by_session;
  for (const auto& r : records)
    if (r.session != 0 && r.shard < st.table.shard_count()) {
      by_session[r.session].push_back(r.shard);
      st.recorded[r.shard] = r.session;
    }
  for (auto& [session, shards] : by_session) {
    st.table.identify(session, shards);
    end_session(self, session);
  }
  st.paused_until = self->clock().now() + pause;
  // cl_recover comes from the cluster actor only (the interface says so; the cast cannot
  // check it): the sender is the recorder.
  st.recorder = caf::actor_cast<cluster_node_actor>(self->current_sender());
  record(self);
}

} // namespace

shard_plan shard_planner_state::snapshot(time_point now) const {
  shard_plan out;
  out.shard_count = table.shard_count();
  out.sharders = table.sharders();
  out.share = table.share();
  out.max_concurrency = identify.max_concurrency();
  out.release_delay_ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(release_delay).count();
  out.shards.reserve(table.shard_count());
  for (std::uint32_t id = 0; id < table.shard_count(); ++id) {
    const auto& sl = table.at(id);
    shard_plan_entry e{id, shard_status::free, sl.owner, 0};
    if (sl.st == shard_table::state::owned) {
      e.status = shard_status::owned;
    } else if (sl.st == shard_table::state::held) {
      e.status = shard_status::held;
      if (auto i = holds.find(sl.hold); i != holds.end())
        e.release_in_ms = ms_until(i->second, now);
    }
    out.shards.push_back(e);
  }
  for (auto session : table.sessions())
    out.sessions.push_back(sharder_plan{session, table.shards_of(session)});
  std::uint32_t n = 0;
  for (const auto& b : identify.buckets()) {
    identify_bucket_plan p;
    p.bucket = n++;
    for (const auto& w : b.queue)
      p.waiting.push_back(identify_wait{w.session, w.shard});
    if (auto t = identify.free_at(b))
      p.next_grant_in_ms = ms_until(*t, now);
    out.buckets.push_back(std::move(p));
  }
  out.grants = grants;
  out.ignored_requests = ignored_requests;
  return out;
}

shard_planner_actor::behavior_type
shard_planner(shard_planner_actor::stateful_pointer<shard_planner_state> self,
              std::uint32_t shard_count, std::uint32_t sharders, caf::timespan release_delay,
              std::uint32_t max_concurrency) {
  auto& st = self->state;
  st.table = shard_table{shard_count, sharders};
  st.identify = identify_scheduler{max_concurrency};
  st.release_delay = release_delay;
  // A session actor that dies without saying so (it failed) ends its sessions by dying.
  self->set_down_handler([=](caf::down_msg& msg) {
    std::vector<std::uint64_t> ended;
    for (const auto& [session, target] : self->state.targets)
      if (target.address() == msg.source)
        ended.push_back(session);
    for (auto session : ended)
      end_session(self, session);
  });
  return {
    [=](inspect_atom) {
      auto& st = self->state;
      return summarize(self, {{"sharders", std::to_string(st.targets.size())},
                              {"holds", std::to_string(st.holds.size())},
                              {"grants", std::to_string(st.grants)},
                              {"ignored_requests", std::to_string(st.ignored_requests)}});
    },
    [=](shard_identify_atom, std::uint64_t session, gateway_session_actor target,
        const std::vector<std::uint32_t>& requested) {
      auto& st = self->state;
      auto got = st.table.identify(session, requested);
      if (target) {
        st.targets[session] = target;
        self->monitor(target);
      }
      record(self);
      return got.shards;
    },
    [=](identify_request_atom, std::uint64_t session, std::uint32_t shard) {
      auto& st = self->state;
      if (!st.table.owns(session, shard) || !st.identify.enqueue(session, shard)) {
        ++st.ignored_requests;
        return;
      }
      grant_due(self);
    },
    [=](shard_end_atom, std::uint64_t session) {
      end_session(self, session);
      record(self);
    },
    [=](shard_end_atom, std::uint64_t session, const gateway_session_actor& from) {
      auto i = self->state.targets.find(session);
      if (i == self->state.targets.end() || i->second == from)
        end_session(self, session);
      record(self);
    },
    [=](shard_release_atom, std::uint64_t hold) {
      // A timer of a table since replaced (cluster mode resets it) finds its hold id unknown
      // or due later.
      auto i = self->state.holds.find(hold);
      if (i == self->state.holds.end() || i->second > self->clock().now())
        return;
      self->state.holds.erase(i);
      send_assignments(self, self->state.table.release(hold));
      record(self);
    },
    [=](cl_recover_atom, const std::vector<shard_record>& records, caf::timespan pause,
        std::shared_ptr<cluster_view>& view) {
      self->state.view = std::move(view);
      recover(self, records, pause);
    },
    [=](cl_recover_atom, const std::vector<shard_record>& records, caf::timespan pause) {
      recover(self, records, pause);
    },
    [=](cl_deactivate_atom) {
      auto& st = self->state;
      st.recorder = nullptr;
      st.recorded.clear();
      st.table = shard_table{st.table.shard_count(), st.table.sharders()};
      st.identify = identify_scheduler{st.identify.max_concurrency()};
      st.holds.clear();
      st.targets.clear();
    },
    [=](identify_tick_atom, caf::timespan due) {
      self->state.ticks.erase(time_point{due});
      grant_due(self);
    },
    [=](shard_plan_atom) { return self->state.snapshot(self->clock().now()); },
  };
}

} // namespace coord::actors
