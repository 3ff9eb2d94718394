#pragma once
// What every listener, http_session and websocket_session of one server shares: options,
// hooks, metrics, the io_context, and the set of live websocket sessions (for max_sessions
// and shutdown). Private to net/.

#include "metrics/registry.hpp"
#include "net/connection.hpp"
#include "net/server.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace coord::net {

/// An io_context whose handlers can be destroyed before the object itself: after stop(),
/// shutdown() breaks the session <-> pending handler cycles while sessions still held by
/// the protocol side keep the services (and so their sockets) valid.
class io_context_owner : public boost::asio::io_context {
public:
  using boost::asio::io_context::io_context;
  using boost::asio::execution_context::shutdown;
};

/// A websocket session as the shared state sees it.
class live_session : public connection {
public:
  /// Ends the session at once (server stop, no io thread running): on_closed(1006).
  virtual void abandon() = 0;
};

/// The close every session gets once the server shuts down.
struct shutdown_close {
  std::uint16_t code;
  std::string reason;
};

/// Owned through shared_ptr by the server and by every session, so the io_context outlives
/// every socket, including sessions the protocol side still holds after the server is gone.
class shared_state {
public:
  shared_state(server_options opts, server_hooks hooks, metrics::registry& metrics);

  io_context_owner& ioc() noexcept { return ioc_; }
  const server_options& options() const noexcept { return opts_; }
  const server_hooks& hooks() const noexcept { return hooks_; }
  metrics::registry& metrics() const noexcept { return metrics_; }

  /// Takes a session slot; false when max_sessions are live or the server shuts down.
  bool try_reserve() noexcept;
  /// Gives back a slot taken by try_reserve (the session ended or never opened).
  void release() noexcept;
  /// Live (or upgrading) websocket sessions.
  std::size_t session_count() const noexcept { return count_.load(std::memory_order_acquire); }

  /// Registers an open session; returns the close to apply when shutdown already began.
  std::optional<shutdown_close> join(std::uint64_t id, std::weak_ptr<live_session> s);
  void leave(std::uint64_t id);

  /// Closes every joined session with `how`; `done` runs (posted to the io_context) once
  /// every slot is released or fire_done() is called, whichever comes first.
  void shutdown(shutdown_close how, std::function<void()> done);
  /// Runs the pending shutdown callbacks (grace elapsed or server stopped). `inline_call`
  /// runs them on this thread instead of posting them.
  void fire_done(bool inline_call = false);

  /// After stop(): send/close/respond become no-ops, nothing more is posted.
  void mark_stopped() noexcept { stopped_.store(true, std::memory_order_release); }
  bool stopped() const noexcept { return stopped_.load(std::memory_order_acquire); }

  /// Drops the hooks (after stop(), no io thread runs): whatever they capture may hold
  /// connections, which hold this state.
  void clear_hooks() { hooks_ = {}; }

  /// The live sessions (a snapshot).
  std::vector<std::shared_ptr<live_session>> sessions() const;

private:
  // Declared first, destroyed last: members below hold nothing of the io_context.
  io_context_owner ioc_;
  server_options opts_;
  server_hooks hooks_;
  metrics::registry& metrics_;
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> stopped_{false};

  mutable std::mutex mtx_; // guards the members below; taken once per session open/close
  std::unordered_map<std::uint64_t, std::weak_ptr<live_session>> sessions_;
  std::optional<shutdown_close> shutdown_;
  std::vector<std::function<void()>> done_;
};

} // namespace coord::net
