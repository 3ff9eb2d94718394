#pragma once
// Gateway sessions and the broker (SPEC.md §4.6, §4.8, resume §4.9).

#include "actors/session/messages.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <vector>

namespace coord::actors {

/// gateway session -> broker: identify succeeded; the broker sends IDENTIFIED (with a new
/// sessionId and `s`) and keeps the session actor for a later takeover (gw_taken_atom).
using gw_ident_atom = caf::atom_constant<caf::atom("cd_gwident")>;
/// gateway session -> broker: send one op 2 event of its own (std::uint64_t session,
/// std::string payload without `s`): numbered, buffered for replay, compressed when asked.
using gw_send_atom = caf::atom_constant<caf::atom("cd_gwsend")>;
/// gateway session -> broker: its connection ended (std::uint64_t session, std::uint64_t
/// connection, std::uint16_t close code): resumable or ended (SPEC §4.9).
using gw_gone_atom = caf::atom_constant<caf::atom("cd_gwgone")>;
/// gateway session -> broker: it closes for a protocol error (4001-4006): the session ends
/// with its connection, not resumable (std::uint64_t session).
using gw_end_atom = caf::atom_constant<caf::atom("cd_gwend")>;
/// gateway session -> broker: RESUME (sessionId, seq, connection, the session actor) ->
/// resume_answer. On success the broker has replayed the frames after seq and sent RESUMED.
using gw_resume_atom = caf::atom_constant<caf::atom("cd_gwresum")>;
/// broker -> the session actor of a connection a RESUME took over: skip the cleanup, the
/// session lives on in the new connection.
using gw_taken_atom = caf::atom_constant<caf::atom("cd_gwtaken")>;
/// broker -> broker: a resumable session's command grace ended (std::uint64_t session,
/// std::uint64_t generation).
using gw_grace_atom = caf::atom_constant<caf::atom("cd_gwgrace")>;
/// broker -> broker: a resumable session's window ended (std::uint64_t session,
/// std::uint64_t generation).
using gw_expire_atom = caf::atom_constant<caf::atom("cd_gwexpir")>;

/// planner -> gateway session: SHARDS_ASSIGNED (the full new list).
using shards_assigned_atom = caf::atom_constant<caf::atom("cd_shasgn")>;
/// planner -> gateway session: IDENTIFY_GRANTED (one shard).
using identify_granted_atom = caf::atom_constant<caf::atom("cd_idgrant")>;

/// The broker's answer to a RESUME.
struct resume_answer {
  bool ok = false;          ///< false: INVALID_SESSION
  std::uint64_t session = 0; ///< the resumed session's id (its first connection's)
  std::uint8_t type = 0;    ///< proto::gateway::service_type
  bool compress = false;
  std::vector<std::uint32_t> shards; ///< a sharder's shards before it went away
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resume_answer& x) {
  return f(caf::meta::type_name("resume_answer"), x.ok, x.session, x.type, x.compress,
           x.shards);
}
/// identified gateway session -> service directory: a heartbeat's data (std::uint64_t
/// session, std::uint64_t heap_used, std::int64_t guilds or -1).
using gw_hb_atom = caf::atom_constant<caf::atom("cd_gwhb")>;
/// gateway session -> broker (-> service directory): the shards a sharder holds now
/// (std::uint64_t session, std::vector<std::uint32_t>).
using gw_shards_atom = caf::atom_constant<caf::atom("cd_gwshard")>;

/// A gateway session: what every session accepts, and what the planner and the broker send it.
/// Every state answers all of these (closing included: the broker numbers what it sends).
using gateway_session_actor = session_actor::extend<
  /// planner: SHARDS_ASSIGNED, the sharder's full new shard list.
  caf::reacts_to<shards_assigned_atom, std::vector<std::uint32_t>>,
  /// planner: IDENTIFY_GRANTED for one shard.
  caf::reacts_to<identify_granted_atom, std::uint32_t>,
  /// broker: a RESUME took this connection's session over; skip the cleanup.
  caf::reacts_to<gw_taken_atom>>;

} // namespace coord::actors

