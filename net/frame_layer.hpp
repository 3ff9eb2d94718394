#pragma once
// The stream under Beast's websocket::stream in a websocket_session (private header of net/).
//
// A TCP socket whose write side has two writers: Beast (the upgrade answer, pongs, ping and
// close frames) and the session's gathered writes of data frames, many frames per syscall,
// framed by the session itself. Beast's websocket stream cannot write several messages in
// one call, so data frames bypass it; this layer keeps the two writers from interleaving
// bytes on the socket. One writer at a time: a Beast write that arrives while a gathered
// write is in flight starts when that write ends; the session starts a gathered write only
// when idle() (and is told through on_layer_idle() when a Beast write leaves it idle).
// Everything here runs on the session's strand.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace coord::net {

/// Told when a Beast write ends and leaves the layer idle.
class layer_owner {
public:
  virtual void on_layer_idle() = 0;

protected:
  ~layer_owner() = default;
};

class frame_layer {
public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using next_layer_type = socket_type;

  explicit frame_layer(socket_type&& socket) : socket_(std::move(socket)) {}

  /// `keep` keeps the owner alive while a Beast completion runs (it may hold the last
  /// reference); `owner` is told when the layer becomes idle.
  void set_owner(std::weak_ptr<void> keep, layer_owner* owner) noexcept {
    keep_ = std::move(keep);
    owner_ = owner;
  }

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& next_layer() noexcept { return socket_; }

  /// No write of either kind in flight.
  bool idle() const noexcept { return !beast_busy_ && !raw_busy_; }
  /// A gathered write of the session's frames is in flight (its handler has not run yet).
  bool writing_frames() const noexcept { return raw_busy_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  /// Beast's writes: start now, or after the gathered write in flight.
  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    using handler_type = std::decay_t<Handler>;
    if (raw_busy_) {
      deferred_ = std::make_unique<deferred_write<ConstBuffers, handler_type>>(
        *this, buffers, std::forward<Handler>(handler));
      return;
    }
    start_beast_write(buffers, handler_type(std::forward<Handler>(handler)));
  }

  /// The session's gathered write: every byte of `buffers`, then `handler(ec, n)`.
  /// Only when idle(); `handler` must keep the owner alive.
  template <class ConstBuffers, class Handler>
  void async_write_frames(const ConstBuffers& buffers, Handler&& handler) {
    raw_busy_ = true;
    boost::asio::async_write(
      socket_, buffers,
      [this, h = std::decay_t<Handler>(std::forward<Handler>(handler))](
        boost::system::error_code ec, std::size_t n) mutable {
        raw_busy_ = false;
        // Beast's frame (a pong, a close) goes before the next gathered write.
        if (auto d = std::move(deferred_))
          d->start();
        h(ec, n);
      });
  }

  /// The server stops with nothing running: a deferred Beast write will never start.
  void drop_deferred() noexcept { deferred_.reset(); }

private:
  struct deferred_base {
    virtual ~deferred_base() = default;
    virtual void start() = 0;
  };

  template <class ConstBuffers, class Handler>
  struct deferred_write final : deferred_base {
    template <class H>
    deferred_write(frame_layer& l, const ConstBuffers& b, H&& h)
      : layer(l), buffers(b), handler(std::forward<H>(h)) {}
    void start() override { layer.start_beast_write(buffers, std::move(handler)); }
    frame_layer& layer;
    ConstBuffers buffers;
    Handler handler;
  };

  template <class Handler>
  struct beast_done {
    frame_layer* layer;
    Handler handler;
    void operator()(boost::system::error_code ec, std::size_t n) {
      // The handler may release the last reference to the session (and so to us).
      auto keep = layer->keep_.lock();
      auto* l = layer;
      l->beast_busy_ = false;
      handler(ec, n);
      // A composed Beast write continues from inside its handler; idle only if it did not.
      if (keep && l->idle() && l->owner_)
        l->owner_->on_layer_idle();
    }
  };

  template <class ConstBuffers, class Handler>
  void start_beast_write(const ConstBuffers& buffers, Handler handler) {
    beast_busy_ = true;
    auto ex = boost::asio::get_associated_executor(handler, socket_.get_executor());
    socket_.async_write_some(
      buffers, boost::asio::bind_executor(ex, beast_done<Handler>{this, std::move(handler)}));
  }

  socket_type socket_;
  std::weak_ptr<void> keep_;
  layer_owner* owner_ = nullptr;
  std::unique_ptr<deferred_base> deferred_;
  bool beast_busy_ = false;
  bool raw_busy_ = false;
};

/// Beast's close handshake ends with a TCP teardown of the socket underneath.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, frame_layer& layer,
                    TeardownHandler&& handler) {
  boost::beast::websocket::async_teardown(role, layer.next_layer(),
                                          std::forward<TeardownHandler>(handler));
}

inline void teardown(boost::beast::role_type role, frame_layer& layer,
                     boost::system::error_code& ec) {
  boost::beast::websocket::teardown(role, layer.next_layer(), ec);
}

} // namespace coord::net
