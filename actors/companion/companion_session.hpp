#pragma once
// One companion session (SPEC.md §3): the check order, the handshake, op 2 and op 5.

#include "actors/messages.hpp"
#include "actors/session/rate_limiter.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <chrono>
#include <optional>

namespace coord::actors {

/// What a companion session needs to know of the rest of the node.
struct companion_deps {
  std::string key;                       ///< companion.key
  std::uint32_t messages_per_minute = 0; ///< limits.messages_per_minute, 0 = off
  caf::actor broker;
  caf::actor store;
  shard_stats_actor stats;
  metrics::registry* metrics = nullptr;
};

struct companion_session_state {
  static inline const char* name = "companion_session";
  connection_ptr conn;
  companion_deps deps;
  rate_limiter limiter;
  bool identified = false; ///< a valid op 1 arrived
  bool closing = false;    ///< we asked net/ to close; later frames are ignored
  caf::actor_clock::time_point opened; ///< actor clock at spawn
  /// The last pong (the companion dialect's heartbeat), actor clock; nullopt: none yet.
  std::optional<caf::actor_clock::time_point> last_pong;

  /// Closes the session once; later calls do nothing.
  void close(std::uint16_t code, std::string reason);
};

/// The actor behind one /companion websocket.
caf::behavior companion_session(caf::stateful_actor<companion_session_state>* self,
                                connection_ptr conn, companion_deps deps);

/// Spawns the session actor, registers it with the broker and returns the sink net/
/// feeds its frames into.
std::shared_ptr<ports::session_sink> open_companion_session(caf::actor_system& sys,
                                                          connection_ptr conn,
                                                          const companion_deps& deps);

} // namespace coord::actors
