#include "load_ws.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr int op_continuation = 0x0;
constexpr int op_text = 0x1;
constexpr int op_binary = 0x2;
constexpr int op_close = 0x8;
constexpr int op_ping = 0x9;
constexpr int op_pong = 0xA;

} // namespace

ws_client::ws_client(asio::io_context& io, ws_handler& h, std::size_t index)
  : socket_(io), handler_(h), index_(index) {}

void ws_client::connect(unsigned short port, const std::string& path, int rcvbuf,
                        std::size_t read_chunk, int mss) {
  started = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  socket_.open(tcp::v4(), ec);
  if (ec)
    return fail(-1, "socket: " + ec.message());
  // Before connect, so the window the kernel advertises is small from the SYN on.
  if (rcvbuf > 0)
    socket_.set_option(asio::socket_base::receive_buffer_size(rcvbuf), ec);
  if (mss > 0)
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
  // Sessions come from 127.0.0.1..127.0.0.8 in turn. From one source address, past ~14k
  // sockets every connect() scans the whole ephemeral port range for a free 4-tuple (with
  // 19000 sessions, __inet_hash_connect + __inet_check_established were 36 % of all CPU
  // samples, in this client); the kernel picks the port at connect time
  // (IP_BIND_ADDRESS_NO_PORT), so each address has the whole range to itself.
  int no_port = 1;
  ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &no_port,
               sizeof no_port);
  socket_.bind(tcp::endpoint{asio::ip::address_v4{0x7f000001u + static_cast<unsigned>(index_ % 8)},
                             0},
               ec);
  if (ec)
    return fail(-1, "bind: " + ec.message());
  in_.resize(read_chunk);
  host_ = "127.0.0.1:" + std::to_string(port);
  // The upgrade request goes out with the first flush after connect.
  out_ = "GET " + path + " HTTP/1.1\r\nHost: " + host_
         + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  tcp::endpoint ep{asio::ip::make_address_v4("127.0.0.1"), port};
  socket_.async_connect(ep, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_connect(ec);
  });
}

void ws_client::on_connect(const boost::system::error_code& ec) {
  if (ended_)
    return;
  if (ec)
    return fail(-1, "connect: " + ec.message());
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  flush();
  do_read();
}

void ws_client::send_text(std::string_view payload) {
  append_frame(op_text, payload);
}

void ws_client::send_ping() {
  append_frame(op_ping, {});
}

void ws_client::append_frame(int opcode, std::string_view payload) {
  if (ended_)
    return;
  const std::size_t n = payload.size();
  char head[14];
  std::size_t h = 0;
  head[h++] = static_cast<char>(0x80 | opcode);
  if (n < 126) {
    head[h++] = static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    head[h++] = static_cast<char>(0x80 | 126);
    head[h++] = static_cast<char>(n >> 8);
    head[h++] = static_cast<char>(n & 0xFF);
  } else {
    head[h++] = static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i)
      head[h++] = static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
  }
  // Mask key 0: the masked payload equals the payload, so no copy-and-xor.
  for (int i = 0; i < 4; ++i)
    head[h++] = 0;
  out_.append(head, h);
  out_.append(payload.data(), payload.size());
  schedule_flush();
}

void ws_client::schedule_flush() {
  if (flush_posted_ || writing_ || !upgraded_)
    return;
  flush_posted_ = true;
  // Everything queued during this io-loop turn goes out in one write.
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
  });
}

void ws_client::flush() {
  if (ended_ || writing_ || out_.empty())
    return;
  writing_ = true;
  writing_buf_.swap(out_);
  out_.clear();
  asio::async_write(socket_, asio::buffer(writing_buf_),
                    [self = shared_from_this()](const boost::system::error_code& ec,
                                                std::size_t) {
                      self->writing_ = false;
                      self->writing_buf_.clear();
                      if (self->ended_)
                        return;
                      if (ec)
                        return self->fail(-1, "write: " + ec.message());
                      self->flush();
                    });
}

void ws_client::pause_reading() { paused_ = true; }

void ws_client::resume_reading() {
  if (!paused_)
    return;
  paused_ = false;
  // Frames read before the pause may still sit in the buffer.
  if (in_len_ > 0 && !ended_ && !parse_buffered())
    return;
  do_read();
}

bool ws_client::parse_buffered() {
  auto used = parse(in_.data(), in_len_);
  if (ended_)
    return false;
  std::memmove(in_.data(), in_.data() + used, in_len_ - used);
  in_len_ -= used;
  return true;
}

