#pragma once
// The op 5 cache (SPEC.md §4.7) in partitions, one actor each (entity_cache.hpp), and what the
// read API (§4.8, read_api.hpp) asks them. Guild-scoped records live in partition
// `(guild_id >> 22) % partitions`, users in `(user_id >> 22) % partitions`. Unknown ids are
// answered with coord_errc::not_found.

#include "proto/gateway_codec.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace coord::actors {

/// gateway session -> partition: one decoded op 5 record (proto::gateway::cache_update), sent
/// by cache_ingest.
using cache_put_atom = caf::atom_constant<caf::atom("cd_cput")>;
/// partition -> a user's partition: what member changes did to users
/// (std::vector<cache_user_delta>).
using cache_users_atom = caf::atom_constant<caf::atom("cd_cusers")>;
/// -> partition, once after spawning: every partition, by index (std::vector<caf::actor>).
using cache_peers_atom = caf::atom_constant<caf::atom("cd_cpeers")>;
/// -> partition: (std::uint64_t guild) -> proto::gateway::guild.
using cache_guild_atom = caf::atom_constant<caf::atom("cd_cguild")>;
/// -> partition: remove one record (std::uint8_t proto::gateway::cache_type, std::uint64_t
/// guild, std::uint64_t id) -> bool, true when it was cached. A guild (id = guild) goes with
/// everything under it; id is the member's, role's, channel's or voice state's user id.
using cache_drop_atom = caf::atom_constant<caf::atom("cd_cdrop")>;
/// -> partition: (std::uint64_t guild) -> std::vector<proto::gateway::channel> by position.
using cache_channels_atom = caf::atom_constant<caf::atom("cd_cchans")>;
/// -> partition: (std::uint64_t guild, std::uint64_t channel) -> proto::gateway::channel.
using cache_channel_atom = caf::atom_constant<caf::atom("cd_cchan")>;
/// -> partition: the voice states in a channel (std::uint64_t guild, std::uint64_t channel)
/// -> std::vector<proto::gateway::voice_state> by user id; not_found when neither the channel
/// nor a voice state in it is cached.
using cache_in_voice_atom = caf::atom_constant<caf::atom("cd_cinvc")>;
/// -> partition: (std::uint64_t guild, std::uint64_t user) -> proto::gateway::voice_state.
using cache_voice_atom = caf::atom_constant<caf::atom("cd_cvoice")>;
/// -> partition: (std::uint64_t guild, std::uint64_t member) -> proto::gateway::member (its
/// user lives in the user's partition).
using cache_member_atom = caf::atom_constant<caf::atom("cd_cmember")>;
/// -> partition: (std::uint64_t guild) -> std::vector<proto::gateway::role> by position.
using cache_roles_atom = caf::atom_constant<caf::atom("cd_croles")>;
/// -> partition: (std::uint64_t guild, std::uint64_t role) -> proto::gateway::role.
using cache_role_atom = caf::atom_constant<caf::atom("cd_crole")>;
/// -> the user's partition: (std::uint64_t user) -> proto::gateway::user.
using cache_user_atom = caf::atom_constant<caf::atom("cd_cuser")>;
/// -> partition: what it holds -> cache_counts (console snapshot, GET /discord/users).
using cache_counts_atom = caf::atom_constant<caf::atom("cd_ccount")>;

/// What a member change owes its user, sent to the user's partition.
struct cache_user_delta {
  proto::gateway::user record; ///< record.id names the user; the data only when has_record
  bool has_record = false;
  std::int32_t refs = 0; ///< cached members pointing at the user: +1 added, -1 removed
};

/// What one partition holds.
struct cache_counts {
  std::uint32_t partition = 0;
  /// Records per type: member, role, user, guild, channel, voiceState (cache_type order).
  std::array<std::uint64_t, 6> entities{};
};

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::cache_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::guild)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::member)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::role)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::user)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::channel)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::gateway::voice_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::proto::gateway::role>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::proto::gateway::channel>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::proto::gateway::voice_state>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::cache_user_delta>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::cache_counts)
