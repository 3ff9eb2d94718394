#pragma once
// The broker: registry of every live session, the fan-out of broadcasts, and every op 2 to an
// identified gateway session (numbered with the node's one `s`, kept in its replay buffer,
// SPEC §4.9), EXECUTE_COMMANDs to the worker the routing set picks included. Commands that
// find no worker wait in the command router; GET /services is the service directory's.

#include "actors/broker/command_router.hpp"
#include "actors/broker/messages.hpp"
#include "actors/cluster/cluster_view.hpp"
#include "actors/console/summary.hpp"
#include "actors/gateway/replay_buffer.hpp"
#include "metrics/registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/typed_event_based_actor.hpp>

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

  // -- gateway sessions (broker_gateway.cpp, broker_resume.cpp) --------------------------

  /// An identified gateway session (SPEC §4.9: it outlives its connection while resumable).
  /// Keyed by the session's id: its first connection's id, kept across resumes.
  struct gateway_entry {
    std::uint8_t type = 0; ///< proto::gateway::service_type
    bool compress = false;
    std::vector<std::uint32_t> shards;
    std::string session_id;      ///< the opaque sessionId of IDENTIFIED
    std::uint64_t conn_id = 0;   ///< the connection serving it; 0 while away
    gateway_session_actor actor; ///< that connection's session actor
    replay_buffer replay;
    bool in_router = false;      ///< a commands session in the routing set
    bool ending = false; ///< a kick, a protocol error or a shutdown closes it: not resumable
    std::uint64_t generation = 0; ///< bumped at every away/back: older timers do nothing
    caf::actor_clock::time_point resumable_until{};
    bool away() const noexcept { return conn_id == 0; }
    bool commands_worker() const noexcept {
      return type == static_cast<std::uint8_t>(proto::gateway::service_type::commands);
    }
  };
  std::unordered_map<std::uint64_t, gateway_entry> gateways;
  std::unordered_map<std::string, std::uint64_t> session_ids; ///< sessionId -> session
  std::uint64_t next_s = 0; ///< the node's one op 2 sequence (SPEC §4.9)
  /// Unsent commands pushed out of a replay buffer, routed again once the frame being sent
  /// (e.g. a broadcast to many sessions, numbered once) has gone to everyone.
  std::vector<replay_buffer::entry> pending_reroute;
  /// The routing set: the commands workers and the rendezvous pick (its wait queue is unused:
  /// commands with no worker wait in `router`).
  command_router routing{0, caf::timespan::zero()};
  command_router_actor router;  ///< the wait queue; null: a command with no worker is lost
  bool commands_waiting = false; ///< commands were handed to `router` since the last take
  service_directory_actor directory; ///< told of identifies, shards and ends; may be null

  /// Sharder, commands and dashboard sessions receive stored-state broadcasts.
  static bool receives_gateway_broadcasts(std::uint8_t type);
  /// gateway.resume_* and gateway.command_grace_ms.
  caf::timespan resume_window = std::chrono::seconds(60);
  caf::timespan command_grace = std::chrono::milliseconds(2000);
  std::size_t resume_buffer_events = 1024;
  std::size_t resume_buffer_bytes = 1 << 20;
  /// Cluster mode: a session that registers when this node may not serve is closed (1001).
  std::shared_ptr<cluster_view> view;
};

using broker_self = broker_actor::stateful_pointer<broker_state>;

/// Resume limits (gateway.resume_window_s, gateway.command_grace_ms,
/// gateway.resume_buffer_events|bytes) and the actors beside the broker.
struct broker_config {
  caf::timespan resume_window = std::chrono::seconds(60); ///< 0: resume off
  caf::timespan command_grace = std::chrono::milliseconds(2000);
  std::size_t resume_buffer_events = 1024;
  std::size_t resume_buffer_bytes = 1 << 20;
  std::shared_ptr<cluster_view> view; ///< cluster mode; null: a single node
  command_router_actor router;        ///< where commands with no worker wait
  service_directory_actor directory;  ///< GET /services
};

/// Spawn with `sys.spawn(broker, &metrics)` (default limits, no router nor directory: for
/// tests without gateway sessions).
broker_actor::behavior_type broker(broker_self self, metrics::registry* metrics);

/// Spawn with `sys.spawn(broker_with, &metrics, cfg)`.
broker_actor::behavior_type broker_with(broker_self self, metrics::registry* metrics,
                                        broker_config cfg);

// -- the gateway half (broker_gateway.cpp) --------------------------------------------------

/// Queues `text` (an op 2 payload without `s`) on every gateway receiver of stored-state
/// broadcasts, numbered with the next `s` and deflated once for the compressed ones; buffered
/// for replay, away sessions included.
void fan_out_gateway(broker_self self, const ports::buffer& text);

/// Numbers one op 2 payload for one session, sends it (or keeps it while away) and buffers
/// it. `command`: an EXECUTE_COMMAND and its guild, kept aside while away to be routed again.
void send_event(broker_self self, std::uint64_t id, broker_state::gateway_entry& e,
                const ports::buffer& payload, std::uint64_t command_guild = 0,
                bool command = false);

/// Routes again what send_event set aside; call once a handler's sends are done.
void flush_reroutes(broker_self self);

/// Routes a command to the worker the routing set picks, or hands it to the command router.
void route(broker_self self, std::uint64_t guild, ports::buffer json);

/// Routes again, in order, the commands a worker that went away never got.
void reroute(broker_self self, std::vector<replay_buffer::entry> commands);

/// A commands session (back) in the routing set; the waiting commands go out first.
void join_routing(broker_self self, std::uint64_t id, broker_state::gateway_entry& e);

/// Ends a gateway session for good: out of the routing set, its unwritten commands routed
/// again, forgotten (and gone from /services).
void end_gateway(broker_self self, std::uint64_t id);

/// The handlers of gw_ident, gw_gone, gw_grace, gw_expire.
void identify(broker_self self, std::uint64_t id, std::uint8_t type, bool compress,
              const std::vector<std::uint32_t>& shards, const gateway_session_actor& actor);
void gone(broker_self self, std::uint64_t id, std::uint64_t conn_id, std::uint16_t code);
void grace_ended(broker_self self, std::uint64_t id, std::uint64_t gen);
void window_ended(broker_self self, std::uint64_t id, std::uint64_t gen);

// -- resume and the lists (broker_resume.cpp) -----------------------------------------------

/// RESUME (SPEC §4.9).
resume_answer resume(broker_self self, const std::string& session_id, std::uint64_t seq,
                     std::uint64_t conn_id, const gateway_session_actor& actor);

/// The session list, resumable gateway sessions included.
std::vector<session_info> list_sessions(broker_self self);

/// One session of the list; nullopt when unknown.
std::optional<session_info> find_session(broker_self self, std::uint64_t id);

/// Closes a session (an operator's kick: not resumable); false when unknown.
bool kick_session(broker_self self, std::uint64_t id, std::uint16_t code);

} // namespace coord::actors
