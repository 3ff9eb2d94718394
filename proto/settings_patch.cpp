#include "proto/settings_patch.hpp"

#include "proto/json_fields.hpp"
#include "proto/snowflake.hpp"

namespace coord::proto {

result<bool> read_setting(settings_patch& patch, std::string_view name,
                          const boost::json::value& value) {
  if (name == "prefix") {
    auto s = json_fields::string(value);
    if (!s)
      return invalid_field(name);
    if (s->empty() || s->size() > max_prefix_bytes)
      return decode_error{errc::invalid_payload, "prefix must be 1 to 2000 bytes"};
    patch.prefix.emplace(*s);
    return true;
  }
  if (name == "djRoleId" || name == "voiceChannelId" || name == "musicChannelId") {
    // null clears the id (0: not set).
    auto id = value.is_null() ? std::optional<std::uint64_t>{0} : parse_snowflake(value);
    if (!id)
      return invalid_field(name);
    auto& slot = name == "djRoleId"         ? patch.dj_role_id
                 : name == "voiceChannelId" ? patch.voice_channel_id
                                            : patch.music_channel_id;
    slot = *id;
    return true;
  }
  if (name == "musicEnabled") {
    const auto* b = value.if_bool();
    if (!b)
      return invalid_field(name);
    patch.music_enabled = *b;
    return true;
  }
  return false;
}

void apply(guild_settings& g, const settings_patch& patch) {
  if (patch.prefix)
    g.prefix = *patch.prefix;
  if (patch.dj_role_id)
    g.dj_role_id = *patch.dj_role_id;
  if (patch.voice_channel_id)
    g.voice_channel_id = *patch.voice_channel_id;
  if (patch.music_channel_id)
    g.music_channel_id = *patch.music_channel_id;
  if (patch.music_enabled)
    g.music_enabled = *patch.music_enabled;
}

} // namespace coord::proto
