#pragma once
// The seam between net/ (Beast, sockets) and actors/ (CAF, protocol state): net/ implements
// the ports the actors declare (actors/ports.hpp) and takes its work through server_hooks.

#include "actors/ports.hpp"

#include <functional>
#include <memory>
#include <string>

namespace coord::net {

using ports::buffer;
using ports::connection;
using ports::dialect;
using ports::dialect_count;
using ports::http_request;
using ports::http_responder;
using ports::http_response;
using ports::make_buffer;
using ports::session_sink;
using ports::to_string;
using ports::upgrade_request;

/// How net/ hands work to the protocol side. Both are called on an io thread and must not
/// block.
struct server_hooks {
  /// A websocket upgrade on a dialect path was accepted. Returns the sink for its frames
  /// (nullptr closes the session with 1011).
  std::function<std::shared_ptr<session_sink>(std::shared_ptr<connection>,
                                              const upgrade_request&)>
    on_open;
  /// Any request that is not a websocket upgrade on a dialect path.
  std::function<void(http_request, std::shared_ptr<http_responder>)> on_http;
  /// Asked before every upgrade: a non-empty answer refuses it with 503 and that JSON body
  /// (cluster mode: a standby node). Runs on an io thread: it must not block.
  std::function<std::string()> refuse_upgrade;
};

} // namespace coord::net
