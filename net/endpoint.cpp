#include "net/endpoint.hpp"

namespace coord::net {

std::string remote_of(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec)
    return "unknown";
  const auto ip = ep.address().to_string();
  const auto port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + ip + "]:" + port : ip + ":" + port;
}

} // namespace coord::net
