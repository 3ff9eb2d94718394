#pragma once
// The voice dialect's plain data (SPEC.md §5), shared by the codec and the actors.

#include <cstdint>
#include <optional>
#include <string>

namespace coord::proto::voice {

/// One voice client: the bot's voice connection in one guild.
struct voice_client {
  std::uint64_t guild_id = 0;
  std::string id;                          ///< opaque, unique in the process
  std::optional<std::uint64_t> channel_id; ///< none: not in a channel (yet)
  std::string endpoint; ///< voice server of the latest VOICE_SERVER_UPDATE, empty: none

  friend bool operator==(const voice_client& a, const voice_client& b) {
    return a.guild_id == b.guild_id && a.id == b.id && a.channel_id == b.channel_id
           && a.endpoint == b.endpoint;
  }
  friend bool operator!=(const voice_client& a, const voice_client& b) { return !(a == b); }
};

/// What STATUS reports (field names in encode_status).
struct status_info {
  std::uint64_t sessions = 0;          ///< identified sessions with a live connection
  std::uint64_t retained_sessions = 0; ///< identified sessions kept after their connection ended
  std::uint64_t voice_clients = 0;     ///< voice clients of all of them
  double uptime_s = 0;                 ///< seconds since the voice registry started
};

} // namespace coord::proto::voice
