#pragma once
// The one rule of a guild-settings patch, for the admin PATCH (SPEC.md §6) and the gateway's
// GUILD_SETTINGS_UPDATE (SPEC.md §4.6): the fields a patch has, what each accepts, and how a
// patch applies to stored settings.

#include "proto/errors.hpp"
#include "proto/guild_settings.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coord::proto {

/// A partial update; unset optionals leave the field as it is.
struct settings_patch {
  std::optional<std::string> prefix;
  std::optional<std::uint64_t> dj_role_id;
  std::optional<std::uint64_t> voice_channel_id;
  std::optional<std::uint64_t> music_channel_id;
  std::optional<bool> music_enabled;
};

/// The wire names of a patch's fields, in the order the gateway checks them.
inline constexpr std::string_view settings_fields[] = {"prefix", "djRoleId", "voiceChannelId",
                                                       "musicChannelId", "musicEnabled"};

/// Reads the field `name` of a patch into `patch`: prefix a string of 1..2000 bytes (else
/// "prefix must be 1 to 2000 bytes"), djRoleId/voiceChannelId/musicChannelId a snowflake or
/// null (= 0, not set), musicEnabled a bool; a mistyped value -> invalid_field(name). True when
/// `name` is one of settings_fields; false (patch untouched) for any other name.
result<bool> read_setting(settings_patch& patch, std::string_view name,
                          const boost::json::value& value);

/// Applies a patch.
void apply(guild_settings& g, const settings_patch& patch);

} // namespace coord::proto
