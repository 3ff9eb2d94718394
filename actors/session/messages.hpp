#pragma once
// What net/ and the heartbeat monitor tell a session actor (all three dialects), and the
// interface every session actor has.

#include "actors/console/messages.hpp"
#include "actors/ports.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace coord::actors {

/// net -> session: one websocket message (session_actor shows the arguments).
using frame_atom = caf::atom_constant<caf::atom("cd_frame")>;
/// net -> session: a pong arrived.
using pong_atom = caf::atom_constant<caf::atom("cd_pong")>;
/// net -> session: the connection ended, with its close code.
using closed_atom = caf::atom_constant<caf::atom("cd_closed")>;
/// heartbeat monitor -> session: warn_after passed without a touch (sent once per silence).
using hb_warn_atom = caf::atom_constant<caf::atom("cd_hbwarn")>;
/// heartbeat monitor -> session: close_after passed without a touch; the monitor forgot the
/// session.
using hb_expired_atom = caf::atom_constant<caf::atom("cd_hbexpir")>;

using connection_ptr = std::shared_ptr<ports::connection>;

/// What every session actor accepts, in every one of its states. The companion session is
/// exactly this; the gateway and voice sessions extend it (their messages.hpp).
using session_actor = caf::typed_actor<
  /// net: one websocket message (data, binary).
  caf::reacts_to<frame_atom, std::string, bool>,
  /// net: a pong answered one of its pings.
  caf::reacts_to<pong_atom>,
  /// net: the connection ended with this close code (exactly once); the session tears down.
  caf::reacts_to<closed_atom, std::uint16_t>,
  /// heartbeat monitor: the session has been silent for warn_after.
  caf::reacts_to<hb_warn_atom>,
  /// heartbeat monitor: the session has been silent for close_after.
  caf::reacts_to<hb_expired_atom>,
  /// console: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>>;

} // namespace coord::actors

// A pointer to net/'s connection: meaningful in this process only, never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::connection_ptr)
// A shared immutable buffer: encoded once and shared by every receiver on the hot broadcast
// path; serializing it would mean a copy per message.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::ports::buffer)
