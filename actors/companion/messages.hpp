#pragma once
// Music stats: companion op 5 per shard (SPEC.md §3), kept by shard_stats.

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <vector>

namespace coord::actors {

/// session -> stats: companion op 5 (std::uint64_t session, std::int64_t shard,
/// std::int64_t playing).
using music_stats_atom = caf::atom_constant<caf::atom("cd_mstat")>;
/// session -> stats: the session ended, forget its shards (std::uint64_t session).
using forget_atom = caf::atom_constant<caf::atom("cd_forget")>;
/// stats -> stats: the one sweep timer; drops the reports that have gone stale.
using expire_atom = caf::atom_constant<caf::atom("cd_expire")>;
/// -> stats: the music snapshot -> music_snapshot.
using music_get_atom = caf::atom_constant<caf::atom("cd_mget")>;

/// One shard's latest op 5.
struct shard_music {
  std::int64_t shard_id = 0;
  std::int64_t playing_music = 0;
  std::int64_t updated_at_ms = 0; ///< unix time in milliseconds
};

/// What GET /api/v1/stats shows of music.
struct music_snapshot {
  std::int64_t playing = 0;
  std::vector<shard_music> shards; ///< ascending by shard id
};

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::music_snapshot)
