#pragma once
// Admin API bodies (SPEC.md §6). The admin API writes snowflakes as decimal strings and
// accepts strings or numbers.

#include "proto/errors.hpp"
#include "proto/guild_settings.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coord::proto::admin {

/// A partial update; unset optionals leave the field as it is.
struct settings_patch {
  std::optional<std::string> prefix;
  std::optional<std::uint64_t> dj_role_id;
  std::optional<std::uint64_t> voice_channel_id;
  std::optional<std::uint64_t> music_channel_id;
  std::optional<bool> music_enabled;
};

/// Body of PATCH /api/v1/guilds/{id}/settings: an object with any subset of prefix (string,
/// 1..2000 bytes), djRoleId/voiceChannelId/musicChannelId (snowflake; null means 0) and
/// musicEnabled (bool); a guildId field is ignored. Invalid JSON -> invalid_json; anything
/// else wrong -> invalid_payload with a reason.
result<settings_patch> decode_settings_patch(std::string_view body);

/// Applies a patch.
void apply(guild_settings& g, const settings_patch& patch);

/// Body of PUT /api/v1/guilds/{id}/music: {"enable": bool}; a guildId field is ignored.
result<bool> decode_music_toggle(std::string_view body);

/// {"guildId":"..","prefix":"..","djRoleId":"..","voiceChannelId":"..","musicChannelId":"..",
/// "musicEnabled":true}.
std::string encode_settings(const guild_settings& g);

/// {"supporterIds":["..",..]}.
std::string encode_supporters(const std::vector<std::uint64_t>& supporter_ids);

/// {"error":"..."}, escaped (invalid UTF-8 becomes U+FFFD).
std::string encode_error(std::string_view message);

} // namespace coord::proto::admin
