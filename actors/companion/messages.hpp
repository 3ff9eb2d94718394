#pragma once
// Music stats: companion op 5 per shard (SPEC.md §3), kept by shard_stats.

#include "actors/console/messages.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <vector>

namespace coord::actors {

using music_stats_atom = caf::atom_constant<caf::atom("cd_mstat")>;
using forget_atom = caf::atom_constant<caf::atom("cd_forget")>;
using expire_atom = caf::atom_constant<caf::atom("cd_expire")>;
using music_get_atom = caf::atom_constant<caf::atom("cd_mget")>;

/// One shard's latest op 5.
struct shard_music {
  std::int64_t shard_id = 0;
  std::int64_t playing_music = 0;
  std::int64_t updated_at_ms = 0; ///< unix time in milliseconds
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_music& x) {
  return f(caf::meta::type_name("shard_music"), x.shard_id, x.playing_music, x.updated_at_ms);
}

/// What GET /api/v1/stats shows of music.
struct music_snapshot {
  std::int64_t playing = 0;
  std::vector<shard_music> shards; ///< ascending by shard id
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, music_snapshot& x) {
  return f(caf::meta::type_name("music_snapshot"), x.playing, x.shards);
}

/// The shard-stats aggregator: the latest companion op 5 per shard.
using shard_stats_actor = caf::typed_actor<
  /// console -> stats: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// companion session -> stats: op 5 (session, shard, playing).
  caf::reacts_to<music_stats_atom, std::uint64_t, std::int64_t, std::int64_t>,
  /// companion session -> stats: the session ended, forget its shards.
  caf::reacts_to<forget_atom, std::uint64_t>,
  /// stats -> stats: the one sweep timer; drops the reports that have gone stale.
  caf::reacts_to<expire_atom>,
  /// HTTP API, dashboard, console -> stats: the music snapshot.
  caf::replies_to<music_get_atom>::with<music_snapshot>>;

} // namespace coord::actors
