#pragma once
// One websocket peer: the Beast side of net::connection (private header).
//
// Every member of the stream is touched only on the connection's strand. send() and close()
// may be called from any thread. The parts, each in its own header:
// - outbound_queue.hpp: the bounded queue of frames to write. send() pushes on its lock-free
//   inbox and posts a drain onto the strand only when the inbox was empty, so a burst costs
//   one post; the drain writes the queue in gathered writes, up to max_batch_frames frames
//   (header + shared payload each) in one non-blocking sendmsg; only what the kernel does not
//   take at once goes through an async write.
// - frame_encoding.hpp: the RFC 6455 headers of those frames. Data frames bypass Beast's
//   writer; frame_layer.hpp keeps Beast's own frames (pongs, pings, the close) apart from ours.
// - session_phase.hpp: where the session is in its life (handshaking → open → closing →
//   closed), with every transition in one place.
// - ping_schedule.hpp: when a ping goes out (liveness itself is the heartbeat monitor's).

#include "net/frame_layer.hpp"
#include "net/message_buffer.hpp"
#include "net/outbound_queue.hpp"
#include "net/ping_schedule.hpp"
#include "net/session_phase.hpp"
#include "net/shared_state.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace coord::net {

class websocket_session final : public live_session,
                                public layer_owner,
                                public std::enable_shared_from_this<websocket_session> {
public:
  using strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  /// Takes over `socket` (accepted on a strand) and the session slot the caller reserved.
  websocket_session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<shared_state> state,
                    net::dialect d, std::string remote);
  ~websocket_session() override;

  /// Answers the upgrade `req`, then calls on_open with `info` and starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> req,
           upgrade_request info);

  std::uint64_t id() const noexcept override { return id_; }
  net::dialect dialect() const noexcept override { return dialect_; }
  void send(buffer data, bool binary) override;
  void close(std::uint16_t code, std::string reason) override;
  std::size_t queued_bytes() const noexcept override { return queue_.queued_bytes(); }
  const std::string& remote_address() const noexcept override { return remote_; }
  std::uint64_t messages_in() const noexcept override {
    return messages_in_.load(std::memory_order_relaxed);
  }
  std::uint64_t messages_out() const noexcept override {
    return messages_out_.load(std::memory_order_relaxed);
  }
  void abandon() override;
  void on_layer_idle() override;

  /// Bytes the first read of a message prepares (companion, voice / gateway).
  static constexpr std::size_t initial_read = 256;
  static constexpr std::size_t initial_read_gateway = 2048;

private:
  void on_accept(boost::system::error_code ec, upgrade_request info);
  void do_read();
  void on_read(boost::system::error_code ec);
  void on_control(boost::beast::websocket::frame_type kind);
  void drain_inbox();
  void do_write();
  void on_write(boost::system::error_code ec);
  void complete_batch();
  void begin_close(std::uint16_t code, std::string reason, bool drop_queued);
  void maybe_close();
  void on_close(boost::system::error_code ec);
  void arm_ping();
  void on_ping_timer(boost::system::error_code ec);
  void on_ping(boost::system::error_code ec);
  std::uint16_t end_code(const boost::system::error_code& ec) const;
  void finish(std::uint16_t code);

  // state_ first: destroyed last, it owns the io_context the socket and timers belong to.
  std::shared_ptr<shared_state> state_;
  strand strand_;
  boost::beast::websocket::stream<frame_layer> ws_;
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer close_timer_;
  message_buffer buffer_; // the message being read
  boost::asio::cancellation_signal read_cancel_;  // bound to the pending read
  boost::asio::cancellation_signal close_cancel_; // bound to the close handshake
  const std::uint64_t id_;
  const net::dialect dialect_;
  const std::string remote_;

  // Any thread.
  session_lifecycle life_;  // handshaking → open → closing → closed (session_phase.hpp)
  outbound_queue queue_;    // pushed by send(), written on the strand
  std::atomic<std::uint64_t> messages_in_{0};  // written on the strand, read by the console
  std::atomic<std::uint64_t> messages_out_{0};

  // Strand only.
  std::shared_ptr<session_sink> sink_;
  ping_schedule pings_;
  std::uint16_t close_code_ = 0; // once closing: the code of our close frame
  std::string close_reason_;
};

} // namespace coord::net
