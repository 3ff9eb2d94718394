#pragma once
// What net/ tells a session actor about its connection (all three dialects).

#include "actors/ports.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>

namespace coord::actors {

/// net -> session: one websocket message (std::string data, bool binary).
using frame_atom = caf::atom_constant<caf::atom("cd_frame")>;
/// net -> session: a pong arrived.
using pong_atom = caf::atom_constant<caf::atom("cd_pong")>;
/// net -> session: the connection ended (std::uint16_t code).
using closed_atom = caf::atom_constant<caf::atom("cd_closed")>;

using connection_ptr = std::shared_ptr<ports::connection>;

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::connection_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::ports::buffer)
