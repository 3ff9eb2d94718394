#pragma once
// Companion dialect (SPEC.md §3): client frames to typed messages, typed replies to JSON text.
// The companion writes snowflakes as JSON numbers.

#include "proto/errors.hpp"
#include "proto/guild_settings.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace coord::proto::companion {

/// Opcodes of the companion dialect.
namespace op {
constexpr int handshake = 1;
constexpr int guild_settings = 2;
constexpr int music_toggle = 3;
constexpr int music_stats = 5;
constexpr int supporter_added = 10;
constexpr int supporter_removed = 11;
} // namespace op

/// op 1 from a client: the guilds it wants settings for, in request order.
struct handshake {
  std::vector<std::uint64_t> guild_ids;
};

/// op 2 from a client: asks for one guild's settings to be broadcast.
struct guild_request {
  std::uint64_t guild_id = 0;
};

/// op 5 from a client: how many guilds of one shard are playing music.
struct music_stats {
  std::int64_t shard_id = 0;
  std::int64_t playing_music = 0;
};

/// Any client message.
using client_message = std::variant<handshake, guild_request, music_stats>;

/// A parsed frame whose JSON, key and op passed; the body not yet checked.
struct envelope {
  int op = 0;
  boost::json::object body; ///< the whole frame minus `key`
};

/// Step 1 of SPEC §3's check order: invalid JSON -> invalid_json; not an object or a missing,
/// mistyped or wrong `key` -> auth_failed ("invalid key"); `op` missing or not an integer ->
/// invalid_payload; op not 1, 2 or 5 -> unknown_opcode.
result<envelope> open(std::string_view text, std::string_view expected_key);

/// Step 3 (the caller checks "op 2 or 5 before op 1" itself): field checks, invalid_payload
/// with a reason naming the field.
result<client_message> decode(const envelope& env);

/// op 1 reply: {"op":1,"supporterIds":[..],"guilds":[{guildId,prefix,djRoleId,...},..]}.
std::string encode_handshake_reply(const std::vector<std::uint64_t>& supporter_ids,
                                   const std::vector<guild_settings>& guilds);

/// op 2: {"op":2,"guildId":..,"prefix":..,"djRoleId":..,"voiceChannelId":..,"musicChannelId":..}.
std::string encode_guild_settings(const guild_settings& g);

/// op 3: {"op":3,"guildId":..,"enable":..}.
std::string encode_music_toggle(std::uint64_t guild_id, bool enable);

/// op 10: {"op":10,"supporterId":..}.
std::string encode_supporter_added(std::uint64_t supporter_id);

/// op 11: {"op":11,"supporterId":..}.
std::string encode_supporter_removed(std::uint64_t supporter_id);

} // namespace coord::proto::companion
