#pragma once
// Error reporting shared by the net/ classes (private header: Boost.System only).

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>

namespace coord::net {

/// True for the errors every connection ends with sooner or later: cancelled, closed
/// (websocket), end of stream, connection reset or aborted by the peer, timeout.
bool is_ordinary(const boost::system::error_code& ec) noexcept;

/// Reports that the asynchronous step `what` failed: silent on operation_aborted and a
/// websocket close, debug for the other ordinary errors, warn for anything else.
void fail(const boost::system::error_code& ec, const char* what);

/// Throws the one-line start-up error for a listener that cannot bind:
/// "cannot listen on host:port<suffix>: <reason>".
[[noreturn]] void cannot_listen(const std::string& host, std::uint16_t port,
                                const boost::system::error_code& ec, const char* suffix = "");

} // namespace coord::net
