#pragma once
// One service gateway session (SPEC.md §4): hello, heartbeats through the heartbeat monitor,
// identify, compression, events, cache records. States: connected -> identified (IDENTIFY or
// RESUME) -> closing; the decoder checks what each op needs of the first two.

#include "actors/messages.hpp"
#include "actors/session/session_core.hpp"
#include "metrics/registry.hpp"
#include "proto/gateway_codec.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <optional>
#include <vector>

namespace coord::actors {

/// What a gateway session needs to know of the rest of the node.
struct gateway_deps {
  std::string secret;                           ///< gateway.secret
  std::uint64_t heartbeat_interval_ms = 30000;  ///< gateway.heartbeat_interval_ms
  std::uint32_t messages_per_minute = 0;        ///< gateway.messages_per_minute, 0 = off
  broker_actor broker;
  service_directory_actor directory; ///< heartbeats of an identified session (/services)
  settings_store_actor store;
  shard_planner_actor planner;
  heartbeat_monitor_actor monitor;
  std::vector<entity_cache_actor> cache; ///< entity cache partitions
  metrics::registry* metrics = nullptr;
};

struct gateway_session_state {
  static inline const char* name = "gateway_session";
  session_core core;
  gateway_deps deps;
  std::optional<proto::gateway::service_type> type; ///< set once identified (or resumed)
  bool compress = false;
  /// The session's id: this connection's, or the resumed session's (SPEC §4.9). The broker,
  /// the planner and the lists know the session by it.
  std::uint64_t session = 0;
  bool taken_over = false; ///< a RESUME moved the session to a newer connection

  /// Sends one payload that carries no `s` (heartbeat ACKs and requests), as a zlib stream in
  /// a binary frame when the session asked for it. Op 2 events go through the broker.
  void send(std::string json);
};

/// The actor behind one /gateway (or /ws/v1) websocket.
gateway_session_actor::behavior_type
gateway_session(gateway_session_actor::stateful_pointer<gateway_session_state> self,
                connection_ptr conn, gateway_deps deps);

/// Spawns the session actor, registers it with the broker and returns the sink net/ feeds.
std::shared_ptr<ports::session_sink> open_gateway_session(caf::actor_system& sys,
                                                        connection_ptr conn,
                                                        const gateway_deps& deps);

} // namespace coord::actors
