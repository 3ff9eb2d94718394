// The test client: Beast on a private io_context, driven one call at a time with
// run_one_until, so every call has a deadline and no thread is needed.

#include "tests/support/raw_tcp.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <deque>
#include <functional>
#include <stdexcept>

namespace coord::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

namespace {

/// Runs `ioc` until `done()` holds or `deadline` passes; false on timeout.
template <class Done> bool run_until(asio::io_context& ioc, Done done, clock::time_point deadline) {
  while (!done()) {
    if (clock::now() >= deadline)
      return false;
    if (ioc.stopped())
      ioc.restart();
    if (ioc.run_one_until(deadline) == 0 && ioc.stopped() && !done()) {
      // Nothing left to run: nothing can make done() true any more.
      ioc.restart();
      return done();
    }
  }
  return true;
}

/// Follows the client's outgoing websocket frames (after the handshake) and cuts out the
/// pong frames while `drop_pongs` is set: Beast answers every ping it reads and has no
/// option to stop it, so a client that reads but "does not pong" is made below Beast.
class frame_filter {
public:
  bool drop_pongs = false;

  /// Appends to `out` the bytes of `in` that belong to frames we keep.
  void feed(const char* in, std::size_t n, std::string& out) {
    while (n > 0) {
      if (remaining_ == 0 && !in_payload_) {
        // Frame header: 2 bytes, then 0/2/8 length bytes, then 4 mask bytes (client frames).
        header_.push_back(*in++);
        --n;
        if (header_.size() < 2 || header_.size() < header_size())
          continue;
        std::uint64_t len = static_cast<unsigned char>(header_[1]) & 0x7F;
        if (len >= 126) {
          const std::size_t bytes = len == 126 ? 2 : 8;
          len = 0;
          for (std::size_t i = 0; i < bytes; ++i)
            len = (len << 8) | static_cast<unsigned char>(header_[2 + i]);
        }
        dropping_ = drop_pongs && (static_cast<unsigned char>(header_[0]) & 0x0F) == 0x0A;
        if (!dropping_)
          out += header_;
        header_.clear();
        remaining_ = len;
        in_payload_ = len > 0;
        continue;
      }
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n));
      if (!dropping_)
        out.append(in, take);
      in += take;
      n -= take;
      remaining_ -= take;
      in_payload_ = remaining_ > 0;
    }
  }

private:
  std::size_t header_size() const {
    const auto b1 = static_cast<unsigned char>(header_[1]);
    const std::size_t len7 = b1 & 0x7F;
    const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return 2 + ext + ((b1 & 0x80) ? 4 : 0);
  }

  std::string header_;
  std::uint64_t remaining_ = 0;
  bool in_payload_ = false;
  bool dropping_ = false;
};

/// A TCP socket whose writes go through a frame_filter once `filtering` is set.
class filtered_socket {
public:
  using executor_type = tcp::socket::executor_type;
  using next_layer_type = tcp::socket;
  using lowest_layer_type = tcp::socket;

  explicit filtered_socket(asio::io_context& ioc) : socket_(ioc) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  tcp::socket& next_layer() noexcept { return socket_; }
  const tcp::socket& next_layer() const noexcept { return socket_; }

  bool filtering = false;
  frame_filter filter;

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (!filtering) {
      socket_.async_write_some(buffers, std::forward<Handler>(handler));
      return;
    }
    // Report every byte as written; only the kept ones reach the socket.
    const std::size_t n = asio::buffer_size(buffers);
    auto out = std::make_shared<std::string>();
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      const asio::const_buffer b(*it);
      filter.feed(static_cast<const char*>(b.data()), b.size(), *out);
    }
    if (out->empty()) {
      asio::post(socket_.get_executor(), [h = std::decay_t<Handler>(std::forward<Handler>(handler)),
                                          n]() mutable { h(error_code{}, n); });
      return;
    }
    asio::async_write(socket_, asio::buffer(*out),
                      [out, h = std::decay_t<Handler>(std::forward<Handler>(handler)),
                       n](error_code ec, std::size_t) mutable { h(ec, ec ? 0 : n); });
  }

