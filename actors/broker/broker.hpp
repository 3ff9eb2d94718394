#pragma once
// The broker: registry of every live session, and the fan-out of broadcasts.

#include "actors/cluster/cluster_view.hpp"
#include "actors/broker/command_router.hpp"
#include "actors/messages.hpp"
#include "actors/gateway/replay_buffer.hpp"
#include "actors/wall_clock.hpp"
#include "metrics/registry.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <caf/actor_clock.hpp>

#include <string>
#include <unordered_map>
#include <vector>

namespace coord::actors {

/// The broker's state: sessions by id and the companion receivers in a flat vector, so a
/// broadcast is one pass over contiguous pointers.
struct broker_state {
  static inline const char* name = "broker";
  metrics::registry* metrics = nullptr;
  std::unordered_map<std::uint64_t, session_handle> sessions;
  std::vector<ports::connection*> companions; ///< receivers of companion broadcasts
  std::unordered_map<std::uint64_t, std::size_t> companion_index; ///< id -> slot in companions
  mailbox_watermark mailbox; ///< sampled on every broadcast and routed command

  void add_receiver(ports::connection* conn);
  void remove_receiver(std::uint64_t id);

  /// One line of the session list.
  session_info info(std::uint64_t id, const session_handle& h) const;

  // -- gateway sessions (broker_gateway.cpp) ---------------------------------------------

  /// An identified gateway session (SPEC §4.9: it outlives its connection while resumable).
  /// Keyed by the session's id: its first connection's id, kept across resumes.
  struct gateway_entry {
    std::uint8_t type = 0; ///< proto::gateway::service_type
    bool compress = false;
    std::int64_t start_time_ms = 0;
    std::vector<std::uint32_t> shards;
    std::string session_id;      ///< the opaque sessionId of IDENTIFIED
    std::uint64_t conn_id = 0;   ///< the connection serving it; 0 while away
    caf::actor actor;            ///< that connection's session actor
    replay_buffer replay;
    bool in_router = false;      ///< a commands session in the routing set
    bool ending = false; ///< a kick, a protocol error or a shutdown closes it: not resumable
    std::uint64_t generation = 0; ///< bumped at every away/back: older timers do nothing
    caf::actor_clock::time_point resumable_until{};
    bool away() const noexcept { return conn_id == 0; }
  };
  std::unordered_map<std::uint64_t, gateway_entry> gateways;
  std::unordered_map<std::string, std::uint64_t> session_ids; ///< sessionId -> session
  std::uint64_t next_s = 0; ///< the node's one op 2 sequence (SPEC §4.9)
  /// Unsent commands pushed out of a replay buffer, routed again once the frame being sent
  /// (e.g. a broadcast to many sessions, numbered once) has gone to everyone.
  std::vector<replay_buffer::entry> pending_reroute;
  /// Latest heartbeat per gateway session: heapUsed, guilds (-1: none).
  std::unordered_map<std::uint64_t, std::pair<std::uint64_t, std::int64_t>> heartbeats;
  command_router router{10000, std::chrono::seconds(30)};
  bool expiry_scheduled = false;

  /// Sharder, commands and dashboard sessions receive stored-state broadcasts.
  static bool receives_gateway_broadcasts(std::uint8_t type);
  /// gateway.resume_* and gateway.command_grace_ms.
  caf::timespan resume_window = std::chrono::seconds(60);
  caf::timespan command_grace = std::chrono::milliseconds(2000);
  std::size_t resume_buffer_events = 1024;
  std::size_t resume_buffer_bytes = 1 << 20;
  wall_clock wall{}; ///< a gateway session's startTime (/services); empty: the system clock
  /// Cluster mode: a session that registers when this node may not serve is closed (1001).
  std::shared_ptr<cluster_view> view;
};

/// Command routing and resume limits (gateway.command_buffer, gateway.command_buffer_ttl_s,
/// gateway.resume_window_s, gateway.command_grace_ms, gateway.resume_buffer_events|bytes).
struct broker_config {
  std::size_t command_buffer = 10000;
  caf::timespan command_ttl = std::chrono::seconds(30);
  caf::timespan resume_window = std::chrono::seconds(60); ///< 0: resume off
  caf::timespan command_grace = std::chrono::milliseconds(2000);
  std::size_t resume_buffer_events = 1024;
  std::size_t resume_buffer_bytes = 1 << 20;
  wall_clock wall{}; ///< stamps wire timestamps; empty: the system clock
  std::shared_ptr<cluster_view> view; ///< cluster mode; null: a single node
};

/// Queues `text` (an op 2 payload without `s`) on every gateway receiver of stored-state
/// broadcasts, numbered with the next `s` and deflated once for the compressed ones; buffered
/// for replay, away sessions included (broker_gateway.cpp).
void fan_out_gateway(caf::stateful_actor<broker_state>* self, const ports::buffer& text);

/// The session list, resumable gateway sessions included (broker_gateway.cpp).
std::vector<session_info> list_sessions(caf::stateful_actor<broker_state>* self);

/// One session of the list; nullopt when unknown.
std::optional<session_info> find_session(caf::stateful_actor<broker_state>* self,
                                         std::uint64_t id);

/// Closes a session (an operator's kick: not resumable); false when unknown.
bool kick_session(caf::stateful_actor<broker_state>* self, std::uint64_t id,
                  std::uint16_t code);

/// Spawn with `sys.spawn(broker, &metrics)` (default limits).
caf::behavior broker(caf::stateful_actor<broker_state>* self, metrics::registry* metrics);

/// Spawn with `sys.spawn(broker_with, &metrics, cfg)`.
caf::behavior broker_with(caf::stateful_actor<broker_state>* self, metrics::registry* metrics,
                          broker_config cfg);

/// The gateway handlers, chained after the broker's own.
caf::message_handler gateway_handlers(caf::stateful_actor<broker_state>* self);

} // namespace coord::actors
