#pragma once
// The store's typed changes as the frames the broker fans out: encoded once per dialect,
// here, where the broadcast is made (the store encodes nothing).

#include "actors/broker/messages.hpp"
#include "actors/settings/messages.hpp"

#include <vector>

namespace coord::actors {

/// Companion op 2 and gateway GUILD_SETTINGS_UPDATE when the fields changed, op 3 and
/// MUSIC_COMMAND_UPDATE when music did (SPEC.md §3, §4.6); an op 2 request's answer is
/// op 2 for companions alone.
std::vector<broadcast_msg> encode_change(const settings_changed& c);

/// Companion op 10 (added) or op 11 (removed).
broadcast_msg encode_change(const supporter_changed& c);

/// The companion op 1 reply.
ports::buffer encode_handshake(const handshake_snapshot& h);

} // namespace coord::actors
