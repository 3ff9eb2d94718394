#include "actors/shard_stats.hpp"

#include <caf/event_based_actor.hpp>

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

caf::behavior shard_stats(caf::stateful_actor<shard_stats_state>* self,
                          caf::timespan stale_after, metrics::registry* metrics) {
  self->state.stale_after = stale_after;
  self->state.metrics = metrics;
  return {
    [=](music_stats_atom, std::uint64_t session, std::int64_t shard, std::int64_t playing) {
      auto& st = self->state;
      auto now = std::chrono::system_clock::now().time_since_epoch();
      auto seq = ++st.next_seq;
      st.shards[shard] = shard_stats_state::entry{
        playing, std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), session,
        seq};
      // One timer per report: when it fires and no newer report came, the shard is stale.
      self->delayed_send(self, st.stale_after, expire_atom::value, shard, seq);
      st.publish();
    },
    [=](expire_atom, std::int64_t shard, std::uint64_t seq) {
      auto& st = self->state;
      auto i = st.shards.find(shard);
      if (i != st.shards.end() && i->second.seq == seq) {
        st.shards.erase(i);
        st.publish();
      }
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
