#pragma once
// A blocking websocket and HTTP client for the tests (Beast-free header; the implementation
// runs Beast on an io_context of its own, one call at a time, no threads).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coord::test {

/// One websocket message.
struct ws_message {
  std::string data;
  bool binary = false;
};

/// A websocket client connection. Not thread-safe: use it from one thread.
class ws_client {
public:
  /// Connects to 127.0.0.1:port and upgrades on `target`, with extra headers (e.g.
  /// {"Authorization","pw"}). Throws std::runtime_error on failure, including a non-101 answer
  /// (the message contains the HTTP status, e.g. "upgrade refused: 503").
  ws_client(std::uint16_t port, std::string target,
            std::vector<std::pair<std::string, std::string>> headers = {});
  /// Closes the TCP connection (no close handshake: call close() for one).
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// Sends one text message; throws std::runtime_error when the connection is gone.
  void send_text(std::string_view data);
  /// Sends one binary message; throws std::runtime_error when the connection is gone.
  void send_binary(std::string_view data);

  /// Next message, or nullopt on timeout or when the connection is closed (then closed() is
  /// true). A timed-out read stays pending: the next call picks up where it left off.
  std::optional<ws_message> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// Reads until the peer's close frame arrives (discarding messages) and returns its code;
  /// nullopt on timeout or when the TCP connection dropped without one. After a close,
  /// returns the same code again.
  std::optional<std::uint16_t> wait_close(
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// The peer's close code once seen.
  std::optional<std::uint16_t> close_code() const;
  /// The peer's close reason once seen.
  std::string close_reason() const;
  /// True once the connection is closed (close frame seen, or TCP dropped).
  bool closed() const;

  /// Sends a close frame with `code` and waits briefly (2 s) for the peer's answer.
  void close(std::uint16_t code = 1000);

  /// Default true. False drops the pong frames Beast writes in answer to pings (they are
  /// filtered out of the byte stream below Beast), so reading goes on without answering.
  void set_auto_pong(bool on);

  /// Pings seen so far (pings are only seen, and answered, while read/wait_close runs).
  std::size_t pings_received() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One HTTP answer; header names as the server spelt them (e.g. "Content-Type").
struct http_reply {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

/// One HTTP/1.1 request to 127.0.0.1:port (Connection: close), timeout 10 s; throws
/// std::runtime_error on connection failure or timeout.
http_reply http_request(std::uint16_t port, std::string method, std::string target,
                        std::string body = {},
                        std::vector<std::pair<std::string, std::string>> headers = {});

} // namespace coord::test
