#pragma once
// Raw TCP exchanges for the tests that need to misbehave below HTTP (Beast-free header;
// implemented in ws_client.cpp).

#include <chrono>
#include <cstdint>
#include <string>

namespace coord::test {

/// What a raw_exchange saw.
struct raw_reply {
  bool closed = false;            ///< the server closed (or reset) the connection in time
  std::string received;           ///< every byte the server sent
  std::chrono::milliseconds elapsed{0}; ///< from the end of our write to the close (or timeout)
};

/// Connects to 127.0.0.1:port, writes `data` as is (nothing when empty), then reads until
/// the server closes the connection or `timeout` passes. Throws std::runtime_error when the
/// connection cannot be made.
raw_reply raw_exchange(std::uint16_t port, std::string data, std::chrono::milliseconds timeout);

} // namespace coord::test
