#pragma once
// Admin API bodies (SPEC.md §6). The admin API writes snowflakes as decimal strings and
// accepts strings or numbers.

#include "proto/errors.hpp"
#include "proto/guild_settings.hpp"
#include "proto/settings_patch.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coord::proto::admin {

/// The patch and its rule live in settings_patch.hpp (the gateway reads the same fields).
using proto::settings_patch;

/// Body of PATCH /api/v1/guilds/{id}/settings: an object with any subset of prefix (string,
/// 1..2000 bytes), djRoleId/voiceChannelId/musicChannelId (snowflake; null means 0) and
/// musicEnabled (bool), as read_setting reads them; a guildId field is ignored. Invalid JSON
/// -> invalid_json; anything else wrong (an unknown field too) -> invalid_payload with a reason.
result<settings_patch> decode_settings_patch(std::string_view body);

/// Applies a patch (settings_patch.hpp).
using proto::apply;

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
