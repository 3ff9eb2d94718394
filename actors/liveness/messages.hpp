#pragma once
// The heartbeat monitor (any dialect): deadlines per session.

#include "actors/console/messages.hpp"
#include "actors/session/messages.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>

namespace coord::actors {

using hb_watch_atom = caf::atom_constant<caf::atom("cd_hbwatch")>;
using hb_touch_atom = caf::atom_constant<caf::atom("cd_hbtouch")>;
using hb_unwatch_atom = caf::atom_constant<caf::atom("cd_unwatch")>;
using hb_tick_atom = caf::atom_constant<caf::atom("cd_hbtick")>;
// hb_warn_atom and hb_expired_atom (monitor -> session) are in actors/session/messages.hpp,
// with the session's interface.

/// The heartbeat monitor: every session's liveness deadlines.
using heartbeat_monitor_actor = caf::typed_actor<
  /// console -> monitor: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// session -> monitor: watch session `id` (its actor; warn_after, 0: no warning;
  /// close_after). Watching an id again replaces it.
  caf::reacts_to<hb_watch_atom, std::uint64_t, session_actor, caf::timespan, caf::timespan>,
  /// session -> monitor: the session showed life; both deadlines restart now.
  caf::reacts_to<hb_touch_atom, std::uint64_t>,
  /// session -> monitor: forget a session.
  caf::reacts_to<hb_unwatch_atom, std::uint64_t>,
  /// monitor -> monitor: check the deadlines.
  caf::reacts_to<hb_tick_atom>>;

} // namespace coord::actors