private:
  tcp::socket socket_;
};

// Beast finds this by argument-dependent lookup when it closes the websocket.
template <class Handler>
void async_teardown(beast::role_type role, filtered_socket& s, Handler&& handler) {
  websocket::async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

tcp::endpoint local(std::uint16_t port) { return {asio::ip::make_address_v4("127.0.0.1"), port}; }

void connect(asio::io_context& ioc, tcp::socket& socket, std::uint16_t port,
             clock::time_point deadline) {
  error_code ec = asio::error::would_block;
  socket.async_connect(local(port), [&](error_code e) { ec = e; });
  if (!run_until(ioc, [&] { return ec != asio::error::would_block; }, deadline))
    throw std::runtime_error("connect to port " + std::to_string(port) + " timed out");
  if (ec)
    throw std::runtime_error("connect to port " + std::to_string(port) + " failed: " +
                             ec.message());
}

} // namespace

struct ws_client::impl {
  asio::io_context ioc{1};
  websocket::stream<filtered_socket> ws{ioc};
  beast::flat_buffer rbuf;
  std::deque<ws_message> inbox;
  bool reading = false;
  bool closed = false;
  std::optional<std::uint16_t> code;
  std::string reason;
  std::size_t pings = 0;

  void note_close() {
    const auto& r = ws.reason();
    if (!code && r.code != websocket::close_code::none) {
      code = r.code;
      reason.assign(r.reason.data(), r.reason.size());
    }
  }

  /// Keeps one read pending; its completion queues a message or marks the end.
  void start_read() {
    if (reading || closed)
      return;
    reading = true;
    ws.async_read(rbuf, [this](error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        closed = true;
        // The close frame may have been read even when answering it failed.
        note_close();
        return;
      }
      inbox.push_back({beast::buffers_to_string(rbuf.data()), ws.got_binary()});
      rbuf.consume(rbuf.size());
    });
  }

  void write(std::string_view data, bool binary) {
    if (closed)
      throw std::runtime_error("send on a closed websocket");
    ws.binary(binary);
    bool done = false;
    error_code err;
    ws.async_write(asio::buffer(data.data(), data.size()), [&](error_code ec, std::size_t) {
      done = true;
      err = ec;
    });
    if (!run_until(ioc, [&] { return done; }, clock::now() + std::chrono::seconds(10)))
      throw std::runtime_error("websocket send timed out");
    if (err)
      throw std::runtime_error("websocket send failed: " + err.message());
  }
};

ws_client::ws_client(std::uint16_t port, std::string target,
                     std::vector<std::pair<std::string, std::string>> headers)
  : impl_(std::make_unique<impl>()) {
  const auto deadline = clock::now() + std::chrono::seconds(10);
  connect(impl_->ioc, impl_->ws.next_layer().next_layer(), port, deadline);

  impl_->ws.set_option(websocket::stream_base::decorator(
    [headers = std::move(headers)](websocket::request_type& req) {
      for (const auto& [name, value] : headers)
        req.set(name, value);
    }));
  websocket::response_type res;
  error_code ec = asio::error::would_block;
  impl_->ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), target,
                            [&](error_code e) { ec = e; });
  if (!run_until(impl_->ioc, [&] { return ec != asio::error::would_block; }, deadline))
    throw std::runtime_error("websocket handshake timed out");
  if (ec == websocket::error::upgrade_declined)
    throw std::runtime_error("upgrade refused: " + std::to_string(res.result_int()));
  if (ec)
    throw std::runtime_error("websocket handshake failed: " + ec.message());

  impl_->ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping)
      ++impl_->pings;
  });
  // From here on the bytes we write are websocket frames: follow them.
  impl_->ws.next_layer().filtering = true;
}

