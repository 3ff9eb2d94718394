#include "actors/liveness/heartbeat_monitor.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <vector>

namespace coord::actors {

using clock = heartbeat_monitor_state::clock;

clock::time_point heartbeat_monitor_state::next_deadline(const watched& w) {
  if (w.warn_after.count() > 0 && !w.warned && w.warn_after < w.close_after)
    return w.last + w.warn_after;
  return w.last + w.close_after;
}

void heartbeat_monitor_state::file(std::uint64_t id, watched& w) {
  if (w.filed)
    deadlines.erase(w.slot);
  w.slot = deadlines.emplace(next_deadline(w), id);
  w.filed = true;
}

void heartbeat_monitor_state::forget(std::uint64_t id) {
  auto i = sessions.find(id);
  if (i == sessions.end())
    return;
  if (i->second.filed)
    deadlines.erase(i->second.slot);
  sessions.erase(i);
}

namespace {

using self_ptr = heartbeat_monitor_actor::stateful_pointer<heartbeat_monitor_state>;

void schedule_tick(self_ptr self) {
  auto& st = self->state;
  if (st.ticking || st.sessions.empty())
    return;
  st.ticking = true;
  self->delayed_send(self, st.tick, hb_tick_atom::value);
}

/// Sends what is due at `now`: a warning once per silence, then the expiry.
void check(self_ptr self, clock::time_point now) {
  auto& st = self->state;
  while (!st.deadlines.empty() && st.deadlines.begin()->first <= now) {
    const auto id = st.deadlines.begin()->second;
    auto i = st.sessions.find(id);
    if (i == st.sessions.end()) {
      // forget() removes both, so this is a broken invariant: drop the entry, do not loop.
      st.deadlines.erase(st.deadlines.begin());
      continue;
    }
    auto& w = i->second;
    if (now - w.last >= w.close_after) {
      // Past both deadlines at once (a long stall): the close is what matters.
      self->send(w.session, hb_expired_atom::value);
      st.forget(id);
      continue;
    }
    if (w.warn_after.count() > 0 && !w.warned && now - w.last >= w.warn_after) {
      w.warned = true;
      self->send(w.session, hb_warn_atom::value);
    }
    st.file(id, w);
  }
}

} // namespace

heartbeat_monitor_actor::behavior_type
heartbeat_monitor(heartbeat_monitor_actor::stateful_pointer<heartbeat_monitor_state> self,
                  caf::timespan tick) {
  self->state.tick = tick;
  return {
    [=](inspect_atom) {
      return summarize(self, {{"watched", std::to_string(self->state.sessions.size())},
                              {"ticking", self->state.ticking ? "yes" : "no"}});
    },
    [=](hb_watch_atom, std::uint64_t id, session_actor session, caf::timespan warn_after,
        caf::timespan close_after) {
      auto& st = self->state;
      st.forget(id);
      auto& w = st.sessions[id];
      w.session = std::move(session);
      w.warn_after = warn_after;
      w.close_after = close_after;
      w.last = self->clock().now();
      st.file(id, w);
      schedule_tick(self);
    },
    [=](hb_touch_atom, std::uint64_t id) {
      auto& st = self->state;
      auto i = st.sessions.find(id);
      if (i == st.sessions.end())
        return;
      i->second.last = self->clock().now();
      i->second.warned = false;
      st.file(id, i->second);
    },
    [=](hb_unwatch_atom, std::uint64_t id) { self->state.forget(id); },
    [=](hb_tick_atom) {
      auto& st = self->state;
      st.ticking = false;
      check(self, self->clock().now());
      // An idle monitor schedules nothing, so a node without sessions has no timer running.
      schedule_tick(self);
    },
  };
}

} // namespace coord::actors
