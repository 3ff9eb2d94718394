#pragma once
// Accepts TCP connections and hands each to a new http_session (private header).

#include "net/shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace coord::net {

class listener : public std::enable_shared_from_this<listener> {
public:
  /// Binds and listens on host:port; throws std::runtime_error with a one-line message.
  listener(std::shared_ptr<shared_state> state, const std::string& host, std::uint16_t port);

  /// Starts accepting.
  void run();

  /// Closes the acceptor (thread-safe); connections already accepted carry on.
  void stop();

  /// The bound port.
  std::uint16_t local_port() const noexcept { return port_; }

private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  std::shared_ptr<shared_state> state_; // first: owns the io_context the acceptor runs on
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_; // after an accept error (out of descriptors, say)
  std::uint16_t port_ = 0;
};

} // namespace coord::net
