#pragma once
// One websocket peer: the Beast side of net::connection (private header).
//
// Every member of the stream is touched only on the connection's strand. send() and close()
// may be called from any thread: send() accounts the bytes atomically and pushes the frame on
// a lock-free inbox, posting a drain onto the strand only when the inbox was empty, so a burst
// costs one post. On the strand, frames wait in a list and leave in gathered writes: up to
// max_batch_frames frames (header + payload each) in one non-blocking sendmsg, straight from
// the shared payloads; only what the kernel does not take at once goes through an async write.
// Data frames bypass Beast's writer (frame_layer.hpp keeps Beast's own frames apart).

#include "net/frame_layer.hpp"
#include "net/shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace coord::net {

/// Beast's DynamicBuffer (v1) over one std::string: a complete message leaves as that string,
/// without a copy, and nothing is kept between messages but what the pending read prepared.
class message_buffer {
public:
  using const_buffers_type = boost::asio::const_buffer;
  using mutable_buffers_type = boost::asio::mutable_buffer;

  std::size_t size() const noexcept { return size_; }
  std::size_t max_size() const noexcept { return s_.max_size(); }
  std::size_t capacity() const noexcept { return s_.capacity(); }
  const_buffers_type data() const noexcept { return {s_.data(), size_}; }
  mutable_buffers_type prepare(std::size_t n) {
    s_.resize(size_ + n);
    return {s_.data() + size_, n};
  }
  void commit(std::size_t n) noexcept { size_ += std::min(n, s_.size() - size_); }
  void consume(std::size_t n) {
    n = std::min(n, size_);
    s_.erase(0, n);
    size_ -= n;
  }
  /// The committed bytes as a string; the buffer is left empty, with no capacity.
  std::string take() {
    s_.resize(size_);
    size_ = 0;
    std::string out;
    out.swap(s_);
    return out;
  }
  /// Drops everything, capacity included.
  void clear() {
    std::string().swap(s_);
    size_ = 0;
  }

private:
  std::string s_;
  std::size_t size_ = 0;
};

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
  void on_layer_idle() override;

  /// Frames per gathered write (two iovecs each; Asio passes at most 64 to one sendmsg).
  static constexpr std::size_t max_batch_frames = 32;
  /// Payload bytes per gathered write, past the first frame.
  static constexpr std::size_t max_batch_bytes = 256 * 1024;
  /// Bytes the first read of a message prepares (companion, voice / gateway).
  static constexpr std::size_t initial_read = 256;
  static constexpr std::size_t initial_read_gateway = 2048;
  /// Bytes any later read of a message may prepare.
  static constexpr std::size_t max_read_chunk = 64 * 1024;

private:
  /// One queued frame: its payload (shared with every receiver) and its header.
  struct out_frame {
    out_frame* next = nullptr;
    buffer data;
    std::uint8_t header[10];
    std::uint8_t header_size = 0;
  };

  void on_accept(boost::system::error_code ec, upgrade_request info);
  void do_read();
  void on_read(boost::system::error_code ec);
  void drain_inbox();
  void do_write();
  void on_write(boost::system::error_code ec);
  void complete_frames(std::size_t n);
  std::size_t drop_frames(bool keep_in_flight);
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
  std::atomic<std::size_t> queued_{0}; // bytes accepted by send() and not yet written
  std::atomic<bool> closing_{false};   // close requested: send() drops, close() ignores
  std::atomic<bool> slow_{false};      // the outbound bound was hit: queued frames are dropped
  std::atomic<bool> close_counted_{false}; // 4009 was counted when decided; finish() does not
  std::atomic<bool> slot_held_{true};  // the max_sessions slot reserved for us
  std::atomic<std::uint64_t> messages_in_{0};  // written on the strand, read by the console
  std::atomic<std::uint64_t> messages_out_{0};
  std::atomic<out_frame*> inbox_{nullptr}; // pushed by send(), newest first; drained on the strand

  // Strand only.
  std::shared_ptr<session_sink> sink_;
  out_frame* head_ = nullptr; // oldest queued frame; the first in_flight_ are being written
  out_frame* tail_ = nullptr;
  std::size_t in_flight_ = 0;
  std::vector<boost::asio::const_buffer> gather_; // the iovecs of the write in flight
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
