#pragma once
// load: a minimal websocket client over a raw Asio socket, cheap enough to run thousands on
// one io thread.
//
// Why not Beast's websocket::stream: one async_read per message and one write syscall per
// message made the client, not the node, the bottleneck at 50k+ messages/s. Here a readiness
// wait drains the socket into one shared buffer and parses every frame in it; sends append
// masked frames to a per-client buffer that goes out in one write per io-loop turn. Only the
// client role is implemented: text frames out (mask key 0, which RFC 6455 allows and leaves
// the payload as is), unmasked server frames in, pings answered, close frames echoed.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <vector>
#include <memory>
#include <string>
#include <string_view>

namespace load {

class ws_client;

/// What a client reports; every call happens on the io thread.
class ws_handler {
public:
  virtual ~ws_handler() = default;
  /// The upgrade answered 101.
  virtual void on_open(ws_client& c) = 0;
  /// One complete text or binary message (the view dies with the call).
  virtual void on_message(ws_client& c, std::string_view payload) = 0;
  /// A pong arrived (answering send_ping()).
  virtual void on_pong(ws_client&) {}
  /// The connection ended: `code` is the server's close code, or -1 when TCP ended (or
  /// failed) without a close frame; `why` says what happened.
  virtual void on_closed(ws_client& c, int code, const std::string& why) = 0;
};

class ws_client : public std::enable_shared_from_this<ws_client> {
public:
  ws_client(boost::asio::io_context& io, ws_handler& h, std::size_t index);

  /// Connects to 127.0.0.1:port and upgrades on `path`. `read_chunk` is the most one read
  /// takes (and the buffer kept per client). A slow reader sets rcvbuf > 0 (SO_RCVBUF) and
  /// mss > 0 (TCP_MAXSEG): on loopback the 64 KiB MSS lets the node's send buffer autotune
  /// to megabytes, which would hide its own queue; a small MSS keeps it to tens of KiB.
  void connect(unsigned short port, const std::string& path, int rcvbuf = 0,
               std::size_t read_chunk = 4096, int mss = 0);
  /// Queues one text frame; it is written at the end of this io-loop turn.
  void send_text(std::string_view payload);
  /// Queues a ping (empty payload).
  void send_ping();
  /// Stops reading from the socket (the kernel buffers fill, then the server's writes stall).
  void pause_reading();
  void resume_reading();
  /// Closes the socket without a close frame (a crash, as the server sees it).
  void drop();

  bool open() const noexcept { return open_; }
  std::size_t index() const noexcept { return index_; }

  /// Scenario scratch: when this client started its current attempt.
  std::chrono::steady_clock::time_point started;

private:
  void on_connect(const boost::system::error_code& ec);
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  /// Consumes complete frames (or the upgrade answer) from `data`; returns bytes used.
  std::size_t parse(const char* data, std::size_t size);
  /// Parses what the buffer holds and keeps the unparsed rest at its start; false when the
  /// client ended while parsing.
  bool parse_buffered();
  bool parse_upgrade(std::string_view data, std::size_t& used);
  void deliver(int opcode, std::string_view payload);
  void append_frame(int opcode, std::string_view payload);
  void schedule_flush();
  void flush();
  void fail(int code, const std::string& why);
  /// Closes the socket once; false when the client had already ended.
  bool end();

  boost::asio::ip::tcp::socket socket_;
  ws_handler& handler_;
  std::size_t index_;
  std::string host_;
  std::vector<char> in_;   // read buffer; [0, in_len_) is unparsed
  std::size_t in_len_ = 0;
  std::string frag_;       // a fragmented message being assembled
  std::string out_;        // frames queued during this io-loop turn
  std::string writing_buf_; // frames of the async_write in flight
  bool upgraded_ = false;
  bool open_ = false;
  bool ended_ = false;
  bool paused_ = false;
  bool reading_ = false;       // an async_read_some is pending
  bool writing_ = false;       // an async_write is pending
  bool flush_posted_ = false;  // a flush is posted
  bool close_sent_ = false;
};

} // namespace load
