#pragma once
// Raw TCP exchanges for the tests that need to misbehave below HTTP (Beast-free header;
// implemented in ws_client.cpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// ---------------------------------------------------------------------------------------
// Hand-driven TCP and websocket peers (implemented in raw_ws.cpp, plain POSIX sockets):
// everything a conforming client never does, byte by byte.

namespace coord::test {

/// A TCP connection to 127.0.0.1:port that does exactly what the test says and nothing else
/// (no reads unless asked, so it never answers a ping).
class raw_conn {
public:
  /// Connects; `rcvbuf` > 0 sets SO_RCVBUF before connecting (a few KiB stall loopback TCP
  /// on the persist timer once the window closes: a slow reader needs no more than not
  /// reading). Throws std::runtime_error when the connection cannot be made.
  explicit raw_conn(std::uint16_t port, int rcvbuf = 0);
  /// Closes the socket (FIN) unless already closed.
  ~raw_conn();
  raw_conn(raw_conn&& other) noexcept;
  raw_conn& operator=(raw_conn&& other) noexcept;
  raw_conn(const raw_conn&) = delete;
  raw_conn& operator=(const raw_conn&) = delete;

  /// Writes all of `bytes` (blocking up to 10 s); false when the peer is gone or it timed out.
  bool write(std::string_view bytes);
  /// Reads what arrives within `timeout` (at least one byte if any comes) and appends it to
  /// `out`; false on timeout, and false with ended() set when the peer closed or reset.
  bool read_some(std::string& out, std::chrono::milliseconds timeout);
  /// Reads and discards until the peer closes or resets the connection; false on timeout.
  bool wait_end(std::chrono::milliseconds timeout);
  /// True once a read saw the end of the connection.
  bool ended() const { return ended_; }
  /// Closes with a FIN.
  void close();
  /// Closes with a TCP reset (SO_LINGER 0), as a crashed or killed client does.
  void reset();
  int fd() const { return fd_; }

private:
  int fd_ = -1;
  bool ended_ = false;
};

/// The HTTP text of a websocket upgrade of `target` (Sec-WebSocket-Version 13, a fixed key),
/// with `headers` added; cut it short for a partial handshake.
std::string ws_upgrade_request(
  std::uint16_t port, std::string_view target,
  const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Websocket opcodes (RFC 6455 §5.2), for hand-built frames.
namespace ws_op {
constexpr std::uint8_t continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9,
                       pong = 0xA;
}

/// What a hand-built frame looks like; every header bit is the test's choice.
struct frame_spec {
  std::uint8_t opcode = ws_op::text;
  bool fin = true;
  std::uint8_t rsv = 0;  ///< the three RSV bits, 0..7 (RSV1 = 4)
  bool masked = true;    ///< client frames must be masked
};

/// One client frame carrying `payload` (masked with a fixed non-zero key when masked).
std::string ws_frame(std::string_view payload, frame_spec spec = {});
/// Only the header of a frame announcing `length` payload bytes, with an all-zero mask key
/// when masked, so the payload bytes that follow are sent as they are.
std::string ws_frame_header(std::uint64_t length, frame_spec spec = {});
/// The payload of a close frame: the code, big-endian, then the reason.
std::string close_payload(std::uint16_t code, std::string_view reason = {});

/// One frame the server sent.
struct ws_frame_in {
  std::uint8_t opcode = 0;
  bool fin = true;
  std::string payload;
};

/// A websocket client made of a raw_conn: the upgrade is written by hand and frames are
/// built by the test. It answers nothing by itself (no pongs) and reads only when asked.
class raw_ws {
public:
  /// Connects and upgrades on `target`. Throws std::runtime_error when the connection fails
  /// or the answer is not 101 ("upgrade refused: 503").
  raw_ws(std::uint16_t port, std::string_view target,
         const std::vector<std::pair<std::string, std::string>>& headers = {}, int rcvbuf = 0);

  /// Writes bytes as they are (hand-built frames, garbage); false when the peer is gone.
  bool send_raw(std::string_view bytes) { return conn_.write(bytes); }
  /// One well-formed masked text (or binary) frame.
  bool send_text(std::string_view payload) { return send_raw(ws_frame(payload)); }
  bool send_binary(std::string_view payload) {
    return send_raw(ws_frame(payload, {ws_op::binary}));
  }

  /// The next frame from the server, control frames included; nullopt on timeout or when the
  /// connection ended (then ended() is true).
  std::optional<ws_frame_in> read_frame(std::chrono::milliseconds timeout =
                                          std::chrono::seconds(5));
  /// The next text or binary frame's payload, skipping control frames; nullopt on timeout,
  /// a close frame (kept: wait_close returns its code) or the end of the connection.
  std::optional<std::string> read_message(std::chrono::milliseconds timeout =
                                            std::chrono::seconds(5));
  /// Reads, discarding data frames, until the server's close frame; answers it with the same
  /// code when `answer`, and returns the code (1005 for an empty close frame). nullopt on
  /// timeout or when TCP ended without a close frame.
  std::optional<std::uint16_t> wait_close(std::chrono::milliseconds timeout =
                                            std::chrono::seconds(5),
                                          bool answer = true);
  /// The reason of the close frame wait_close saw.
  const std::string& close_reason() const { return reason_; }
  /// Data frames wait_close discarded.
  std::size_t discarded() const { return discarded_; }
  bool ended() const { return conn_.ended(); }
  raw_conn& conn() { return conn_; }

private:
  raw_conn conn_;
  std::string in_; // bytes read and not yet parsed into frames
  std::optional<ws_frame_in> close_frame_;
  std::string reason_;
  std::size_t discarded_ = 0;
};

/// The kB value of `field` ("VmRSS", "VmHWM") in /proc/<pid>/status; 0 when unreadable.
std::size_t proc_status_kb(int pid, std::string_view field);
/// Open file descriptors of process `pid` (entries of /proc/<pid>/fd).
std::size_t open_fds(int pid);

/// Checks that a node on `port` still serves a well-behaved client: /healthz answers
/// 200 {"status":"ok"} and a companion op 1 with `companion_key` is answered with op 1.
/// Returns what went wrong, empty when all is well.
std::string check_node_serves(std::uint16_t port, std::string_view companion_key);

} // namespace coord::test
