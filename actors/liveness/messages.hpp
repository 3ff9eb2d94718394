#pragma once
// The heartbeat monitor (any dialect): deadlines per session.

#include <caf/atom.hpp>
#include <caf/actor.hpp>
#include <caf/timespan.hpp>

namespace coord::actors {

/// -> monitor: watch a session (std::uint64_t id, caf::actor session, caf::timespan
/// warn_after (0: no warning), caf::timespan close_after). Watching an id again replaces it.
using hb_watch_atom = caf::atom_constant<caf::atom("cd_hbwatch")>;
/// -> monitor: the session showed life (std::uint64_t id); both deadlines restart now.
using hb_touch_atom = caf::atom_constant<caf::atom("cd_hbtouch")>;
/// -> monitor: forget a session (std::uint64_t id).
using hb_unwatch_atom = caf::atom_constant<caf::atom("cd_hbunwat")>;
/// monitor -> monitor: check the deadlines.
using hb_tick_atom = caf::atom_constant<caf::atom("cd_hbtick")>;
/// monitor -> session: warn_after passed without a touch (sent once per silence).
using hb_warn_atom = caf::atom_constant<caf::atom("cd_hbwarn")>;
/// monitor -> session: close_after passed without a touch; the monitor forgot the session.
using hb_expired_atom = caf::atom_constant<caf::atom("cd_hbexp")>;

} // namespace coord::actors
