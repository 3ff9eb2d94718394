#pragma once
// The ports: what the actors need from the outside world, as interfaces the actors own and
// net/ implements (a websocket peer, the sink net/ feeds a session's frames into, an HTTP
// responder, a console reply, an etcd client). No actor header includes a net/ header; net/
// includes this one. Nothing here includes Beast, Asio or CAF.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <optional>
#include <string_view>

namespace coord::ports {


/// An immutable frame payload, shared by every receiver of a broadcast.
using buffer = std::shared_ptr<const std::string>;

/// Makes a shared immutable buffer from a string.
inline buffer make_buffer(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

/// The three wire dialects (SPEC.md §3-§5).
enum class dialect : std::uint8_t { companion = 0, gateway = 1, voice = 2 };

/// The one list of dialects: each one's name (config group, console, metrics label) and the
/// websocket paths that serve it (SPEC.md §1). Indexed by the enum's value.
struct dialect_info {
  ports::dialect dialect;
  const char* name;
  std::array<std::string_view, 2> paths; ///< an empty path: none
};
inline constexpr std::array<dialect_info, 3> dialects{{
  {dialect::companion, "companion", {"/companion", ""}},
  {dialect::gateway, "gateway", {"/gateway", "/ws/v1"}},
  {dialect::voice, "voice", {"/ws", ""}},
}};

constexpr std::size_t dialect_count = dialects.size();

/// "companion", "gateway" or "voice".
constexpr const char* to_string(dialect d) noexcept {
  const auto i = static_cast<std::size_t>(d);
  return i < dialects.size() ? dialects[i].name : "unknown";
}

/// The dialect named `name` (exact, lower case), if any.
constexpr std::optional<dialect> dialect_named(std::string_view name) noexcept {
  for (const auto& d : dialects)
    if (name == d.name)
      return d.dialect;
  return std::nullopt;
}

/// The dialect served on `path` (no query string), if any.
constexpr std::optional<dialect> dialect_at(std::string_view path) noexcept {
  for (const auto& d : dialects)
    for (auto p : d.paths)
      if (!p.empty() && path == p)
        return d.dialect;
  return std::nullopt;
}

/// One websocket peer as the protocol side sees it. Every member is thread-safe.
class connection {
public:
  virtual ~connection() = default;

  /// Process-unique session id (never reused while the process runs).
  virtual std::uint64_t id() const noexcept = 0;

  virtual ports::dialect dialect() const noexcept = 0;

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
  ports::dialect dialect;
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

/// Answers one console line. Thread-safe; the first answer wins, later ones are ignored.
/// Dropping every reference without answering answers "ERR internal error".
class console_reply {
public:
  virtual ~console_reply() = default;

  /// Writes `text` as the answer. Empty lines and '\r' inside it are dropped and an empty
  /// line is added after it, so the answer ends with exactly one empty line.
  virtual void answer(std::string text) = 0;

  /// Writes `text` as answer() does, then closes the connection.
  virtual void answer_and_close(std::string text) = 0;

  /// Whether this connection has passed `auth` (kept per connection by net/).
  virtual bool authenticated() const noexcept = 0;

  /// Marks this connection as authenticated.
  virtual void set_authenticated() noexcept = 0;

  /// "ip:port" of the peer.
  virtual const std::string& remote_address() const noexcept = 0;

  /// "host:port" the console listens on.
  virtual const std::string& listener_address() const noexcept = 0;
};

// -- etcd (cluster mode) --------------------------------------------------------------------

/// What one call got.
struct etcd_reply {
  bool ok = false;      ///< an HTTP 200 arrived (body holds etcd's JSON answer)
  unsigned status = 0;  ///< the HTTP status; 0 when no endpoint answered
  std::string body;     ///< the response body (JSON; etcd's {"error","code"} on 4xx/5xx)
  /// One line when !ok: "HTTP 503 <first line of the body>" for an answer, else each failed
  /// attempt as "<endpoint> <what>" joined by "; " ("http://h:1 connect: Connection refused;
  /// http://h:2 timeout").
  std::string error;
  std::string endpoint; ///< the endpoint that answered (or failed last)
};

/// What a watch reports.
struct etcd_watch_callbacks {
  /// One watch response with events: the JSON text of its "result" object, events in
  /// revision order. Never called for the "created" answer or progress notifications.
  std::function<void(std::string result_json)> on_events;
  /// The stream is open (true) or broken and being reopened (false).
  std::function<void(bool open)> on_state;
  /// etcd compacted past the revision the watch had to resume from: events were lost, the
  /// watch has stopped; the owner must read the range again and watch anew.
  std::function<void(std::int64_t compact_revision)> on_compacted;
};

/// A running watch; cancel() or destroying the handle ends it: no callback of this watch
/// starts after cancel() returns. Called from another thread while one of its callbacks runs,
/// cancel() waits for that callback to finish (so a callback must not wait for a thread that
/// may be cancelling it); called from its own callback, it returns at once.
class etcd_watch {
public:
  virtual ~etcd_watch() = default;
  /// Idempotent; harmless after the client is gone.
  virtual void cancel() = 0;
  /// The revision the stream resumes from after a break: the last event's mod_revision + 1
  /// (while no event arrived: the start revision; for a watch "from now", 0 until etcd
  /// confirms it, then the revision of that confirmation + 1).
  virtual std::int64_t next_revision() const = 0;
  /// The endpoint the stream uses or is opening ("" before the first attempt).
  virtual std::string endpoint() const = 0;
};

/// An etcd v3 JSON API client (ports::etcd_port implements it).
class etcd_port {
public:
  /// For `call`: no deadline.
  static constexpr std::chrono::milliseconds no_timeout{-1};

  virtual ~etcd_port() = default;

  /// POSTs `body` (JSON) to `path`. `done` runs exactly once on the client's io thread (unless
  /// the client is destroyed first). Thread-safe. `timeout` zero: the client's default.
  virtual void call(std::string path, std::string body, std::function<void(etcd_reply)> done,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds{0}) = 0;

  /// Watches [key, range_end) from `start_revision` (0: from now), resuming after a break
  /// without losing or repeating an event. Thread-safe.
  virtual std::shared_ptr<etcd_watch> watch(std::string key, std::string range_end,
                                            std::int64_t start_revision,
                                            etcd_watch_callbacks cb) = 0;
};

} // namespace coord::ports
