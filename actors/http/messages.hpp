#pragma once
// The HTTP side: requests net/ hands to the http_api actor and the dashboard.

#include "actors/ports.hpp"

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>

namespace coord::actors {

/// net -> http_api: one HTTP request (ports::http_request, http_responder_ptr).
using http_atom = caf::atom_constant<caf::atom("cd_http")>;
/// http_api -> dashboard: answer GET /api/v1/dashboard (http_responder_ptr) with the
/// latest snapshot (SPEC.md §10).
using dashboard_atom = caf::atom_constant<caf::atom("cd_dash")>;

using http_responder_ptr = std::shared_ptr<ports::http_responder>;

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::http_responder_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::ports::http_request)
