#pragma once
// The seam between net/ (Beast, sockets) and actors/ (CAF, protocol state).
// Nothing here includes Beast, Asio or CAF: session actors see a peer only through
// `connection`, and net/ sees the protocol side only through `session_sink`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace coord::net {

/// An immutable frame payload, shared by every receiver of a broadcast.
using buffer = std::shared_ptr<const std::string>;

/// Makes a shared immutable buffer from a string.
inline buffer make_buffer(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

/// The three wire dialects (SPEC.md §3-§5).
enum class dialect : std::uint8_t { companion = 0, gateway = 1, voice = 2 };

constexpr std::size_t dialect_count = 3;

/// "companion", "gateway" or "voice".
inline const char* to_string(dialect d) noexcept {
  switch (d) {
    case dialect::companion:
      return "companion";
    case dialect::gateway:
      return "gateway";
    case dialect::voice:
      return "voice";
  }
  return "unknown";
}

/// One websocket peer as the protocol side sees it. Every member is thread-safe.
class connection {
public:
  virtual ~connection() = default;

  /// Process-unique session id (never reused while the process runs).
  virtual std::uint64_t id() const noexcept = 0;

  virtual net::dialect dialect() const noexcept = 0;

  /// Queues one frame (text, or binary when `binary`). When the frame would take the
  /// outbound queue past `outbound_queue_bytes` the session is closed with 4009 instead:
  /// queued frames are dropped and the close frame is the next thing written.
  /// Frames sent after close() are dropped.
  virtual void send(buffer data, bool binary = false) = 0;

  /// Sends a close frame with `code` and `reason` after the frames already queued,
  /// then drops the TCP connection if the peer has not finished the close within 10 s.
  virtual void close(std::uint16_t code, std::string reason) = 0;

  /// Bytes queued and not yet written.
  virtual std::size_t queued_bytes() const noexcept = 0;

  /// "ip:port" of the peer.
  virtual const std::string& remote_address() const noexcept = 0;

  /// Complete messages received from the peer so far (for the console).
  virtual std::uint64_t messages_in() const noexcept { return 0; }

  /// Messages written to the peer so far (for the console).
  virtual std::uint64_t messages_out() const noexcept { return 0; }
};

/// The protocol side of one session, given to net/ by the `on_open` hook. net/ calls it
/// from an io thread; implementations hand the call over (a CAF message) and return at once.
class session_sink {
public:
  virtual ~session_sink() = default;

  /// One complete websocket message from the peer.
  virtual void on_frame(std::string data, bool binary) = 0;

  /// A pong answered one of our pings (only when pings are enabled for the dialect).
  virtual void on_pong() {}

  /// The connection is gone. `code` is the close code that ended it (ours or the peer's),
  /// 1006 when the TCP connection dropped without a close frame. Called exactly once.
  virtual void on_closed(std::uint16_t code) = 0;
};

/// What the protocol side learns of a websocket upgrade.
struct upgrade_request {
  net::dialect dialect;
  std::string target;        ///< request target, e.g. "/companion"
  std::string authorization; ///< the Authorization header, empty when absent
  std::string remote;        ///< "ip:port"
};

/// One plain HTTP request (not an upgrade), body already read within `max_body_bytes`.
struct http_request {
  std::string method; ///< "GET", "PATCH", ...
  std::string target; ///< path and query, e.g. "/api/v1/guilds/1/settings"
  std::string authorization;
  std::string body;
};

/// The answer to one http_request.
struct http_response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
};

/// Answers one http_request. Thread-safe; the first call wins, later calls are ignored.
/// Dropping every reference without answering answers 500.
class http_responder {
public:
  virtual ~http_responder() = default;
  virtual void respond(http_response response) = 0;
};

/// How net/ hands work to the protocol side. Both are called on an io thread and must not
/// block.
struct server_hooks {
  /// A websocket upgrade on a dialect path was accepted. Returns the sink for its frames
  /// (nullptr closes the session with 1011).
  std::function<std::shared_ptr<session_sink>(std::shared_ptr<connection>,
                                              const upgrade_request&)>
    on_open;
  /// Any request that is not a websocket upgrade on a dialect path.
  std::function<void(http_request, std::shared_ptr<http_responder>)> on_http;
  /// Asked before every upgrade: a non-empty answer refuses it with 503 and that JSON body
  /// (cluster mode: a standby node). Runs on an io thread: it must not block.
  std::function<std::string()> refuse_upgrade;
};

} // namespace coord::net
