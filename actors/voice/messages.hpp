#pragma once
// The voice registry and voice sessions (SPEC.md §5).

#include "actors/cluster/cluster_messages.hpp"
#include "actors/console/messages.hpp"
#include "actors/session/messages.hpp"
#include "actors/voice/voice_inspect.hpp"
#include "proto/voice_client.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coord::actors {

using vc_claim_atom = caf::atom_constant<caf::atom("cd_vclaim")>;
using vc_release_atom = caf::atom_constant<caf::atom("cd_vrel")>;
using vc_set_atom = caf::atom_constant<caf::atom("cd_vset")>;
using vc_del_atom = caf::atom_constant<caf::atom("cd_vdel")>;
using vc_expire_atom = caf::atom_constant<caf::atom("cd_vexpire")>;
using vc_status_atom = caf::atom_constant<caf::atom("cd_vstatus")>;
using vc_list_atom = caf::atom_constant<caf::atom("cd_vlist")>;
/// registry -> session: a newer connection claimed your key; close with 4010.
using vc_takeover_atom = caf::atom_constant<caf::atom("cd_vtakeov")>;

/// The registry's answer to a claim.
struct voice_claim {
  bool resumed = false; ///< the key existed (retained, or live and now taken over)
  std::vector<proto::voice::voice_client> clients; ///< ascending by guild id
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, voice_claim& x) {
  return f(caf::meta::type_name("voice_claim"), x.resumed, x.clients);
}

/// One key of the voice registry, for inspection.
struct voice_session_info {
  std::string key;
  bool live = false;        ///< a connection owns it; false: retained until the timeout
  std::uint64_t owner = 0;  ///< the owning connection's session id when live
  std::vector<proto::voice::voice_client> clients;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, voice_session_info& x) {
  return f(caf::meta::type_name("voice_session_info"), x.key, x.live, x.owner, x.clients);
}

/// A voice session: what every session accepts, and the registry's takeover. Every state
/// answers all of these.
using voice_session_actor = session_actor::extend<
  /// voice registry: a newer connection claimed this session's key; close with 4010.
  caf::reacts_to<vc_takeover_atom>>;

/// The voice registry: voice sessions by key with their voice clients.
using voice_registry_actor = caf::typed_actor<
  /// console -> registry: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// session -> registry: claim a key for connection `conn` (its session actor). A live older
  /// owner is sent vc_takeover_atom.
  caf::replies_to<vc_claim_atom, std::string, std::uint64_t,
                  voice_session_actor>::with<voice_claim>,
  /// session -> registry: connection `conn` ended; if it still owns the key, its voice
  /// clients are kept for voice.vc_timeout_s.
  caf::reacts_to<vc_release_atom, std::string, std::uint64_t>,
  /// session -> registry: create or update a voice client; ignored unless conn owns the key.
  caf::reacts_to<vc_set_atom, std::string, std::uint64_t, proto::voice::voice_client>,
  /// session -> registry: destroy the voice client of a guild; ignored unless conn owns the
  /// key.
  caf::reacts_to<vc_del_atom, std::string, std::uint64_t, std::uint64_t>,
  /// registry -> registry: a retained key's timeout (key, retention generation).
  caf::reacts_to<vc_expire_atom, std::string, std::uint64_t>,
  /// cluster -> registry: a new active's voice sessions, retained.
  caf::reacts_to<cl_voice_load_atom, std::vector<voice_record>>,
  /// cluster -> registry: this node is no longer active; drop everything.
  caf::reacts_to<cl_deactivate_atom>,
  /// voice session (STATUS) -> registry: the counts.
  caf::replies_to<vc_status_atom>::with<proto::voice::status_info>,
  /// console, admin API -> registry: every key.
  caf::replies_to<vc_list_atom>::with<std::vector<voice_session_info>>>;

} // namespace coord::actors
