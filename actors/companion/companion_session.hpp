#pragma once
// One companion session (SPEC.md §3): the check order, the handshake, op 2 and op 5, and its
// liveness (pongs to the heartbeat monitor, 4007 when they stop). States: connected (only op 1
// opens) -> handshaken -> closing.

#include "actors/messages.hpp"
#include "actors/session/session_core.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace coord::actors {

/// What a companion session needs to know of the rest of the node.
struct companion_deps {
  std::string key;                       ///< companion.key
  std::uint32_t messages_per_minute = 0; ///< limits.messages_per_minute, 0 = off
  broker_actor broker;
  settings_store_actor store;
  shard_stats_actor stats;
  metrics::registry* metrics = nullptr;
  /// Liveness (SPEC §2, 4007): net/ pings every companion.ping_interval and reports pongs;
  /// the monitor closes the session when no pong came for `ping_timeout`. Zero: no pings,
  /// no deadline.
  heartbeat_monitor_actor monitor;
  caf::timespan ping_timeout{0};
};

struct companion_session_state {
  static inline const char* name = "companion_session";
  session_core core;
  companion_deps deps;
};

/// The companion session accepts what every session does and nothing more.
using companion_session_actor = session_actor;

/// The actor behind one /companion websocket.
companion_session_actor::behavior_type
companion_session(companion_session_actor::stateful_pointer<companion_session_state> self,
                  connection_ptr conn, companion_deps deps);

/// Spawns the session actor, registers it with the broker and returns the sink net/
/// feeds its frames into.
std::shared_ptr<ports::session_sink> open_companion_session(caf::actor_system& sys,
                                                          connection_ptr conn,
                                                          const companion_deps& deps);

} // namespace coord::actors