void ws_client::drop() {
  end();
}

bool ws_client::end() {
  if (ended_)
    return false;
  ended_ = true;
  open_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  return true;
}

void ws_client::do_read() {
  if (reading_ || paused_ || ended_)
    return;
  if (in_len_ == in_.size())
    in_.resize(in_.size() * 2); // one frame larger than the buffer
  reading_ = true;
  socket_.async_read_some(
    asio::buffer(in_.data() + in_len_, in_.size() - in_len_),
    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
      self->on_read(ec, n);
    });
}

void ws_client::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (ended_)
    return;
  if (ec)
    return fail(-1, "read: " + ec.message());
  in_len_ += n;
  if (paused_)
    return; // parsed on resume
  if (parse_buffered())
    do_read();
}

bool ws_client::parse_upgrade(std::string_view data, std::size_t& used) {
  auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    used = 0;
    if (data.size() > 8192)
      fail(-1, "upgrade answer too long");
    return false;
  }
  used = end + 4;
  if (data.rfind("HTTP/1.1 101", 0) != 0) {
    fail(-1, "upgrade refused: " + std::string(data.substr(0, data.find("\r\n"))));
    return false;
  }
  upgraded_ = true;
  open_ = true;
  handler_.on_open(*this);
  schedule_flush(); // what on_open queued
  return true;
}

std::size_t ws_client::parse(const char* data, std::size_t size) {
  std::size_t at = 0;
  if (!upgraded_) {
    std::size_t used = 0;
    if (!parse_upgrade({data, size}, used))
      return used;
    at = used;
  }
  // Keep ourselves alive across handler calls that may drop the last other reference.
  auto self = shared_from_this();
  while (!ended_ && !paused_ && size - at >= 2) {
    const auto* p = reinterpret_cast<const unsigned char*>(data + at);
    const bool fin = (p[0] & 0x80) != 0;
    const int opcode = p[0] & 0x0F;
    const bool masked = (p[1] & 0x80) != 0;
    std::uint64_t len = p[1] & 0x7F;
    std::size_t h = 2;
    if (len == 126) {
      if (size - at < 4)
        break;
      len = (std::uint64_t{p[2]} << 8) | p[3];
      h = 4;
    } else if (len == 127) {
      if (size - at < 10)
        break;
      len = 0;
      for (int i = 0; i < 8; ++i)
        len = (len << 8) | p[2 + i];
      h = 10;
    }
    if (masked) {
      fail(-1, "masked server frame");
      break;
    }
    if (size - at < h + len)
      break;
    std::string_view payload{data + at + h, static_cast<std::size_t>(len)};
    at += h + static_cast<std::size_t>(len);
    if (opcode == op_continuation || (!fin && (opcode == op_text || opcode == op_binary))) {
      frag_.append(payload.data(), payload.size());
      if (fin) {
        std::string whole;
        whole.swap(frag_);
        handler_.on_message(*this, whole);
      }
    } else {
      deliver(opcode, payload);
    }
  }
  return at;
}

void ws_client::deliver(int opcode, std::string_view payload) {
  switch (opcode) {
    case op_text:
    case op_binary:
      handler_.on_message(*this, payload);
      break;
    case op_ping:
      append_frame(op_pong, payload);
      break;
    case op_pong:
      handler_.on_pong(*this);
      break;
    case op_close: {
      int code = payload.size() >= 2
                   ? (static_cast<unsigned char>(payload[0]) << 8)
                       | static_cast<unsigned char>(payload[1])
                   : 1005;
      // Echo the close best-effort (the socket is non-blocking under Asio), then end.
      if (!close_sent_) {
        close_sent_ = true;
        const char echo[8] = {static_cast<char>(0x88), static_cast<char>(0x82), 0, 0, 0, 0,
                              payload.size() >= 2 ? payload[0] : '\x03',
                              payload.size() >= 2 ? payload[1] : '\xe8'};
        boost::system::error_code ignored;
        socket_.non_blocking(true, ignored);
        socket_.write_some(asio::buffer(echo, sizeof echo), ignored);
      }
      std::string reason(payload.size() > 2 ? payload.substr(2) : std::string_view{});
      fail(code, "close frame " + std::to_string(code) + " \"" + reason + "\"");
      break;
    }
    default:
      fail(-1, "unknown opcode " + std::to_string(opcode));
  }
}

void ws_client::fail(int code, const std::string& why) {
  if (end())
    handler_.on_closed(*this, code, why);
}

} // namespace load
