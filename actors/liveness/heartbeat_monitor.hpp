#pragma once
// The heartbeat monitor (DESIGN.md): every session's liveness deadlines in one ordered
// structure, checked on a tick, instead of a timer per message. Any dialect uses it.

#include "actors/messages.hpp"

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <map>
#include <unordered_map>

namespace coord::actors {

struct heartbeat_monitor_state {
  static inline const char* name = "heartbeat_monitor";

  /// The actor clock's (steady) clock: every deadline is read from `self->clock()`, so the
  /// deterministic test coordinator's `advance_time` moves it.
  using clock = caf::actor_clock::clock_type;
  /// Next deadline -> session id; one entry per watched session.
  using deadline_map = std::multimap<clock::time_point, std::uint64_t>;

  /// One watched session.
  struct watched {
    session_actor session;
    caf::timespan warn_after{}; ///< 0: no warning
    caf::timespan close_after{};
    clock::time_point last;     ///< the latest watch or touch
    bool warned = false;        ///< warned since the latest touch
    deadline_map::iterator slot; ///< its entry in `deadlines`, when `filed`
    bool filed = false;
  };

  std::unordered_map<std::uint64_t, watched> sessions;
  deadline_map deadlines;
  caf::timespan tick{};
  bool ticking = false; ///< a tick is scheduled (only while something is watched)

  /// The deadline `w` waits for next: the warning if one is due, else the close.
  static clock::time_point next_deadline(const watched& w);

  /// (Re)files `w` under its next deadline.
  void file(std::uint64_t id, watched& w);

  /// Forgets a session; unknown ids are ignored.
  void forget(std::uint64_t id);
};

/// Spawn with `sys.spawn(heartbeat_monitor, tick)`: checks the deadlines every `tick` while at
/// least one session is watched. Time comes from the actor clock.
heartbeat_monitor_actor::behavior_type
heartbeat_monitor(heartbeat_monitor_actor::stateful_pointer<heartbeat_monitor_state> self,
                  caf::timespan tick);

} // namespace coord::actors
