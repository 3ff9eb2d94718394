// Hand-driven peers for the hostile-client tests: plain POSIX sockets, so nothing between the
// test and the wire fixes up what the test writes (declared in raw_tcp.hpp).

#include "tests/support/raw_tcp.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace coord::test {

using clock = std::chrono::steady_clock;

namespace {

int remaining_ms(clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

/// Appends `n` in `bytes` big-endian bytes.
void put_be(std::string& out, std::uint64_t n, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
}

std::string frame_start(std::uint64_t length, const frame_spec& spec) {
  std::string out;
  out.push_back(static_cast<char>((spec.fin ? 0x80 : 0) | ((spec.rsv & 7) << 4) |
                                  (spec.opcode & 0x0F)));
  const char mask_bit = spec.masked ? static_cast<char>(0x80) : 0;
  if (length < 126) {
    out.push_back(static_cast<char>(mask_bit | static_cast<char>(length)));
  } else if (length <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    put_be(out, length, 2);
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    put_be(out, length, 8);
  }
  return out;
}

} // namespace

// -- raw_conn -----------------------------------------------------------------------------

raw_conn::raw_conn(std::uint16_t port, int rcvbuf) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::runtime_error(std::string{"socket failed: "} + std::strerror(errno));
  if (rcvbuf > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A write that cannot make progress for 10 s fails instead of hanging the test.
  timeval tv{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to port " + std::to_string(port) +
                             " failed: " + std::strerror(err));
  }
}

raw_conn::~raw_conn() { close(); }

raw_conn::raw_conn(raw_conn&& other) noexcept : fd_(other.fd_), ended_(other.ended_) {
  other.fd_ = -1;
}

raw_conn& raw_conn::operator=(raw_conn&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    ended_ = other.ended_;
  }
  return *this;
}

bool raw_conn::write(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0)
      return false;
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool raw_conn::read_some(std::string& out, std::chrono::milliseconds timeout) {
  if (fd_ < 0 || ended_)
    return false;
  const auto deadline = clock::now() + timeout;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    char buf[16384];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0) {
      ended_ = true;
      return false;
    }
    out.append(buf, static_cast<std::size_t>(n));
    return true;
  }
}

bool raw_conn::wait_end(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  std::string sink;
  while (!ended_) {
    sink.clear();
    if (!read_some(sink, std::chrono::milliseconds(remaining_ms(deadline))) && !ended_)
      return false;
  }
  return true;
}

void raw_conn::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

void raw_conn::reset() {
  if (fd_ < 0)
    return;
  // Linger 0: close() sends RST instead of FIN.
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close();
}

// -- frames -------------------------------------------------------------------------------

std::string ws_upgrade_request(std::uint16_t port, std::string_view target,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  out.append("GET ").append(target).append(" HTTP/1.1\r\n");
  out.append("Host: 127.0.0.1:").append(std::to_string(port)).append("\r\n");
  out.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
  out.append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  out.append("\r\n");
  return out;
}

std::string ws_frame(std::string_view payload, frame_spec spec) {
  auto out = frame_start(payload.size(), spec);
  if (!spec.masked)
    return out.append(payload);
  constexpr unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ static_cast<char>(key[i % 4])));
  return out;
}

std::string ws_frame_header(std::uint64_t length, frame_spec spec) {
  auto out = frame_start(length, spec);
  if (spec.masked)
    out.append(4, '\0');
  return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  put_be(out, code, 2);
  return out.append(reason);
}

// -- raw_ws -------------------------------------------------------------------------------

raw_ws::raw_ws(std::uint16_t port, std::string_view target,
               const std::vector<std::pair<std::string, std::string>>& headers, int rcvbuf)
  : conn_(port, rcvbuf) {
  if (!conn_.write(ws_upgrade_request(port, target, headers)))
    throw std::runtime_error("upgrade request could not be written");
  const auto deadline = clock::now() + std::chrono::seconds(10);
  std::size_t end = std::string::npos;
  while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
    if (!conn_.read_some(in_, std::chrono::milliseconds(remaining_ms(deadline))))
      throw std::runtime_error(conn_.ended() ? "connection closed during the upgrade"
                                             : "upgrade timed out");
  }
  // "HTTP/1.1 101 Switching Protocols"
  const auto sp = in_.find(' ');
  const auto status = sp == std::string::npos ? std::string{} : in_.substr(sp + 1, 3);
  if (status != "101")
    throw std::runtime_error("upgrade refused: " + status);
  // What follows the header already belongs to the frames.
  in_.erase(0, end + 4);
}

