#pragma once
// Service gateway cache records (SPEC.md §4.7, the seed's tables): the `d` of an op 5 frame to
// compact typed records (gateway_cache_json.hpp writes them back out for the read API).
// Snowflakes are accepted as strings or numbers; 0 means "none".

#include "proto/compact_storage.hpp"
#include "proto/errors.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace coord::proto::gateway {

/// The `d.type` of an op 5 frame.
enum class cache_type : std::uint8_t { member, role, user, guild, channel, voice_state };

/// The wire name: "member", "role", "user", "guild", "channel", "voiceState".
std::string_view to_string(cache_type t) noexcept;

/// The type for a wire name (case-sensitive); nullopt for anything else.
std::optional<cache_type> cache_type_from_string(std::string_view name) noexcept;

/// A Discord user, keyed by id.
struct user {
  std::uint64_t id = 0;
  compact_string username;
  compact_string avatar;                  ///< null: no avatar, or unknown (kept on upsert)
  std::array<char, 4> discriminator_chars{}; ///< 1 to 4 ASCII digits, as sent
  std::uint8_t discriminator_length = 0;
  bool bot = false;

  /// The discriminator as sent ("0001", or "0" for migrated users).
  std::string_view discriminator() const noexcept {
    return {discriminator_chars.data(), discriminator_length};
  }
  friend bool operator==(const user& a, const user& b) noexcept {
    return a.id == b.id && a.username == b.username && a.avatar == b.avatar &&
           a.discriminator() == b.discriminator() && a.bot == b.bot;
  }
};

/// joined_at_ms of a member whose joinedAt was null or absent (null in the read API).
inline constexpr std::int64_t unknown_time = std::numeric_limits<std::int64_t>::min();

/// A guild member, keyed by (guild_id, id); its user lives in the users.
/// Null or absent nickname, roles, joinedAt (SPEC §4.7: what the original sharder sends for a
/// member update) are unknown: null here, the cached value kept on an upsert.
struct member {
  std::uint64_t id = 0;
  std::uint64_t guild_id = 0;
  std::int64_t joined_at_ms = 0;        ///< unix time in milliseconds; unknown_time: unknown
  compact_string nickname;              ///< null: no nickname, or unknown
  compact_array<std::uint64_t> roles;   ///< role ids, as sent; null array: unknown

  friend bool operator==(const member& a, const member& b) noexcept {
    return a.id == b.id && a.guild_id == b.guild_id && a.joined_at_ms == b.joined_at_ms &&
           a.nickname == b.nickname && a.roles == b.roles;
  }
};

/// A guild role, keyed by id.
struct role {
  std::uint64_t id = 0;
  std::uint64_t guild_id = 0;
  std::uint64_t permissions = 0;
  compact_string name;
  std::uint32_t color = 0;
  std::int32_t position = 0;

  friend bool operator==(const role& a, const role& b) noexcept {
    return a.id == b.id && a.guild_id == b.guild_id && a.permissions == b.permissions &&
           a.name == b.name && a.color == b.color && a.position == b.position;
  }
};

/// One permission overwrite of a channel.
struct overwrite {
  std::uint64_t id = 0;
  std::uint64_t allow = 0;
  std::uint64_t deny = 0;
  bool member = false; ///< false: a role's overwrite

  friend bool operator==(const overwrite& a, const overwrite& b) noexcept {
    return a.id == b.id && a.allow == b.allow && a.deny == b.deny && a.member == b.member;
  }
};

/// A guild channel, keyed by id.
struct channel {
  std::uint64_t id = 0;
  std::uint64_t guild_id = 0;
  std::uint64_t parent_id = 0;          ///< 0: no parent category, or unknown (kept on upsert)
  compact_string name;
  compact_array<overwrite> overwrites;  ///< null array: unknown (kept on upsert)
  std::int32_t position = 0;
  std::uint32_t user_limit = 0;         ///< meaningful when has_user_limit
  std::uint8_t type = 0;                ///< Discord channel type number, see channel_type_name
  bool nsfw = false;
  bool has_user_limit = false;          ///< false: userLimit unknown (kept on upsert)
  /// False for a top-level channel payload without a numeric `channelType`: the cached
  /// channel's type is kept; a new channel's type is unknown (null in the read API), never
  /// invented.
  bool has_type = true;

  friend bool operator==(const channel& a, const channel& b) noexcept {
    return a.id == b.id && a.guild_id == b.guild_id && a.parent_id == b.parent_id &&
           a.name == b.name && a.overwrites == b.overwrites && a.position == b.position &&
           a.user_limit == b.user_limit && a.type == b.type && a.nsfw == b.nsfw &&
           a.has_user_limit == b.has_user_limit && a.has_type == b.has_type;
  }
};

