#pragma once
// Small pieces every HTTP handler of the actors uses: answers and path splitting.

#include "actors/messages.hpp"
#include "proto/admin_codec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace coord::actors {

/// Answers `r` with `status` and `body`.
inline void reply(const http_responder_ptr& r, unsigned status, std::string body,
                  std::string content_type = "application/json") {
  r->respond(ports::http_response{status, std::move(body), std::move(content_type)});
}

/// Answers `r` with `status` and {"error": message}.
inline void reply_error(const http_responder_ptr& r, unsigned status, std::string_view message) {
  reply(r, status, proto::admin::encode_error(message));
}

/// The path split at '/', without the query string: "/api/v1/x" -> {"api","v1","x"}.
std::vector<std::string_view> split_path(std::string_view target);

} // namespace coord::actors
