#pragma once
// The HTTP side: requests net/ hands to the http_api actor and the dashboard.

#include "actors/console/messages.hpp"
#include "actors/ports.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>

namespace coord::ports {

/// net/'s parsed request: plain data in ports.hpp (which does not see CAF), inspected here.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_request& x) {
  return f(caf::meta::type_name("http_request"), x.method, x.target, x.authorization, x.body);
}

} // namespace coord::ports

namespace coord::actors {

using http_atom = caf::atom_constant<caf::atom("cd_http")>;
using dashboard_atom = caf::atom_constant<caf::atom("cd_dash")>;

using http_responder_ptr = std::shared_ptr<ports::http_responder>;

/// The HTTP API: every HTTP request but the websocket upgrades.
using http_api_actor = caf::typed_actor<
  /// console -> http_api: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// net -> http_api: one HTTP request and where its answer goes.
  caf::reacts_to<http_atom, ports::http_request, http_responder_ptr>>;

/// The dashboard's snapshot (SPEC.md §10), spawned by the HTTP API.
using dashboard_actor = caf::typed_actor<
  /// console -> dashboard: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// http_api -> dashboard: answer GET /api/v1/dashboard with the latest snapshot.
  caf::reacts_to<dashboard_atom, http_responder_ptr>>;

} // namespace coord::actors

// A pointer to net/'s HTTP connection: meaningful in this process only, never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::http_responder_ptr)