ws_client::~ws_client() {
  error_code ignored;
  impl_->ws.next_layer().next_layer().close(ignored);
}

void ws_client::send_text(std::string_view data) { impl_->write(data, false); }

void ws_client::send_binary(std::string_view data) { impl_->write(data, true); }

std::optional<ws_message> ws_client::read(std::chrono::milliseconds timeout) {
  auto& i = *impl_;
  if (i.inbox.empty()) {
    i.start_read();
    run_until(i.ioc, [&] { return !i.inbox.empty() || i.closed; }, clock::now() + timeout);
  }
  if (i.inbox.empty())
    return std::nullopt;
  auto m = std::move(i.inbox.front());
  i.inbox.pop_front();
  return m;
}

std::optional<std::uint16_t> ws_client::wait_close(std::chrono::milliseconds timeout) {
  auto& i = *impl_;
  const auto deadline = clock::now() + timeout;
  while (!i.closed) {
    i.inbox.clear();
    i.start_read();
    if (!run_until(i.ioc, [&] { return !i.inbox.empty() || i.closed; }, deadline))
      break;
  }
  i.inbox.clear();
  return i.code;
}

std::optional<std::uint16_t> ws_client::close_code() const { return impl_->code; }

std::string ws_client::close_reason() const { return impl_->reason; }

bool ws_client::closed() const { return impl_->closed; }

void ws_client::close(std::uint16_t code) {
  auto& i = *impl_;
  if (i.closed)
    return;
  bool done = false;
  // Beast reads on (through the pending read, if any) until the peer's close frame arrives.
  i.ws.async_close(static_cast<websocket::close_code>(code), [&](error_code) { done = true; });
  run_until(i.ioc, [&] { return done; }, clock::now() + std::chrono::seconds(2));
  i.note_close();
  i.closed = true;
}

void ws_client::set_auto_pong(bool on) { impl_->ws.next_layer().filter.drop_pongs = !on; }

std::size_t ws_client::pings_received() const { return impl_->pings; }

http_reply http_request(std::uint16_t port, std::string method, std::string target,
                        std::string body, std::vector<std::pair<std::string, std::string>> headers) {
  asio::io_context ioc{1};
  beast::tcp_stream stream(ioc);
  const auto deadline = clock::now() + std::chrono::seconds(10);
  connect(ioc, stream.socket(), port, deadline);

  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers)
    req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  error_code ec = asio::error::would_block;
  stream.expires_at(deadline);
  http::async_write(stream, req, [&](error_code e, std::size_t) {
    if (e) {
      ec = e;
      return;
    }
    http::async_read(stream, buffer, parser, [&](error_code e2, std::size_t) { ec = e2; });
  });
  ioc.restart();
  ioc.run();
  if (ec)
    throw std::runtime_error("http " + method + " " + target + " failed: " + ec.message());

  auto res = parser.release();
  http_reply reply;
  reply.status = res.result_int();
  reply.body = std::move(res.body());
  for (const auto& field : res)
    reply.headers[std::string(field.name_string())] = std::string(field.value());
  return reply;
}

raw_reply raw_exchange(std::uint16_t port, std::string data, std::chrono::milliseconds timeout) {
  asio::io_context ioc{1};
  tcp::socket socket(ioc);
  connect(ioc, socket, port, clock::now() + std::chrono::seconds(10));
  error_code ec;
  if (!data.empty())
    asio::write(socket, asio::buffer(data), ec); // small: fits the socket buffer at once
  const auto start = clock::now();
  raw_reply reply;
  std::array<char, 4096> chunk{};
  bool ended = false;
  std::function<void()> read_more = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](error_code e, std::size_t n) {
      reply.received.append(chunk.data(), n);
      if (e) {
        ended = true;
        return;
      }
      read_more();
    });
  };
  read_more();
  reply.closed = run_until(ioc, [&] { return ended; }, start + timeout);
  reply.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
  return reply;
}

} // namespace coord::test
