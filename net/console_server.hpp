#pragma once
// The debug console listener of SPEC.md §1/§8: a line-based TCP server, behind a Beast-free
// interface. It only frames: each line goes to a hook, each answer comes back through a
// console_reply; what the lines mean is the inspector actor's business.

#include "actors/ports.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace coord::net {

using ports::console_reply;

/// Receives one line (without its "\n" or "\r\n", never empty or blank) of one connection.
/// Called on the console's io thread; must hand the line over and return at once. The next
/// line of the same connection is not read before this one is answered.
using console_hook = std::function<void(std::string line, std::shared_ptr<console_reply>)>;

/// Console listener settings; app/ fills them from the [console] options.
struct console_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7701;          ///< 0 picks a free port
  std::size_t max_line_bytes = 4096;  ///< longer line: "ERR line too long" and close
  std::size_t max_connections = 64;   ///< more: "ERR too many console connections" and close
};

/// Owns one io thread, the acceptor and every console connection.
class console_server {
public:
  console_server(console_options opts, console_hook hook);
  ~console_server();
  console_server(const console_server&) = delete;
  console_server& operator=(const console_server&) = delete;

  /// Binds and starts accepting on its own io thread; throws std::runtime_error with a
  /// one-line message when the address cannot be bound.
  void start();

  /// The bound address as "host:port" (valid after start()).
  std::string local_address() const;

  /// The bound port (valid after start()).
  std::uint16_t local_port() const;

  /// Stops accepting, closes every connection and joins the io thread. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace coord::net
