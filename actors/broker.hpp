#pragma once
// The broker: registry of every live session, and the fan-out of broadcasts.

#include "actors/command_router.hpp"
#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <unordered_map>
#include <vector>

namespace coord::actors {

/// The broker's state: sessions by id and the companion receivers in a flat vector, so a
/// broadcast is one pass over contiguous pointers.
struct broker_state {
  static inline const char* name = "broker";
  metrics::registry* metrics = nullptr;
  std::unordered_map<std::uint64_t, session_handle> sessions;
  std::vector<net::connection*> companions; ///< receivers of companion broadcasts
  std::unordered_map<std::uint64_t, std::size_t> companion_index; ///< id -> slot in companions
  mailbox_watermark mailbox; ///< sampled on every broadcast and routed command

  void add_receiver(net::connection* conn);
  void remove_receiver(std::uint64_t id);

  /// One line of the session list.
  session_info info(std::uint64_t id, const session_handle& h) const;

  // -- gateway sessions (broker_gateway.cpp) ---------------------------------------------

  /// An identified gateway session.
  struct gateway_entry {
    std::uint8_t type = 0; ///< proto::gateway::service_type
    bool compress = false;
    std::int64_t start_time_ms = 0;
    std::vector<std::uint32_t> shards;
  };
  std::unordered_map<std::uint64_t, gateway_entry> gateways;
  /// Latest heartbeat per gateway session: heapUsed, guilds (-1: none).
  std::unordered_map<std::uint64_t, std::pair<std::uint64_t, std::int64_t>> heartbeats;
  command_router router{10000, std::chrono::seconds(30)};
  bool expiry_scheduled = false;

  /// Sharder, commands and dashboard sessions receive stored-state broadcasts.
  static bool receives_gateway_broadcasts(std::uint8_t type);
  /// Queues `text` on every gateway receiver, deflated once for the compressed ones.
  void fan_out_gateway(const net::buffer& text);
  /// Forgets a gateway session that ended.
  void forget_gateway(std::uint64_t id);
};

/// Command routing limits (gateway.command_buffer, gateway.command_buffer_ttl_s).
struct broker_config {
  std::size_t command_buffer = 10000;
  caf::timespan command_ttl = std::chrono::seconds(30);
};

/// Spawn with `sys.spawn(broker, &metrics)` (default limits).
caf::behavior broker(caf::stateful_actor<broker_state>* self, metrics::registry* metrics);

/// Spawn with `sys.spawn(broker_with, &metrics, cfg)`.
caf::behavior broker_with(caf::stateful_actor<broker_state>* self, metrics::registry* metrics,
                          broker_config cfg);

/// The gateway handlers, chained after the broker's own.
caf::message_handler gateway_handlers(caf::stateful_actor<broker_state>* self);

} // namespace coord::actors
