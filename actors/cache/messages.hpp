#pragma once
// The op 5 cache (SPEC.md §4.7) in partitions, one actor each (entity_cache.hpp), and what the
// read API (§4.8, read_api.hpp) asks them. Guild-scoped records live in partition
// `(guild_id >> 22) % partitions`, users in `(user_id >> 22) % partitions`. Unknown ids are
// answered with coord_errc::not_found.

#include "actors/cache/cache_inspect.hpp"
#include "actors/console/messages.hpp"
#include "proto/gateway_codec.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace coord::actors {

using cache_put_atom = caf::atom_constant<caf::atom("cd_cput")>;
using cache_users_atom = caf::atom_constant<caf::atom("cd_cusers")>;
using cache_peers_atom = caf::atom_constant<caf::atom("cd_cpeers")>;
using cache_guild_atom = caf::atom_constant<caf::atom("cd_cguild")>;
using cache_drop_atom = caf::atom_constant<caf::atom("cd_cdrop")>;
using cache_channels_atom = caf::atom_constant<caf::atom("cd_cchans")>;
using cache_channel_atom = caf::atom_constant<caf::atom("cd_cchan")>;
using cache_in_voice_atom = caf::atom_constant<caf::atom("cd_cinvc")>;
using cache_voice_atom = caf::atom_constant<caf::atom("cd_cvoice")>;
using cache_member_atom = caf::atom_constant<caf::atom("cd_cmember")>;
using cache_roles_atom = caf::atom_constant<caf::atom("cd_croles")>;
using cache_role_atom = caf::atom_constant<caf::atom("cd_crole")>;
using cache_user_atom = caf::atom_constant<caf::atom("cd_cuser")>;
using cache_counts_atom = caf::atom_constant<caf::atom("cd_ccount")>;

/// What a member change owes its user, sent to the user's partition.
struct cache_user_delta {
  proto::gateway::user record; ///< record.id names the user; the data only when has_record
  bool has_record = false;
  std::int32_t refs = 0; ///< cached members pointing at the user: +1 added, -1 removed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_user_delta& x) {
  return f(caf::meta::type_name("cache_user_delta"), x.record, x.has_record, x.refs);
}

/// What one partition holds.
struct cache_counts {
  std::uint32_t partition = 0;
  /// Records per type: member, role, user, guild, channel, voiceState (cache_type order).
  std::array<std::uint64_t, 6> entities{};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_counts& x) {
  return f(caf::meta::type_name("cache_counts"), x.partition, x.entities);
}

/// What one partition sends another: the part of entity_cache_actor the partitions know of
/// each other (a `using` cannot name itself, so cache_peers_atom carries these).
using cache_peer_actor = caf::typed_actor<
  /// partition -> a user's partition: what member changes did to users living there.
  caf::reacts_to<cache_users_atom, std::vector<cache_user_delta>>>;

/// One entity cache partition.
using entity_cache_actor = caf::typed_actor<
  /// console -> partition: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// gateway session (cache_ingest) -> partition: one decoded op 5 record to apply.
  caf::reacts_to<cache_put_atom, proto::gateway::cache_update>,
  /// partition -> a user's partition: what member changes did to users living there.
  caf::reacts_to<cache_users_atom, std::vector<cache_user_delta>>,
  /// spawn_entity_cache -> partition, once after spawning: every partition, by index.
  caf::reacts_to<cache_peers_atom, std::vector<cache_peer_actor>>,
  /// read API -> partition: a guild's own fields.
  caf::replies_to<cache_guild_atom, std::uint64_t>::with<proto::gateway::guild>,
  /// read API -> partition: remove one record (proto::gateway::cache_type, guild, id); true
  /// when it was cached. A guild (id = guild) goes with everything under it; id is the
  /// member's, role's, channel's or voice state's user id.
  caf::replies_to<cache_drop_atom, std::uint8_t, std::uint64_t, std::uint64_t>::with<bool>,
  /// read API -> partition: a guild's channels, by position.
  caf::replies_to<cache_channels_atom, std::uint64_t>::with<
    std::vector<proto::gateway::channel>>,
  /// read API -> partition: one channel (guild, channel).
  caf::replies_to<cache_channel_atom, std::uint64_t, std::uint64_t>::with<
    proto::gateway::channel>,
  /// read API -> partition: the voice states in a channel (guild, channel), by user id;
  /// not_found when neither the channel nor a voice state in it is cached.
  caf::replies_to<cache_in_voice_atom, std::uint64_t, std::uint64_t>::with<
    std::vector<proto::gateway::voice_state>>,
  /// read API -> partition: one voice state (guild, user).
  caf::replies_to<cache_voice_atom, std::uint64_t, std::uint64_t>::with<
    proto::gateway::voice_state>,
  /// read API -> partition: one member (guild, member); its user lives in the user's
  /// partition.
  caf::replies_to<cache_member_atom, std::uint64_t, std::uint64_t>::with<
    proto::gateway::member>,
  /// read API -> partition: a guild's roles, by position.
  caf::replies_to<cache_roles_atom, std::uint64_t>::with<std::vector<proto::gateway::role>>,
  /// read API -> partition: one role (guild, role).
  caf::replies_to<cache_role_atom, std::uint64_t, std::uint64_t>::with<proto::gateway::role>,
  /// read API -> the user's partition: one user.
  caf::replies_to<cache_user_atom, std::uint64_t>::with<proto::gateway::user>,
  /// read API (GET /discord/users), console -> partition: what it holds.
  caf::replies_to<cache_counts_atom>::with<cache_counts>>;

} // namespace coord::actors
