#include "net/fail.hpp"

#include <stdexcept>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <spdlog/spdlog.h>

namespace coord::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

bool is_ordinary(const boost::system::error_code& ec) noexcept {
  return ec == asio::error::operation_aborted || ec == beast::websocket::error::closed ||
         ec == asio::error::eof || ec == beast::http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::not_connected ||
         ec == beast::error::timeout ||
         // A client that drops in the middle of its request; a session whose socket we
         // closed ourselves (close timeout) still has an operation pending.
         ec == beast::http::error::partial_message || ec == asio::error::bad_descriptor;
}

void fail(const boost::system::error_code& ec, const char* what) {
  // Cancellation and a completed websocket close are how every session ends: not news.
  if (ec == asio::error::operation_aborted || ec == beast::websocket::error::closed)
    return;
  // A peer breaking the websocket protocol is the peer's problem (and counted as a close).
  if (is_ordinary(ec) ||
      ec.category() == beast::websocket::make_error_code(beast::websocket::error::closed).category())
    spdlog::debug("net: {} ended error=\"{}\"", what, ec.message());
  else
    spdlog::warn("net: {} failed error=\"{}\"", what, ec.message());
}

void cannot_listen(const std::string& host, std::uint16_t port,
                   const boost::system::error_code& ec, const char* suffix) {
  throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + suffix +
                           ": " + ec.message());
}

} // namespace coord::net
