#pragma once
// How net/ writes a peer's address in logs and the console (private header).

#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace coord::net {

/// "ip:port" of the socket's peer ("[ip]:port" for IPv6), or "unknown" once it is gone.
std::string remote_of(const boost::asio::ip::tcp::socket& socket);

} // namespace coord::net