/// A user's voice state in a guild, keyed by (guild_id, user_id).
struct voice_state {
  std::uint64_t guild_id = 0;
  std::uint64_t channel_id = 0; ///< 0 (sent as null): the user left; remove the state
  std::uint64_t user_id = 0;
  bool deaf = false;
  bool mute = false;
  bool self_deaf = false;
  bool self_mute = false;

  friend bool operator==(const voice_state& a, const voice_state& b) noexcept {
    return a.guild_id == b.guild_id && a.channel_id == b.channel_id && a.user_id == b.user_id &&
           a.deaf == b.deaf && a.mute == b.mute && a.self_deaf == b.self_deaf &&
           a.self_mute == b.self_mute;
  }
};

/// A guild's own fields, keyed by id (its roles, channels, ... are records of their own).
/// Null or absent icon, region, memberCount are unknown: null here, kept on an upsert.
struct guild {
  std::uint64_t id = 0;
  std::uint64_t owner_id = 0;
  std::uint64_t member_count = 0; ///< meaningful when has_member_count
  compact_string name;
  compact_string icon;   ///< null: no icon, or unknown
  compact_string region; ///< null: unknown
  bool has_member_count = true;

  friend bool operator==(const guild& a, const guild& b) noexcept {
    return a.id == b.id && a.owner_id == b.owner_id && a.member_count == b.member_count &&
           a.name == b.name && a.icon == b.icon && a.region == b.region &&
           a.has_member_count == b.has_member_count;
  }
};

/// A member upsert; its nested user is upserted into the users.
struct member_update {
  member record;
  user member_user;
};

/// A guild upsert with everything it carries. Nested elements without guildID get the guild's
/// id; a nested element whose guildID differs from the guild's is refused.
struct guild_update {
  guild record;
  std::vector<role> roles;
  std::vector<channel> channels;
  std::vector<voice_state> voice_states; ///< channel_id 0: remove that state
  std::vector<member> members;
  std::vector<user> users; ///< the members' users, in member order
  bool has_roles = false;        ///< `roles` was sent (possibly empty)
  bool has_channels = false;     ///< `channels` was sent (possibly empty)
  bool has_voice_states = false; ///< `voiceStates` was sent
  bool has_members = false;      ///< `members` was sent
};

/// A removal: `deleted:true`, or a voiceState with channelID null. Key: member (guild_id, id),
/// voiceState (guild_id, id = the user id), the others id; a role or channel removal carries
/// guild_id when guildID was sent (else 0). Removing a guild removes everything under it.
struct cache_removal {
  cache_type type = cache_type::member;
  std::uint64_t guild_id = 0;
  std::uint64_t id = 0;

  friend bool operator==(const cache_removal& a, const cache_removal& b) noexcept {
    return a.type == b.type && a.guild_id == b.guild_id && a.id == b.id;
  }
};

/// Why a valid op 5 record is not cached (coordinator_cache_ignored_total{reason}).
enum class ignore_reason : std::uint8_t { dm_channel };

/// The label value of an ignore reason: "dm_channel".
std::string_view to_string(ignore_reason r) noexcept;

/// A record that is accepted and counted, but not cached: a channel without guildID (a DM
/// channel, which the original sharder sends too).
struct ignored_record {
  ignore_reason reason = ignore_reason::dm_channel;
};

/// One decoded op 5 payload.
using cache_update = std::variant<member_update, role, user, guild_update, channel, voice_state,
                                  cache_removal, ignored_record>;

/// Decodes the `d` of an op 5 frame: an object with `type` and that type's fields (seed
/// tables). Missing or mistyped fields, an unknown type or a `d` that is not an object ->
/// invalid_payload with a reason naming the field's path ("invalid field members[2].user.id").
/// Field rules: what the original sharder really sends (SPEC §4.7) may be absent or null, which
/// means unknown — joinedAt, nickname, memberCount, icon, avatar, region, parentID, userLimit,
/// overwrites, roles, channels, members, voiceStates; the other fields are required.
/// A top-level channel without guildID is an ignored_record (dm_channel). Integers are JSON
/// integers in the record's range;
/// permissions/allow/deny also as decimal strings; an overwrite's type "role"/"member" or 0/1;
/// discriminator 1 to 4 ASCII digits; joinedAt ISO 8601 or unix milliseconds. Unknown fields
/// are ignored. `deleted` must be a boolean; inside a guild's arrays it is not read.
/// A channel's own `type` number collides with `d.type`: at the top level it travels as
/// `channelType` (optional), inside a guild's `channels` as `type` (required).
result<cache_update> decode_cache(const boost::json::value& d);

} // namespace coord::proto::gateway
