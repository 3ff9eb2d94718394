#include "actors/companion/shard_stats.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>

namespace coord::actors {

music_snapshot shard_stats_state::snapshot() const {
  music_snapshot out;
  out.shards.reserve(shards.size());
  for (const auto& [id, e] : shards) {
    out.playing += e.playing;
    out.shards.push_back(shard_music{id, e.playing, e.updated_at_ms});
  }
  return out;
}

void shard_stats_state::publish() const {
  std::map<std::int64_t, std::int64_t> gauges;
  for (const auto& [id, e] : shards)
    gauges.emplace(id, e.playing);
  metrics->set_music_playing(std::move(gauges));
}

bool shard_stats_state::sweep(caf::actor_clock::time_point now) {
  bool changed = false;
  for (auto i = shards.begin(); i != shards.end();) {
    if (i->second.stale_at <= now) {
      i = shards.erase(i);
      changed = true;
    } else {
      ++i;
    }
  }
  return changed;
}

caf::actor_clock::time_point shard_stats_state::earliest() const {
  auto out = shards.begin()->second.stale_at;
  for (const auto& [id, e] : shards)
    out = std::min(out, e.stale_at);
  return out;
}

namespace {

using self_ptr = shard_stats_actor::stateful_pointer<shard_stats_state>;

/// Schedules the one sweep, for the earliest report to go stale, unless one is scheduled or
/// nothing is kept. A report renewed since then only makes that sweep find nothing to drop.
void schedule_sweep(self_ptr self) {
  auto& st = self->state;
  if (st.sweep_scheduled || st.shards.empty())
    return;
  st.sweep_scheduled = true;
  auto wait = st.earliest() - self->clock().now();
  self->delayed_send(self, std::max(wait, caf::timespan{0}), expire_atom::value);
}

} // namespace

shard_stats_actor::behavior_type
shard_stats(shard_stats_actor::stateful_pointer<shard_stats_state> self,
            caf::timespan stale_after, metrics::registry* metrics, wall_clock wall) {
  self->state.stale_after = stale_after;
  self->state.metrics = metrics;
  self->state.wall = std::move(wall);
  return {
    [=](music_stats_atom, std::uint64_t session, std::int64_t shard, std::int64_t playing) {
      auto& st = self->state;
      st.shards[shard] = shard_stats_state::entry{playing, unix_ms(st.wall), session,
                                                  self->clock().now() + st.stale_after};
      schedule_sweep(self);
      st.publish();
    },
    [=](expire_atom) {
      auto& st = self->state;
      st.sweep_scheduled = false;
      if (st.sweep(self->clock().now()))
        st.publish();
      schedule_sweep(self);
    },
    [=](forget_atom, std::uint64_t session) {
      auto& st = self->state;
      bool changed = false;
      for (auto i = st.shards.begin(); i != st.shards.end();) {
        if (i->second.session == session) {
          i = st.shards.erase(i);
          changed = true;
        } else {
          ++i;
        }
      }
      if (changed)
        st.publish();
    },
    [=](music_get_atom) { return self->state.snapshot(); },
    [=](inspect_atom) {
      auto snap = self->state.snapshot();
      return summarize(self, {{"shards", std::to_string(snap.shards.size())},
                              {"playing", std::to_string(snap.playing)}});
    },
  };
}

} // namespace coord::actors
