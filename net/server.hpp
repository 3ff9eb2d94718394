#pragma once
// The HTTP + websocket listener of SPEC.md §1, behind a Beast-free interface.

#include "metrics/registry.hpp"
#include "net/connection.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace coord::net {

/// Listener settings (SPEC.md §1, §2); app/ fills them from the configuration.
struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7700; ///< 0 picks a free port
  unsigned io_threads = 1;
  std::size_t max_frame_bytes = 1 << 20;      ///< larger frame: close 1009
  std::size_t outbound_queue_bytes = 8 << 20; ///< fuller queue: close 4009
  std::size_t socket_send_buffer = 0;         ///< SO_SNDBUF of websocket sockets; 0: kernel's
  std::size_t max_body_bytes = 64 << 10;      ///< larger HTTP body: 413
  std::size_t max_sessions = 20000;           ///< more upgrades: 503
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds close_timeout{10000};
  /// Websocket ping period per dialect (index = dialect); zero disables pings. A session
  /// that has answered no ping for two periods is closed with 4007.
  std::array<std::chrono::milliseconds, dialect_count> ping_interval{};
};

/// Owns the io threads, the acceptor and every live session.
class server {
public:
  server(server_options opts, server_hooks hooks, metrics::registry& metrics);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting on the io threads; throws std::runtime_error with a one-line
  /// message when the address cannot be bound.
  void start();

  /// The bound address as "host:port" (valid after start()).
  std::string local_address() const;

  /// The bound port (valid after start()).
  std::uint16_t local_port() const;

  /// Number of live websocket sessions.
  std::size_t session_count() const;

  /// Stops accepting, closes every websocket session with `code`, and calls `done` on an io
  /// thread once every session is gone or `grace` has passed.
  void shutdown(std::uint16_t code, std::string reason, std::chrono::milliseconds grace,
                std::function<void()> done);

  /// Stops the io threads and joins them. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace coord::net
