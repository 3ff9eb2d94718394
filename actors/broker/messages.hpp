#pragma once
// The broker: the session registry and the fan-out of broadcasts (SPEC.md §3, §4.6), the
// gateway session directory (GET /services) and command routing.

#include "actors/ports.hpp"
#include "actors/session/messages.hpp"
#include "proto/gateway_codec.hpp"

#include <caf/atom.hpp>
#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coord::actors {

/// -> broker: a session opened (session_handle).
using register_atom = caf::atom_constant<caf::atom("cd_reg")>;
/// -> broker: a session ended (std::uint64_t id).
using unregister_atom = caf::atom_constant<caf::atom("cd_unreg")>;
/// store -> broker: send the op 1 reply, then start broadcasting to the session.
using attach_atom = caf::atom_constant<caf::atom("cd_attach")>;
/// -> broker: fan a broadcast_msg out.
using broadcast_atom = caf::atom_constant<caf::atom("cd_bcast")>;
/// -> broker: list the sessions (returns std::vector<session_info>).
using sessions_atom = caf::atom_constant<caf::atom("cd_sess")>;
/// -> broker: close one session (std::uint64_t id, std::uint16_t code) -> bool found.
using kick_atom = caf::atom_constant<caf::atom("cd_kick")>;
/// -> broker: close every session (std::uint16_t code, std::string reason).
using close_all_atom = caf::atom_constant<caf::atom("cd_clsall")>;

/// -> broker: one session (std::uint64_t id) -> session_ref, or coord_errc::not_found.
using session_find_atom = caf::atom_constant<caf::atom("cd_sfind")>;
/// -> broker: every session with its actor -> std::vector<session_ref>.
using session_refs_atom = caf::atom_constant<caf::atom("cd_srefs")>;

/// -> broker: the identified gateway sessions -> std::vector<service_info> (GET /services).
using services_atom = caf::atom_constant<caf::atom("cd_svcs")>;

/// gateway session -> broker: route one EXECUTE_COMMAND (std::uint64_t guild, std::string
/// payload).
using route_atom = caf::atom_constant<caf::atom("cd_route")>;
/// broker -> broker: drop expired queued commands.
using backlog_tick_atom = caf::atom_constant<caf::atom("cd_bltick")>;

/// A session as the broker holds it.
struct session_handle {
  connection_ptr conn;
  caf::actor actor;
};

/// One line of the session list.
struct session_info {
  std::uint64_t id = 0;
  ports::dialect dialect = ports::dialect::companion;
  /// connected, or resumable: a gateway session whose connection ended, kept for a RESUME
  std::string state = "connected";
  std::string remote;
  std::size_t queued_bytes = 0;
  bool receiving = false; ///< handshaken and receiving broadcasts
  std::uint64_t messages_in = 0;  ///< messages received from the peer
  std::uint64_t messages_out = 0; ///< messages written to the peer
  // Identified gateway sessions (SPEC §4.9); zero for the others.
  bool replays = false;            ///< an identified gateway session: the fields below apply
  std::uint64_t last_s = 0;        ///< the last `s` sent or buffered for it
  std::size_t replay_events = 0;   ///< frames in its replay buffer
  std::size_t replay_bytes = 0;    ///< their wire bytes
  std::int64_t resumable_in_ms = -1; ///< resumable: time left to resume; -1: connected
};

/// A change to send to many sessions, encoded once per wire form before it is sent.
struct broadcast_msg {
  ports::buffer companion; ///< for every handshaken companion session; null: none
  /// For every identified sharder, commands and dashboard session (JSON text; the broker
  /// deflates it once for the compressed ones); null: none.
  ports::buffer gateway;
  /// When the change was triggered, read from the producing actor's clock
  /// (`self->clock().now()`); the broker observes its own clock's now minus this in
  /// coordinator_broadcast_seconds. Both clocks are the actor system's one steady clock, so
  /// the difference is real latency across threads (docs/decisions.md "One source of time").
  caf::actor_clock::time_point started{};
};

/// One session and the actor behind it.
struct session_ref {
  session_info info;
  caf::actor actor;
};

/// One identified gateway session as GET /services shows it.
struct service_info {
  std::uint64_t id = 0; ///< the session id
  proto::gateway::service_type type = proto::gateway::service_type::sharder;
  std::uint64_t heap_used = 0;     ///< heapUsed of the last heartbeat
  std::int64_t start_time_ms = 0;  ///< when it identified, unix milliseconds
  std::optional<std::vector<std::uint32_t>> shards; ///< sharders: the shards it holds
  std::optional<std::uint64_t> guilds; ///< sharders: guilds of the last heartbeat, if any
};

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_handle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::session_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::broadcast_msg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::session_ref>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::service_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::service_info>)
