#pragma once
// One service gateway session (SPEC.md §4): hello, heartbeats through the heartbeat monitor,
// identify, compression, events, cache records.

#include "actors/messages.hpp"
#include "actors/session/rate_limiter.hpp"
#include "metrics/registry.hpp"
#include "proto/gateway_codec.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <optional>
#include <vector>

namespace coord::actors {

/// What a gateway session needs to know of the rest of the node.
struct gateway_deps {
  std::string secret;                           ///< gateway.secret
  std::uint64_t heartbeat_interval_ms = 30000;  ///< gateway.heartbeat_interval_ms
  std::uint32_t messages_per_minute = 0;        ///< gateway.messages_per_minute, 0 = off
  caf::actor broker;
  caf::actor store;
  shard_planner_actor planner;
  heartbeat_monitor_actor monitor;
  std::vector<caf::actor> cache; ///< entity cache partitions
  metrics::registry* metrics = nullptr;
};

struct gateway_session_state {
  static inline const char* name = "gateway_session";
  connection_ptr conn;
  gateway_deps deps;
  rate_limiter limiter;
  std::optional<proto::gateway::service_type> type; ///< set once identified (or resumed)
  bool compress = false;
  bool closing = false;
  /// The session's id: this connection's, or the resumed session's (SPEC §4.9). The broker,
  /// the planner and the lists know the session by it.
  std::uint64_t session = 0;
  bool taken_over = false; ///< a RESUME moved the session to a newer connection

  /// Sends one payload that carries no `s` (heartbeat ACKs and requests), as a zlib stream in
  /// a binary frame when the session asked for it. Op 2 events go through the broker.
  void send(std::string json);

  /// Closes the session once; later calls do nothing.
  void close(std::uint16_t code, std::string reason);
};

/// The actor behind one /gateway (or /ws/v1) websocket.
caf::behavior gateway_session(caf::stateful_actor<gateway_session_state>* self,
                              connection_ptr conn, gateway_deps deps);

/// Spawns the session actor, registers it with the broker and returns the sink net/ feeds.
std::shared_ptr<ports::session_sink> open_gateway_session(caf::actor_system& sys,
                                                        connection_ptr conn,
                                                        const gateway_deps& deps);

} // namespace coord::actors
