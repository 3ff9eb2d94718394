#pragma once
// The voice registry and voice sessions (SPEC.md §5).

#include "actors/session/messages.hpp"
#include "proto/voice_client.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace coord::actors {

/// session -> registry: claim a key (std::string key, std::uint64_t conn, caf::actor session)
/// -> voice_claim. A live older owner is sent vc_takeover_atom.
using vc_claim_atom = caf::atom_constant<caf::atom("cd_vclaim")>;
/// session -> registry: the connection ended (std::string key, std::uint64_t conn); if conn
/// still owns the key, its voice clients are kept for voice.vc_timeout_s.
using vc_release_atom = caf::atom_constant<caf::atom("cd_vrel")>;
/// session -> registry: create or update a voice client (std::string key, std::uint64_t conn,
/// proto::voice::voice_client); ignored unless conn owns the key.
using vc_set_atom = caf::atom_constant<caf::atom("cd_vset")>;
/// session -> registry: destroy a voice client (std::string key, std::uint64_t conn,
/// std::uint64_t guild); ignored unless conn owns the key.
using vc_del_atom = caf::atom_constant<caf::atom("cd_vdel")>;
/// registry -> registry: a retained key's timeout (std::string key, std::uint64_t generation).
using vc_expire_atom = caf::atom_constant<caf::atom("cd_vexpire")>;
/// -> registry: counts for STATUS -> proto::voice::status_info.
using vc_status_atom = caf::atom_constant<caf::atom("cd_vstatus")>;
/// -> registry: every key -> std::vector<voice_session_info> (console, admin API).
using vc_list_atom = caf::atom_constant<caf::atom("cd_vlist")>;
/// registry -> session: a newer connection claimed your key; close with 4010.
using vc_takeover_atom = caf::atom_constant<caf::atom("cd_vtakeov")>;

/// The registry's answer to a claim.
struct voice_claim {
  bool resumed = false; ///< the key existed (retained, or live and now taken over)
  std::vector<proto::voice::voice_client> clients; ///< ascending by guild id
};

/// One key of the voice registry, for inspection.
struct voice_session_info {
  std::string key;
  bool live = false;        ///< a connection owns it; false: retained until the timeout
  std::uint64_t owner = 0;  ///< the owning connection's session id when live
  std::vector<proto::voice::voice_client> clients;
};

/// A voice session: what every session accepts, and the registry's takeover. Every state
/// answers all of these.
using voice_session_actor = session_actor::extend<
  /// voice registry: a newer connection claimed this session's key; close with 4010.
  caf::reacts_to<vc_takeover_atom>>;

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::voice_claim)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::voice_session_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<coord::actors::voice_session_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::voice::voice_client)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::proto::voice::status_info)