std::optional<ws_frame_in> raw_ws::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    // Parse one frame from in_ if it is all there.
    if (in_.size() >= 2) {
      const auto b0 = static_cast<unsigned char>(in_[0]);
      const auto b1 = static_cast<unsigned char>(in_[1]);
      std::size_t pos = 2;
      std::uint64_t len = b1 & 0x7F;
      const std::size_t ext = len == 126 ? 2 : len == 127 ? 8 : 0;
      const std::size_t mask = (b1 & 0x80) ? 4 : 0;
      if (in_.size() >= pos + ext + mask) {
        if (ext) {
          len = 0;
          for (std::size_t i = 0; i < ext; ++i)
            len = (len << 8) | static_cast<unsigned char>(in_[pos + i]);
        }
        pos += ext;
        if (in_.size() - pos - mask >= len) {
          ws_frame_in f;
          f.opcode = b0 & 0x0F;
          f.fin = (b0 & 0x80) != 0;
          f.payload = in_.substr(pos + mask, static_cast<std::size_t>(len));
          for (std::size_t i = 0; mask && i < f.payload.size(); ++i)
            f.payload[i] = static_cast<char>(f.payload[i] ^ in_[pos + i % 4]);
          in_.erase(0, pos + mask + static_cast<std::size_t>(len));
          return f;
        }
      }
    }
    if (!conn_.read_some(in_, std::chrono::milliseconds(remaining_ms(deadline))))
      return std::nullopt;
  }
}

std::optional<std::string> raw_ws::read_message(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  while (!close_frame_) {
    auto f = read_frame(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!f)
      return std::nullopt;
    if (f->opcode == ws_op::close)
      close_frame_ = std::move(f);
    else if (f->opcode == ws_op::text || f->opcode == ws_op::binary)
      return std::move(f->payload);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> raw_ws::wait_close(std::chrono::milliseconds timeout, bool answer) {
  const auto deadline = clock::now() + timeout;
  while (!close_frame_) {
    auto f = read_frame(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!f)
      return std::nullopt;
    if (f->opcode == ws_op::close) {
      close_frame_ = std::move(f);
      if (answer)
        conn_.write(ws_frame(close_frame_->payload.substr(0, 2), {ws_op::close}));
    } else if (f->opcode < ws_op::close) {
      ++discarded_;
    }
  }
  const auto& p = close_frame_->payload;
  if (p.size() < 2)
    return std::uint16_t{1005};
  reason_ = p.substr(2);
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[0]) << 8) |
                                    static_cast<unsigned char>(p[1]));
}

// -- process and node checks --------------------------------------------------------------

std::size_t proc_status_kb(int pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() &&
        line[field.size()] == ':')
      return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

std::size_t open_fds(int pid) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

std::string check_node_serves(std::uint16_t port, std::string_view companion_key) {
  try {
    auto health = http_request(port, "GET", "/healthz");
    if (health.status != 200 || health.body.find("\"ok\"") == std::string::npos)
      return "/healthz answered " + std::to_string(health.status) + " " + health.body;
    ws_client c{port, "/companion"};
    boost::json::object op1{{"op", 1}, {"key", companion_key}, {"guildIds", boost::json::array{7}}};
    c.send_text(boost::json::serialize(op1));
    auto reply = c.read(std::chrono::seconds(5));
    if (!reply)
      return "no answer to a companion op 1 (closed with " +
             std::to_string(c.close_code().value_or(0)) + ")";
    boost::system::error_code ec;
    auto v = boost::json::parse(reply->data, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* op = o ? o->if_contains("op") : nullptr;
    if (!op || !op->is_int64() || op->get_int64() != 1)
      return "companion op 1 answered with " + reply->data;
    c.close();
    return {};
  } catch (const std::exception& e) {
    return std::string{"well-behaved client failed: "} + e.what();
  }
}

} // namespace coord::test
