#pragma once
// The broker: the session registry and the fan-out of broadcasts (SPEC.md §3, §4.6) with the
// op 2 numbering, replay and command delivery of gateway sessions (§4.9); beside it the
// command router (the wait queue of commands no worker can take) and the service directory
// (GET /services). Their typed handles are at the end.

#include "actors/console/messages.hpp"
#include "actors/inspect_optional.hpp"
#include "actors/gateway/messages.hpp"
#include "actors/ports.hpp"
#include "actors/session/messages.hpp"
#include "actors/settings/messages.hpp"
#include "proto/gateway_codec.hpp"

#include <caf/atom.hpp>
#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coord::actors {

/// -> broker: a session opened (session_handle).
using register_atom = caf::atom_constant<caf::atom("cd_reg")>;
/// -> broker: a session ended (std::uint64_t id).
using unregister_atom = caf::atom_constant<caf::atom("cd_unreg")>;
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

/// -> service directory: the identified gateway sessions -> std::vector<service_info>
/// (GET /services).
using services_atom = caf::atom_constant<caf::atom("cd_svcs")>;
/// broker -> service directory: a gateway session identified (std::uint64_t session,
/// std::uint8_t proto::gateway::service_type, std::vector<std::uint32_t> shards).
using service_up_atom = caf::atom_constant<caf::atom("cd_svcup")>;
/// broker -> service directory: a gateway session ended for good, or a connection ended that
/// never identified (std::uint64_t session).
using service_down_atom = caf::atom_constant<caf::atom("cd_svcdown")>;

/// gateway session -> broker: route one EXECUTE_COMMAND (std::uint64_t guild, std::string
/// payload).
using route_atom = caf::atom_constant<caf::atom("cd_route")>;
/// broker -> command router: no worker is in the routing set; keep the command (std::uint64_t
/// guild, ports::buffer payload) in the wait queue.
using command_wait_atom = caf::atom_constant<caf::atom("cd_cmdwait")>;
/// broker -> command router: a worker joined; the waiting commands, oldest first, after
/// dropping the expired ones -> std::vector<waiting_command>.
using command_take_atom = caf::atom_constant<caf::atom("cd_cmdtake")>;
/// command router -> command router: drop expired queued commands.
using backlog_tick_atom = caf::atom_constant<caf::atom("cd_bltick")>;

/// A session as the broker holds it.
struct session_handle {
  connection_ptr conn;
  session_actor actor;
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

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_info& x) {
  return f(caf::meta::type_name("session_info"), x.id, x.dialect, x.state, x.remote,
           x.queued_bytes, x.receiving, x.messages_in, x.messages_out, x.replays, x.last_s,
           x.replay_events, x.replay_bytes, x.resumable_in_ms);
}

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
  session_actor actor; ///< null: a resumable gateway session, away from any connection
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_ref& x) {
  return f(caf::meta::type_name("session_ref"), x.info, x.actor);
}

/// One identified gateway session as GET /services shows it.
struct service_info {
  std::uint64_t id = 0; ///< the session id
  proto::gateway::service_type type = proto::gateway::service_type::sharder;
  std::uint64_t heap_used = 0;     ///< heapUsed of the last heartbeat
  std::int64_t start_time_ms = 0;  ///< when it identified, unix milliseconds
  std::optional<std::vector<std::uint32_t>> shards; ///< sharders: the shards it holds
  std::optional<std::uint64_t> guilds; ///< sharders: guilds of the last heartbeat, if any
};

/// Every field (the optionals through actors/inspect_optional.hpp).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, service_info& x) {
  auto shards = to_caf_optional(x.shards);
  auto guilds = to_caf_optional(x.guilds);
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x.shards = to_std_optional(shards);
    x.guilds = to_std_optional(guilds);
    return caf::none;
  });
  return f(caf::meta::type_name("service_info"), x.id, x.type, x.heap_used, x.start_time_ms,
           shards, guilds, loaded);
}

/// A command that waited for a worker, as the command router gives it back to the broker.
struct waiting_command {
  std::uint64_t guild = 0;
  ports::buffer json; ///< the encoded EXECUTE_COMMAND payload, without `s`
};

