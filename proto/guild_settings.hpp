#pragma once
// A guild's stored settings (SPEC.md §3 settings object, §6, §7).

#include <cstdint>
#include <string>

namespace coord::proto {

/// One guild's settings. 0 means "not set" for the three ids.
struct guild_settings {
  std::uint64_t guild_id = 0;
  std::string prefix; ///< 1 to 2000 bytes of UTF-8
  std::uint64_t dj_role_id = 0;
  std::uint64_t voice_channel_id = 0;
  std::uint64_t music_channel_id = 0;
  bool music_enabled = true;

  friend bool operator==(const guild_settings& a, const guild_settings& b) {
    return a.guild_id == b.guild_id && a.prefix == b.prefix && a.dj_role_id == b.dj_role_id
           && a.voice_channel_id == b.voice_channel_id
           && a.music_channel_id == b.music_channel_id && a.music_enabled == b.music_enabled;
  }
};

/// The longest prefix accepted, in bytes.
constexpr std::size_t max_prefix_bytes = 2000;

} // namespace coord::proto
