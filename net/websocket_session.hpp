#pragma once
// One websocket peer: the Beast side of net::connection (private header).
//
// Every member of the stream is touched only on the connection's strand. send() and close()
// may be called from any thread: they account the bytes atomically, then post onto the strand,
// where a deque feeds one async_write at a time.

#include "net/shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace coord::net {

class websocket_session final : public live_session,
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
  std::size_t queued_bytes() const noexcept override {
    return queued_.load(std::memory_order_acquire);
  }
  const std::string& remote_address() const noexcept override { return remote_; }
  std::uint64_t messages_in() const noexcept override {
    return messages_in_.load(std::memory_order_relaxed);
  }
  std::uint64_t messages_out() const noexcept override {
    return messages_out_.load(std::memory_order_relaxed);
  }
  void abandon() override;

private:
  struct frame {
    buffer data;
    bool binary;
  };

  void on_accept(boost::system::error_code ec, upgrade_request info);
  void do_read();
  void on_read(boost::system::error_code ec);
  void on_send(buffer data, bool binary);
  void do_write();
  void on_write(boost::system::error_code ec);
  void begin_close(std::uint16_t code, std::string reason, bool drop_queued);
  void maybe_close();
  void on_close(boost::system::error_code ec);
  void arm_ping();
  void on_ping_timer(boost::system::error_code ec);
  void on_ping(boost::system::error_code ec);
  std::uint16_t end_code(const boost::system::error_code& ec) const;
  void finish(std::uint16_t code);
  void release_slot() noexcept;

  // state_ first: destroyed last, it owns the io_context the socket and timers belong to.
  std::shared_ptr<shared_state> state_;
  strand strand_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer close_timer_;
  boost::beast::flat_buffer buffer_;
  const std::uint64_t id_;
  const net::dialect dialect_;
  const std::string remote_;

  // Any thread.
  std::atomic<std::size_t> queued_{0}; // bytes accepted by send() and not yet written
  std::atomic<bool> closing_{false};   // close requested: send() drops, close() ignores
  std::atomic<bool> slot_held_{true};  // the max_sessions slot reserved for us
  std::atomic<std::uint64_t> messages_in_{0};  // written on the strand, read by the console
  std::atomic<std::uint64_t> messages_out_{0};

  // Strand only.
  std::shared_ptr<session_sink> sink_;
  std::deque<frame> queue_; // front is being written while writing_
  bool writing_ = false;
  bool ping_in_flight_ = false;
  unsigned unanswered_pings_ = 0;
  bool opened_ = false;
  bool close_started_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
  std::uint16_t close_code_ = 0;
  std::string close_reason_;
};

} // namespace coord::net