/// The broker: the registry of sessions, the fan-out of broadcasts, and every op 2 to an
/// identified gateway session (numbered with the node's one `s`, kept for replay), routed
/// commands included.
using broker_actor = caf::typed_actor<
  caf::replies_to<inspect_atom>::with<actor_summary>,
  // every session actor (attach_session): a session opened
  caf::reacts_to<register_atom, session_handle>,
  // companion and voice sessions: their connection ended
  caf::reacts_to<unregister_atom, std::uint64_t>,
  // the store: the op 1 reply of a handshake, then broadcasts to the session
  caf::reacts_to<attach_atom, std::uint64_t, ports::buffer>,
  // the store: a handshake's snapshot, encoded here, then broadcasts to the session
  caf::reacts_to<attach_atom, handshake_snapshot>,
  // the store: a committed change of a guild's settings, encoded here once per dialect
  caf::reacts_to<publish_atom, settings_changed>,
  // the store: a supporter added or removed, encoded here once per dialect
  caf::reacts_to<publish_atom, supporter_changed>,
  // the store: a committed change, encoded once per wire form
  caf::reacts_to<broadcast_atom, broadcast_msg>,
  // http_api, the inspector: the session list
  caf::replies_to<sessions_atom>::with<std::vector<session_info>>,
  // the inspector: one session and its actor
  caf::replies_to<session_find_atom, std::uint64_t>::with<session_ref>,
  // the inspector (`actors`): every session and its actor
  caf::replies_to<session_refs_atom>::with<std::vector<session_ref>>,
  // http_api, the inspector: an operator's close (session, code) -> found
  caf::replies_to<kick_atom, std::uint64_t, std::uint16_t>::with<bool>,
  // the cluster actor: the node stands down, close everything (code, reason)
  caf::reacts_to<close_all_atom, std::uint16_t, std::string>,
  // gateway session: identified (session, type, compress, shards, itself); the broker sends
  // IDENTIFIED
  caf::reacts_to<gw_ident_atom, std::uint64_t, std::uint8_t, bool, std::vector<std::uint32_t>,
                 gateway_session_actor>,
  // gateway session: one op 2 of its own to number, send and keep (session, payload)
  caf::reacts_to<gw_send_atom, std::uint64_t, std::string>,
  // gateway session: it closes for a protocol error, the session is not resumable
  caf::reacts_to<gw_end_atom, std::uint64_t>,
  // gateway session: its connection ended (session, connection, close code)
  caf::reacts_to<gw_gone_atom, std::uint64_t, std::uint64_t, std::uint16_t>,
  // gateway session: RESUME (sessionId, seq, connection, its actor)
  caf::replies_to<gw_resume_atom, std::string, std::uint64_t, std::uint64_t,
                  gateway_session_actor>::with<resume_answer>,
  // the broker itself: a resumable worker's command grace ended (session, generation)
  caf::reacts_to<gw_grace_atom, std::uint64_t, std::uint64_t>,
  // the broker itself: a resumable session's window ended (session, generation)
  caf::reacts_to<gw_expire_atom, std::uint64_t, std::uint64_t>,
  // gateway session: the shards a sharder holds now (kept for a RESUME, told to /services)
  caf::reacts_to<gw_shards_atom, std::uint64_t, std::vector<std::uint32_t>>,
  // gateway session: one EXECUTE_COMMAND (guild, payload) to route to one worker
  caf::reacts_to<route_atom, std::uint64_t, std::string>>;

/// The command router: the commands that wait while no commands worker is in the routing set
/// (SPEC §4.6: bounded in count and age), aged by a one-second tick while any wait.
using command_router_actor = caf::typed_actor<
  caf::replies_to<inspect_atom>::with<actor_summary>,
  // the broker: no worker for this command (guild, payload): wait, or drop it if full
  caf::reacts_to<command_wait_atom, std::uint64_t, ports::buffer>,
  // the broker: a worker joined: hand the waiting commands over
  caf::replies_to<command_take_atom>::with<std::vector<waiting_command>>,
  // the router itself: count and drop the expired commands
  caf::reacts_to<backlog_tick_atom>>;

/// The service directory: the identified gateway sessions as GET /services, /api/v1/stats and
/// the dashboard show them, off the broker's hot mailbox.
using service_directory_actor = caf::typed_actor<
  caf::replies_to<inspect_atom>::with<actor_summary>,
  // http_api, the read API, the dashboard: the list
  caf::replies_to<services_atom>::with<std::vector<service_info>>,
  // gateway session (identified or resumed): a heartbeat (session, heapUsed, guilds or -1)
  caf::reacts_to<gw_hb_atom, std::uint64_t, std::uint64_t, std::int64_t>,
  // the broker: a session identified (session, type, shards)
  caf::reacts_to<service_up_atom, std::uint64_t, std::uint8_t, std::vector<std::uint32_t>>,
  // the broker: a sharder's shards changed (session, shards)
  caf::reacts_to<gw_shards_atom, std::uint64_t, std::vector<std::uint32_t>>,
  // the broker: a session ended for good, or a connection that never identified ended
  caf::reacts_to<service_down_atom, std::uint64_t>>;

} // namespace coord::actors

// These hold pointers meaningful in this process only, and stay uninspectable:
// waiting_command and broadcast_msg hold shared immutable buffers (encoded once and shared by
// every receiver: serializing them would copy on the hot path), session_handle net/'s
// connection.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::waiting_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::waiting_command>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::session_handle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::broadcast_msg)
